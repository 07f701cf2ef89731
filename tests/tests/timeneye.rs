//! End-to-end tests of the generated `timeneye-client` against a mock Timeneye API: a personal
//! access token sent as `Bearer` (not refreshable: a 401 is final), OAuth code + PKCE tokens
//! refreshed with `grant_type=refresh_token` on expiry and on a 401 mid-session, the error message, and
//! `{data, meta{current_page, last_page, total}}` pages.

use std::time::Duration;

use client_runtime::auth::timeneye::OAuth;
use client_runtime::token::ManualClock;
use serde_json::json;
use timeneye_client::Client;
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::{assert_one_line_failure, fixture_json, quickstart_binary, run_with_env, seen_lines};

const PAT: &str = "personal-token-1";
const ACCESS_1: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.example-access";
const REFRESH_1: &str = "def50200example-refresh";
const ACCESS_2: &str = "access-2";

async fn mount_pages(server: &MockServer, token: &str) {
    for page in [1, 2] {
        Mock::given(method("GET"))
            .and(path("/entries"))
            .and(query_param("page", page.to_string()))
            .and(header("authorization", format!("Bearer {token}").as_str()))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(fixture_json(&format!("timeneye/entries-page-{page}.json"))),
            )
            .mount(server)
            .await;
    }
}

/// Page `n` of the entries list.
fn page(client: &Client, n: i64) -> timeneye_client::entries::EntriesListBuilder<'_> {
    client.entries().list().page(n)
}

#[tokio::test]
async fn entries_are_walked_page_by_page_with_one_personal_token() {
    let server = MockServer::start().await;
    mount_pages(&server, PAT).await;
    let client = Client::with_personal_access_token(server.uri(), PAT).unwrap();

    let mut minutes = Vec::new();
    let mut n = 1;
    loop {
        let list = page(&client, n).await.unwrap().into_inner();
        minutes.extend(
            list.data
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.entry_minutes.unwrap()),
        );
        let meta = list.meta.unwrap();
        if meta.current_page >= meta.last_page {
            break;
        }
        n += 1;
    }

    assert_eq!(minutes, [json!(90), json!(45), json!(120)]);
    assert_eq!(
        seen_lines(&server).await,
        ["GET /entries?page=1", "GET /entries?page=2"]
    );
}

#[tokio::test]
async fn a_rejected_personal_token_is_final_and_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/entries"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Unauthenticated."})))
        .mount(&server)
        .await;
    let client = Client::with_personal_access_token(server.uri(), PAT).unwrap();

    let error = page(&client, 1).await.unwrap_err();
    assert!(error.is_auth(), "{error:?}");
    assert!(error.to_string().contains("issue a new one"), "{error}");
    // No refresh and no retry.
    assert_eq!(seen_lines(&server).await, ["GET /entries?page=1"]);
}

#[tokio::test]
async fn a_rate_limit_answer_surfaces_with_the_vendors_message() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/entries"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "30")
                .set_body_json(json!({"message": "Too Many Attempts."})),
        )
        .mount(&server)
        .await;
    let client = Client::with_personal_access_token(server.uri(), PAT).unwrap();

    // One retry after the 30 s wait; the second 30 s wait would pass the 60 s retry budget,
    // so the call ends as a rate-limited error that says when to come back.
    let error = page(&client, 1).await.unwrap_err();
    assert_eq!(error.retry_after(), Some(std::time::Duration::from_secs(30)));
    let client_runtime::ErrorKind::RateLimited(limited) = error.kind() else {
        panic!("expected a rate-limited error, got {error:?}");
    };
    assert_eq!(limited.status.as_u16(), 429);
    assert_eq!(limited.message.as_deref(), Some("Too Many Attempts."));
    assert_eq!(limited.headers["retry-after"], "30");
}

#[tokio::test]
async fn oauth_tokens_are_reused_and_refreshed_on_expiry() {
    let server = MockServer::start().await;
    let token_url = format!("{}/oauth/token", server.uri());
    let oauth_client_id = "client-7";
    let redirect = "https://myapp.example/callback";
    let clock = ManualClock::default();
    let oauth = OAuth::new(
        format!("{}/oauth/authorize", server.uri()),
        &token_url,
        oauth_client_id,
        redirect,
    )
    .clock(clock.clone());
    let request = oauth.authorization_request().unwrap();
    let state = request.pending.state().to_owned();
    // A public PKCE client (help center): S256 challenge, no scopes, no secret anywhere.
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let value = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    assert_eq!(value("code_challenge_method"), Some("S256"));
    assert_eq!(value("response_type"), Some("code"));
    assert_eq!(value("scope"), None);
    assert_eq!(value("client_secret"), None);
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(wiremock::matchers::body_string_contains(
            "grant_type=authorization_code&code=the-code",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timeneye/token.json")))
        .mount(&server)
        .await;
    let refresh_body = format!("grant_type=refresh_token&refresh_token={REFRESH_1}&client_id={oauth_client_id}");
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(refresh_body.clone()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"token_type": "Bearer", "expires_in": 86400, "access_token": ACCESS_2})),
        )
        .mount(&server)
        .await;
    mount_pages(&server, ACCESS_1).await;
    mount_pages(&server, ACCESS_2).await;
    oauth.exchange_code(&request.pending, "the-code", &state).await.unwrap();
    let client = Client::with_auth(server.uri(), oauth).unwrap();

    page(&client, 1).await.unwrap();
    page(&client, 2).await.unwrap();
    clock.advance(Duration::from_secs(86400));
    page(&client, 1).await.unwrap();

    let lines = seen_lines(&server).await;
    assert_eq!(
        lines,
        [
            "POST /oauth/token",
            "GET /entries?page=1",
            "GET /entries?page=2",
            "POST /oauth/token",
            "GET /entries?page=1"
        ]
    );
    let seen = workspace_tests::seen(&server).await;
    assert!(seen[0].body.contains("code_verifier="), "{}", seen[0].body);
    assert!(!seen[0].body.contains("client_secret"), "{}", seen[0].body);
    assert_eq!(seen[3].body, refresh_body);
    assert_eq!(seen[4].authorization.as_deref(), Some(&*format!("Bearer {ACCESS_2}")));
}

