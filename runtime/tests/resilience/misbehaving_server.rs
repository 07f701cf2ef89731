//! The sequences the quickstarts must survive: a rejected first token, a 429 with
//! `Retry-After: 1`, a 503 once; each alone and all in a row.

use std::time::Duration;

use client_runtime::{ApiClient, ApiRequest};
use http::Method;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{hits, RecordingSleeper, RotatingToken};

async fn client(server: &MockServer, sleeper: &RecordingSleeper) -> ApiClient {
    ApiClient::builder(server.uri())
        .auth(RotatingToken::default())
        .sleeper(std::sync::Arc::new(sleeper.clone()))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_rejected_token_then_a_429_then_a_503_still_ends_in_success() {
    let server = MockServer::start().await;
    Mock::given(header("authorization", "token-0"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .and(header("authorization", "token-1"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .and(header("authorization", "token-1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .and(header("authorization", "token-1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"data":[]}"#))
        .with_priority(3)
        .mount(&server)
        .await;
    let sleeper = RecordingSleeper::default();
    let client = client(&server, &sleeper).await;
    let response = client
        .send::<()>(ApiRequest::new(Method::GET, "/v1/companies"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(hits(&server, "/v1/companies").await, 4);
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 2);
    assert_eq!(waits[0], Duration::from_secs(1));
    // A later call goes straight through with the renewed token.
    let response = client
        .send::<()>(ApiRequest::new(Method::GET, "/v1/companies"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(hits(&server, "/v1/companies").await, 5);
}

#[tokio::test]
async fn a_401_after_a_retry_still_refreshes_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(header("authorization", "token-0"))
        .respond_with(ResponseTemplate::new(401))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(header("authorization", "token-1"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(3)
        .mount(&server)
        .await;
    let sleeper = RecordingSleeper::default();
    let client = client(&server, &sleeper).await;
    let response = client
        .send::<()>(ApiRequest::new(Method::GET, "/v1/companies"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(hits(&server, "/v1/companies").await, 3);
}

#[tokio::test]
async fn the_retry_after_a_token_refresh_does_not_use_up_the_retry_budget() {
    // With the default 4 attempts, a refresh plus three 503s must still reach the 200: the
    // resend after a refresh belongs to auth, not to the retry policy.
    let server = MockServer::start().await;
    Mock::given(header("authorization", "token-0"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "token-1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(3)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "token-1"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&server)
        .await;
    let sleeper = RecordingSleeper::default();
    let client = client(&server, &sleeper).await;
    let response = client
        .send::<()>(ApiRequest::new(Method::GET, "/v1/companies"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(hits(&server, "/v1/companies").await, 5);
    assert_eq!(sleeper.waits().len(), 3);
}
