//! [`ApiRequest`]: a transport-free description of one API call.
//!
//! Generated operations build one of these and hand it to [`crate::ApiClient::send`]. Keeping
//! the description apart from the transport lets the client re-send it (after a token refresh
//! or a retry) and lets auth providers look at it (for example at the organization in the path).

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::Serialize;
use url::Url;

use crate::encoding::{self, QueryStyle};
use crate::multipart::Multipart;

/// A request body.
#[derive(Debug, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// A JSON document (already serialised).
    Json(Vec<u8>),
    /// `application/x-www-form-urlencoded` pairs.
    Form(Vec<(String, String)>),
    /// `multipart/form-data` parts.
    Multipart(Multipart),
    /// Raw bytes with their content type.
    Raw {
        /// The `Content-Type` to send.
        content_type: String,
        /// The bytes to send.
        bytes: bytes::Bytes,
    },
}

/// One API call, described without any transport.
#[derive(Debug)]
pub struct ApiRequest {
    pub(crate) method: Method,
    pub(crate) operation: Option<&'static str>,
    pub(crate) path_template: &'static str,
    pub(crate) path: String,
    pub(crate) path_params: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
    pub(crate) retry_safe: bool,
    pub(crate) invalid: Option<String>,
    /// An absolute URL sent to instead of the base URL + path + query (a next-page URL).
    pub(crate) absolute_url: Option<Url>,
    pub(crate) options: CallOptions,
}

/// Per-call overrides of the client's settings, set on a generated call's builder
/// (`.timeout(..)`, `.without_retries()`) and carried by its [`ApiRequest`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// The whole request's time limit instead of the client's `request_timeout`.
    pub timeout: Option<std::time::Duration>,
    /// Whether the client's retry policy may send the request again (a 401 still gets its
    /// one credential refresh, which is auth's and not a retry).
    pub no_retries: bool,
}

impl ApiRequest {
    /// Starts a request for `method` on `path_template` (e.g. `/v1/companies/{companyId}`),
    /// relative to the client's base URL.
    pub fn new(method: Method, path_template: &'static str) -> Self {
        let retry_safe = matches!(
            method.as_str(),
            "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "LINK" | "UNLINK"
        );
        Self {
            method,
            operation: None,
            path_template,
            path: path_template.to_owned(),
            path_params: Vec::new(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Body::Empty,
            retry_safe,
            invalid: None,
            absolute_url: None,
            options: CallOptions::default(),
        }
    }

    /// Names the operation this request performs (the spec's `operationId`, or the Rust
    /// method's name), so errors and traces can say which call it was.
    pub fn operation(mut self, name: &'static str) -> Self {
        self.operation = Some(name);
        self
    }

    /// Builds a method from its name, for non-standard methods such as `LINK`.
    pub fn custom_method(name: &'static str) -> Method {
        Method::from_bytes(name.as_bytes()).unwrap_or(Method::GET)
    }

    fn fail(&mut self, message: String) {
        self.invalid.get_or_insert(message);
    }

    /// Substitutes path parameter `name` (its wire name) with `value`, percent-encoded.
    pub fn path_param<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        let text = encoding::to_value(value).and_then(|v| encoding::scalar_text(&v));
        match text {
            Ok(Some(text)) => {
                self.path = self
                    .path
                    .replace(&format!("{{{name}}}"), &encoding::encode_path_segment(&text));
                self.path_params.push((name, text));
            }
            Ok(None) => self.fail(format!("path parameter `{name}` is null")),
            Err(e) => self.fail(format!("path parameter `{name}`: {e}")),
        }
        self
    }

    /// Adds query parameter `name` (its wire name); `None` adds nothing.
    pub fn query<T: Serialize + ?Sized>(mut self, name: &str, value: &T, style: QueryStyle) -> Self {
        let result = encoding::to_value(value).and_then(|v| encoding::query_pairs(name, &v, style, &mut self.query));
        if let Err(e) = result {
            self.fail(format!("query parameter `{name}`: {e}"));
        }
        self
    }

