//! Redaction of the client's own secrets from server text before it is kept in an error.
//!
//! Servers echo what they were sent: a token endpoint's `error_description` may quote the
//! client secret, an API error the rejected access token. Whatever the client sent as a
//! credential (client and app secrets, personal keys, access and refresh tokens, API keys)
//! is replaced by [`MARKER`] in error bodies, so neither `Display` nor `Debug` of any error
//! shows it.

use std::fmt;

use bytes::Bytes;
use http::HeaderValue;

/// What a secret is replaced with.
pub const MARKER: &str = "[redacted]";

/// Shorter values are not treated as secrets: replacing every `1` or `ab` in a message would
/// garble it, and no real credential is that short.
const MIN_SECRET_LEN: usize = 6;

/// The secrets one request carried; see the module docs.
#[derive(Default)]
pub(crate) struct Redactor {
    secrets: Vec<Vec<u8>>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// Adds `secret`, as sent and as it would appear inside a JSON string.
    pub(crate) fn add(&mut self, secret: &str) {
        if secret.len() < MIN_SECRET_LEN {
            return;
        }
        self.push(secret.as_bytes().to_vec());
        if let Ok(quoted) = serde_json::to_string(secret) {
            let escaped = quoted.trim_matches('"');
            if escaped != secret {
                self.push(escaped.as_bytes().to_vec());
            }
        }
    }

    /// Adds a credential header's value: whole, its token after a `Bearer`-like scheme, and
    /// for `Basic` the decoded `user:password` and password.
    pub(crate) fn add_header(&mut self, value: &HeaderValue) {
        let Ok(value) = value.to_str() else {
            return;
        };
        self.add(value);
        let Some((scheme, token)) = value.split_once(' ') else {
            return;
        };
        let token = token.trim();
        self.add(token);
        if scheme.eq_ignore_ascii_case("basic") {
            use base64::Engine as _;
            let decoded = base64::engine::general_purpose::STANDARD.decode(token).ok();
            if let Some(pair) = decoded.and_then(|d| String::from_utf8(d).ok()) {
                self.add(&pair);
                if let Some((_, password)) = pair.split_once(':') {
                    self.add(password);
                }
            }
        }
    }

    /// Whether there is nothing to redact.
    pub(crate) fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `body` with every known secret replaced by [`MARKER`].
    pub(crate) fn bytes(&self, body: Bytes) -> Bytes {
        let mut current = body;
        for secret in &self.secrets {
            if let Some(replaced) = replace_all(&current, secret) {
                current = Bytes::from(replaced);
            }
        }
        current
    }

    fn push(&mut self, secret: Vec<u8>) {
        if !self.secrets.contains(&secret) {
            // Longer first, so a secret that contains another is replaced whole.
            let at = self.secrets.partition_point(|s| s.len() >= secret.len());
            self.secrets.insert(at, secret);
        }
    }
}

/// `haystack` with each `needle` replaced by the marker, or `None` when it has none.
fn replace_all(haystack: &[u8], needle: &[u8]) -> Option<Vec<u8>> {
    let first = find(haystack, needle)?;
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    let mut next = Some(first);
    while let Some(at) = next {
        let (before, after) = rest.split_at(at);
        out.extend_from_slice(before);
        out.extend_from_slice(MARKER.as_bytes());
        rest = after.get(needle.len()..).unwrap_or_default();
        next = find(rest, needle);
    }
    out.extend_from_slice(rest);
    Some(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_of_each_secret_is_replaced() {
        let mut redactor = Redactor::default();
        redactor.add("s3cr3t-app");
        redactor.add("abc"); // too short to be a credential: left alone
        let body = Bytes::from_static(br#"{"error_description":"appsecret s3cr3t-app (s3cr3t-app) abc"}"#);
        assert_eq!(
            redactor.bytes(body),
            Bytes::from_static(br#"{"error_description":"appsecret [redacted] ([redacted]) abc"}"#)
        );
    }

    #[test]
    fn header_credentials_are_known_whole_and_in_parts() {
        let mut redactor = Redactor::default();
        redactor.add_header(&HeaderValue::from_static("Bearer tok-123456"));
        let basic = crate::auth::basic_value("me@example.com", "personal-key-9");
        redactor.add_header(&HeaderValue::from_str(&basic).unwrap());
        let body = Bytes::from_static(b"rejected tok-123456 for me@example.com:personal-key-9 / personal-key-9");
        assert_eq!(
            redactor.bytes(body),
            Bytes::from_static(b"rejected [redacted] for [redacted] / [redacted]")
        );
    }
}
