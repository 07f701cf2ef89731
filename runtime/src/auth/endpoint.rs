//! What every token flow shares: the checked token endpoint URL, one HTTP client, and the
//! mapping of token-endpoint answers onto [`AuthError`]. The cache and the builder options
//! live in [`CachedAuth`](super::CachedAuth).

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use url::Url;

use crate::body::{read_limited, ReadError};
use crate::client::{checked_base_url, BuildError};
use crate::error::{AuthError, TimeoutKind, TransportError};
use crate::redact::Redactor;
use crate::response::{decode_json, is_json, RawResponse};
use crate::token::Token;

/// The most bytes of a token endpoint's answer that are read: a token answer is a few
/// hundred bytes, so 1 MiB leaves room for anything real and bounds anything else.
pub const MAX_TOKEN_RESPONSE_BYTES: u64 = 1024 * 1024;

/// The longest one request to a token endpoint may take, also through a client given with a
/// flow's `http_client` (whose own timeout still applies when shorter).
pub const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// The parts of a token endpoint's answer that make a [`Token`], whatever the vendor calls them.
pub(crate) struct Grant<'a> {
    /// The access token, and the name of its field (for the error when it is empty).
    pub(crate) access: (String, &'a str),
    /// A new refresh token, if the answer carries one.
    pub(crate) refresh: Option<String>,
    /// The access token's lifetime in seconds, if given.
    pub(crate) expires_in: Option<u64>,
}

impl Grant<'_> {
    /// The token granted at `now`. An answer without a new refresh token keeps
    /// `previous_refresh`: a refresh that does not rotate leaves the old one valid.
    pub(crate) fn into_token(
        self,
        previous_refresh: Option<SecretString>,
        now: SystemTime,
    ) -> Result<Token, AuthError> {
        let (access, field) = self.access;
        if access.is_empty() {
            return Err(AuthError::BadTokenResponse(format!("`{field}` is empty")));
        }
        let token = Token::new(access, now);
        let token = match self.refresh.filter(|r| !r.is_empty()) {
            Some(rotated) => token.with_refresh_token(rotated),
            None => token.with_refresh_secret(previous_refresh),
        };
        Ok(match self.expires_in {
            Some(seconds) => token.expires_in(Duration::from_secs(seconds)),
            None => token,
        })
    }
}

