//! [`ApiClient`]: sends [`ApiRequest`]s with credentials and returns [`RawResponse`]s.
//!
//! Every response passes through here, so nothing computed from it may panic: the lint below
//! keeps arithmetic checked or saturating.
#![warn(clippy::arithmetic_side_effects)]

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use http::StatusCode;
use secrecy::ExposeSecret;
use tracing::Instrument;
use url::Url;

use crate::auth::{Authenticator, Credentials, NoAuth};
use crate::body::{read_limited, ReadError, StreamingResponse, DEFAULT_MAX_RESPONSE_BYTES};
use crate::error::{AuthError, Call, Error, ErrorKind, RateLimitedError, TimeoutKind, TransportError};
use crate::rate_limit::{RateLimitStatus, RateLimiter};
use crate::redact::Redactor;
use crate::request::{ApiRequest, Body};
use crate::response::{RawResponse, DEFAULT_MAX_JSON_VALUES};
use crate::retry::{Failure, RetryPolicy, Sleeper, TokioSleeper};

/// The default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default time allowed for one request, from sending to the end of the body.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest URL a request can carry: `http::Uri` (under reqwest) takes at most this many
/// bytes. A longer one, e.g. a server's next-page URL, is refused as an invalid request.
pub const MAX_URL_BYTES: usize = 65_534;

/// A client for one API: base URL, connection pool and credentials. Cheap to clone; clones
/// share the pool and the token cache.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
    /// The most bytes of a response body read into memory; `None`: no limit.
    max_response_bytes: Option<u64>,
    /// The most JSON values a response body is decoded with; `None`: no limit.
    max_json_values: Option<u64>,
}

struct Inner {
    base_url: Url,
    http: reqwest::Client,
    auth: Arc<dyn Authenticator>,
    message_pointers: Arc<[String]>,
    retry: RetryPolicy,
    sleeper: Arc<dyn Sleeper>,
    limiter: Option<Arc<RateLimiter>>,
    rate_limit_status: Mutex<Option<RateLimitStatus>>,
    pagination_deadline: Option<Duration>,
    /// The longest a request without a timeout of its own may take, also through a client
    /// given with `http_client` (reqwest's own default has no timeout at all).
    request_timeout: Duration,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base_url", &self.inner.base_url.as_str())
            .field("auth", &self.inner.auth)
            .finish_non_exhaustive()
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The base URL is not a valid absolute URL.
    #[error("invalid base URL `{url}`: {reason}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The base URL uses plain http to a host that is not loopback.
    #[error("refusing plain-http base URL `{0}`: credentials would travel unencrypted; use https, a loopback host, or `allow_insecure_http(true)`")]
    InsecureBaseUrl(String),
    /// The HTTP client could not be set up (e.g. no TLS roots).
    #[error("could not set up the HTTP client: {0}")]
    Http(String),
}

/// Configures an [`ApiClient`]. Setters document their defaults; errors surface in [`build`](Self::build).
#[must_use]
pub struct ApiClientBuilder {
    base_url: String,
    auth: Arc<dyn Authenticator>,
    allow_insecure_http: bool,
    connect_timeout: Duration,
    request_timeout: Duration,
    user_agent: String,
    message_pointers: Vec<String>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    sleeper: Arc<dyn Sleeper>,
    limiter: Option<Arc<RateLimiter>>,
    pagination_deadline: Option<Duration>,
    max_response_bytes: Option<u64>,
    max_json_values: Option<u64>,
    #[cfg(feature = "redis")]
    redis: Option<(crate::shared::RedisShared, Option<String>)>,
}

