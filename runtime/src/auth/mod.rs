//! Authentication: how credentials get onto a request.
//!
//! An [`Authenticator`] adds credentials to each outgoing request and is told when the API
//! answered 401, so that token-based flows can refresh once. Static schemes live here;
//! vendor token flows have a module each: each is a [`TokenFlow`] (it only fetches), wrapped
//! in the one [`CachedAuth`] that caches, renews and handles 401s for all of them.
//!
//! Token endpoints' answers are server values: lifetimes are clamped by
//! [`Token::expires_in`], and the lint below keeps arithmetic checked or saturating.
#![warn(clippy::arithmetic_side_effects)]

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;
use http::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::error::AuthError;
use crate::request::ApiRequest;
use crate::token::{Token, TokenStore};

pub mod bookingtime;
mod cached;
mod endpoint;
mod pkce;
pub mod timekit;
pub mod timeneye;
pub mod timify;

pub use cached::{CachedAuth, FlowContext, TokenFlow};
pub use endpoint::{DEFAULT_TOKEN_TIMEOUT, MAX_TOKEN_RESPONSE_BYTES};

/// Where an [`Authenticator`] puts credentials: headers, or (for API keys only) the query.
#[derive(Default)]
pub struct Credentials {
    pub(crate) headers: HeaderMap,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) token: Option<(String, Token)>,
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
            AuthError::Configuration(format!("the value for header `{name}` is not a valid header value"))
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

    /// The query pairs set so far (API keys only).
    pub fn query(&self) -> &[(String, String)] {
        &self.query
    }

    /// Records which cached token (and its partition key) these credentials carry, so that a
    /// 401 can invalidate exactly that token.
    pub fn note_token(&mut self, partition: impl Into<String>, token: Token) {
        self.token = Some((partition.into(), token));
    }

    /// The token recorded with [`note_token`](Self::note_token), with its partition key.
    pub fn noted_token(&self) -> Option<(&str, &Token)> {
        self.token.as_ref().map(|(key, token)| (key.as_str(), token))
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
    fn on_unauthorized<'a>(&'a self, request: &'a ApiRequest) -> BoxFuture<'a, Result<bool, AuthError>> {
        let _ = request;
        Box::pin(async { Ok(false) })
    }

    /// Like [`on_unauthorized`](Self::on_unauthorized), also given the credentials that were
    /// sent and rejected. [`ApiClient::send`](crate::ApiClient::send) calls this one; token
    /// flows use `sent` to renew the rejected token only if it is still the current one.
    /// Default: calls `on_unauthorized`.
    fn on_unauthorized_with<'a>(
        &'a self,
        request: &'a ApiRequest,
        sent: &'a Credentials,
    ) -> BoxFuture<'a, Result<bool, AuthError>> {
        let _ = sent;
        self.on_unauthorized(request)
    }

    /// Keeps its tokens in `store` from now on, if it keeps tokens at all; returns whether it
    /// does. The client builder's `redis` option uses it. Default: no tokens, `false`.
    fn adopt_token_store(&mut self, store: Arc<dyn TokenStore>) -> bool {
        let _ = store;
        false
    }
}

/// No credentials at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAuth;

impl Authenticator for NoAuth {
    fn authorize<'a>(&'a self, _: &'a ApiRequest, _: &'a mut Credentials) -> BoxFuture<'a, Result<(), AuthError>> {
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
        Self::new(basic_value(user, password))
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
        Box::pin(async move { credentials.set_secret_header(http::header::AUTHORIZATION, self.value.expose_secret()) })
    }
}

/// `Basic base64(user:password)`; the user may be empty.
pub(crate) fn basic_value(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// Where an [`ApiKey`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// In a request header.
    Header,
    /// In the query string. Only for vendors that define their key this way: it is the one
    /// secret this runtime ever puts into a URL.
    Query,
}

/// An API key sent in a named header or query parameter.
pub struct ApiKey {
    name: String,
    key: SecretString,
    location: ApiKeyLocation,
}

impl ApiKey {
    /// Sends `key` in header `name` (e.g. `X-Api-Key`).
    pub fn header(name: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            key: SecretString::from(key.into()),
            location: ApiKeyLocation::Header,
        }
    }

    /// Sends `key` as query parameter `name`, where the vendor defines the key that way.
    pub fn query(name: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            key: SecretString::from(key.into()),
            location: ApiKeyLocation::Query,
        }
    }

    /// The header or query parameter name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the key goes.
    pub fn location(&self) -> ApiKeyLocation {
        self.location
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("name", &self.name)
            .field("location", &self.location)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl Authenticator for ApiKey {
    fn authorize<'a>(
        &'a self,
        _: &'a ApiRequest,
        credentials: &'a mut Credentials,
    ) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            match self.location {
                ApiKeyLocation::Header => {
                    let name = HeaderName::from_bytes(self.name.as_bytes()).map_err(|_| {
                        AuthError::Configuration(format!("`{}` is not a valid header name for an API key", self.name))
                    })?;
                    credentials.set_secret_header(name, self.key.expose_secret())
                }
                ApiKeyLocation::Query => {
                    credentials.add_query_key(&self.name, self.key.expose_secret());
                    Ok(())
                }
            }
        })
    }
}
