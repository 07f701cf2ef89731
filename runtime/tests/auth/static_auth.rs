//! Static schemes: bearer, API key in a header or the query, Basic (empty user), raw value.

use client_runtime::auth::{ApiKey, Authenticator, RawAuthorization};
use client_runtime::ApiClient;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{client, get};

async fn expect_header(name: &'static str, value: &'static str, auth: impl Authenticator + 'static) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/things"))
        .and(header(name, value))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let response = get(&client(&server, auth), "/v1/things").await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn bearer_token() {
    expect_header("authorization", "Bearer tok-1", RawAuthorization::bearer("tok-1")).await;
}

#[tokio::test]
async fn raw_authorization_value_without_scheme() {
    expect_header("authorization", "tok-raw", RawAuthorization::new("tok-raw")).await;
}

#[tokio::test]
async fn basic_with_an_empty_user_name() {
    // base64(":key") = "OmtleQ=="
    expect_header("authorization", "Basic OmtleQ==", RawAuthorization::basic("", "key")).await;
}

#[tokio::test]
async fn basic_with_user_and_password() {
    // base64("user:pass") = "dXNlcjpwYXNz"
    expect_header(
        "authorization",
        "Basic dXNlcjpwYXNz",
        RawAuthorization::basic("user", "pass"),
    )
    .await;
}

#[tokio::test]
async fn api_key_in_a_header() {
    expect_header("x-api-key", "k-123", ApiKey::header("X-Api-Key", "k-123")).await;
}

#[tokio::test]
async fn api_key_in_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/things"))
        .and(query_param("api_key", "k-456"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client: ApiClient = client(&server, ApiKey::query("api_key", "k-456"));
    assert_eq!(get(&client, "/v1/things").await.unwrap().status(), 200);
    let seen = server.received_requests().await.unwrap();
    assert!(seen[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn an_invalid_api_key_header_name_is_a_configuration_error() {
    let server = MockServer::start().await;
    let err = get(&client(&server, ApiKey::header("bad name", "k")), "/x")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            client_runtime::ErrorKind::Auth(client_runtime::AuthError::Configuration(_))
        ),
        "{err:?}"
    );
}