impl ApiClientBuilder {
    /// Starts a builder for the API at `base_url` (e.g. `https://api.timify.com`). No auth by default.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            auth: Arc::new(NoAuth),
            allow_insecure_http: false,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            user_agent: concat!("client-runtime/", env!("CARGO_PKG_VERSION")).to_owned(),
            message_pointers: Vec::new(),
            http: None,
            retry: RetryPolicy::default(),
            sleeper: Arc::new(TokioSleeper),
            limiter: None,
            pagination_deadline: Some(crate::pagination::DEFAULT_PAGINATION_DEADLINE),
            max_response_bytes: Some(DEFAULT_MAX_RESPONSE_BYTES),
            max_json_values: Some(DEFAULT_MAX_JSON_VALUES),
            #[cfg(feature = "redis")]
            redis: None,
        }
    }

    /// Replaces the base URL given to [`new`](Self::new), e.g. when a wrapper starts from an
    /// API's default server and the caller picks another.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Shares tokens and the rate budget with every replica through `redis` (feature `redis`):
    /// the authenticator's tokens go to a [`RedisTokenStore`](crate::shared::RedisTokenStore)
    /// (when it keeps tokens and is not shared with other clients), and the client's rate
    /// limit, if it has one, is counted in Redis under the base URL's host and path. Applies
    /// at [`build`](Self::build), whatever the order of the builder calls.
    #[cfg(feature = "redis")]
    pub fn redis(mut self, redis: &crate::shared::RedisShared) -> Self {
        let name = self.redis.take().and_then(|(_, name)| name);
        self.redis = Some((redis.clone(), name));
        self
    }

    /// The name the rate budget is counted under in Redis. Default: the base URL's host and
    /// path. Clients that spend one budget (e.g. one Timeneye token) give the same name.
    #[cfg(feature = "redis")]
    pub fn rate_budget_name(mut self, name: impl Into<String>) -> Self {
        if let Some((_, budget_name)) = &mut self.redis {
            *budget_name = Some(name.into());
        }
        self
    }

    /// The most bytes of a response body the client reads into memory; a longer body ends
    /// the call with [`ErrorKind::ResponseTooLarge`] as soon as it passes the limit. Default:
    /// [`DEFAULT_MAX_RESPONSE_BYTES`] (32 MiB); `None` lifts the limit. For one call, see
    /// [`ApiClient::with_max_response_bytes`]; for bodies to read piecewise,
    /// [`ApiClient::send_streaming`].
    pub fn max_response_bytes(mut self, limit: Option<u64>) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The most JSON values a response body is decoded with; a body holding more is not
    /// decoded and the call ends with [`ErrorKind::TooManyJsonValues`]. A body's byte limit
    /// alone does not bound the memory its decode takes (`[0,0,...]` spends two bytes a
    /// value, each of which costs ~150 decoded). Default: [`DEFAULT_MAX_JSON_VALUES`] (a
    /// million); `None` lifts the limit. For one call, see [`ApiClient::with_max_json_values`].
    pub fn max_json_values(mut self, limit: Option<u64>) -> Self {
        self.max_json_values = limit;
        self
    }

    /// How failed requests are retried. Default: [`RetryPolicy::default`]; turn retries off
    /// with [`RetryPolicy::disabled`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How the client waits between attempts. Default: tokio's timer.
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// Limits this client (and its clones) to `requests` per `period`: requests beyond it wait
    /// their turn instead of being refused by the server. Default: no limit.
    pub fn rate_limit(mut self, requests: u32, period: Duration) -> Self {
        self.limiter = Some(Arc::new(RateLimiter::new(requests, period)));
        self
    }

    /// Shares a limiter with other clients (e.g. several clients using one token).
    pub fn shared_rate_limiter(mut self, limiter: Option<Arc<RateLimiter>>) -> Self {
        self.limiter = limiter;
        self
    }

    /// The time a whole paginated walk (an `_stream` method) may take; when it runs out the
    /// stream ends with a [`TimeoutKind::Deadline`] error. Default:
    /// [`DEFAULT_PAGINATION_DEADLINE`](crate::pagination::DEFAULT_PAGINATION_DEADLINE)
    /// (10 minutes); `None` lifts it.
    pub fn pagination_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.pagination_deadline = deadline;
        self
    }

    /// Sets how requests are authenticated. Default: not at all.
    pub fn auth(mut self, auth: impl Authenticator + 'static) -> Self {
        self.auth = Arc::new(auth);
        self
    }

    /// Sets a shared authenticator, e.g. one also used by another client.
    pub fn shared_auth(mut self, auth: Arc<dyn Authenticator>) -> Self {
        self.auth = auth;
        self
    }

    /// Allows a plain-http base URL to a host that is not loopback. Default: refused.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Time allowed to connect. Default: [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one request, from sending to the end of the body. Default:
    /// [`DEFAULT_REQUEST_TIMEOUT`]. It bounds every request, also through a client given with
    /// [`http_client`](Self::http_client) (whose own timeout still applies when shorter); a
    /// call's own timeout takes precedence over it.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The `User-Agent` header. Default: `client-runtime/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// JSON pointers (e.g. `/messageList/0/text`) to the vendor's message in error bodies.
    pub fn error_message_pointers<I, S>(mut self, pointers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.message_pointers = pointers.into_iter().map(Into::into).collect();
        self
    }

    /// Uses an existing reqwest client (its connect timeout, user agent, redirect policy and
    /// pool then apply; each request is still bounded by [`request_timeout`](Self::request_timeout)).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client.
    #[allow(unused_mut)] // mutated only with the `redis` feature
    pub fn build(mut self) -> Result<ApiClient, BuildError> {
        let base_url = checked_base_url(&self.base_url, self.allow_insecure_http)?;
        #[cfg(feature = "redis")]
        if let Some((redis, name)) = self.redis.take() {
            if let Some(auth) = Arc::get_mut(&mut self.auth) {
                auth.adopt_token_store(Arc::new(redis.token_store()));
            } else {
                tracing::warn!(
                    "the authenticator is shared with other clients, so its token store is left as it is; \
                     give its flow `token_store(redis.token_store())` to share its tokens"
                );
            }
            if let Some(limiter) = &self.limiter {
                let (requests, period) = limiter.limit();
                let name =
                    name.unwrap_or_else(|| format!("{}{}", base_url.host_str().unwrap_or_default(), base_url.path()));
                self.limiter = Some(Arc::new(redis.rate_budget(&name, requests, period)));
            }
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .timeout(self.request_timeout)
                .user_agent(self.user_agent)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| BuildError::Http(e.to_string()))?,
        };
        Ok(ApiClient {
            inner: Arc::new(Inner {
                base_url,
                http,
                auth: self.auth,
                message_pointers: self.message_pointers.into(),
                retry: self.retry,
                sleeper: self.sleeper,
                limiter: self.limiter,
                rate_limit_status: Mutex::new(None),
                pagination_deadline: self.pagination_deadline,
                request_timeout: self.request_timeout,
            }),
            max_response_bytes: self.max_response_bytes,
            max_json_values: self.max_json_values,
        })
    }
}

