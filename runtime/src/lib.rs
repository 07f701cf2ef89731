//! Shared runtime of the generated API clients.
//!
//! Generated crates describe each operation as an [`ApiRequest`] and hand it to an
//! [`ApiClient`], which owns the HTTP connection pool, authentication and the token
//! lifecycle. Responses come back as a [`RawResponse`] that the generated code decodes into
//! a [`ResponseValue`] (success) or an [`Error`] (documented error body, unexpected status,
//! transport or decode failure).
//!
//! The runtime knows nothing of the code generator: it is an ordinary library that
//! hand-written code can use just as well.
//!
//! # Authentication
//!
//! Pass an [`auth::Authenticator`] to [`ApiClientBuilder::auth`]. Token flows fetch, cache,
//! renew and persist their tokens themselves (see [`token`]): applications never write token
//! code. Secrets are held in [`secrecy`] types and never appear in `Debug` output or errors.
//!
//! Static credentials:
//!
//! ```no_run
//! use client_runtime::auth::{ApiKey, RawAuthorization};
//! use client_runtime::ApiClient;
//!
//! # fn main() -> Result<(), client_runtime::BuildError> {
//! let bearer = ApiClient::builder("https://api.example.com")
//!     .auth(RawAuthorization::bearer("token"))
//!     .build()?;
//! let header_key = ApiClient::builder("https://api.example.com")
//!     .auth(ApiKey::header("X-Api-Key", "key"))
//!     .build()?;
//! // Only where the vendor defines its key as a query parameter.
//! let query_key = ApiClient::builder("https://api.example.com")
//!     .auth(ApiKey::query("api_key", "key"))
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! Timify (app ID + secret → access token sent as the bare `Authorization` value):
//!
//! ```no_run
//! use client_runtime::auth::timify::AppToken;
//! use client_runtime::ApiClient;
//!
//! # fn main() -> Result<(), client_runtime::BuildError> {
//! let auth = AppToken::new("https://api.timify.com", "APP_ID", "APP_SECRET");
//! let client = ApiClient::builder("https://api.timify.com").auth(auth).build()?;
//! # Ok(()) }
//! ```
//!
//! bookingtime (client credentials → per-organization access tokens; the organization is
//! read from each request's `organizationId` path parameter):
//!
//! ```no_run
//! use client_runtime::auth::bookingtime::ClientCredentials;
//! use client_runtime::ApiClient;
//!
//! # fn main() -> Result<(), client_runtime::BuildError> {
//! let auth = ClientCredentials::new("https://auth.bookingtime.com", "CLIENT_ID", "SECRET")
//!     // For routes without an organization in the path, e.g. static lists.
//!     .default_organization("f6123456789101112131415aBCdeFgH");
//! let client = ApiClient::builder("https://api.bookingtime.com/app/v3/en")
//!     .auth(auth)
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! Timeneye (a personal access token, or OAuth Authorization Code + PKCE):
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use client_runtime::auth::timeneye::{OAuth, PersonalAccessToken};
//! use client_runtime::ApiClient;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let personal = ApiClient::builder("https://api.timeneye.com/api/v1")
//!     .auth(PersonalAccessToken::new("PERSONAL_TOKEN"))
//!     .build()?;
//!
//! let oauth = Arc::new(OAuth::new(
//!     "https://timeneye.example/oauth/authorize", // from Timeneye's API reference
//!     "https://timeneye.example/oauth/token",
//!     "CLIENT_ID",
//!     "https://myapp.example/callback",
//! ));
//! let request = oauth.authorization_request()?;
//! println!("open {}", request.url);
//! // … the user comes back to the redirect URI with `code` and `state` …
//! # let (code, state) = ("", "");
//! oauth.exchange_code(&request.pending, code, state).await?;
//! let client = ApiClient::builder("https://api.timeneye.com/api/v1")
//!     .shared_auth(oauth)
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! Timekit (the app key as Basic `:key`, or fetched once from personal credentials):
//!
//! ```no_run
//! use client_runtime::auth::timekit::{AppKey, AppTokenBootstrap};
//! use client_runtime::ApiClient;
//!
//! # fn main() -> Result<(), client_runtime::BuildError> {
//! let with_key = ApiClient::builder("https://api.timekit.io/v2")
//!     .auth(AppKey::new("live_api_key_..."))
//!     .build()?;
//! let bootstrapped = ApiClient::builder("https://api.timekit.io/v2")
//!     .auth(AppTokenBootstrap::new(
//!         "https://api.timekit.io/v2",
//!         "me@example.com",
//!         "PERSONAL_API_KEY",
//!         "my-app-slug",
//!     ))
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! # Webhooks
//!
//! [`webhook`] verifies incoming deliveries from their headers and raw body, with no web
//! framework involved: Timekit's hex HMAC-SHA256 ([`webhook::HmacSha256Hex::timekit`]),
//! Timify's shared secret header ([`webhook::SharedSecretHeader`]) and the Standard Webhooks
//! scheme with its timestamp tolerance ([`webhook::StandardWebhooks`]). Generated crates parse
//! the verified body into their typed `WebhookEvent`.
//!
//! # Resilience
//!
//! Every client retries idempotent requests after transport errors and 502/503/504, and
//! any request the server refused with 429, waiting as the server asks ([`retry`],
//! [`ApiClientBuilder::retry`]); it can hold itself to a rate limit
//! ([`ApiClientBuilder::rate_limit`]); it reports the server's rate-limit headers
//! ([`ApiClient::rate_limit_status`]); timeouts say which limit ran out ([`TimeoutKind`]).
//! List operations can be walked as a stream of items ([`pagination`]). Each attempt is a
//! `tracing` span (`api_request`: method, path template, attempt, status, duration).
//!
//! Every token flow takes the same options: `token_store` (persist tokens, e.g. to survive a
//! restart), `clock`, `refresh_margin`, `allow_insecure_http` and `http_client`.