/// A request body for a token endpoint.
pub(crate) enum TokenBody {
    None,
    Json(serde_json::Value),
    Form(Vec<(&'static str, String)>),
}

/// The parts of a token flow's endpoint that are not vendor-specific.
#[derive(Debug, Default)]
pub(crate) struct FlowCommon {
    pub(crate) allow_insecure_http: bool,
    pub(crate) http: OnceLock<reqwest::Client>,
}

impl FlowCommon {
    /// `base` checked like an API base URL (https, or plain http to loopback or when allowed),
    /// with `path` appended.
    pub(crate) fn url(&self, base: &str, path: &str) -> Result<Url, AuthError> {
        let mut url = checked_base_url(base, self.allow_insecure_http).map_err(|e| match e {
            BuildError::InsecureBaseUrl(url) => AuthError::InsecureTokenUrl(url),
            other => AuthError::Configuration(format!("token endpoint: {other}")),
        })?;
        // A root base keeps its `/` (URLs with a host always have a path), so trim it here.
        let joined = format!("{}{}", url.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        Ok(url)
    }

    fn client(&self) -> Result<reqwest::Client, AuthError> {
        if let Some(client) = self.http.get() {
            return Ok(client.clone());
        }
        let client = reqwest::Client::builder()
            .timeout(DEFAULT_TOKEN_TIMEOUT)
            .user_agent(concat!("client-runtime/", env!("CARGO_PKG_VERSION")))
            // A redirect would carry the credentials in the body to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AuthError::Configuration(format!("could not set up HTTP: {e}")))?;
        // Two tasks may build one each at first; either is fine to keep.
        Ok(self.http.get_or_init(|| client).clone())
    }

    /// The same settings with `client` for token requests.
    pub(crate) fn with_http_client(self, client: reqwest::Client) -> Self {
        let http = OnceLock::new();
        let _ = http.set(client);
        Self { http, ..self }
    }

    /// Sends one request to a token endpoint and reads the whole answer.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: Url,
        headers: HeaderMap,
        body: TokenBody,
    ) -> Result<TokenReply, AuthError> {
        let client = self.client()?;
        let secrets = sent_secrets(&headers, &body);
        let mut request = client
            .request(method, url)
            .header(http::header::ACCEPT, "application/json")
            .headers(headers);
        request = match body {
            TokenBody::None => request,
            TokenBody::Json(value) => request.json(&value),
            TokenBody::Form(pairs) => request.form(&pairs),
        };
        // The default client times out by itself; one given with `http_client` may not
        // (reqwest's default never does), and every caller queued for this token would wait
        // with it: the request is capped at the default, a shorter timeout of its own still
        // applying.
        let answer = tokio::time::timeout(DEFAULT_TOKEN_TIMEOUT, Self::receive(request, secrets)).await;
        answer.unwrap_or_else(|_| {
            Err(AuthError::Transport(TransportError::timeout(
                TimeoutKind::Request,
                "the token request timed out (request timeout)",
            )))
        })
    }

    /// Sends a token request and reads its answer.
    async fn receive(request: reqwest::RequestBuilder, secrets: Redactor) -> Result<TokenReply, AuthError> {
        let transport = |e| AuthError::Transport(TransportError::from_reqwest(e));
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = match read_limited(response, Some(MAX_TOKEN_RESPONSE_BYTES)).await {
            Ok(body) => body,
            Err(ReadError::Transport(e)) => return Err(AuthError::Transport(e)),
            // Only sending builds a request; reading a body never fails this way.
            Err(ReadError::Invalid(reason)) => return Err(AuthError::Configuration(reason)),
            Err(ReadError::TooLarge { status, limit }) => {
                return Err(AuthError::BadTokenResponse(format!(
                    "the answer ({status}) is larger than {limit} bytes"
                )))
            }
        };
        Ok(TokenReply {
            raw: RawResponse::new(status, headers, body, Arc::from([])).redacted(&secrets),
        })
    }
}

/// Fields of token requests that name things rather than prove them; every other value sent
/// to a token endpoint counts as a secret, so a new flow's fields are redacted by default.
const PUBLIC_FIELDS: &[&str] = &[
    "grant_type",
    "client_id",
    "appid",
    "organization_id",
    "redirect_uri",
    "scope",
    "response_type",
];

/// What a token request carries that must not come back in an error: secret header values
/// and the body's values other than [`PUBLIC_FIELDS`].
fn sent_secrets(headers: &HeaderMap, body: &TokenBody) -> Redactor {
    let mut redactor = Redactor::default();
    for value in headers.values().filter(|v| v.is_sensitive()) {
        redactor.add_header(value);
    }
    match body {
        TokenBody::None => {}
        TokenBody::Form(pairs) => {
            for (_, value) in pairs.iter().filter(|(name, _)| !PUBLIC_FIELDS.contains(name)) {
                redactor.add(value);
            }
        }
        TokenBody::Json(value) => {
            if let Some(fields) = value.as_object() {
                for (_, value) in fields
                    .iter()
                    .filter(|(name, _)| !PUBLIC_FIELDS.contains(&name.as_str()))
                {
                    if let Some(text) = value.as_str() {
                        redactor.add(text);
                    }
                }
            }
        }
    }
    redactor
}

/// A token endpoint's answer.
pub(crate) struct TokenReply {
    raw: RawResponse,
}

impl TokenReply {
    pub(crate) fn status(&self) -> StatusCode {
        self.raw.status()
    }

    pub(crate) fn is_success(&self) -> bool {
        self.raw.status().is_success()
    }

    /// Whether the endpoint refused what was sent (as opposed to failing by itself).
    pub(crate) fn is_refusal(&self) -> bool {
        matches!(self.status().as_u16(), 400 | 401 | 403)
    }

    pub(crate) fn message(&self) -> Option<String> {
        self.raw.message()
    }

    /// Decodes a success body. The error names only the JSON path and, for an answer not
    /// declared as JSON, its content type: serde's own message, like the body itself, may
    /// quote a value, and in a token response that value may be a secret.
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T, AuthError> {
        let body: &Bytes = self.raw.body();
        decode_json(body, self.status()).map_err(|e| {
            let sent = match self.raw.content_type() {
                Some(kind) if !is_json(kind) => format!(", sent as `{kind}`, not JSON"),
                Some(_) => String::new(),
                None => ", sent without a Content-Type".to_owned(),
            };
            AuthError::BadTokenResponse(format!(
                "`{}` is missing or has an unexpected type (HTTP {}{sent})",
                e.path,
                self.status()
            ))
        })
    }

    /// The failure, when the credentials themselves were sent: a refusal means they are wrong.
    pub(crate) fn credentials_error(&self) -> AuthError {
        if self.is_refusal() {
            AuthError::InvalidCredentials {
                status: Some(self.status()),
                message: self.message(),
            }
        } else {
            self.endpoint_error()
        }
    }

    /// The failure, when a refresh token was sent: a refusal means it was rejected.
    pub(crate) fn refresh_error(&self) -> AuthError {
        if self.is_refusal() {
            AuthError::RefreshRejected {
                status: Some(self.status()),
                message: self.message(),
            }
        } else {
            self.endpoint_error()
        }
    }

    pub(crate) fn endpoint_error(&self) -> AuthError {
        AuthError::TokenEndpoint {
            status: self.status(),
            message: self.message(),
        }
    }
}

/// A lifetime in seconds sent as a number (`7200`) or, as bookingtime's docs show, a string.
/// Fractions are dropped and values past `u64::MAX` (`1e300`) saturate; [`Token::expires_in`]
/// then clamps the lifetime to a year.
pub(crate) fn lenient_seconds<'de, D>(deserializer: D) -> Result<Option<u64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Int(u64),
        Float(f64),
        Text(String),
    }
    match Option::<Seconds>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Seconds::Int(n)) => Ok(Some(n)),
        Some(Seconds::Float(f)) => float_seconds(f).map(Some),
        Some(Seconds::Text(t)) => {
            let t = t.trim();
            match t.parse::<u64>() {
                Ok(n) => Ok(Some(n)),
                Err(_) => match t.parse::<f64>() {
                    Ok(f) => float_seconds(f).map(Some),
                    Err(_) => Err(serde::de::Error::custom("expected a number of seconds")),
                },
            }
        }
    }
}

