//! The one error type callers of a generated client see.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

/// Everything that can go wrong with one API call: what went wrong ([`ErrorKind`]) and, when
/// the error came from a call, which call it was ([`Call`]).
///
/// `Display` names the call first, then the failure, e.g. `customerShow (GET
/// /organization/{organizationId}/customer/{customerId}/show on api.bookingtime.com): the
/// server answered 404 Not Found: customer nope not found`. The path is the template, never
/// the filled-in path (it may hold ids) or the query (it may hold an API key).
///
/// `E` is the operation's documented error body (an enum when several statuses document
/// different bodies); operations without documented errors use [`std::convert::Infallible`].
/// Match on [`kind`](Self::kind) to tell the failures apart.
#[derive(Debug)]
pub struct Error<E = std::convert::Infallible> {
    kind: ErrorKind<E>,
    call: Option<Arc<Call>>,
}

/// What went wrong with one API call.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind<E = std::convert::Infallible> {
    /// Getting or using credentials failed: bad credentials, a revoked refresh token, an
    /// organization the client may not act for, or a second 401 after a refresh.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The server answered with a status the spec documents as an error, with its typed body.
    #[error("{}", .0)]
    Api(Box<ApiError<E>>),
    /// The server answered with a status the spec does not document for this operation.
    #[error(transparent)]
    Status(Box<HttpError>),
    /// The request did not reach the server or the response did not arrive.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The response body did not match the spec.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The request could not be built from the arguments given (e.g. a header with a newline).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The server refused the call for its rate limit (429, or a status configured as such)
    /// and asked for a wait longer than the retry policy's budget allows: the call is given
    /// up at once. [`Error::retry_after`] says when the server will take it again.
    #[error(transparent)]
    RateLimited(Box<RateLimitedError>),
    /// A paginated walk was ended although the server kept offering pages (a cycle of
    /// next-page URLs, or the walk's page cap).
    #[error(transparent)]
    Pagination(#[from] crate::pagination::PaginationError),
    /// The response body is larger than the client's limit; reading stopped at the limit.
    #[error("the response body ({status}) is larger than the limit of {limit} bytes; raise or lift it with `max_response_bytes`, or read large bodies with `ApiClient::send_streaming`")]
    ResponseTooLarge {
        /// The response status.
        status: StatusCode,
        /// The limit in bytes that was passed.
        limit: u64,
    },
    /// The JSON body holds more values than the client decodes (each costs far more memory
    /// decoded than the two bytes `0,` it may take in the text); nothing was decoded.
    #[error("the response body ({status}) holds more than {limit} JSON values, the client's limit on what it decodes; raise or lift it with `max_json_values`")]
    TooManyJsonValues {
        /// The response status.
        status: StatusCode,
        /// The limit in values that was passed.
        limit: u64,
    },
}

/// Which call an error came from: operation, method, path template and host.
///
/// Holds nothing a request was filled in with (ids in the path, the query, headers), so it is
/// safe to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    operation: Option<&'static str>,
    method: Method,
    path_template: &'static str,
    host: String,
}

impl Call {
    /// Describes a call of `operation` (its spec id or Rust name, if known) as `method` on
    /// `path_template` at `host` (with the port, when it is not the scheme's default).
    pub fn new(operation: Option<&'static str>, method: Method, path_template: &'static str, host: String) -> Self {
        Self {
            operation,
            method,
            path_template,
            host,
        }
    }

    /// The operation's name, when the request carried one ([`ApiRequest::operation`](crate::ApiRequest::operation)).
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path template as written in the spec, e.g. `/customer/{customerId}/show`.
    pub fn path_template(&self) -> &'static str {
        self.path_template
    }

    /// The host the call went to, e.g. `api.bookingtime.com` or `127.0.0.1:8080`.
    pub fn host(&self) -> &str {
        &self.host
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            operation,
            method,
            path_template,
            host,
        } = self;
        match operation {
            Some(operation) => write!(f, "{operation} ({method} {path_template} on {host})"),
            None => write!(f, "{method} {path_template} on {host}"),
        }
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.call {
            Some(call) => write!(f, "{call}: {}", self.kind),
            None => self.kind.fmt(f),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    // `Display` already prints the kind, so the chain goes on from the kind's own source.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.kind.source()
    }
}