#![deny(missing_docs)]

pub mod auth;
mod body;
mod call;
mod client;
mod date_time;
mod encoding;
mod envelope;
mod error;
mod json_count;
mod json_path;
mod multipart;
mod nullable;
pub mod pagination;
pub mod rate_limit;
mod redact;
mod request;
mod response;
pub mod retry;
#[cfg(feature = "redis")]
pub mod shared;
pub mod token;
pub mod untagged;
pub mod webhook;

pub use body::{StreamingResponse, DEFAULT_MAX_RESPONSE_BYTES};
pub use call::{call, CallFuture};
pub use client::{
    ApiClient, ApiClientBuilder, BuildError, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, MAX_URL_BYTES,
};
pub use date_time::{InvalidDateTime, LenientDateTime};
pub use encoding::QueryStyle;
pub use envelope::Envelope;
pub use error::{
    ApiError, AuthError, Call, DecodeError, Error, ErrorKind, HttpError, RateLimitedError, TimeoutKind, TransportError,
};
pub use multipart::{FilePart, Multipart, DEFAULT_FILE_CONTENT_TYPE};
pub use nullable::Nullable;
pub use pagination::{Page, PageCount, PageRequest, PageStream, Pages, PaginationError};
pub use rate_limit::{RateLimitStatus, RateLimiter};
pub use request::{ApiRequest, Body, CallOptions};
pub use response::{RawResponse, ResponseValue, DEFAULT_MAX_JSON_VALUES, MAX_MESSAGE_BODY_BYTES, MAX_MESSAGE_CHARS};
pub use retry::{RetryPolicy, Sleeper, TokioSleeper};

/// Re-exports that generated code relies on, so generated crates need fewer direct dependencies.
pub mod reexports {
    pub use bytes;
    pub use chrono;
    pub use futures;
    pub use http;
    pub use reqwest;
    pub use serde;
    pub use serde_json;
}
