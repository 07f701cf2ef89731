//! The token lifecycle through `ApiClient::send`: single flight, 401 handling, persistence.

use std::sync::Arc;
use std::time::Duration;

use client_runtime::auth::bookingtime::ClientCredentials;
use client_runtime::auth::timify::AppToken;
use client_runtime::auth::{Authenticator, Credentials};
use client_runtime::token::{ManualClock, MemoryTokenStore, StoreError, Token, TokenStore};
use client_runtime::{ApiRequest, AuthError, Error, ErrorKind};
use futures::future::BoxFuture;
use http::Method;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::{client, form, get, hits};

/// A Timify token endpoint answering `access-1`, `access-2`, … (slowly, so callers overlap).
async fn mount_timify_tokens(server: &MockServer, delay: Duration) {
    let counter = std::sync::atomic::AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(move |_: &Request| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            ResponseTemplate::new(200)
                .set_body_json(json!({
                    "accessToken": format!("access-{n}"),
                    "refreshToken": format!("refresh-{n}"),
                    "expires": 7200
                }))
                .set_delay(delay)
        })
        .mount(server)
        .await;
}

async fn mount_ok_api(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .respond_with(ResponseTemplate::new(200))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_hundred_concurrent_calls_make_one_token_request() {
    let server = MockServer::start().await;
    mount_timify_tokens(&server, Duration::from_millis(200)).await;
    mount_ok_api(&server).await;
    let client = client(
        &server,
        AppToken::new(server.uri(), "app-1", "s").clock(ManualClock::default()),
    );
    let calls = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { get(&client, "/v1/companies").await.map(|r| r.status()) })
    });
    for result in futures::future::join_all(calls).await {
        assert_eq!(result.unwrap().unwrap(), 200);
    }
    assert_eq!(hits(&server, "/v1/auth/token").await, 1);
    assert_eq!(hits(&server, "/v1/companies").await, 100);
}

#[tokio::test]
async fn a_hundred_concurrent_bookingtime_calls_make_one_grant_and_one_exchange() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(|r: &Request| {
            let body = if form(r)["grant_type"] == "client_credentials" {
                json!({ "refresh_token": "rt", "token_type": "Bearer", "expires_in": 2592000 })
            } else {
                json!({ "access_token": "at", "token_type": "Bearer", "expires_in": 300 })
            };
            ResponseTemplate::new(200)
                .set_body_json(body)
                .set_delay(Duration::from_millis(100))
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = client(
        &server,
        ClientCredentials::new(server.uri(), "c", "s").clock(ManualClock::default()),
    );
    let calls = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            let request = ApiRequest::new(Method::GET, "/organization/{organizationId}/show")
                .path_param("organizationId", "f6org");
            client.send::<()>(request).await.map(|r| r.status())
        })
    });
    for result in futures::future::join_all(calls).await {
        assert_eq!(result.unwrap().unwrap(), 200);
    }
    assert_eq!(hits(&server, "/oauth/token").await, 2, "one grant + one exchange");
}

