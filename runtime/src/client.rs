//! [`ApiClient`]: sends [`ApiRequest`]s with credentials and returns [`RawResponse`]s.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use url::Url;

use crate::auth::{Authenticator, Credentials, NoAuth};
use crate::error::{AuthError, Error, TransportError};
use crate::request::{ApiRequest, Body};
use crate::response::RawResponse;

/// The default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default time allowed for one request, from sending to the end of the body.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A client for one API: base URL, connection pool and credentials. Cheap to clone; clones
/// share the pool and the token cache.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: Url,
    http: reqwest::Client,
    auth: Arc<dyn Authenticator>,
    message_pointers: Arc<[String]>,
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
        }
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

    /// Time allowed for one request. Default: [`DEFAULT_REQUEST_TIMEOUT`].
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

    /// Uses an existing reqwest client (its timeouts and user agent then apply).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<ApiClient, BuildError> {
        let base_url = checked_base_url(&self.base_url, self.allow_insecure_http)?;
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
            }),
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

    /// Sends `request` with credentials. A 401 triggers one credential refresh and one retry
    /// when the authenticator can refresh; a second 401 is an [`AuthError::Unauthorized`].
    pub async fn send<E>(&self, request: ApiRequest) -> Result<RawResponse, Error<E>> {
        if let Some(reason) = &request.invalid {
            return Err(Error::InvalidRequest(reason.clone()));
        }
        let mut refreshed = false;
        loop {
            let mut credentials = Credentials::default();
            self.inner
                .auth
                .authorize(&request, &mut credentials)
                .await?;
            let response = self.execute(&request, &credentials).await?;
            if response.status() != StatusCode::UNAUTHORIZED {
                return Ok(response);
            }
            if refreshed {
                return Err(Error::Auth(AuthError::Unauthorized {
                    message: response.message(),
                }));
            }
            // The authenticator is told which credentials were rejected, so it renews only
            // a token that is still current and not one another task has just fetched.
            if !self
                .inner
                .auth
                .on_unauthorized_with(&request, &credentials)
                .await?
            {
                return Ok(response);
            }
            refreshed = true;
        }
    }

    async fn execute(
        &self,
        request: &ApiRequest,
        credentials: &Credentials,
    ) -> Result<RawResponse, TransportError> {
        let mut url = self.inner.base_url.clone();
        // A root base URL keeps a `/` path (URLs with a host always have one): trim it so
        // `https://host` + `/v1/x` is `/v1/x`, not `//v1/x`.
        let path = format!("{}{}", url.path().trim_end_matches('/'), request.path);
        url.set_path(&path);
        {
            let mut query = url.query_pairs_mut();
            for (name, value) in request.query.iter().chain(credentials.query.iter()) {
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
        builder = match &request.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Form(pairs) => builder.form(pairs),
            Body::Multipart(multipart) => builder.multipart(to_reqwest_form(multipart)),
            Body::Raw {
                content_type,
                bytes,
            } => builder
                .header(http::header::CONTENT_TYPE, content_type.as_str())
                .body(bytes.clone()),
        };
        let response = builder.send().await.map_err(TransportError::from_reqwest)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(TransportError::from_reqwest)?;
        Ok(RawResponse::new(
            status,
            headers,
            body,
            self.inner.message_pointers.clone(),
        ))
    }
}

fn to_reqwest_form(multipart: &crate::request::Multipart) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for part in &multipart.parts {
        let mut piece = reqwest::multipart::Part::bytes(part.bytes.to_vec());
        if let Some(file_name) = &part.file_name {
            piece = piece.file_name(file_name.clone());
        }
        if let Some(content_type) = &part.content_type {
            // An unparseable content type is sent without one rather than failing the request.
            piece = match piece.mime_str(content_type) {
                Ok(p) => p,
                Err(_) => reqwest::multipart::Part::bytes(part.bytes.to_vec()),
            };
        }
        form = form.part(part.name.clone(), piece);
    }
    form
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
