//! Timeouts are typed errors that say which limit ran out.

use std::time::Duration;

use client_runtime::{ApiClient, ApiRequest, RetryPolicy, TimeoutKind};
use http::Method;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{builder, RecordingSleeper};

async fn slow_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_slow_answer_is_a_request_timeout() {
    let server = slow_server().await;
    let client = ApiClient::builder(server.uri())
        .request_timeout(Duration::from_millis(100))
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = client
        .send::<()>(ApiRequest::new(Method::GET, "/slow"))
        .await
        .unwrap_err();
    assert!(error.is_timeout());
    assert_eq!(error.timeout_kind(), Some(TimeoutKind::Request));
    assert!(error.to_string().contains("request timeout"), "{error}");
}

#[tokio::test]
async fn timeouts_on_every_attempt_are_a_deadline() {
    let server = slow_server().await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper)
        .request_timeout(Duration::from_millis(50))
        .retry(RetryPolicy::new().max_attempts(2))
        .build()
        .unwrap();
    let error = client
        .send::<()>(ApiRequest::new(Method::GET, "/slow"))
        .await
        .unwrap_err();
    assert_eq!(error.timeout_kind(), Some(TimeoutKind::Deadline));
    assert_eq!(sleeper.waits().len(), 1);
}
