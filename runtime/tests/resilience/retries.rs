//! Retries: 5xx on idempotent requests, never an unsafe POST, caps and the off switch.

use std::time::Duration;

use client_runtime::{ApiRequest, ErrorKind, RetryPolicy};
use http::Method;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{builder, hits, RecordingSleeper};

async fn fail_then_ok(server: &MockServer, verb: &str, status: u16, failures: u64) {
    Mock::given(method(verb))
        .and(path("/items"))
        .respond_with(ResponseTemplate::new(status))
        .up_to_n_times(failures)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method(verb))
        .and(path("/items"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_503_is_retried_with_growing_waits_then_succeeds() {
    let server = MockServer::start().await;
    fail_then_ok(&server, "GET", 503, 2).await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper)
        .retry(RetryPolicy::new().jitter(false))
        .build()
        .unwrap();
    let response = client.send::<()>(ApiRequest::new(Method::GET, "/items")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(hits(&server, "/items").await, 3);
    assert_eq!(
        sleeper.waits(),
        [Duration::from_millis(200), Duration::from_millis(400)]
    );
}

#[tokio::test]
async fn a_502_and_504_on_put_and_delete_are_retried() {
    for (verb, status, m) in [("PUT", 502, Method::PUT), ("DELETE", 504, Method::DELETE)] {
        let server = MockServer::start().await;
        fail_then_ok(&server, verb, status, 1).await;
        let sleeper = RecordingSleeper::default();
        let client = builder(&server, &sleeper).build().unwrap();
        let response = client.send::<()>(ApiRequest::new(m, "/items")).await.unwrap();
        assert_eq!(response.status(), 200, "{verb}");
        assert_eq!(sleeper.waits().len(), 1, "{verb}");
    }
}

#[tokio::test]
async fn a_post_is_not_retried_unless_marked_safe() {
    let server = MockServer::start().await;
    fail_then_ok(&server, "POST", 503, 1).await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper).build().unwrap();
    let response = client
        .send::<()>(ApiRequest::new(Method::POST, "/items"))
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(hits(&server, "/items").await, 1);
    assert!(sleeper.waits().is_empty());

    let response = client
        .send::<()>(ApiRequest::new(Method::POST, "/items"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the one failure was used up");

    let server = MockServer::start().await;
    fail_then_ok(&server, "POST", 503, 1).await;
    let request = ApiRequest::new(Method::POST, "/items").retry_safe(true);
    let response = builder(&server, &sleeper)
        .build()
        .unwrap()
        .send::<()>(request)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(hits(&server, "/items").await, 2);
}

#[tokio::test]
async fn attempts_are_capped_and_retries_can_be_switched_off() {
    let server = MockServer::start().await;
    fail_then_ok(&server, "GET", 503, 10).await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper)
        .retry(RetryPolicy::new().max_attempts(3))
        .build()
        .unwrap();
    let response = client.send::<()>(ApiRequest::new(Method::GET, "/items")).await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(hits(&server, "/items").await, 3);

    let off = builder(&server, &sleeper)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let response = off.send::<()>(ApiRequest::new(Method::GET, "/items")).await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(hits(&server, "/items").await, 4);
}

#[tokio::test]
async fn a_transport_error_on_get_is_retried_and_then_reported() {
    // A port nothing listens on: every attempt is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let sleeper = RecordingSleeper::default();
    let client = client_runtime::ApiClient::builder(format!("http://127.0.0.1:{port}"))
        .sleeper(std::sync::Arc::new(sleeper.clone()))
        .build()
        .unwrap();
    let error = client
        .send::<()>(ApiRequest::new(Method::GET, "/items"))
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Transport(_)), "{error:?}");
    assert_eq!(sleeper.waits().len(), 3, "4 attempts in all by default");

    let error = client
        .send::<()>(ApiRequest::new(Method::POST, "/items"))
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Transport(_)));
    assert_eq!(sleeper.waits().len(), 3, "the POST was not retried");
}

#[tokio::test]
async fn a_request_that_cannot_be_built_is_invalid_and_not_retried() {
    let server = MockServer::start().await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper).build().unwrap();
    // A query longer than any request URL may be: reqwest cannot build it, on any attempt.
    let long = "x".repeat(70 * 1024);
    let request = ApiRequest::new(Method::GET, "/items").query("q", &long, client_runtime::QueryStyle::Form);
    let error = client.send::<()>(request).await.unwrap_err();
    let ErrorKind::InvalidRequest(reason) = error.kind() else {
        panic!("expected an invalid request, got {error:?}");
    };
    assert!(reason.contains("could not be built"), "{reason}");
    assert!(sleeper.waits().is_empty(), "nothing to retry: {:?}", sleeper.waits());
    assert_eq!(hits(&server, "/items").await, 0);
}