impl<E> From<ErrorKind<E>> for Error<E> {
    fn from(kind: ErrorKind<E>) -> Self {
        Self { kind, call: None }
    }
}

impl<E> From<AuthError> for Error<E> {
    fn from(e: AuthError) -> Self {
        ErrorKind::Auth(e).into()
    }
}

impl<E> From<TransportError> for Error<E> {
    fn from(e: TransportError) -> Self {
        ErrorKind::Transport(e).into()
    }
}

impl<E> From<crate::pagination::PaginationError> for Error<E> {
    fn from(e: crate::pagination::PaginationError) -> Self {
        ErrorKind::Pagination(e).into()
    }
}

impl<E> Error<E> {
    /// An error for a request that could not be built, e.g. an argument out of range.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        ErrorKind::InvalidRequest(message.into()).into()
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind<E> {
        &self.kind
    }

    /// What went wrong, by value (to take the typed error body out, say).
    pub fn into_kind(self) -> ErrorKind<E> {
        self.kind
    }

    /// Which call failed, when the error came from one.
    pub fn call(&self) -> Option<&Call> {
        self.call.as_deref()
    }

    /// The same error, said to come from `call` unless it already names one (the innermost
    /// call is the one that failed).
    pub fn with_call(mut self, call: &Arc<Call>) -> Self {
        self.call.get_or_insert_with(|| Arc::clone(call));
        self
    }

    /// The documented error response, when the server sent one ([`ErrorKind::Api`]).
    pub fn api(&self) -> Option<&ApiError<E>> {
        match &self.kind {
            ErrorKind::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match &self.kind {
            ErrorKind::Api(e) => Some(e.status),
            ErrorKind::Status(e) => Some(e.status),
            ErrorKind::Decode(e) => e.status,
            ErrorKind::Auth(e) => e.status(),
            ErrorKind::ResponseTooLarge { status, .. } | ErrorKind::TooManyJsonValues { status, .. } => Some(*status),
            ErrorKind::RateLimited(e) => Some(e.status),
            ErrorKind::Transport(_) | ErrorKind::InvalidRequest(_) | ErrorKind::Pagination(_) => None,
        }
    }

    /// How long the server asked to wait before trying again, when it refused the call for
    /// its rate limit ([`ErrorKind::RateLimited`]).
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.kind {
            ErrorKind::RateLimited(e) => Some(e.retry_after),
            _ => None,
        }
    }

    /// Whether this is an authentication or authorisation failure.
    pub fn is_auth(&self) -> bool {
        matches!(self.kind, ErrorKind::Auth(_))
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(&self.kind, ErrorKind::Transport(t) if t.is_timeout())
    }

    /// Which time limit ran out, when this is a timeout.
    pub fn timeout_kind(&self) -> Option<TimeoutKind> {
        match &self.kind {
            ErrorKind::Transport(t) => t.timeout_kind(),
            _ => None,
        }
    }

    /// Turns the typed error body into another type, keeping everything else.
    pub fn map_api<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        let kind = match self.kind {
            ErrorKind::Api(e) => {
                let ApiError {
                    status,
                    headers,
                    body,
                    message,
                } = *e;
                ErrorKind::Api(Box::new(ApiError {
                    status,
                    headers,
                    body: f(body),
                    message,
                }))
            }
            ErrorKind::Auth(e) => ErrorKind::Auth(e),
            ErrorKind::Status(e) => ErrorKind::Status(e),
            ErrorKind::Transport(e) => ErrorKind::Transport(e),
            ErrorKind::Decode(e) => ErrorKind::Decode(e),
            ErrorKind::InvalidRequest(e) => ErrorKind::InvalidRequest(e),
            ErrorKind::ResponseTooLarge { status, limit } => ErrorKind::ResponseTooLarge { status, limit },
            ErrorKind::TooManyJsonValues { status, limit } => ErrorKind::TooManyJsonValues { status, limit },
            ErrorKind::RateLimited(e) => ErrorKind::RateLimited(e),
            ErrorKind::Pagination(e) => ErrorKind::Pagination(e),
        };
        Error { kind, call: self.call }
    }
}

