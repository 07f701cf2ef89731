//! A static header carrying a secret the app chose (Timify's scheme).

use std::fmt;

use http::{HeaderMap, HeaderName};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{header_text, Verifier, VerifyError};

/// Verifies that a header carries a secret value agreed in advance.
///
/// Timify's webhooks (configured in its Developer Platform) authenticate this way: the app
/// picks a header name and a secret value, and Timify sends that header with every delivery;
/// nothing is signed, so the body is not checked. Serve such webhooks over HTTPS only.
pub struct SharedSecretHeader {
    header: HeaderName,
    secret: SecretString,
}

impl SharedSecretHeader {
    /// Expects `header` to carry exactly `secret`.
    pub fn new(header: HeaderName, secret: impl Into<String>) -> Self {
        Self {
            header,
            secret: SecretString::from(secret.into()),
        }
    }
}

impl Verifier for SharedSecretHeader {
    fn verify(&self, headers: &HeaderMap, _raw_body: &[u8]) -> Result<(), VerifyError> {
        let received = header_text(headers, &self.header)?;
        // Comparing digests keeps the comparison constant-time in the length of the secret
        // too (`ct_eq` on slices returns early when the lengths differ).
        let expected = Sha256::digest(self.secret.expose_secret().as_bytes());
        let received = Sha256::digest(received.as_bytes());
        if bool::from(expected.ct_eq(&received)) {
            Ok(())
        } else {
            Err(VerifyError::Mismatch {
                header: self.header.clone(),
            })
        }
    }
}

impl fmt::Debug for SharedSecretHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedSecretHeader")
            .field("header", &self.header)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    const HEADER: &str = "x-webhook-secret";
    const SECRET: &str = "s3cr3t-of-the-apps-choosing";

    fn verifier() -> SharedSecretHeader {
        SharedSecretHeader::new(HeaderName::from_static(HEADER), SECRET)
    }

    fn with(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn the_configured_secret_verifies_whatever_the_body() {
        assert_eq!(verifier().verify(&with(SECRET), br#"{"any":"body"}"#), Ok(()));
    }

    #[test]
    fn a_wrong_secret_is_a_mismatch() {
        assert_eq!(
            verifier().verify(&with("s3cr3t-of-the-apps-choosinG"), b"{}"),
            Err(VerifyError::Mismatch {
                header: HeaderName::from_static(HEADER)
            })
        );
        assert!(matches!(
            verifier().verify(&with("s3cr3t"), b"{}"),
            Err(VerifyError::Mismatch { .. })
        ));
    }

    #[test]
    fn a_missing_header_is_reported_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static(SECRET));
        assert_eq!(
            verifier().verify(&headers, b"{}"),
            Err(VerifyError::MissingHeader {
                header: HeaderName::from_static(HEADER)
            })
        );
    }

    #[test]
    fn a_header_that_is_not_text_is_a_bad_encoding() {
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_bytes(b"caf\xe9").expect("obs-text is allowed");
        headers.insert(HEADER, value);
        assert!(matches!(
            verifier().verify(&headers, b"{}"),
            Err(VerifyError::BadEncoding { .. })
        ));
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let shown = format!("{:?}", verifier());
        assert!(!shown.contains(SECRET), "{shown}");
    }
}