#[tokio::test]
async fn a_second_401_is_an_auth_error_after_exactly_one_refresh_and_one_retry() {
    let server = MockServer::start().await;
    mount_timify_tokens(&server, Duration::ZERO).await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/refreshtoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": "access-refreshed", "refreshToken": "refresh-x", "expires": 7200
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({ "message": "token revoked" })))
        .mount(&server)
        .await;
    let client = client(
        &server,
        AppToken::new(server.uri(), "app-1", "s").clock(ManualClock::default()),
    );
    let err = get(&client, "/v1/companies").await.unwrap_err();
    match err.kind() {
        ErrorKind::Auth(AuthError::Unauthorized { message }) => {
            assert_eq!(message.as_deref(), Some("token revoked"));
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    assert_eq!(hits(&server, "/v1/companies").await, 2);
    assert_eq!(hits(&server, "/v1/auth/token").await, 1);
    assert_eq!(hits(&server, "/v1/auth/refreshtoken").await, 1);
    let requests = server.received_requests().await.unwrap();
    let api: Vec<_> = requests.iter().filter(|r| r.url.path() == "/v1/companies").collect();
    assert_eq!(api[0].headers["authorization"], "access-1");
    assert_eq!(api[1].headers["authorization"], "access-refreshed");
}

#[tokio::test]
async fn a_late_401_does_not_throw_away_a_token_another_task_just_fetched() {
    let server = MockServer::start().await;
    mount_timify_tokens(&server, Duration::ZERO).await;
    // Refreshing fails, so every renewal shows up as a token request.
    Mock::given(method("POST"))
        .and(path("/v1/auth/refreshtoken"))
        .respond_with(ResponseTemplate::new(400))
        .mount(&server)
        .await;
    let auth = AppToken::new(server.uri(), "app-1", "s").clock(ManualClock::default());
    let request = ApiRequest::new(Method::GET, "/v1/companies");
    // Two tasks sent access-1 and both got a 401.
    let mut sent_a = Credentials::default();
    let mut sent_b = Credentials::default();
    auth.authorize(&request, &mut sent_a).await.unwrap();
    auth.authorize(&request, &mut sent_b).await.unwrap();
    // Task A renews: access-2.
    assert!(auth.on_unauthorized_with(&request, &sent_a).await.unwrap());
    let mut renewed = Credentials::default();
    auth.authorize(&request, &mut renewed).await.unwrap();
    assert_eq!(renewed.headers()["authorization"], "access-2");
    // Task B's 401 is about access-1: it may retry, but access-2 stays.
    assert!(auth.on_unauthorized_with(&request, &sent_b).await.unwrap());
    let mut after = Credentials::default();
    auth.authorize(&request, &mut after).await.unwrap();
    assert_eq!(after.headers()["authorization"], "access-2");
    assert_eq!(hits(&server, "/v1/auth/token").await, 2);
}

#[tokio::test]
async fn a_restarted_application_reuses_stored_tokens() {
    let server = MockServer::start().await;
    mount_timify_tokens(&server, Duration::ZERO).await;
    mount_ok_api(&server).await;
    let store = MemoryTokenStore::new();
    let clock = ManualClock::default();
    let first = client(
        &server,
        AppToken::new(server.uri(), "app-1", "s")
            .clock(clock.clone())
            .token_store(store.clone()),
    );
    get(&first, "/v1/companies").await.unwrap();
    drop(first);
    // A new process: new authenticator, same (persistent) store.
    let second = client(
        &server,
        AppToken::new(server.uri(), "app-1", "s")
            .clock(clock)
            .token_store(store.clone()),
    );
    get(&second, "/v1/companies").await.unwrap();
    assert_eq!(hits(&server, "/v1/auth/token").await, 1);
    assert!(store.load("timify:app-1").await.unwrap().is_some());
}

#[derive(Debug)]
struct BrokenStore;

impl TokenStore for BrokenStore {
    fn load<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Option<Token>, StoreError>> {
        Box::pin(async { Err(StoreError("redis is down".to_owned())) })
    }
    fn save<'a>(&'a self, _: &'a str, _: &'a Token) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Err(StoreError("redis is down".to_owned())) })
    }
    fn remove<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Err(StoreError("redis is down".to_owned())) })
    }
}

#[tokio::test]
async fn a_failing_store_is_reported_as_such() {
    let server = MockServer::start().await;
    let auth = AppToken::new(server.uri(), "app-1", "s").shared_token_store(Arc::new(BrokenStore));
    let err = get(&client(&server, auth), "/v1/companies").await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Auth(AuthError::TokenStore(m)) if m == "redis is down"),
        "{err:?}"
    );
}

/// A Timify token endpoint that fails with `status` after `delay`.
async fn mount_failing_timify_tokens(server: &MockServer, status: u16, delay: Duration) {
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(
            ResponseTemplate::new(status)
                .set_body_json(json!({ "message": "token service unavailable" }))
                .set_delay(delay),
        )
        .mount(server)
        .await;
}

/// `callers` concurrent `GET /v1/companies` through `client`, each one's result.
async fn concurrent_gets(client: &client_runtime::ApiClient, callers: usize) -> Vec<Result<u16, Error>> {
    let calls = (0..callers).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { get(&client, "/v1/companies").await.map(|r| r.status().as_u16()) })
    });
    futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|joined| joined.unwrap())
        .collect()
}

