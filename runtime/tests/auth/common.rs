//! Helpers shared by the auth tests.

use std::collections::BTreeMap;

use client_runtime::auth::Authenticator;
use client_runtime::{ApiClient, ApiRequest, Error, RawResponse};
use http::Method;
use wiremock::{MockServer, Request};

/// A client for the mock server using `auth`.
pub fn client(server: &MockServer, auth: impl Authenticator + 'static) -> ApiClient {
    ApiClient::builder(server.uri()).auth(auth).build().unwrap()
}

/// `GET path` through the client.
pub async fn get(client: &ApiClient, path: &'static str) -> Result<RawResponse, Error> {
    client.send(ApiRequest::new(Method::GET, path)).await
}

/// The form fields of a urlencoded body.
pub fn form(request: &Request) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(&request.body).into_owned().collect()
}

/// A matcher: the body is exactly these urlencoded form fields, sent as a form.
pub fn form_is(expected: &'static [(&'static str, &'static str)]) -> impl Fn(&Request) -> bool + Send + Sync {
    move |request: &Request| {
        let is_form = request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let wanted: BTreeMap<String, String> = expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        is_form && form(request) == wanted
    }
}

/// Asserts that no request the server saw carried any of `secrets` in its URL.
pub async fn assert_no_secret_in_urls(server: &MockServer, secrets: &[&str]) {
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(!requests.is_empty());
    for request in requests {
        for secret in secrets {
            assert!(!request.url.as_str().contains(secret), "secret in URL {}", request.url);
        }
    }
}

/// How many requests the server saw for `path`.
pub async fn hits(server: &MockServer, path: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == path)
        .count()
}
