//! The Standard Webhooks scheme (standardwebhooks.com): a signed id and timestamp, so
//! replays outside a tolerance window are rejected.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderName};
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::{header_text, Verifier, VerifyError};
use crate::token::{Clock, SystemClock};

const ID: HeaderName = HeaderName::from_static("webhook-id");
const TIMESTAMP: HeaderName = HeaderName::from_static("webhook-timestamp");
const SIGNATURE: HeaderName = HeaderName::from_static("webhook-signature");

/// Verifies Standard Webhooks deliveries: `webhook-signature` holds space-separated
/// `v1,<base64 HMAC-SHA256>` entries over `"{webhook-id}.{webhook-timestamp}.{body}"`, and
/// `webhook-timestamp` (Unix seconds) must lie within the tolerance of now.
///
/// Used by senders built on the standard (Svix-based ones such as Resend, and others). Neither
/// Timekit nor Timify signs a timestamp; this is the verifier to use where a vendor does.
pub struct StandardWebhooks {
    key: SecretBox<[u8]>,
    tolerance: Duration,
    clock: Arc<dyn Clock>,
}

/// The webhook secret given to [`StandardWebhooks::new`] is not `whsec_` + base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("webhook secret is not base64 (optionally prefixed with `whsec_`)")]
pub struct InvalidSecret;

impl StandardWebhooks {
    /// The standard's default tolerance between the signed timestamp and now.
    pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

    /// Uses the signing secret as the vendor shows it (`whsec_` followed by base64).
    pub fn new(secret: &str) -> Result<Self, InvalidSecret> {
        let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
        let key = BASE64.decode(encoded).map_err(|_| InvalidSecret)?;
        Ok(Self {
            key: SecretBox::from(key.into_boxed_slice()),
            tolerance: Self::DEFAULT_TOLERANCE,
            clock: Arc::new(SystemClock),
        })
    }

    /// How far the signed timestamp may be from now, in either direction.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The clock to compare timestamps with (tests inject a fixed one).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The `webhook-signature` value the sender would send for this id, timestamp and body.
    pub fn sign(&self, id: &str, timestamp: i64, raw_body: &[u8]) -> String {
        let tag = self.mac(id, timestamp, raw_body).finalize().into_bytes();
        format!("v1,{}", BASE64.encode(tag))
    }

    fn mac(&self, id: &str, timestamp: i64, raw_body: &[u8]) -> Hmac<Sha256> {
        // HMAC takes keys of any length; `new_from_slice` only fails for fixed-size MACs.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.expose_secret())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(raw_body);
        mac
    }

    fn check_timestamp(&self, timestamp: i64) -> Result<(), VerifyError> {
        let now = match self.clock.now().duration_since(UNIX_EPOCH) {
            Ok(since) => i128::from(since.as_secs()),
            Err(before) => -i128::from(before.duration().as_secs()),
        };
        let distance = (now - i128::from(timestamp)).unsigned_abs();
        if distance > u128::from(self.tolerance.as_secs()) {
            return Err(VerifyError::TimestampOutOfTolerance {
                timestamp,
                tolerance: self.tolerance,
            });
        }
        Ok(())
    }
}

impl Verifier for StandardWebhooks {
    fn verify(&self, headers: &HeaderMap, raw_body: &[u8]) -> Result<(), VerifyError> {
        let id = header_text(headers, &ID)?;
        let timestamp: i64 =
            header_text(headers, &TIMESTAMP)?
                .trim()
                .parse()
                .map_err(|_| VerifyError::BadEncoding {
                    header: TIMESTAMP,
                    reason: "not a number of seconds",
                })?;
        let signatures = header_text(headers, &SIGNATURE)?;
        self.check_timestamp(timestamp)?;

        // Several signatures may be sent (e.g. during secret rotation); one valid `v1` is enough.
        // Entries of other versions (e.g. asymmetric `v1a`) are skipped, not errors. The MAC
        // is computed once, before the entries are read: the header is the sender's to fill
        // (and not yet verified), and one HMAC over the body per entry let a thousand entries
        // cost a thousand passes over the body.
        let expected = self.mac(id, timestamp, raw_body).finalize().into_bytes();
        let mut saw_v1 = false;
        let mut matched = subtle::Choice::from(0);
        for entry in signatures.split_whitespace() {
            let Some(encoded) = entry.strip_prefix("v1,") else {
                continue;
            };
            saw_v1 = true;
            let Ok(tag) = BASE64.decode(encoded) else {
                continue;
            };
            // Constant time, like `Mac::verify_slice` (lengths differing is not a secret).
            matched |= expected.as_slice().ct_eq(tag.as_slice());
        }
        if bool::from(matched) {
            return Ok(());
        }
        if saw_v1 {
            Err(VerifyError::Mismatch { header: SIGNATURE })
        } else {
            Err(VerifyError::BadEncoding {
                header: SIGNATURE,
                reason: "no `v1,<base64>` signature",
            })
        }
    }
}