/// A documented error response: status, headers and the typed body.
#[derive(Debug)]
pub struct ApiError<E> {
    /// The response status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The decoded error body.
    pub body: E,
    /// The vendor's human-readable message, where the body carries one.
    pub message: Option<String>,
}

impl<E> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(message) => write!(f, "the server answered {}: {message}", self.status),
            None => write!(f, "the server answered {}", self.status),
        }
    }
}

/// A response with a status the operation does not document, or a documented error status
/// whose body does not match its schema; the body is kept raw.
#[derive(Debug, thiserror::Error)]
#[error("the server answered {status}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
pub struct HttpError {
    /// The response status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The raw response body.
    pub body: Bytes,
    /// The vendor's human-readable message, where the body carries one.
    pub message: Option<String>,
}

/// A rate-limited answer whose requested wait is beyond the retry policy's budget.
#[derive(Debug, thiserror::Error)]
#[error("rate limited ({status}): the server asks to wait {} s before trying again, longer than the retry policy allows{}", retry_after.as_secs(), message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
pub struct RateLimitedError {
    /// The response status (429, or one configured as rate limiting).
    pub status: StatusCode,
    /// How long the server asked to wait (at most a day; see
    /// [`MAX_SERVER_WAIT`](crate::rate_limit::MAX_SERVER_WAIT)).
    pub retry_after: Duration,
    /// The response headers.
    pub headers: HeaderMap,
    /// The raw response body.
    pub body: Bytes,
    /// The vendor's human-readable message, where the body carries one.
    pub message: Option<String>,
}

/// A response body that does not match the spec.
#[derive(Debug, thiserror::Error)]
#[error("could not decode the response body at `{path}`: {message}")]
pub struct DecodeError {
    /// The JSON path that failed, e.g. `data[3].customer.email` (`.` for the root).
    pub path: String,
    /// What was wrong there.
    pub message: String,
    /// The response status, when the body came from a response.
    pub status: Option<StatusCode>,
    /// The raw body, so nothing is lost.
    pub body: Bytes,
}

/// Which time limit ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutKind {
    /// The connection could not be set up in time (`connect_timeout`).
    Connect,
    /// One request did not complete in time (`request_timeout`).
    Request,
    /// A whole operation with retries or a paginated walk ran past its deadline.
    Deadline,
}

/// The request did not complete: connection refused, TLS failure, timeout, broken body.
///
/// Cloneable (the reqwest error behind it is shared), so one failed token fetch can be handed
/// to every caller that waited on it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct TransportError {
    message: String,
    timeout: Option<TimeoutKind>,
    #[source]
    source: Option<Arc<reqwest::Error>>,
}

impl TransportError {
    /// Wraps a reqwest error, dropping the URL (it may carry an API key in the query).
    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        let error = error.without_url();
        let timeout = match (error.is_timeout(), error.is_connect()) {
            (true, true) => Some(TimeoutKind::Connect),
            (true, false) => Some(TimeoutKind::Request),
            (false, _) => None,
        };
        let message = if timeout == Some(TimeoutKind::Connect) {
            "could not connect to the server in time (connect timeout)".to_owned()
        } else if timeout.is_some() {
            "the request timed out (request timeout)".to_owned()
        } else if error.is_connect() {
            format!("could not connect to the server: {}", root_cause(&error))
        } else {
            format!("the request failed: {}", root_cause(&error))
        };
        Self {
            message,
            timeout,
            source: Some(Arc::new(error)),
        }
    }

    /// A transport error with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            timeout: None,
            source: None,
        }
    }

    /// A timeout of the given kind, with a message saying what ran out.
    pub fn timeout(kind: TimeoutKind, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            timeout: Some(kind),
            source: None,
        }
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        self.timeout.is_some()
    }

    /// Which time limit ran out, when this is a timeout.
    pub fn timeout_kind(&self) -> Option<TimeoutKind> {
        self.timeout
    }

    /// Whether the connection could not be set up (nothing reached the server).
    pub fn is_connect(&self) -> bool {
        self.source.as_deref().is_some_and(reqwest::Error::is_connect)
    }
}

pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// Getting or using credentials failed.
///
/// Cloneable: the token cache hands one failed fetch to every caller that waited on it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthError {
    /// The token endpoint rejected the credentials (e.g. a wrong app secret or client secret).
    #[error("the credentials were rejected{}", fmt_detail(.status, .message))]
    InvalidCredentials {
        /// The token endpoint's status.
        status: Option<StatusCode>,
        /// The token endpoint's message, if any (never contains secrets we sent).
        message: Option<String>,
    },
    /// A refresh token was rejected or revoked and no other way to get a token is configured.
    #[error("the refresh token was rejected{}", fmt_detail(.status, .message))]
    RefreshRejected {
        /// The token endpoint's status.
        status: Option<StatusCode>,
        /// The token endpoint's message, if any.
        message: Option<String>,
    },
    /// The token does not permit this request (e.g. an organization the client may not act for).
    #[error("not permitted: {message}")]
    NotPermitted {
        /// What was refused.
        message: String,
    },
    /// The API still answered 401 after the token was refreshed once.
    #[error("the server rejected the credentials (401) even after a token refresh{}", fmt_detail(&None, .message))]
    Unauthorized {
        /// The API's message, if any.
        message: Option<String>,
    },
    /// A personal access token (which cannot be refreshed) was rejected.
    #[error("the access token was rejected; it may have expired or been revoked: issue a new one")]
    TokenRejected,
    /// The token endpoint answered something we could not understand.
    #[error("the token endpoint returned an unusable response: {0}")]
    BadTokenResponse(String),
    /// The token endpoint could not be reached.
    #[error("the token endpoint could not be reached: {0}")]
    Transport(TransportError),
    /// The auth flow was misconfigured (e.g. a missing organization in the request).
    #[error("auth configuration: {0}")]
    Configuration(String),
    /// The token endpoint answered with an error status that says nothing about the
    /// credentials (e.g. a 5xx); trying again later may help.
    #[error("the token endpoint failed{}", fmt_detail(&Some(*.status), .message))]
    TokenEndpoint {
        /// The token endpoint's status.
        status: StatusCode,
        /// The token endpoint's message, if any.
        message: Option<String>,
    },
    /// A token endpoint URL uses plain http to a host that is not loopback, and the flow was
    /// not told to allow it: the credentials would travel unencrypted.
    #[error("refusing plain-http token endpoint `{0}`: credentials would travel unencrypted; use https, a loopback host, or `allow_insecure_http(true)` on the auth flow")]
    InsecureTokenUrl(String),
    /// The `state` returned to the OAuth redirect is not the one sent: the callback may be
    /// forged (CSRF) or belong to another authorization attempt.
    #[error("the OAuth `state` returned with the authorization code does not match the one sent")]
    StateMismatch,
    /// The [`TokenStore`](crate::token::TokenStore) failed.
    #[error("the token store failed: {0}")]
    TokenStore(String),
}

impl<E> From<DecodeError> for Error<E> {
    fn from(e: DecodeError) -> Self {
        ErrorKind::Decode(Box::new(e)).into()
    }
}

impl AuthError {
    /// The HTTP status behind this error, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            AuthError::InvalidCredentials { status, .. } | AuthError::RefreshRejected { status, .. } => *status,
            AuthError::TokenEndpoint { status, .. } => Some(*status),
            AuthError::Unauthorized { .. } | AuthError::TokenRejected => Some(StatusCode::UNAUTHORIZED),
            _ => None,
        }
    }
}

fn fmt_detail(status: &Option<StatusCode>, message: &Option<String>) -> String {
    match (status, message) {
        (Some(s), Some(m)) => format!(" ({s}): {m}"),
        (Some(s), None) => format!(" ({s})"),
        (None, Some(m)) => format!(": {m}"),
        (None, None) => String::new(),
    }
}
