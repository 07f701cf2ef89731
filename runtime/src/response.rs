//! Responses: the raw form the client returns and the typed form operations return.
#![warn(clippy::arithmetic_side_effects)]

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Call, DecodeError, Error, ErrorKind, HttpError};
use crate::json_path::path_of;

/// A successful response: the decoded body with the status and headers beside it.
#[derive(Debug, Clone)]
pub struct ResponseValue<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
}

impl<T> ResponseValue<T> {
    /// Builds a value from its parts (useful in tests of code that takes a `ResponseValue`).
    pub fn new(status: StatusCode, headers: HeaderMap, body: T) -> Self {
        Self { status, headers, body }
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.body
    }

    /// Transforms the body, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ResponseValue<U> {
        ResponseValue {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
        }
    }

    /// Splits into status, headers and body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }
}

impl<T> Deref for ResponseValue<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.body
    }
}

impl<T> DerefMut for ResponseValue<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.body
    }
}

/// A response whose body has been read but not decoded.
#[derive(Debug, Clone)]
pub struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    message_pointers: Arc<[String]>,
    /// The call this answers, which every error made from it names.
    call: Option<Arc<Call>>,
    /// The most JSON values a body is decoded with; `None`: no limit.
    max_json_values: Option<u64>,
}

impl RawResponse {
    /// Builds a raw response; `message_pointers` are JSON pointers to the vendor's error message.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes, message_pointers: Arc<[String]>) -> Self {
        Self {
            status,
            headers,
            body,
            message_pointers,
            call: None,
            max_json_values: Some(DEFAULT_MAX_JSON_VALUES),
        }
    }

    /// The same response, decoded only with at most `limit` JSON values (`None`: any number);
    /// [`new`](Self::new) sets [`DEFAULT_MAX_JSON_VALUES`].
    pub fn with_max_json_values(mut self, limit: Option<u64>) -> Self {
        self.max_json_values = limit;
        self
    }

    /// The value limit, when the body passes it.
    fn values_over_limit(&self) -> Option<u64> {
        self.max_json_values
            .filter(|limit| crate::json_count::more_values_than(&self.body, *limit))
    }

    /// The same response, answering `call`: errors made from it say which call it was.
    pub fn for_call(mut self, call: Arc<Call>) -> Self {
        self.call = Some(call);
        self
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The raw body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The same response with the request's secrets replaced in an error body, before any
    /// error can keep it (a success body is the caller's data and stays as it is).
    pub(crate) fn redacted(mut self, redactor: &crate::redact::Redactor) -> Self {
        if !self.status.is_success() && !redactor.is_empty() {
            self.body = redactor.bytes(self.body);
        }
        self
    }

    /// Decodes a JSON success body. When that fails and the server did not send JSON (an
    /// HTML error page from a proxy, say), the error says what it sent and how it starts.
    ///
    /// A body with more JSON values than the limit (see [`with_max_json_values`](Self::with_max_json_values))
    /// is not decoded: [`ErrorKind::TooManyJsonValues`].
    pub fn json<T: DeserializeOwned, E>(self) -> Result<ResponseValue<T>, Error<E>> {
        if let Some(limit) = self.values_over_limit() {
            let kind = ErrorKind::TooManyJsonValues {
                status: self.status,
                limit,
            };
            return Err(named(self.call.as_ref(), kind));
        }
        match decode_json(&self.body, self.status) {
            Ok(body) => Ok(ResponseValue::new(self.status, self.headers, body)),
            Err(mut e) => {
                if let Some(sent) = not_json(&self.headers, &self.body) {
                    e.message = format!("{}; {sent}", e.message);
                }
                Err(named(self.call.as_ref(), ErrorKind::Decode(Box::new(e))))
            }
        }
    }

    /// The `Content-Type` the server sent, if any.
    pub fn content_type(&self) -> Option<&str> {
        content_type(&self.headers)
    }

    /// A success response whose body is ignored.
    pub fn empty<E>(self) -> Result<ResponseValue<()>, Error<E>> {
        Ok(ResponseValue::new(self.status, self.headers, ()))
    }

    /// A success response whose body is returned as bytes.
    pub fn bytes<E>(self) -> Result<ResponseValue<Bytes>, Error<E>> {
        Ok(ResponseValue::new(self.status, self.headers, self.body))
    }

    /// A success response whose body is returned as text.
    pub fn text<E>(self) -> Result<ResponseValue<String>, Error<E>> {
        match String::from_utf8(self.body.to_vec()) {
            Ok(text) => Ok(ResponseValue::new(self.status, self.headers, text)),
            Err(e) => Err(named(
                self.call.as_ref(),
                ErrorKind::Decode(Box::new(DecodeError {
                    path: ".".to_owned(),
                    message: format!("the body is not UTF-8: {e}"),
                    status: Some(self.status),
                    body: self.body.clone(),
                })),
            )),
        }
    }

    /// Decodes a documented error body `B` and wraps it into the operation's error type.
    /// A body over the value limit is not decoded and is kept raw, as [`unexpected`](Self::unexpected) does.
    pub fn error_json<B: DeserializeOwned, E>(self, wrap: impl FnOnce(B) -> E) -> Error<E> {
        if self.values_over_limit().is_some() {
            return self.unexpected();
        }
        match decode_json::<B>(&self.body, self.status) {
            Ok(body) => {
                let message = self.message();
                let kind = ErrorKind::Api(Box::new(ApiError {
                    status: self.status,
                    headers: self.headers,
                    body: wrap(body),
                    message,
                }));
                named(self.call.as_ref(), kind)
            }
            // A documented error status whose body does not match its schema: keep it all.
            Err(_) => self.unexpected(),
        }
    }

    /// A status the operation does not document.
    pub fn unexpected<E>(self) -> Error<E> {
        let message = self.message();
        let kind = ErrorKind::Status(Box::new(HttpError {
            status: self.status,
            headers: self.headers,
            body: self.body,
            message,
        }));
        named(self.call.as_ref(), kind)
    }

    /// The vendor's human-readable message: the first configured JSON pointer that holds a
    /// string (or a number), else a top-level `message`/`error_description`/`error` string;
    /// on one line and at most [`MAX_MESSAGE_CHARS`] characters (the server chose it; errors
    /// show it and logs print it).
    /// Not looked for in a body over [`MAX_MESSAGE_BODY_BYTES`] (the body is kept all the same).
    pub fn message(&self) -> Option<String> {
        // A `serde_json::Value` takes 32 bytes or more per value, and `[0,0,0,...]` is two
        // bytes a value: the whole tree of a 32 MiB error body would take half a gigabyte.
        if self.body.len() > MAX_MESSAGE_BODY_BYTES {
            return None;
        }
        let value: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        let defaults = ["/message", "/error_description", "/error/message", "/error"];
        self.message_pointers
            .iter()
            .map(String::as_str)
            .chain(defaults)
            .find_map(|pointer| match value.pointer(pointer)? {
                serde_json::Value::String(s) => readable(s),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
    }
}

/// The most characters of a server's message an error shows; the body keeps the rest.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// A server's message as an error shows it: [`one_line`], trimmed; `None` when nothing
/// readable is left.
fn readable(message: &str) -> Option<String> {
    let trimmed = message.trim_matches(|c: char| c.is_whitespace() || unsafe_char(c));
    (!trimmed.is_empty()).then(|| one_line(trimmed))
}

/// Server text as an error shows it: one line (control characters, such as newlines and
/// terminal escapes, and bidirectional overrides become spaces, so the text cannot forge log
/// lines or restyle a terminal), at most [`MAX_MESSAGE_CHARS`] characters with `…` when cut.
pub(crate) fn one_line(text: &str) -> String {
    let mut shown: String = text
        .chars()
        .take(MAX_MESSAGE_CHARS)
        .map(|c| if unsafe_char(c) { ' ' } else { c })
        .collect();
    if text.chars().nth(MAX_MESSAGE_CHARS).is_some() {
        shown.push('…');
    }
    shown
}

fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The default for the most JSON values a response body is decoded with: a million. Decoded,
/// a value takes up to ~150 bytes at the peak (the generated types keep unknown members in
/// `#[serde(flatten)]` maps, which serde buffers first), so this bounds one decode to about
/// 150 MB whatever the server sends, while a page of a thousand records of a hundred fields
/// is a tenth of it.
pub const DEFAULT_MAX_JSON_VALUES: u64 = 1_000_000;

/// The largest body [`RawResponse::message`] reads a message from: 1 MiB. Error bodies that
/// carry a message are a few hundred bytes; reading one as a JSON tree costs up to 16 times
/// its size (32 times at a moment of growth), which must stay bounded whatever a server sends.
pub const MAX_MESSAGE_BODY_BYTES: usize = 1024 * 1024;

/// The error `kind`, naming `call` when the response answered a known one.
fn named<E>(call: Option<&Arc<Call>>, kind: ErrorKind<E>) -> Error<E> {
    let error = Error::from(kind);
    match call {
        Some(call) => error.with_call(call),
        None => error,
    }
}

/// The `Content-Type` in `headers`, if readable.
pub(crate) fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get(http::header::CONTENT_TYPE)?.to_str().ok()
}

/// Whether `content_type` names JSON (`application/json`, `application/problem+json`, ...).
pub(crate) fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json") || essence.to_ascii_lowercase().ends_with("+json")
}