#[tokio::test]
async fn callers_waiting_on_a_slow_failing_token_endpoint_share_its_one_failure() {
    let server = MockServer::start().await;
    mount_failing_timify_tokens(&server, 500, Duration::from_secs(1)).await;
    mount_ok_api(&server).await;
    let client = client(
        &server,
        AppToken::new(server.uri(), "app-1", "s").clock(ManualClock::default()),
    );
    for result in concurrent_gets(&client, 20).await {
        let err = result.unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Auth(AuthError::TokenEndpoint { status, message })
                if *status == 500 && message.as_deref() == Some("token service unavailable")),
            "{err:?}"
        );
    }
    assert_eq!(hits(&server, "/v1/auth/token").await, 1);
    assert_eq!(hits(&server, "/v1/companies").await, 0);
}

#[tokio::test]
async fn two_hundred_callers_and_a_token_endpoint_answering_500_make_one_token_request() {
    let server = MockServer::start().await;
    mount_failing_timify_tokens(&server, 500, Duration::ZERO).await;
    let client = client(
        &server,
        AppToken::new(server.uri(), "app-1", "s").clock(ManualClock::default()),
    );
    let results = concurrent_gets(&client, 200).await;
    assert!(results.iter().all(|r| matches!(
        r.as_ref().map_err(Error::kind),
        Err(ErrorKind::Auth(AuthError::TokenEndpoint { .. }))
    )));
    // Later callers within the cool-down (the manual clock stands still) get it too.
    assert!(get(&client, "/v1/companies").await.is_err());
    assert_eq!(hits(&server, "/v1/auth/token").await, 1);
}

#[tokio::test]
async fn callers_queued_behind_a_token_request_that_times_out_wait_for_that_one_only() {
    let server = MockServer::start().await;
    mount_failing_timify_tokens(&server, 200, Duration::from_secs(30)).await;
    let token_http = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let client = client(
        &server,
        AppToken::new(server.uri(), "app-1", "s")
            .clock(ManualClock::default())
            .http_client(token_http),
    );
    // Were failures not shared, 20 callers would time out one after another (6 s here).
    for result in concurrent_gets(&client, 20).await {
        let err = result.unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Auth(AuthError::Transport(t)) if t.is_timeout()),
            "{err:?}"
        );
    }
    assert_eq!(hits(&server, "/v1/auth/token").await, 1);
}

#[tokio::test]
async fn a_token_that_expires_at_once_serves_the_whole_burst() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": "short-lived", "refreshToken": "r", "expires": 0
        })))
        .mount(&server)
        .await;
    mount_ok_api(&server).await;
    let client = client(
        &server,
        AppToken::new(server.uri(), "app-1", "s").clock(ManualClock::default()),
    );
    for _ in 0..20 {
        assert_eq!(get(&client, "/v1/companies").await.unwrap().status(), 200);
    }
    assert_eq!(hits(&server, "/v1/auth/token").await, 1);
    assert_eq!(hits(&server, "/v1/companies").await, 20);
}

#[tokio::test(start_paused = true)]
async fn a_token_client_given_without_a_timeout_is_capped_at_the_default() {
    // A token endpoint that takes the request and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    // reqwest's own default client has no timeout at all.
    let flow = AppToken::new(base.as_str(), "app-1", "s").http_client(reqwest::Client::new());
    let client = client_runtime::ApiClient::builder(base.as_str())
        .auth(flow)
        .build()
        .unwrap();
    // Paused time: the guard only fires if nothing shorter is pending, i.e. if the call would
    // wait for ever.
    let calls = futures::future::join_all((0..5).map(|_| get(&client, "/v1/companies")));
    let results = tokio::time::timeout(Duration::from_secs(300), calls)
        .await
        .expect("the token request is given up within DEFAULT_TOKEN_TIMEOUT");
    for result in results {
        let err = result.unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Auth(AuthError::Transport(t)) if t.is_timeout()),
            "{err:?}"
        );
    }
}
