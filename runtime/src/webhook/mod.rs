//! Verifying incoming webhook deliveries, independent of any web framework.
//!
//! A verifier looks at the request's headers and its raw body (the exact bytes received,
//! before any JSON parsing) and says whether the delivery comes from the vendor. Web
//! frameworks built on the `http` crate (axum, hyper, actix via conversion, ...) hand both
//! over directly:
//!
//! ```
//! use client_runtime::webhook::{HmacSha256Hex, Verifier, VerifyError};
//! use http::HeaderMap;
//!
//! fn handle(headers: &HeaderMap, raw_body: &[u8]) -> Result<(), VerifyError> {
//!     let verifier = HmacSha256Hex::timekit("the app's webhook_secret");
//!     verifier.verify(headers, raw_body)?;
//!     // ... only now parse `raw_body` into the typed event ...
//!     Ok(())
//! }
//! # let _ = handle;
//! ```
//!
//! - [`HmacSha256Hex`]: a hex HMAC-SHA256 of the raw body in one header (Timekit:
//!   `x-timekit-signature`, keyed with the app's `webhook_secret`).
//! - [`SharedSecretHeader`]: a static header whose value is a secret the app chose when it
//!   registered the webhook (Timify).
//! - [`StandardWebhooks`]: the Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`,
//!   `webhook-signature`), which signs a timestamp and so rejects replays outside a
//!   tolerance.
//!
//! After verification, a generated crate's `WebhookEvent::parse` (or `from_body`) turns the
//! raw body into a typed event; [`EventError`] says why it could not.
//!
//! Every comparison of a secret or signature runs in constant time, and no verifier shows its
//! secret in `Debug` output or errors.

mod event;
mod hmac_hex;
mod shared_secret;
mod standard;

use std::time::Duration;

use http::{HeaderMap, HeaderName};

pub use event::{event_name_in_body, event_name_in_header, parse_payload, EventError};
pub use hmac_hex::HmacSha256Hex;
pub use shared_secret::SharedSecretHeader;
pub use standard::{InvalidSecret, StandardWebhooks};

/// Checks that a webhook delivery is authentic.
pub trait Verifier {
    /// Verifies one delivery from its headers and raw body (the exact bytes received).
    fn verify(&self, headers: &HeaderMap, raw_body: &[u8]) -> Result<(), VerifyError>;
}

/// Why a webhook delivery was rejected. None of the variants carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The header that carries the signature (or secret, or timestamp) is absent.
    #[error("webhook delivery has no `{header}` header")]
    MissingHeader {
        /// The header that was expected.
        header: HeaderName,
    },
    /// The header is present but cannot be read as a signature (not hex, not base64, not a
    /// number, not visible ASCII).
    #[error("webhook header `{header}` is malformed: {reason}")]
    BadEncoding {
        /// The malformed header.
        header: HeaderName,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signature or secret does not match: the body was altered, the secret is wrong, or
    /// the delivery is not from the vendor.
    #[error("webhook header `{header}` does not match the delivery")]
    Mismatch {
        /// The header whose value did not match.
        header: HeaderName,
    },
    /// The signed timestamp is further from now than the verifier's tolerance (a replay or a
    /// badly skewed clock).
    #[error("webhook timestamp {timestamp} is more than {tolerance:?} away from now")]
    TimestampOutOfTolerance {
        /// The delivery's timestamp, seconds since the Unix epoch.
        timestamp: i64,
        /// The tolerance that was exceeded.
        tolerance: Duration,
    },
}

/// The single value of `header` as text, or the error a verifier reports for it.
fn header_text<'h>(headers: &'h HeaderMap, header: &HeaderName) -> Result<&'h str, VerifyError> {
    let value = headers
        .get(header)
        .ok_or_else(|| VerifyError::MissingHeader { header: header.clone() })?;
    value.to_str().map_err(|_| VerifyError::BadEncoding {
        header: header.clone(),
        reason: "not visible ASCII",
    })
}
