//! A hex-encoded HMAC-SHA256 of the raw body in one header (Timekit's scheme).

use std::fmt;

use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderName};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::{header_text, Verifier, VerifyError};

/// Verifies a header holding the hex HMAC-SHA256 of the raw body, keyed with a shared secret.
///
/// Timekit signs deliveries this way (developers.timekit.io, "Signed webhooks"): header
/// `x-timekit-signature`, key = the app's `webhook_secret` (Admin → API Settings, or
/// `webhook_secret` on `GET /app`). Timekit signs no timestamp, so there is no replay window
/// to check.
pub struct HmacSha256Hex {
    header: HeaderName,
    secret: SecretString,
}

impl HmacSha256Hex {
    /// The header Timekit puts its signature in.
    pub const TIMEKIT_HEADER: &'static str = "x-timekit-signature";

    /// Checks `header` against the HMAC of the body keyed with `secret`.
    pub fn new(header: HeaderName, secret: impl Into<String>) -> Self {
        Self {
            header,
            secret: SecretString::from(secret.into()),
        }
    }

    /// Timekit's scheme: `x-timekit-signature`, keyed with the app's `webhook_secret`.
    pub fn timekit(webhook_secret: impl Into<String>) -> Self {
        Self::new(HeaderName::from_static(Self::TIMEKIT_HEADER), webhook_secret)
    }

    /// The hex signature of `raw_body`, as the vendor would send it (for tests and for
    /// replaying deliveries to a local endpoint).
    pub fn sign(&self, raw_body: &[u8]) -> String {
        hex::encode(self.mac(raw_body).finalize().into_bytes())
    }

    fn mac(&self, raw_body: &[u8]) -> Hmac<Sha256> {
        // HMAC takes keys of any length; `new_from_slice` only fails for fixed-size MACs.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.secret.expose_secret().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
        mac.update(raw_body);
        mac
    }
}

impl Verifier for HmacSha256Hex {
    fn verify(&self, headers: &HeaderMap, raw_body: &[u8]) -> Result<(), VerifyError> {
        let text = header_text(headers, &self.header)?;
        let signature = hex::decode(text.trim()).map_err(|_| VerifyError::BadEncoding {
            header: self.header.clone(),
            reason: "not a hex string",
        })?;
        // `verify_slice` compares in constant time.
        self.mac(raw_body)
            .verify_slice(&signature)
            .map_err(|_| VerifyError::Mismatch {
                header: self.header.clone(),
            })
    }
}

impl fmt::Debug for HmacSha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacSha256Hex")
            .field("header", &self.header)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    /// A delivery shaped like Timekit's booking webhooks, including the quirks (customer
    /// `meta` as a JSON string, an offset without a colon).
    const BODY: &[u8] = br#"{"id":"58190fc6-1ec0-4ebb-b627-7ce6aa9fc703","state":"confirmed","graph":"instant","completed":false,"created_at":"2016-11-24T13:34:54+0100","customers":[{"name":"Jane","meta":"{}"}]}"#;
    const SECRET: &str = "whsec-timekit-test";

    fn signed(body: &[u8], secret: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let signature = HmacSha256Hex::timekit(secret).sign(body);
        headers.insert(
            "x-timekit-signature",
            HeaderValue::from_str(&signature).expect("hex is a valid header value"),
        );
        headers
    }

    #[test]
    fn a_correctly_signed_timekit_delivery_verifies() {
        let headers = signed(BODY, SECRET);
        assert_eq!(HmacSha256Hex::timekit(SECRET).verify(&headers, BODY), Ok(()));
    }

    #[test]
    fn the_signature_is_the_hex_hmac_sha256_of_the_raw_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let verifier = HmacSha256Hex::timekit("Jefe");
        assert_eq!(
            verifier.sign(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-timekit-signature",
            HeaderValue::from_static("5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"),
        );
        assert_eq!(verifier.verify(&headers, b"what do ya want for nothing?"), Ok(()));
    }

    #[test]
    fn a_body_changed_by_one_byte_is_a_mismatch() {
        let headers = signed(BODY, SECRET);
        let mut tampered = BODY.to_vec();
        let at = tampered.len() - 3;
        tampered[at] ^= 0x01;
        assert_eq!(
            HmacSha256Hex::timekit(SECRET).verify(&headers, &tampered),
            Err(VerifyError::Mismatch {
                header: HeaderName::from_static("x-timekit-signature")
            })
        );
    }

    #[test]
    fn a_wrong_secret_is_a_mismatch() {
        let headers = signed(BODY, "another app's secret");
        assert!(matches!(
            HmacSha256Hex::timekit(SECRET).verify(&headers, BODY),
            Err(VerifyError::Mismatch { .. })
        ));
    }

    #[test]
    fn a_missing_header_is_reported_by_name() {
        let err = HmacSha256Hex::timekit(SECRET)
            .verify(&HeaderMap::new(), BODY)
            .unwrap_err();
        assert_eq!(
            err,
            VerifyError::MissingHeader {
                header: HeaderName::from_static("x-timekit-signature")
            }
        );
        assert_eq!(err.to_string(), "webhook delivery has no `x-timekit-signature` header");
    }

    #[test]
    fn a_signature_that_is_not_hex_is_a_bad_encoding() {
        let mut headers = HeaderMap::new();
        headers.insert("x-timekit-signature", HeaderValue::from_static("sha256=zz"));
        assert!(matches!(
            HmacSha256Hex::timekit(SECRET).verify(&headers, BODY),
            Err(VerifyError::BadEncoding {
                reason: "not a hex string",
                ..
            })
        ));
    }

    #[test]
    fn a_truncated_signature_is_a_mismatch_not_a_prefix_match() {
        let mut headers = signed(BODY, SECRET);
        let full = headers["x-timekit-signature"].to_str().expect("ascii").to_owned();
        headers.insert(
            "x-timekit-signature",
            HeaderValue::from_str(&full[..32]).expect("ascii"),
        );
        assert!(matches!(
            HmacSha256Hex::timekit(SECRET).verify(&headers, BODY),
            Err(VerifyError::Mismatch { .. })
        ));
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let shown = format!("{:?}", HmacSha256Hex::timekit(SECRET));
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(shown.contains("x-timekit-signature"), "{shown}");
    }
}
