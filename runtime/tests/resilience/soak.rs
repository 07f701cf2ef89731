//! A short soak: many concurrent calls through one client while tokens expire and the server
//! now and then answers 429. No call may fail, and each expiry costs exactly one token
//! request. (The long run with real time and memory figures is `examples/soak.rs`.)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use client_runtime::auth::timify::AppToken;
use client_runtime::token::ManualClock;
use client_runtime::{ApiClient, ApiRequest};
use http::Method;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::RecordingSleeper;

const TASKS: usize = 64;
const CALLS_PER_TASK: usize = 25;
const EXPIRIES: usize = 4;
const LIFETIME: Duration = Duration::from_secs(6);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_through_expiring_tokens_and_429s_all_succeed() {
    let server = MockServer::builder().disable_request_recording().start().await;
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = issued.clone();
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(move |_: &Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(json!({
                "accessToken": format!("tok-{n}"), "expires": LIFETIME.as_secs()
            }))
        })
        .mount(&server)
        .await;
    let current = issued.clone();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .respond_with(move |request: &Request| {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let latest = format!("tok-{}", current.load(Ordering::SeqCst));
            if request.headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(latest.as_str()) {
                ResponseTemplate::new(401)
            } else if n % 97 == 0 {
                ResponseTemplate::new(429).insert_header("retry-after", "0")
            } else {
                ResponseTemplate::new(200).set_body_json(json!({ "data": [] }))
            }
        })
        .mount(&server)
        .await;
    let clock = ManualClock::default();
    let sleeper = RecordingSleeper::default();
    let client = ApiClient::builder(server.uri())
        .auth(AppToken::new(server.uri(), "app", "secret").clock(clock.clone()))
        .sleeper(Arc::new(sleeper.clone()))
        .build()
        .unwrap();
    for round in 0..EXPIRIES {
        let tasks = (0..TASKS).map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..CALLS_PER_TASK {
                    let response = client
                        .send::<std::convert::Infallible>(ApiRequest::new(Method::GET, "/v1/companies"))
                        .await?;
                    response.json::<serde_json::Value, std::convert::Infallible>()?;
                }
                Ok::<_, client_runtime::Error>(())
            })
        });
        for result in futures::future::join_all(tasks).await {
            result.unwrap().unwrap();
        }
        assert_eq!(issued.load(Ordering::SeqCst), round + 1, "one token request per expiry");
        clock.advance(LIFETIME);
    }
    assert!(!sleeper.waits().is_empty(), "some calls met a 429");
    assert!(calls.load(Ordering::SeqCst) > TASKS * CALLS_PER_TASK * EXPIRIES);
}
