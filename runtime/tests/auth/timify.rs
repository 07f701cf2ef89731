//! Timify app tokens: `POST /v1/auth/token`, refresh, fallback, errors.

use std::time::Duration;

use client_runtime::auth::timify::AppToken;
use client_runtime::token::ManualClock;
use client_runtime::{AuthError, ErrorKind};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{assert_no_secret_in_urls, client, get, hits};

/// The token answer from Timify's "First Steps" page, with distinct token values.
fn token_body(access: &str, refresh: &str) -> serde_json::Value {
    json!({ "accessToken": access, "refreshToken": refresh, "expires": 7200 })
}

async fn mount_token(server: &MockServer, access: &str, refresh: &str) {
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .and(body_json(json!({ "appid": "app-1", "appsecret": "app-secret-1" })))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(access, refresh)))
        .mount(server)
        .await;
}

async fn mount_api(server: &MockServer, access: &'static str) {
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .and(header("authorization", access))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [] })))
        .mount(server)
        .await;
}

fn flow(server: &MockServer, clock: &ManualClock) -> AppToken {
    AppToken::new(server.uri(), "app-1", "app-secret-1").clock(clock.clone())
}

#[tokio::test]
async fn the_token_request_is_the_documented_one_and_the_token_is_sent_raw_and_reused() {
    let server = MockServer::start().await;
    mount_token(&server, "access-1", "refresh-1").await;
    mount_api(&server, "access-1").await;
    let clock = ManualClock::default();
    let client = client(&server, flow(&server, &clock));
    for _ in 0..3 {
        assert_eq!(get(&client, "/v1/companies").await.unwrap().status(), 200);
    }
    assert_eq!(hits(&server, "/v1/auth/token").await, 1);
    assert_no_secret_in_urls(&server, &["access-1", "refresh-1", "app-secret-1"]).await;
}

#[tokio::test]
async fn the_token_is_refreshed_ahead_of_expiry_with_the_refresh_token() {
    let server = MockServer::start().await;
    mount_token(&server, "access-1", "refresh-1").await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/refreshtoken"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({ "refreshtoken": "refresh-1" })))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("access-2", "refresh-2")))
        .expect(1)
        .mount(&server)
        .await;
    mount_api(&server, "access-1").await;
    mount_api(&server, "access-2").await;
    let clock = ManualClock::default();
    let auth = flow(&server, &clock).refresh_margin(Duration::from_secs(300));
    let client = client(&server, auth);
    get(&client, "/v1/companies").await.unwrap();

    clock.advance(Duration::from_secs(7200 - 301));
    get(&client, "/v1/companies").await.unwrap();
    assert_eq!(hits(&server, "/v1/auth/refreshtoken").await, 0, "not yet due");

    clock.advance(Duration::from_secs(1));
    get(&client, "/v1/companies").await.unwrap();
    let last = server.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(last.headers["authorization"], "access-2");
    assert_eq!(hits(&server, "/v1/auth/token").await, 1);
}

#[tokio::test]
async fn a_failed_refresh_falls_back_to_the_app_credentials() {
    let server = MockServer::start().await;
    mount_token(&server, "access-1", "refresh-1").await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/refreshtoken"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({ "message": "expired" })))
        .expect(1)
        .mount(&server)
        .await;
    mount_api(&server, "access-1").await;
    let clock = ManualClock::default();
    let client = client(&server, flow(&server, &clock));
    get(&client, "/v1/companies").await.unwrap();
    clock.advance(Duration::from_secs(7200));
    get(&client, "/v1/companies").await.unwrap();
    assert_eq!(hits(&server, "/v1/auth/token").await, 2);
}

#[tokio::test]
async fn wrong_app_credentials_are_invalid_credentials_with_the_vendor_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({ "message": "Invalid app credentials" })))
        .mount(&server)
        .await;
    let clock = ManualClock::default();
    let err = get(&client(&server, flow(&server, &clock)), "/v1/companies")
        .await
        .unwrap_err();
    match err.kind() {
        ErrorKind::Auth(AuthError::InvalidCredentials { status, message }) => {
            assert_eq!(status.map(|s| s.as_u16()), Some(401));
            assert_eq!(message.as_deref(), Some("Invalid app credentials"));
        }
        other => panic!("expected InvalidCredentials, got {other:?}"),
    }
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(hits(&server, "/v1/companies").await, 0);
}

#[tokio::test]
async fn a_server_error_at_the_token_endpoint_is_not_a_credentials_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let clock = ManualClock::default();
    let err = get(&client(&server, flow(&server, &clock)), "/v1/companies")
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Auth(AuthError::TokenEndpoint { status, .. }) if *status == 503),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unreadable_token_answer_names_the_field_but_not_the_value() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "accessToken": 12345, "expires": 1 })))
        .mount(&server)
        .await;
    let clock = ManualClock::default();
    let err = get(&client(&server, flow(&server, &clock)), "/v1/companies")
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(
        matches!(err.kind(), ErrorKind::Auth(AuthError::BadTokenResponse(_))),
        "{err:?}"
    );
    assert!(shown.contains("accessToken"), "{shown}");
    assert!(!shown.contains("12345"), "{shown}");
}

#[tokio::test]
async fn the_bearer_scheme_can_be_chosen() {
    let server = MockServer::start().await;
    mount_token(&server, "access-1", "refresh-1").await;
    mount_api(&server, "Bearer access-1").await;
    let clock = ManualClock::default();
    let client = client(&server, flow(&server, &clock).bearer_scheme(true));
    assert_eq!(get(&client, "/v1/companies").await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_refresh_answer_without_a_new_refresh_token_keeps_the_old_one() {
    let server = MockServer::start().await;
    mount_token(&server, "access-1", "refresh-1").await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/refreshtoken"))
        .and(body_json(json!({ "refreshtoken": "refresh-1" })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "accessToken": "access-n", "expires": 7200 })))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let clock = ManualClock::default();
    let client = client(&server, flow(&server, &clock));
    for _ in 0..3 {
        get(&client, "/v1/companies").await.unwrap();
        clock.advance(Duration::from_secs(7200));
    }
    assert_eq!(hits(&server, "/v1/auth/token").await, 1);
}
