//! Rate limits: 429 with `Retry-After`, Timekit's 503, the status headers, the limiter.

use std::time::{Duration, Instant};

use client_runtime::{ApiClient, ApiRequest, ErrorKind, RetryPolicy};
use http::{Method, StatusCode};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{builder, hits, RecordingSleeper};

async fn limited_once(server: &MockServer, verb: &str, limited: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path("/items"))
        .respond_with(limited)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method(verb))
        .and(path("/items"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-limit", "500")
                .insert_header("x-ratelimit-remaining", "499")
                .insert_header("x-ratelimit-reset", "300")
                .set_body_string("{}"),
        )
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_429_with_retry_after_is_honoured_even_for_a_post() {
    let server = MockServer::start().await;
    limited_once(
        &server,
        "POST",
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
    )
    .await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper).build().unwrap();
    let response = client
        .send::<()>(ApiRequest::new(Method::POST, "/items"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(sleeper.waits(), [Duration::from_secs(1)]);
}

#[tokio::test]
async fn a_retry_after_date_and_a_rate_limit_reset_are_honoured() {
    let server = MockServer::start().await;
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3));
    limited_once(
        &server,
        "GET",
        ResponseTemplate::new(429).insert_header("retry-after", date.as_str()),
    )
    .await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper).build().unwrap();
    client.send::<()>(ApiRequest::new(Method::GET, "/items")).await.unwrap();
    let wait = sleeper.waits()[0];
    assert!(
        wait > Duration::from_secs(1) && wait <= Duration::from_secs(3),
        "{wait:?}"
    );

    let server = MockServer::start().await;
    limited_once(
        &server,
        "GET",
        ResponseTemplate::new(429).insert_header("x-ratelimit-reset", "2"),
    )
    .await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper).build().unwrap();
    client.send::<()>(ApiRequest::new(Method::GET, "/items")).await.unwrap();
    assert_eq!(sleeper.waits(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn a_wait_longer_than_the_budget_is_a_rate_limited_error_carrying_the_wait() {
    let server = MockServer::start().await;
    limited_once(
        &server,
        "GET",
        ResponseTemplate::new(429)
            .insert_header("retry-after", "3600")
            .set_body_json(serde_json::json!({ "message": "plan limit reached" })),
    )
    .await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper).build().unwrap();
    let err = client
        .send::<()>(ApiRequest::new(Method::GET, "/items"))
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    match err.kind() {
        ErrorKind::RateLimited(limited) => assert_eq!(limited.message.as_deref(), Some("plan limit reached")),
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(err.to_string().contains("3600 s"), "{err}");
    assert!(sleeper.waits().is_empty());
    assert_eq!(hits(&server, "/items").await, 1);
}

#[tokio::test]
async fn retry_after_zero_or_a_past_date_still_backs_off() {
    let past = httpdate::fmt_http_date(std::time::SystemTime::now() - Duration::from_secs(3600));
    for value in ["0", past.as_str()] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", value))
            .mount(&server)
            .await;
        let sleeper = RecordingSleeper::default();
        let client = builder(&server, &sleeper)
            .retry(RetryPolicy::new().jitter(false))
            .build()
            .unwrap();
        let response = client.send::<()>(ApiRequest::new(Method::GET, "/items")).await.unwrap();
        assert_eq!(response.status(), 429, "{value}");
        // 4 attempts, and between them the policy's own growing backoff, never zero.
        assert_eq!(
            sleeper.waits(),
            [200, 400, 800].map(Duration::from_millis),
            "retry-after: {value}"
        );
    }
}

#[tokio::test]
async fn timekits_503_counts_as_a_rate_limit_when_configured() {
    let server = MockServer::start().await;
    limited_once(
        &server,
        "POST",
        ResponseTemplate::new(503).insert_header("retry-after", "2"),
    )
    .await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper)
        .retry(RetryPolicy::new().rate_limited_status(StatusCode::SERVICE_UNAVAILABLE))
        .build()
        .unwrap();
    let response = client
        .send::<()>(ApiRequest::new(Method::POST, "/items"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(sleeper.waits(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn the_last_rate_limit_headers_are_exposed() {
    let server = MockServer::start().await;
    limited_once(
        &server,
        "GET",
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
    )
    .await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper).build().unwrap();
    assert_eq!(client.rate_limit_status(), None);
    client.send::<()>(ApiRequest::new(Method::GET, "/items")).await.unwrap();
    let status = client.clone().rate_limit_status().unwrap();
    assert_eq!(status.limit, Some(500));
    assert_eq!(status.remaining, Some(499));
    assert!(status.reset.is_some());
}

#[tokio::test]
async fn the_client_side_limiter_spaces_requests() {
    let server = MockServer::start().await;
    limited_once(&server, "GET", ResponseTemplate::new(200)).await;
    // 4 at once, then one every 50 ms: the 6th request waits about 100 ms.
    let client = ApiClient::builder(server.uri())
        .rate_limit(4, Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..6 {
        client.send::<()>(ApiRequest::new(Method::GET, "/items")).await.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(95),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(hits(&server, "/items").await, 6);
}