    /// Adds header `name`; `None` adds nothing.
    pub fn header<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        let text = encoding::to_value(value).and_then(|v| encoding::scalar_text(&v));
        match text {
            Ok(Some(text)) => match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&text)) {
                (Ok(header), Ok(value)) => {
                    self.headers.append(header, value);
                }
                (Err(_), _) => self.fail(format!("`{name}` is not a valid header name")),
                (_, Err(_)) => self.fail(format!("header `{name}` holds characters a header cannot carry")),
            },
            Ok(None) => {}
            Err(e) => self.fail(format!("header `{name}`: {e}")),
        }
        self
    }

    /// Sets a JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Body::Json(bytes),
            Err(e) => self.fail(format!("request body: {e}")),
        }
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body from an object.
    pub fn form<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        let mut pairs = Vec::new();
        let result = encoding::to_value(body).and_then(|v| encoding::query_pairs("", &v, QueryStyle::Form, &mut pairs));
        match result {
            Ok(()) => self.body = Body::Form(pairs),
            Err(e) => self.fail(format!("form body: {e}")),
        }
        self
    }

    /// Sets a `multipart/form-data` body. A body with a field that could not be encoded makes
    /// the request invalid, naming the field.
    pub fn multipart(mut self, body: Multipart) -> Self {
        if let Some(error) = &body.error {
            self.fail(error.clone());
        }
        self.body = Body::Multipart(body);
        self
    }

    /// Sets a raw body with its content type.
    pub fn raw(mut self, content_type: &str, bytes: impl Into<bytes::Bytes>) -> Self {
        self.body = Body::Raw {
            content_type: content_type.to_owned(),
            bytes: bytes.into(),
        };
        self
    }

    /// Sends the request to `url` (e.g. a next-page URL the server handed out) instead of the
    /// base URL, path and query; method, headers, body and credentials stay the same.
    ///
    /// The client refuses it with [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest)
    /// unless `url` has the base URL's scheme, host and port: credentials must not travel
    /// to another server.
    pub fn absolute_url(mut self, url: Url) -> Self {
        self.absolute_url = Some(url);
        self
    }

    /// Makes the request invalid unless `is_set`: a required parameter the caller did not
    /// give (`parameter` is its name as the caller knows it, the builder's setter). Sending
    /// it then fails with [`crate::ErrorKind::InvalidRequest`] naming the parameter.
    pub fn require(mut self, parameter: &'static str, is_set: bool) -> Self {
        if !is_set {
            self.fail(format!("the required parameter `{parameter}` was not set"));
        }
        self
    }

    /// Applies per-call overrides (time limit, retries off).
    pub fn options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// The per-call overrides.
    pub fn call_options(&self) -> CallOptions {
        self.options
    }

    /// Marks a request as safe to retry even though its method is not idempotent.
    pub fn retry_safe(mut self, safe: bool) -> Self {
        self.retry_safe = safe;
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The operation's name, when the request was given one with [`operation`](Self::operation).
    pub fn operation_name(&self) -> Option<&'static str> {
        self.operation
    }

    /// The path template as written in the spec, e.g. `/organization/{organizationId}/show`.
    pub fn path_template(&self) -> &'static str {
        self.path_template
    }

    /// The path with parameters substituted and percent-encoded.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The value of path parameter `name` (its wire name), unencoded.
    pub fn path_param_value(&self, name: &str) -> Option<&str> {
        self.path_params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The absolute URL the request goes to instead of base URL, path and query, if set.
    pub fn absolute_url_override(&self) -> Option<&Url> {
        self.absolute_url.as_ref()
    }

    /// The query pairs in order.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The headers set so far (credentials are added later, at send time).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// Whether the request may be sent again after a transport error or a 5xx.
    pub fn is_retry_safe(&self) -> bool {
        self.retry_safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_params_are_encoded_and_remembered() {
        let req = ApiRequest::new(Method::GET, "/organization/{organizationId}/customer/{id}/show")
            .path_param("organizationId", "org 1")
            .path_param("id", &42);
        assert_eq!(req.path(), "/organization/org%201/customer/42/show");
        assert_eq!(req.path_param_value("organizationId"), Some("org 1"));
    }

    #[test]
    fn optional_query_params_are_skipped() {
        let req = ApiRequest::new(Method::GET, "/x")
            .query("page", &Some(2), QueryStyle::Form)
            .query("limit", &None::<u32>, QueryStyle::Form);
        assert_eq!(req.query_pairs(), &[("page".to_owned(), "2".to_owned())]);
    }

    #[test]
    fn a_bad_header_value_makes_the_request_invalid() {
        let req = ApiRequest::new(Method::GET, "/x").header("company-id", "a\nb");
        assert!(req.invalid.is_some());
    }

    #[test]
    fn a_required_parameter_left_unset_makes_the_request_invalid_and_names_it() {
        let req = ApiRequest::new(Method::GET, "/x")
            .require("year", true)
            .require("search_query", false)
            .require("page", false);
        assert_eq!(
            req.invalid.as_deref(),
            Some("the required parameter `search_query` was not set")
        );
    }

    #[test]
    fn link_is_retry_safe_and_post_is_not() {
        assert!(ApiRequest::new(ApiRequest::custom_method("LINK"), "/x").is_retry_safe());
        assert!(!ApiRequest::new(Method::POST, "/x").is_retry_safe());
    }
}
