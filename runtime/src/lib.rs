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

pub mod auth;
mod client;
mod encoding;
mod error;
mod request;
mod response;
pub mod token;

pub use client::{ApiClient, ApiClientBuilder, BuildError};
pub use error::{ApiError, AuthError, DecodeError, Error, HttpError, TransportError};
pub use request::{ApiRequest, Multipart, QueryStyle};
pub use response::{RawResponse, ResponseValue};

/// Re-exports that generated code relies on, so generated crates need fewer direct dependencies.
pub mod reexports {
    pub use bytes;
    pub use http;
    pub use reqwest;
    pub use serde;
    pub use serde_json;
}
