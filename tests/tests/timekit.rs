//! End-to-end tests of the generated `timekit-client` against a mock Timekit API following
//! the documented exchanges: the app key as Basic `:key`; the app token bootstrapped once from
//! `GET /app?include=app_token` with Basic `email:personal_key` and `Timekit-App: <slug>`; the
//! `{error}` envelope; Laravel-style pages (`current_page`, `last_page`).

use std::time::Duration;

use client_runtime::auth::timekit::AppTokenBootstrap;
use client_runtime::token::ManualClock;
use serde_json::json;
use timekit_client::bookings::GetBookingsParams;
use timekit_client::Client;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::{assert_one_line_failure, fixture_json, quickstart_binary, run_with_env, seen, seen_lines};

const EMAIL: &str = "doc.brown@timekit.io";
const PERSONAL_KEY: &str = "nvHfRSlhvsnlg4rS7Wt28Ty47qdgegwSu3YK7hPW";
const APP: &str = "back-to-the-future";
/// The server token of tests/data/timekit/app-with-token.json.
const APP_TOKEN: &str = "live_api_key_7nzvc7wsBQQISLeFSVhROys9V1bUJ1z7";

fn basic(user: &str, password: &str) -> String {
    // Base64 without a dependency: the runtime's encoding is what is under test, so compute
    // the expected value independently.
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

async fn mount_bootstrap(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/app"))
        .and(query_param("include", "app_token"))
        .and(header("authorization", basic(EMAIL, PERSONAL_KEY).as_str()))
        .and(header("timekit-app", APP))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timekit/app-with-token.json")))
        .mount(server)
        .await;
}

async fn mount_pages(server: &MockServer, key: &str) {
    for page in [1, 2] {
        Mock::given(method("GET"))
            .and(path("/bookings"))
            .and(query_param("page", page.to_string()))
            .and(header("authorization", basic("", key).as_str()))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(fixture_json(&format!("timekit/bookings-page-{page}.json"))),
            )
            .mount(server)
            .await;
    }
}

fn first_page() -> GetBookingsParams {
    GetBookingsParams {
        page: Some(1),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_app_token_is_fetched_once_and_survives_the_clock() {
    let server = MockServer::start().await;
    mount_bootstrap(&server).await;
    mount_pages(&server, APP_TOKEN).await;
    let clock = ManualClock::default();
    let auth = AppTokenBootstrap::new(server.uri(), EMAIL, PERSONAL_KEY, APP).clock(clock.clone());
    let client = Client::with_auth(server.uri(), auth).unwrap();

    client.bookings().get_bookings(first_page()).await.unwrap();
    // App tokens do not expire: a year later the same token is still used.
    clock.advance(Duration::from_secs(365 * 24 * 3600));
    client.bookings().get_bookings(first_page()).await.unwrap();

    let seen = seen(&server).await;
    let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "GET /app?include=app_token",
            "GET /bookings?page=1",
            "GET /bookings?page=1"
        ]
    );
    assert_eq!(seen[1].authorization, Some(basic("", APP_TOKEN)));
}

#[tokio::test]
async fn a_401_mid_session_fetches_the_app_token_again_once() {
    let server = MockServer::start().await;
    mount_bootstrap(&server).await;
    Mock::given(method("GET"))
        .and(path("/bookings"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timekit/bookings-page-1.json")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/bookings"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Unauthorized"})))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    mount_pages(&server, APP_TOKEN).await;
    let client = Client::with_personal_credentials(server.uri(), EMAIL, PERSONAL_KEY, APP).unwrap();

    client.bookings().get_bookings(first_page()).await.unwrap();
    client.bookings().get_bookings(first_page()).await.unwrap();

    assert_eq!(
        seen_lines(&server).await,
        [
            "GET /app?include=app_token",
            "GET /bookings?page=1",
            "GET /bookings?page=1",
            "GET /app?include=app_token",
            "GET /bookings?page=1"
        ]
    );
}

#[tokio::test]
async fn an_error_body_surfaces_with_the_vendors_message() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/bookings"))
        .and(header("authorization", basic("", "test_key").as_str()))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({"error": "Too many requests"})))
        .mount(&server)
        .await;
    let client = Client::with_app_key(server.uri(), "test_key").unwrap();

    let error = client.bookings().get_bookings(first_page()).await.unwrap_err();
    let client_runtime::Error::Api(api) = &error else {
        panic!("expected a typed API error, got {error:?}");
    };
    assert_eq!(api.status.as_u16(), 429);
    assert_eq!(api.message.as_deref(), Some("Too many requests"));
    assert_eq!(api.body.error, Some(json!("Too many requests")));
}