#[tokio::test]
async fn the_quickstart_prints_count_and_total() {
    let binary = quickstart_binary("timeneye-client");
    let server = MockServer::start().await;
    mount_pages(&server, PAT).await;
    let uri = server.uri();

    let output = tokio::task::spawn_blocking(move || {
        run_with_env(&binary, &[("TIMENEYE_BASE_URL", &uri), ("TIMENEYE_TOKEN", PAT)])
    })
    .await
    .unwrap();

    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "entries on page 1: 2\ntotal entries: 3\nentries in all pages: 3\n"
    );
    assert_eq!(
        seen_lines(&server).await,
        ["GET /entries?page=1", "GET /entries?page=1", "GET /entries?page=2"]
    );
}

#[tokio::test]
async fn the_quickstart_fails_in_one_line() {
    let binary = quickstart_binary("timeneye-client");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/entries"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Unauthenticated."})))
        .mount(&server)
        .await;
    let uri = server.uri();

    let (bad, missing) = tokio::task::spawn_blocking(move || {
        (
            run_with_env(&binary, &[("TIMENEYE_BASE_URL", &uri), ("TIMENEYE_TOKEN", "wrong")]),
            run_with_env(&binary, &[("TIMENEYE_BASE_URL", &uri)]),
        )
    })
    .await
    .unwrap();

    assert_one_line_failure(&bad, "listing entries failed: entriesList (GET /entries on 127.0.0.1:");
    assert_one_line_failure(&bad, "): the access token was rejected");
    assert_one_line_failure(&missing, "missing environment variable TIMENEYE_TOKEN");
}

#[tokio::test]
async fn an_oauth_token_rejected_mid_session_is_refreshed_once_and_the_call_retried() {
    let server = MockServer::start().await;
    let oauth_client_id = "client-7";
    let oauth = OAuth::new(
        format!("{}/oauth/authorize", server.uri()),
        format!("{}/oauth/token", server.uri()),
        oauth_client_id,
        "https://myapp.example/callback",
    );
    let request = oauth.authorization_request().unwrap();
    let state = request.pending.state().to_owned();
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(wiremock::matchers::body_string_contains(
            "grant_type=authorization_code",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timeneye/token.json")))
        .mount(&server)
        .await;
    let refresh_body = format!("grant_type=refresh_token&refresh_token={REFRESH_1}&client_id={oauth_client_id}");
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(refresh_body.clone()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"token_type": "Bearer", "expires_in": 86400, "access_token": ACCESS_2})),
        )
        .mount(&server)
        .await;
    // The first access token works once, then the server revokes it (still well before expiry).
    Mock::given(method("GET"))
        .and(path("/entries"))
        .and(header("authorization", format!("Bearer {ACCESS_1}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timeneye/entries-page-1.json")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/entries"))
        .and(header("authorization", format!("Bearer {ACCESS_1}").as_str()))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Unauthenticated."})))
        .with_priority(2)
        .mount(&server)
        .await;
    mount_pages(&server, ACCESS_2).await;
    oauth.exchange_code(&request.pending, "the-code", &state).await.unwrap();
    let client = Client::with_auth(server.uri(), oauth).unwrap();

    page(&client, 1).await.unwrap();
    let second = page(&client, 2).await.unwrap();

    assert_eq!(second.status(), 200);
    assert_eq!(
        seen_lines(&server).await,
        [
            "POST /oauth/token",
            "GET /entries?page=1",
            "GET /entries?page=2",
            "POST /oauth/token",
            "GET /entries?page=2"
        ]
    );
    let seen = workspace_tests::seen(&server).await;
    assert_eq!(seen[2].authorization.as_deref(), Some(&*format!("Bearer {ACCESS_1}")));
    assert_eq!(seen[3].body, refresh_body);
    assert_eq!(seen[4].authorization.as_deref(), Some(&*format!("Bearer {ACCESS_2}")));
}
