//! Authentication: how credentials get onto a request.
//!
//! An [`Authenticator`] adds credentials to each outgoing request and is told when the API
//! answered 401, so that token-based flows can refresh once. Static schemes live here;
//! vendor token flows have a module each.

use std::fmt;

use futures::future::BoxFuture;
use http::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::error::AuthError;
use crate::request::ApiRequest;

/// Where an [`Authenticator`] puts credentials: headers, or (for API keys only) the query.
#[derive(Default)]
pub struct Credentials {
    pub(crate) headers: HeaderMap,
    pub(crate) query: Vec<(String, String)>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials").finish_non_exhaustive()
    }
}

impl Credentials {
    /// Sets a header holding a secret; the value is marked sensitive so it is never logged.
    pub fn set_secret_header(&mut self, name: HeaderName, value: &str) -> Result<(), AuthError> {
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            AuthError::Configuration(format!(
                "the value for header `{name}` is not a valid header value"
            ))
        })?;
        value.set_sensitive(true);
        self.headers.insert(name, value);
        Ok(())
    }

    /// Sets a plain (non-secret) header, e.g. `Timekit-App`.
    pub fn set_header(&mut self, name: HeaderName, value: HeaderValue) {
        self.headers.insert(name, value);
    }

    /// Adds a query pair holding an API key.
    pub fn add_query_key(&mut self, name: &str, value: &str) {
        self.query.push((name.to_owned(), value.to_owned()));
    }

    /// The headers set so far (values of secret headers are marked sensitive).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

/// Adds credentials to requests and reacts to 401 answers.
pub trait Authenticator: Send + Sync + fmt::Debug {
    /// Adds credentials for `request` to `credentials`, fetching a token first if needed.
    fn authorize<'a>(
        &'a self,
        request: &'a ApiRequest,
        credentials: &'a mut Credentials,
    ) -> BoxFuture<'a, Result<(), AuthError>>;

    /// The API answered 401 to `request`. Returns `Ok(true)` when credentials were renewed and
    /// the request is worth one more try, `Ok(false)` when nothing can be renewed (the 401 is
    /// then returned as it is), or an error that explains the failure.
    fn on_unauthorized<'a>(
        &'a self,
        request: &'a ApiRequest,
    ) -> BoxFuture<'a, Result<bool, AuthError>> {
        let _ = request;
        Box::pin(async { Ok(false) })
    }
}

/// No credentials at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAuth;

impl Authenticator for NoAuth {
    fn authorize<'a>(
        &'a self,
        _: &'a ApiRequest,
        _: &'a mut Credentials,
    ) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async { Ok(()) })
    }
}

/// A fixed value for the `Authorization` header, sent as it is (e.g. `Bearer abc` or, as
/// Timify takes it, a bare access token with no scheme).
pub struct RawAuthorization {
    value: SecretString,
}

impl RawAuthorization {
    /// Sends `value` verbatim in `Authorization`.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: SecretString::from(value.into()),
        }
    }

    /// Sends `Bearer <token>`.
    pub fn bearer(token: impl AsRef<str>) -> Self {
        Self::new(format!("Bearer {}", token.as_ref()))
    }

    /// Sends `Basic base64(user:password)`; the user may be empty (Timekit's `:key`).
    pub fn basic(user: &str, password: &str) -> Self {
        use base64::Engine as _;
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Self::new(format!("Basic {encoded}"))
    }
}

impl fmt::Debug for RawAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RawAuthorization([redacted])")
    }
}

impl Authenticator for RawAuthorization {
    fn authorize<'a>(
        &'a self,
        _: &'a ApiRequest,
        credentials: &'a mut Credentials,
    ) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            credentials.set_secret_header(http::header::AUTHORIZATION, self.value.expose_secret())
        })
    }
}