/// How many bytes of a non-JSON body a decode error quotes.
const QUOTED_BYTES: usize = 64;

/// "the server sent `text/html`, starting `<!DOCTYPE html>…`", when the response is not
/// declared as JSON; `None` when it is.
pub(crate) fn not_json(headers: &HeaderMap, body: &Bytes) -> Option<String> {
    let sent = match content_type(headers) {
        Some(kind) if is_json(kind) => return None,
        Some(kind) => format!("the server sent `{kind}`, not JSON"),
        None => "the server sent no Content-Type".to_owned(),
    };
    let start = body.get(..QUOTED_BYTES).unwrap_or(body);
    let quoted: String = String::from_utf8_lossy(start)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let more = if body.len() > QUOTED_BYTES { "…" } else { "" };
    Some(format!("{sent}, starting `{}{more}`", quoted.trim()))
}

/// Decodes JSON, naming the path that failed and keeping the body.
pub(crate) fn decode_json<T: DeserializeOwned>(body: &Bytes, status: StatusCode) -> Result<T, DecodeError> {
    // An empty body decodes like `null`, so `Option`/`()` bodies accept a bare 200.
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    // One decoder per type (this one, shared with webhook payloads): the failure's path comes
    // from the text at the error's position, not from a second, tracking decode.
    // Both may quote the server's text (a key, an unknown enum value): shown on one line.
    serde_json::from_slice(text).map_err(|e| DecodeError {
        path: one_line(&path_of(text, &e)),
        message: one_line(&e.to_string()),
        status: Some(status),
        body: body.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_json_body_says_what_the_server_sent() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "text/html; charset=utf-8".parse().unwrap());
        let page = "<!DOCTYPE html>\n<html><body>502 Bad Gateway from the proxy in front of the API</body></html>";
        let response = RawResponse::new(StatusCode::OK, headers, Bytes::from(page), Arc::from([]));
        let Err(ErrorKind::Decode(e)) = response.json::<serde_json::Value, ()>().map_err(Error::into_kind) else {
            panic!("expected a decode error");
        };
        assert!(
            e.message.starts_with("expected value at line 1 column 1; "),
            "{}",
            e.message
        );
        assert!(
            e.message.ends_with(
                "the server sent `text/html; charset=utf-8`, not JSON, starting \
                 `<!DOCTYPE html> <html><body>502 Bad Gateway from the proxy in fr…`"
            ),
            "{}",
            e.message
        );
        assert_eq!(e.body, page.as_bytes());
    }

    #[test]
    fn a_json_body_of_the_wrong_shape_is_not_called_non_json() {
        for kind in ["application/json", "application/problem+json; charset=utf-8"] {
            let mut headers = HeaderMap::new();
            headers.insert("content-type", kind.parse().unwrap());
            let response = RawResponse::new(StatusCode::OK, headers, Bytes::from("[1]"), Arc::from([]));
            let Err(ErrorKind::Decode(e)) = response.json::<String, ()>().map_err(Error::into_kind) else {
                panic!("expected a decode error");
            };
            assert!(!e.message.contains("server sent"), "{}", e.message);
        }
    }

    fn raw(status: u16, body: &str, pointers: &[&str]) -> RawResponse {
        RawResponse::new(
            StatusCode::from_u16(status).unwrap(),
            HeaderMap::new(),
            Bytes::from(body.to_owned()),
            pointers.iter().map(|p| p.to_string()).collect(),
        )
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        id: u32,
        email: String,
    }

    #[test]
    fn decode_errors_name_the_path_and_keep_the_body() {
        let body = r#"{"data":[{"id":1,"email":"a"},{"id":2,"email":7}]}"#;
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct List {
            data: Vec<Item>,
        }
        let err = raw(200, body, &[]).json::<List, ()>().unwrap_err();
        let ErrorKind::Decode(decode) = err.kind() else {
            panic!("expected a decode error, got {err:?}")
        };
        assert_eq!(decode.path, "data[1].email");
        assert_eq!(decode.body, body.as_bytes());
    }

    #[test]
    fn the_vendor_message_comes_from_the_configured_pointer() {
        let body = r#"{"messageList":[{"type":"ERROR","text":"organization not found"}],"content":null}"#;
        let response = raw(404, body, &["/messageList/0/text"]);
        assert_eq!(response.message().as_deref(), Some("organization not found"));
        let err = response.unexpected::<()>();
        assert_eq!(
            err.to_string(),
            "the server answered 404 Not Found: organization not found"
        );
    }

    #[test]
    fn a_documented_error_body_is_typed() {
        let err = raw(422, r#"{"message":"bad email"}"#, &[])
            .error_json::<serde_json::Value, String>(|v| v["message"].as_str().unwrap_or_default().to_owned());
        match err.into_kind() {
            ErrorKind::Api(api) => {
                assert_eq!(api.body, "bad email");
                assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
            }
            other => panic!("expected an API error, got {other:?}"),
        }
    }
}
