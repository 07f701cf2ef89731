//! Numbers a server (or a proxy) controls that once panicked the caller's task: absurd token
//! lifetimes, rate-limit resets and waits. Each must give a working call or a typed error.

use std::time::{Duration, SystemTime};

use client_runtime::auth::timify::AppToken;
use client_runtime::rate_limit::MAX_SERVER_WAIT;
use client_runtime::token::MAX_TOKEN_LIFETIME;
use client_runtime::{ApiClient, ApiRequest};
use http::Method;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{builder, hits, RecordingSleeper};

#[tokio::test]
async fn absurd_token_lifetimes_are_clamped_to_a_year() {
    for expires in [
        json!(10_000_000_000_000_000_000u64),
        json!(1e300),
        json!("18446744073709551615"),
        json!("1e300"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/auth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "accessToken": "a", "refreshToken": "r", "expires": expires
            })))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        let auth = AppToken::new(server.uri(), "app", "secret");
        let cache = auth.token_cache().store().clone();
        let client = ApiClient::builder(server.uri()).auth(auth).build().unwrap();
        for _ in 0..3 {
            let response = client.send::<()>(ApiRequest::new(Method::GET, "/v1/companies")).await;
            assert_eq!(response.unwrap().status(), 200, "expires: {expires}");
        }
        assert_eq!(hits(&server, "/v1/auth/token").await, 1, "expires: {expires}");
        let token = cache.load("timify:app").await.unwrap().unwrap();
        let lifetime = token.expires_at().unwrap().duration_since(token.issued_at()).unwrap();
        assert_eq!(lifetime, MAX_TOKEN_LIFETIME, "expires: {expires}");
    }
}

#[tokio::test]
async fn absurd_rate_limit_resets_are_clamped_to_a_day() {
    for reset in ["18446744073709551615", "1e300", "99999999999999999999999999"] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("x-ratelimit-limit", "500")
                    .insert_header("x-ratelimit-reset", reset),
            )
            .mount(&server)
            .await;
        let client = ApiClient::builder(server.uri()).build().unwrap();
        let before = SystemTime::now();
        let response = client.send::<()>(ApiRequest::new(Method::GET, "/items")).await;
        assert_eq!(response.unwrap().status(), 200, "reset: {reset}");
        let status = client.rate_limit_status().unwrap();
        assert_eq!(status.limit, Some(500));
        let latest = SystemTime::now() + MAX_SERVER_WAIT;
        let reset_at = status.reset.unwrap();
        assert!(reset_at > before && reset_at <= latest, "reset: {reset}");
    }
}

#[tokio::test]
async fn an_absurd_retry_after_is_a_rate_limited_error_with_a_wait_of_a_day() {
    // `1e400` and `inf` are past what an f64 holds: as absurd as `1e300`, not "no header".
    for wait in [
        "18446744073709551615",
        "1e300",
        "1e400",
        "inf",
        "99999999999999999999999999999e999",
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", wait))
            .mount(&server)
            .await;
        let sleeper = RecordingSleeper::default();
        let client = builder(&server, &sleeper).build().unwrap();
        let result = client.send::<()>(ApiRequest::new(Method::GET, "/items")).await;
        let err = result.unwrap_err();
        assert_eq!(err.retry_after(), Some(MAX_SERVER_WAIT), "retry-after: {wait}");
        assert_eq!(sleeper.waits(), Vec::<Duration>::new(), "retry-after: {wait}");
        assert_eq!(hits(&server, "/items").await, 1);
    }
}

const HTML_PAGE: &str = "<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon</body></html>";

#[tokio::test]
async fn an_html_page_with_status_200_is_a_decode_error_naming_text_html() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(HTML_PAGE, "text/html"))
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let response = client.send::<()>(ApiRequest::new(Method::GET, "/items")).await.unwrap();
    let err = response.json::<Vec<serde_json::Value>, ()>().unwrap_err();
    let text = err.to_string();
    assert!(matches!(err.kind(), client_runtime::ErrorKind::Decode(_)), "{err:?}");
    assert!(text.contains("the server sent `text/html`, not JSON"), "{text}");
    assert!(
        text.contains("starting `<!DOCTYPE html><html><head><title>Maintenance"),
        "{text}"
    );
}

#[tokio::test]
async fn an_html_token_answer_names_its_content_type() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(HTML_PAGE, "text/html"))
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri())
        .auth(AppToken::new(server.uri(), "app", "secret"))
        .build()
        .unwrap();
    let err = client
        .send::<()>(ApiRequest::new(Method::GET, "/items"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("sent as `text/html`, not JSON"), "{text}");
}

#[tokio::test]
async fn a_servers_message_is_shown_on_one_line_without_escapes_and_cut_short() {
    let server = MockServer::start().await;
    // Newlines that would forge a log line, a terminal escape, a bidirectional override.
    let forged = "record locked\n2026-12-06T04:00:00Z INFO payment accepted\u{1b}[2J\u{202E}txet";
    Mock::given(method("GET"))
        .and(path("/forged"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({ "message": forged })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/long"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "message": "é".repeat(100_000) })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/blank"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({ "message": "\n\u{1b}\t ", "error": "bad input" })),
        )
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let call = |route: &'static str| {
        let client = client.clone();
        async move {
            let response = client.send::<()>(ApiRequest::new(Method::GET, route)).await.unwrap();
            let err = response.unexpected::<()>();
            let message = match err.kind() {
                client_runtime::ErrorKind::Status(status) => status.message.clone(),
                other => panic!("expected a status error, got {other:?}"),
            };
            (err.to_string(), message)
        }
    };

    let (text, message) = call("/forged").await;
    assert!(!text.contains(['\n', '\u{1b}', '\u{202E}']), "{text:?}");
    assert_eq!(
        message.as_deref(),
        Some("record locked 2026-12-06T04:00:00Z INFO payment accepted [2J txet")
    );

    let (text, message) = call("/long").await;
    let message = message.unwrap();
    assert_eq!(message.chars().count(), client_runtime::MAX_MESSAGE_CHARS + 1);
    assert!(message.ends_with('…'), "{message}");
    assert!(text.len() < 2_000, "{} bytes", text.len());

    // Nothing readable in `message`: the next place a message may be is used.
    let (_, message) = call("/blank").await;
    assert_eq!(message.as_deref(), Some("bad input"));
}

#[tokio::test]
async fn a_decode_error_quoting_the_servers_text_is_one_line() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    enum Status {
        Open,
        Closed,
    }
    let server = MockServer::start().await;
    let value = format!("x\n2026-12-06T04:00:00Z INFO forged\u{1b}[2J{}", "y".repeat(10_000));
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "status": value })))
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let response = client.send::<()>(ApiRequest::new(Method::GET, "/items")).await.unwrap();
    let err = response
        .json::<std::collections::BTreeMap<String, Status>, ()>()
        .unwrap_err();
    let client_runtime::ErrorKind::Decode(decode) = err.kind() else {
        panic!("expected a decode error, got {err:?}");
    };
    assert_eq!(decode.path, "status");
    assert!(
        decode
            .message
            .starts_with("unknown variant `x 2026-12-06T04:00:00Z INFO forged [2J"),
        "{}",
        decode.message
    );
    let text = err.to_string();
    assert!(!text.contains(['\n', '\u{1b}']), "{text:?}");
    assert!(text.len() < 2_000, "{} bytes", text.len());
}