impl fmt::Debug for StandardWebhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandardWebhooks")
            .field("key", &"[REDACTED]")
            .field("tolerance", &self.tolerance)
            .field("clock", &self.clock)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;
    use crate::token::ManualClock;

    // The example from the Standard Webhooks specification's reference tests.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SENT_AT: i64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const EXPECTED: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn verifier_at(now: i64) -> StandardWebhooks {
        let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(now as u64));
        StandardWebhooks::new(SECRET)
            .expect("valid secret")
            .clock(Arc::new(clock))
    }

    fn headers(signature: &str, timestamp: i64) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("webhook-id", HeaderValue::from_static(MSG_ID));
        headers.insert(
            "webhook-timestamp",
            HeaderValue::from_str(&timestamp.to_string()).expect("digits"),
        );
        headers.insert("webhook-signature", HeaderValue::from_str(signature).expect("ascii"));
        headers
    }

    #[test]
    fn the_reference_delivery_verifies_and_signs_identically() {
        let verifier = verifier_at(SENT_AT + 10);
        assert_eq!(verifier.sign(MSG_ID, SENT_AT, BODY), EXPECTED);
        assert_eq!(verifier.verify(&headers(EXPECTED, SENT_AT), BODY), Ok(()));
    }

    #[test]
    fn any_one_valid_signature_among_several_is_enough() {
        let both = format!("v1a,AAAA v1,Zm9v {EXPECTED}");
        assert_eq!(verifier_at(SENT_AT).verify(&headers(&both, SENT_AT), BODY), Ok(()));
    }

    #[test]
    fn many_signature_entries_cost_one_pass_over_the_body() {
        // An unverified sender fills the header: 2,000 wrong entries over a 1 MiB body took
        // one HMAC over the body each (seconds of CPU per delivery); one is computed now.
        let body = vec![b'x'; 1024 * 1024];
        let wrong = vec!["v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="; 2_000].join(" ");
        let verifier = verifier_at(SENT_AT);
        let started = std::time::Instant::now();
        assert_eq!(
            verifier.verify(&headers(&wrong, SENT_AT), &body),
            Err(VerifyError::Mismatch { header: SIGNATURE })
        );
        let valid = format!("{wrong} {}", verifier.sign(MSG_ID, SENT_AT, &body));
        assert_eq!(verifier.verify(&headers(&valid, SENT_AT), &body), Ok(()));
        let took = started.elapsed();
        assert!(took < Duration::from_secs(5), "took {took:?}");
    }

    #[test]
    fn a_changed_body_is_a_mismatch() {
        assert_eq!(
            verifier_at(SENT_AT).verify(&headers(EXPECTED, SENT_AT), br#"{"test": 2432232315}"#),
            Err(VerifyError::Mismatch { header: SIGNATURE })
        );
    }

    #[test]
    fn timestamps_outside_the_tolerance_are_rejected_both_ways() {
        let tolerance = StandardWebhooks::DEFAULT_TOLERANCE;
        let late = verifier_at(SENT_AT + 301);
        assert_eq!(
            late.verify(&headers(EXPECTED, SENT_AT), BODY),
            Err(VerifyError::TimestampOutOfTolerance {
                timestamp: SENT_AT,
                tolerance
            })
        );
        let early = verifier_at(SENT_AT - 301);
        assert!(matches!(
            early.verify(&headers(EXPECTED, SENT_AT), BODY),
            Err(VerifyError::TimestampOutOfTolerance { .. })
        ));
        let wide = verifier_at(SENT_AT + 301).tolerance(Duration::from_secs(600));
        assert_eq!(wide.verify(&headers(EXPECTED, SENT_AT), BODY), Ok(()));
    }

    #[test]
    fn a_re_signed_timestamp_does_not_reuse_an_old_signature() {
        // Moving the timestamp into the window without re-signing must fail.
        assert!(matches!(
            verifier_at(SENT_AT + 1000).verify(&headers(EXPECTED, SENT_AT + 1000), BODY),
            Err(VerifyError::Mismatch { .. })
        ));
    }

    #[test]
    fn malformed_headers_are_typed_errors() {
        let verifier = verifier_at(SENT_AT);
        let mut no_number = headers(EXPECTED, SENT_AT);
        no_number.insert("webhook-timestamp", HeaderValue::from_static("yesterday"));
        assert!(matches!(
            verifier.verify(&no_number, BODY),
            Err(VerifyError::BadEncoding { header, .. }) if header == TIMESTAMP
        ));
        assert!(matches!(
            verifier.verify(&headers("sha256=abc", SENT_AT), BODY),
            Err(VerifyError::BadEncoding { header, .. }) if header == SIGNATURE
        ));
        let mut no_id = headers(EXPECTED, SENT_AT);
        no_id.remove("webhook-id");
        assert_eq!(
            verifier.verify(&no_id, BODY),
            Err(VerifyError::MissingHeader { header: ID })
        );
    }

    #[test]
    fn a_secret_that_is_not_base64_is_refused() {
        assert!(matches!(StandardWebhooks::new("whsec_not base64!"), Err(InvalidSecret)));
    }

    #[test]
    fn debug_output_hides_the_key() {
        let shown = format!("{:?}", verifier_at(SENT_AT));
        assert!(!shown.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
    }
}