/// Parses a base URL and refuses plain http to hosts that are not loopback unless allowed.
pub fn checked_base_url(raw: &str, allow_insecure_http: bool) -> Result<Url, BuildError> {
    let invalid = |reason: String| BuildError::InvalidBaseUrl {
        url: raw.to_owned(),
        reason,
    };
    let mut url = Url::parse(raw).map_err(|e| invalid(e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => return Err(BuildError::InsecureBaseUrl(raw.to_owned())),
        other => return Err(invalid(format!("scheme `{other}` is not http or https"))),
    }
    if url.cannot_be_a_base() {
        return Err(invalid("not a base URL".to_owned()));
    }
    // Paths are appended to the base, so `https://host/app/v3` and `.../v3/` mean the same.
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&trimmed);
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl ApiClient {
    /// Starts a builder; see [`ApiClientBuilder`].
    pub fn builder(base_url: impl Into<String>) -> ApiClientBuilder {
        ApiClientBuilder::new(base_url)
    }

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The authenticator in use.
    pub fn authenticator(&self) -> &Arc<dyn Authenticator> {
        &self.inner.auth
    }

    /// The rate-limit headers (`X-RateLimit-Limit/Remaining/Reset`) of the latest response
    /// that carried any, shared by all clones of this client.
    pub fn rate_limit_status(&self) -> Option<RateLimitStatus> {
        match self.inner.rate_limit_status.lock() {
            Ok(guard) => *guard,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    /// The retry policy in use.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The deadline for paginated walks, if any.
    pub fn pagination_deadline(&self) -> Option<Duration> {
        self.inner.pagination_deadline
    }

    /// Resolves `url` (absolute, or relative to the base URL) for
    /// [`ApiRequest::absolute_url`], refusing it unless it has the base URL's scheme, host
    /// and port: credentials must not travel to another server.
    pub fn same_server_url<E>(&self, url: &str) -> Result<Url, Error<E>> {
        self.resolve_on_same_server(&self.inner.base_url, url, "URL")
    }

    /// The URL `request` goes to, credentials aside: its absolute URL, or the base URL with the
    /// request's path and query.
    pub(crate) fn request_url(&self, request: &ApiRequest) -> Url {
        // An absolute URL carries its own query.
        if let Some(absolute) = &request.absolute_url {
            return absolute.clone();
        }
        let mut url = self.inner.base_url.clone();
        // A root base URL keeps a `/` path (URLs with a host always have one): trim it
        // so `https://host` + `/v1/x` is `/v1/x`, not `//v1/x`.
        let path = format!("{}{}", url.path().trim_end_matches('/'), request.path);
        url.set_path(&path);
        if !request.query.is_empty() {
            let mut query = url.query_pairs_mut();
            for (name, value) in &request.query {
                query.append_pair(name, value);
            }
        }
        url
    }

    /// [`same_server_url`](Self::same_server_url) with `url` relative to `from` (the page that
    /// named it), naming the URL `what` in its errors.
    pub(crate) fn resolve_on_same_server<E>(&self, from: &Url, url: &str, what: &str) -> Result<Url, Error<E>> {
        let parsed = from
            .join(url)
            .map_err(|e| Error::invalid_request(format!("the {what} is invalid: {e}")))?;
        self.check_same_server(&parsed, what)?;
        let length = parsed.as_str().len();
        if length > MAX_URL_BYTES {
            return Err(Error::invalid_request(format!(
                "the {what} is {length} bytes long; a request URL may have at most {MAX_URL_BYTES}"
            )));
        }
        Ok(parsed)
    }

    fn check_same_server<E>(&self, url: &Url, what: &str) -> Result<(), Error<E>> {
        let base = &self.inner.base_url;
        if url.scheme() != base.scheme()
            || url.host() != base.host()
            || url.port_or_known_default() != base.port_or_known_default()
        {
            return Err(Error::invalid_request(format!(
                "refusing a {what} on another server (`{}`): credentials stay with `{}`",
                url.host_str().unwrap_or_default(),
                base.host_str().unwrap_or_default()
            )));
        }
        Ok(())
    }

    /// The response body limit in force; see [`ApiClientBuilder::max_response_bytes`].
    pub fn max_response_bytes(&self) -> Option<u64> {
        self.max_response_bytes
    }

    /// This client with another response body limit (`None`: none), for the calls made
    /// through it; e.g. `Client::from_api_client(api.with_max_response_bytes(..))` for one
    /// large export. Cheap: it shares the connection pool, credentials and token cache.
    pub fn with_max_response_bytes(&self, limit: Option<u64>) -> ApiClient {
        ApiClient {
            max_response_bytes: limit,
            ..self.clone()
        }
    }

    /// The limit on the JSON values a body is decoded with; see
    /// [`ApiClientBuilder::max_json_values`].
    pub fn max_json_values(&self) -> Option<u64> {
        self.max_json_values
    }

    /// This client with another limit on the JSON values a body is decoded with (`None`:
    /// none), for the calls made through it, like [`with_max_response_bytes`](Self::with_max_response_bytes).
    pub fn with_max_json_values(&self, limit: Option<u64>) -> ApiClient {
        ApiClient {
            max_json_values: limit,
            ..self.clone()
        }
    }

    /// Sends `request` with credentials.
    ///
    /// - A 401 triggers one credential refresh and one retry when the authenticator can
    ///   refresh; a second 401 is an [`AuthError::Unauthorized`].
    /// - Transport errors, 5xx gateway errors and rate-limit answers are retried as the
    ///   client's [`RetryPolicy`] says, waiting as the server asks on 429.
    /// - With a client-side rate limit, each attempt first waits its turn.
    /// - The body is read up to the client's [`max_response_bytes`](Self::max_response_bytes);
    ///   past it the call ends with [`ErrorKind::ResponseTooLarge`].
    pub async fn send<E>(&self, request: ApiRequest) -> Result<RawResponse, Error<E>> {
        let call = self.call(&request);
        let received = self.send_attempts(request, BodyMode::Whole).await;
        let response = match received.map_err(|e| e.with_call(&call))? {
            Received::Whole(response) => Ok(response),
            // Not produced for `BodyMode::Whole`; read it within the limit all the same.
            Received::Streaming(response) => self.read_whole(response).await.map_err(|e| e.with_call(&call)),
        }?;
        Ok(response.for_call(call))
    }

    /// Like [`send`](Self::send), but a successful response comes back before its body is
    /// read, to be read piecewise in constant memory and without the size limit (large
    /// exports, files). Any other final status is returned as [`ErrorKind::Status`], its body
    /// read within the limit.
    pub async fn send_streaming<E>(&self, request: ApiRequest) -> Result<StreamingResponse, Error<E>> {
        let call = self.call(&request);
        let received = self.send_attempts(request, BodyMode::StreamSuccess).await;
        match received.map_err(|e| e.with_call(&call))? {
            Received::Streaming(response) => Ok(response),
            Received::Whole(response) => Err(response.for_call(call).unexpected()),
        }
    }

    /// Which call `request` is, for errors and traces: never the filled-in path or the query.
    fn call(&self, request: &ApiRequest) -> Arc<Call> {
        let url = request.absolute_url.as_ref().unwrap_or(&self.inner.base_url);
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => String::new(),
        };
        Arc::new(Call::new(
            request.operation,
            request.method.clone(),
            request.path_template,
            host,
        ))
    }

    async fn send_attempts<E>(&self, request: ApiRequest, mode: BodyMode) -> Result<Received, Error<E>> {
        if let Some(reason) = &request.invalid {
            return Err(Error::invalid_request(reason.clone()));
        }
        if let Some(url) = &request.absolute_url {
            self.check_same_server(url, "URL")?;
        }
        let started = Instant::now();
        // `sent` numbers every request for tracing; `attempts` is what the retry policy counts,
        // which leaves out the one resend after a token refresh (that one is auth's).
        let mut sent = 0u32;
        let mut attempts = 0u32;
        let mut refreshed = false;
        loop {
            if let Some(limiter) = &self.inner.limiter {
                limiter.acquire().await;
            }
            sent = sent.saturating_add(1);
            attempts = attempts.saturating_add(1);
            let mut credentials = Credentials::default();
            self.inner.auth.authorize(&request, &mut credentials).await?;
            let received = match self.execute_traced(&request, &credentials, sent, mode).await {
                Ok(received) => received,
                Err(ReadError::TooLarge { status, limit }) => {
                    return Err(ErrorKind::ResponseTooLarge { status, limit }.into())
                }
                Err(ReadError::Invalid(reason)) => return Err(Error::invalid_request(reason)),
                Err(ReadError::Transport(error)) => {
                    let failure = Failure::Transport;
                    match self.retry_wait(&request, failure, attempts, started) {
                        Some(wait) => {
                            tracing::warn!(
                                operation = request.operation,
                                method = %request.method,
                                path = request.path_template,
                                attempt = sent,
                                wait_ms = millis(wait),
                                error = %error,
                                "retrying after a transport error"
                            );
                            self.inner.sleeper.sleep(wait).await;
                            continue;
                        }
                        None => return Err(self.give_up(error, attempts, started)),
                    }
                }
            };
            self.record_rate_limit(received.headers());
            let status = received.status();
            if status == StatusCode::TOO_MANY_REQUESTS {
                // A shared budget pauses every replica for as long as the server asks.
                if let (Some(limiter), Some(wait)) = (
                    &self.inner.limiter,
                    crate::rate_limit::retry_after(received.headers(), SystemTime::now()),
                ) {
                    limiter.rate_limited(wait).await;
                }
            }
            if status != StatusCode::UNAUTHORIZED {
                let failure = Failure::Status(status, received.headers());
                if let Some(wait) = self.retry_wait(&request, failure, attempts, started) {
                    tracing::warn!(
                        operation = request.operation,
                        method = %request.method,
                        path = request.path_template,
                        status = status.as_u16(),
                        attempt = sent,
                        wait_ms = millis(wait),
                        "retrying after status {status}"
                    );
                    self.inner.sleeper.sleep(wait).await;
                    continue;
                }
                let beyond = self.inner.retry.wait_beyond_budget(
                    status,
                    received.headers(),
                    started.elapsed(),
                    SystemTime::now(),
                );
                if let (Some(retry_after), Received::Whole(response)) = (beyond, &received) {
                    return Err(Error::from(ErrorKind::RateLimited(Box::new(RateLimitedError {
                        status,
                        retry_after,
                        headers: response.headers().clone(),
                        body: response.body().clone(),
                        message: response.message(),
                    }))));
                }
                return Ok(received);
            }
            let Received::Whole(response) = received else {
                // A 401 is never streamed; there is nothing to renew on such an answer.
                return Ok(received);
            };
            if refreshed {
                return Err(Error::from(AuthError::Unauthorized {
                    message: response.message(),
                }));
            }
            // The authenticator is told which credentials were rejected, so it renews only
            // a token that is still current and not one another task has just fetched.
            if !self.inner.auth.on_unauthorized_with(&request, &credentials).await? {
                return Ok(Received::Whole(response));
            }
            tracing::warn!(
                operation = request.operation,
                method = %request.method,
                path = request.path_template,
                attempt = sent,
                "the server rejected the token (401); it was refreshed and the request is sent again"
            );
            refreshed = true;
            attempts = attempts.saturating_sub(1);
        }
    }

    /// Reads a streaming response whole, within the limit.
    async fn read_whole<E>(&self, response: StreamingResponse) -> Result<RawResponse, Error<E>> {
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        let mut stream = response;
        while let Some(chunk) = stream.chunk().await.map_err(Error::from)? {
            let length = u64::try_from(body.len().saturating_add(chunk.len())).unwrap_or(u64::MAX);
            if let Some(limit) = self.max_response_bytes.filter(|limit| length > *limit) {
                return Err(ErrorKind::ResponseTooLarge { status, limit }.into());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(
            RawResponse::new(status, headers, body.into(), self.inner.message_pointers.clone())
                .with_max_json_values(self.max_json_values),
        )
    }

    fn retry_wait(
        &self,
        request: &ApiRequest,
        failure: Failure<'_>,
        attempts: u32,
        started: Instant,
    ) -> Option<Duration> {
        if request.options.no_retries {
            return None;
        }
        self.inner.retry.wait_before_retry(
            failure,
            request.is_retry_safe(),
            attempts,
            started.elapsed(),
            SystemTime::now(),
        )
    }

    /// The error for a transport failure that is not retried: a timeout after retries says
    /// so, since the caller's total budget, not one request, ran out.
    fn give_up<E>(&self, error: TransportError, attempts: u32, started: Instant) -> Error<E> {
        if attempts > 1 && error.timeout_kind() == Some(TimeoutKind::Request) {
            let elapsed = started.elapsed().as_millis();
            return Error::from(TransportError::timeout(
                TimeoutKind::Deadline,
                format!("the request timed out on each of {attempts} attempts ({elapsed} ms in all)"),
            ));
        }
        Error::from(error)
    }

    fn record_rate_limit(&self, headers: &http::HeaderMap) {
        if let Some(status) = RateLimitStatus::from_headers(headers, SystemTime::now()) {
            match self.inner.rate_limit_status.lock() {
                Ok(mut guard) => *guard = Some(status),
                Err(poisoned) => *poisoned.into_inner() = Some(status),
            }
        }
    }

    /// One attempt inside a span with operation, method, path template and attempt, ending
    /// with one `debug` event that adds status (or the error) and duration; never the URL (it
    /// may carry an API key) or headers.
    async fn execute_traced(
        &self,
        request: &ApiRequest,
        credentials: &Credentials,
        attempt: u32,
        mode: BodyMode,
    ) -> Result<Received, ReadError> {
        let span = tracing::info_span!(
            "api_request",
            operation = request.operation,
            method = %request.method,
            path = request.path_template,
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self.execute(request, credentials, mode).instrument(span.clone()).await;
        let duration_ms = millis(started.elapsed());
        span.record("duration_ms", duration_ms);
        // The event repeats the span's fields so a plain `fmt()` subscriber prints them all.
        macro_rules! request_event {
            ($($fields:tt)*) => {
                tracing::debug!(
                    operation = request.operation,
                    method = %request.method,
                    path = request.path_template,
                    attempt,
                    duration_ms,
                    $($fields)*
                )
            };
        }
        span.in_scope(|| match &result {
            Ok(response) => {
                let status = response.status().as_u16();
                span.record("status", status);
                request_event!(status, "response received");
            }
            Err(ReadError::Transport(error)) => {
                request_event!(error = %error, "request failed");
            }
            Err(ReadError::TooLarge { status, limit }) => {
                let status = status.as_u16();
                span.record("status", status);
                request_event!(status, limit, "response body over the limit");
            }
            Err(ReadError::Invalid(reason)) => {
                request_event!(error = %reason, "request not sent");
            }
        });
        result
    }

    async fn execute(
        &self,
        request: &ApiRequest,
        credentials: &Credentials,
        mode: BodyMode,
    ) -> Result<Received, ReadError> {
        let mut url = self.request_url(request);
        if !credentials.query.is_empty() {
            let mut query = url.query_pairs_mut();
            for (name, value) in &credentials.query {
                query.append_pair(name, value);
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url)
            .headers(request.headers.clone())
            .headers(credentials.headers.clone());
        if let Some(timeout) = request.options.timeout {
            builder = builder.timeout(timeout);
        }
        builder = match &request.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Form(pairs) => builder.form(pairs),
            Body::Multipart(multipart) => builder.multipart(multipart.to_form()),
            Body::Raw { content_type, bytes } => builder
                .header(http::header::CONTENT_TYPE, content_type.as_str())
                .body(bytes.clone()),
        };
        // The builder's client has this timeout already; one given with `http_client` may have
        // a shorter one, which then fires first, or a longer one or none (reqwest's default),
        // which this caps.
        let limit = request.options.timeout.unwrap_or(self.inner.request_timeout);
        match tokio::time::timeout(limit, self.receive(builder, credentials, mode)).await {
            Ok(received) => received,
            Err(_) => Err(ReadError::Transport(TransportError::timeout(
                TimeoutKind::Request,
                "the request timed out (request timeout)",
            ))),
        }
    }

    /// Sends the built request and reads its answer.
    async fn receive(
        &self,
        builder: reqwest::RequestBuilder,
        credentials: &Credentials,
        mode: BodyMode,
    ) -> Result<Received, ReadError> {
        let response = builder.send().await.map_err(|e| {
            // A request reqwest cannot build (a URL over `MAX_URL_BYTES`, say) fails the same
            // way on every attempt: it is the request's fault, never worth a retry.
            if e.is_builder() {
                ReadError::Invalid(format!(
                    "the request could not be built: {}",
                    crate::error::root_cause(&e.without_url())
                ))
            } else {
                ReadError::Transport(TransportError::from_reqwest(e))
            }
        })?;
        let status = response.status();
        if mode == BodyMode::StreamSuccess && status.is_success() {
            return Ok(Received::Streaming(StreamingResponse::new(response)));
        }
        let headers = response.headers().clone();
        let body = read_limited(response, self.max_response_bytes).await?;
        let response = RawResponse::new(status, headers, body, self.inner.message_pointers.clone())
            .with_max_json_values(self.max_json_values);
        if status.is_success() {
            return Ok(Received::Whole(response));
        }
        Ok(Received::Whole(response.redacted(&sent_secrets(credentials))))
    }
}

/// A duration in whole milliseconds, for traces (saturating: no trace is worth a panic).
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The secrets `credentials` carry: secret header values, query keys and the cached token.
fn sent_secrets(credentials: &Credentials) -> Redactor {
    let mut redactor = Redactor::default();
    for value in credentials.headers.values().filter(|v| v.is_sensitive()) {
        redactor.add_header(value);
    }
    for (_, key) in &credentials.query {
        redactor.add(key);
    }
    if let Some((_, token)) = credentials.noted_token() {
        redactor.add(token.access_token().expose_secret());
        if let Some(refresh) = token.refresh_token() {
            redactor.add(refresh.expose_secret());
        }
    }
    redactor
}

/// Whether a successful response's body is read by the client or handed to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyMode {
    Whole,
    StreamSuccess,
}

/// One attempt's response, its body read or not.
enum Received {
    Whole(RawResponse),
    Streaming(StreamingResponse),
}

impl Received {
    fn status(&self) -> StatusCode {
        match self {
            Received::Whole(r) => r.status(),
            Received::Streaming(r) => r.status(),
        }
    }

    fn headers(&self) -> &http::HeaderMap {
        match self {
            Received::Whole(r) => r.headers(),
            Received::Streaming(r) => r.headers(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_unless_loopback_or_allowed() {
        assert!(matches!(
            checked_base_url("http://api.example.com", false),
            Err(BuildError::InsecureBaseUrl(_))
        ));
        assert!(checked_base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(checked_base_url("http://localhost:8080/v1", false).is_ok());
        assert!(checked_base_url("http://[::1]:8080", false).is_ok());
        assert!(checked_base_url("http://api.example.com", true).is_ok());
    }

    #[test]
    fn trailing_slashes_on_the_base_are_dropped() {
        let url = checked_base_url("https://api.bookingtime.com/app/v3/en/", false).unwrap();
        assert_eq!(url.path(), "/app/v3/en");
    }
}