#[tokio::test]
async fn bookings_are_walked_page_by_page_to_the_last_one() {
    let server = MockServer::start().await;
    mount_pages(&server, "test_key").await;
    let client = Client::with_app_key(server.uri(), "test_key").unwrap();

    let mut states = Vec::new();
    let mut page = 1;
    loop {
        let params = GetBookingsParams {
            page: Some(page),
            ..Default::default()
        };
        let list = client.bookings().get_bookings(params).await.unwrap().into_inner();
        states.extend(
            list.data
                .unwrap_or_default()
                .into_iter()
                .map(|b| b.state.unwrap_or_default()),
        );
        if list.current_page >= list.last_page {
            break;
        }
        page += 1;
    }

    assert_eq!(states, ["tentative", "confirmed", "cancelled"]);
    assert_eq!(
        seen_lines(&server).await,
        ["GET /bookings?page=1", "GET /bookings?page=2"]
    );
}

#[tokio::test]
async fn the_quickstart_lists_bookings_with_a_key_or_bootstrapped_credentials() {
    let binary = quickstart_binary("timekit-client");
    let server = MockServer::start().await;
    mount_bootstrap(&server).await;
    mount_pages(&server, APP_TOKEN).await;
    let uri = server.uri();

    let (with_key, bootstrapped) = tokio::task::spawn_blocking(move || {
        let with_key = run_with_env(&binary, &[("TIMEKIT_BASE_URL", &uri), ("TIMEKIT_API_KEY", APP_TOKEN)]);
        let bootstrapped = run_with_env(
            &binary,
            &[
                ("TIMEKIT_BASE_URL", &uri),
                ("TIMEKIT_EMAIL", EMAIL),
                ("TIMEKIT_PERSONAL_KEY", PERSONAL_KEY),
                ("TIMEKIT_APP", APP),
            ],
        );
        (with_key, bootstrapped)
    })
    .await
    .unwrap();

    for output in [&with_key, &bootstrapped] {
        assert!(
            output.status.success(),
            "stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "bookings on page 1: 2\ntotal bookings: 3\n"
        );
    }
    assert_eq!(
        seen_lines(&server).await,
        [
            "GET /bookings?page=1",
            "GET /app?include=app_token",
            "GET /bookings?page=1"
        ]
    );
}

#[tokio::test]
async fn the_quickstart_fails_in_one_line() {
    let binary = quickstart_binary("timekit-client");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/bookings"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Invalid API key"})))
        .mount(&server)
        .await;
    let uri = server.uri();

    let (bad_key, missing) = tokio::task::spawn_blocking(move || {
        (
            run_with_env(&binary, &[("TIMEKIT_BASE_URL", &uri), ("TIMEKIT_API_KEY", "wrong")]),
            run_with_env(&binary, &[("TIMEKIT_BASE_URL", &uri), ("TIMEKIT_EMAIL", EMAIL)]),
        )
    })
    .await
    .unwrap();

    assert_one_line_failure(&bad_key, "listing bookings failed:");
    assert_one_line_failure(&bad_key, "Invalid API key");
    assert_one_line_failure(
        &missing,
        "missing environment variable TIMEKIT_PERSONAL_KEY (or set TIMEKIT_API_KEY)",
    );
    assert_eq!(seen_lines(&server).await, ["GET /bookings?page=1"]);
}
