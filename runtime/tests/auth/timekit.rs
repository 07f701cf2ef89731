//! Timekit: app key as Basic `:key`, and bootstrapping it from personal credentials.

use client_runtime::auth::timekit::{AppKey, AppTokenBootstrap};
use client_runtime::token::ManualClock;
use client_runtime::{AuthError, ErrorKind};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{assert_no_secret_in_urls, client, get, hits};

#[tokio::test]
async fn the_app_key_is_basic_with_an_empty_user() {
    let server = MockServer::start().await;
    // base64(":live_api_key_abc") = "OmxpdmVfYXBpX2tleV9hYmM="
    Mock::given(method("GET"))
        .and(path("/v2/bookings"))
        .and(header("authorization", "Basic OmxpdmVfYXBpX2tleV9hYmM="))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, AppKey::new("live_api_key_abc"));
    assert_eq!(get(&client, "/v2/bookings").await.unwrap().status(), 200);
}

/// The answer from Timekit's "getting app token through the API" page.
fn app_response() -> serde_json::Value {
    json!({
      "data": {
        "id": "0c3aa054-dcba-4e9f-9717-ac855fe6bb4f",
        "slug": "back-to-the-future",
        "settings": {
          "name": "Back to the Future",
          "callback": "http://myapp.io/#/googlecallback",
          "from_email": "robert.zemeckis@universalpictures.com",
          "from_name": "Robert",
          "contact_name": "Zemeckis",
          "contact_email": "robert.zemeckis@universalpictures.com"
        },
        "stripe_plan": null,
        "stripe_purchased_at": false,
        "created_at": "1985-12-04 12:00:00",
        "updated_at": "2016-09-01 21:17:55",
        "app_token": [{
          "id": "4d89ce01-aa33-45e4-bdba-8ab383aa8ea5",
          "type": "server-token",
          "description": "Global app-token",
          "token": "live_api_key_7nzvc7wsBQQISLeFSVhROys9V1bUJ1z7",
          "scopes": ["global"],
          "token_generated_at": "2017-12-22T13:15:57+0330",
          "updated_at": "2017-12-22T13:15:57+0330"
        }]
      }
    })
}

fn bootstrap(server: &MockServer) -> AppTokenBootstrap {
    AppTokenBootstrap::new(
        format!("{}/v2", server.uri()),
        "doc.brown@timekit.io",
        "nvHfRSlhvsnlg4rS7Wt28Ty47qdgegwSu3YK7hPW",
        "back-to-the-future",
    )
    .clock(ManualClock::default())
}

#[tokio::test]
async fn the_app_token_is_bootstrapped_once_with_the_documented_request() {
    let server = MockServer::start().await;
    // base64("doc.brown@timekit.io:nvHfRSlhvsnlg4rS7Wt28Ty47qdgegwSu3YK7hPW")
    let personal = "Basic ZG9jLmJyb3duQHRpbWVraXQuaW86bnZIZlJTbGh2c25sZzRyUzdXdDI4VHk0N3FkZ2Vnd1N1M1lLN2hQVw==";
    Mock::given(method("GET"))
        .and(path("/v2/app"))
        .and(query_param("include", "app_token"))
        .and(header("authorization", personal))
        .and(header("timekit-app", "back-to-the-future"))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(app_response()))
        .expect(1)
        .mount(&server)
        .await;
    // base64(":live_api_key_7nzvc7wsBQQISLeFSVhROys9V1bUJ1z7")
    let app = "Basic OmxpdmVfYXBpX2tleV83bnp2Yzd3c0JRUUlTTGVGU1ZoUk95czlWMWJVSjF6Nw==";
    Mock::given(method("GET"))
        .and(path("/v2/bookings"))
        .and(header("authorization", app))
        .respond_with(ResponseTemplate::new(200))
        .expect(3)
        .mount(&server)
        .await;
    let client = client_runtime::ApiClient::builder(format!("{}/v2", server.uri()))
        .auth(bootstrap(&server))
        .build()
        .unwrap();
    for _ in 0..3 {
        assert_eq!(get(&client, "/bookings").await.unwrap().status(), 200);
    }
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests[1..].iter().all(|r| r.headers.get("timekit-app").is_none()),
        "the app is implied by the app token"
    );
    assert_no_secret_in_urls(
        &server,
        &["live_api_key_7nzv", "nvHfRSlhvsnlg4rS7Wt28Ty47qdgegwSu3YK7hPW"],
    )
    .await;
}

#[tokio::test]
async fn wrong_personal_credentials_are_invalid_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/app"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({ "error": "Unauthorized" })))
        .mount(&server)
        .await;
    let client = client_runtime::ApiClient::builder(format!("{}/v2", server.uri()))
        .auth(bootstrap(&server))
        .build()
        .unwrap();
    let err = get(&client, "/bookings").await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Auth(AuthError::InvalidCredentials { message: Some(m), .. }) if m == "Unauthorized"),
        "{err:?}"
    );
    assert_eq!(hits(&server, "/v2/bookings").await, 0);
}

#[tokio::test]
async fn a_401_with_the_app_token_bootstraps_once_more() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/app"))
        .respond_with(ResponseTemplate::new(200).set_body_json(app_response()))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/bookings"))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let client = client_runtime::ApiClient::builder(format!("{}/v2", server.uri()))
        .auth(bootstrap(&server))
        .build()
        .unwrap();
    let err = get(&client, "/bookings").await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Auth(AuthError::Unauthorized { .. })),
        "{err:?}"
    );
}