/// Whole seconds from a float; `as` saturates, so `1e300` (and `"1e400"`, infinite once
/// read) is `u64::MAX`, not a panic.
fn float_seconds<E: serde::de::Error>(seconds: f64) -> Result<u64, E> {
    if !seconds.is_nan() && seconds >= 0.0 {
        Ok(seconds as u64)
    } else {
        Err(E::custom("expected a non-negative number of seconds"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_urls_get_the_same_https_check_as_api_urls() {
        let common = FlowCommon::default();
        assert!(matches!(
            common.url("http://api.timify.com", "/v1/auth/token"),
            Err(AuthError::InsecureTokenUrl(_))
        ));
        let url = common.url("http://127.0.0.1:9/", "/oauth/token").unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:9/oauth/token");
        let allowed = FlowCommon {
            allow_insecure_http: true,
            ..FlowCommon::default()
        };
        assert!(allowed.url("http://auth.example.com", "/oauth/token").is_ok());
    }

    #[test]
    fn lifetimes_may_be_numbers_or_strings() {
        #[derive(Deserialize)]
        struct R {
            #[serde(default, deserialize_with = "lenient_seconds")]
            expires_in: Option<u64>,
        }
        let parse = |s: &str| serde_json::from_str::<R>(s).map(|r| r.expires_in);
        assert_eq!(parse(r#"{"expires_in":300}"#).unwrap(), Some(300));
        assert_eq!(parse(r#"{"expires_in":"2592000"}"#).unwrap(), Some(2_592_000));
        assert_eq!(parse(r#"{}"#).unwrap(), None);
        assert!(parse(r#"{"expires_in":"soon"}"#).is_err());
        assert!(parse(r#"{"expires_in":-1}"#).is_err());
    }

    #[derive(Deserialize)]
    struct Lifetime {
        #[serde(default, deserialize_with = "lenient_seconds")]
        expires_in: Option<u64>,
    }

    /// The token a flow makes from a token answer carrying `expires_in` (a JSON fragment).
    fn granted(expires_in: &str) -> Result<Token, AuthError> {
        let now = crate::token::ManualClock::default();
        let parsed: Lifetime = serde_json::from_str(&format!(r#"{{"expires_in":{expires_in}}}"#))
            .map_err(|e| AuthError::BadTokenResponse(e.to_string()))?;
        let grant = Grant {
            access: ("a".to_owned(), "access_token"),
            refresh: None,
            expires_in: parsed.expires_in,
        };
        grant.into_token(None, crate::token::Clock::now(&now))
    }

    #[test]
    fn absurd_lifetimes_from_a_server_are_clamped_to_a_year() {
        for absurd in [
            "10000000000000000000",
            "1e300",
            r#""18446744073709551615""#,
            r#""1e300""#,
            r#""1e400""#,
        ] {
            let token = granted(absurd).unwrap();
            let lifetime = token.expires_at().unwrap().duration_since(token.issued_at()).unwrap();
            assert_eq!(lifetime, crate::token::MAX_TOKEN_LIFETIME, "{absurd}");
        }
        assert_eq!(
            granted("7200.9").unwrap().expires_at(),
            granted("7200").unwrap().expires_at()
        );
    }

    proptest::proptest! {
        #[test]
        fn any_number_or_string_as_a_lifetime_gives_a_token_or_a_typed_error(
            number in proptest::num::f64::ANY,
            integer in proptest::num::u64::ANY,
            text in "\\PC{0,24}",
        ) {
            let candidates = [
                serde_json::to_string(&number).unwrap_or_else(|_| "null".to_owned()),
                integer.to_string(),
                serde_json::to_string(&text).unwrap(),
                serde_json::to_string(&number.to_string()).unwrap(),
            ];
            for candidate in candidates {
                if let Ok(token) = granted(&candidate) {
                    if let Some(expires_at) = token.expires_at() {
                        let lifetime = expires_at.duration_since(token.issued_at()).unwrap();
                        proptest::prop_assert!(lifetime <= crate::token::MAX_TOKEN_LIFETIME);
                    }
                }
            }
        }
    }
}
