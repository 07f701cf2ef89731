//! Random values for OAuth: the PKCE verifier and its S256 challenge (RFC 7636), and `state`.
//!
//! Hand-written on top of `sha2`, `base64` and `getrandom` rather than pulling in the `oauth2`
//! crate: this is the whole of what the Timeneye flow needs from it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::AuthError;

/// `bytes` random bytes from the operating system, base64url-encoded without padding.
pub(crate) fn random_urlsafe(bytes: usize) -> Result<String, AuthError> {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf)
        .map_err(|e| AuthError::Configuration(format!("the operating system gave no random bytes: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// A new code verifier: 32 random bytes give 43 characters, the minimum RFC 7636 allows.
pub(crate) fn new_verifier() -> Result<String, AuthError> {
    random_urlsafe(32)
}

/// The S256 code challenge of `verifier`: base64url(sha256(verifier)).
pub(crate) fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_matches_the_rfc_7636_example() {
        // RFC 7636, appendix B.
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_long_enough_url_safe_and_differ() {
        let a = new_verifier().unwrap();
        let b = new_verifier().unwrap();
        assert_eq!(a.len(), 43);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(a, b);
    }
}
