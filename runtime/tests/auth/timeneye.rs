//! Timeneye: personal access tokens and OAuth Authorization Code + PKCE.

use std::collections::HashMap;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use client_runtime::auth::timeneye::{OAuth, PendingAuthorization, PersonalAccessToken};
use client_runtime::token::{Clock, ManualClock, MemoryTokenStore, TokenStore};
use client_runtime::{AuthError, ErrorKind};
use secrecy::ExposeSecret;
use serde_json::json;
use sha2::{Digest, Sha256};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::{assert_no_secret_in_urls, client, form, get, hits};

#[tokio::test]
async fn a_personal_access_token_is_bearer_and_a_401_says_to_issue_a_new_one() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/entries"))
        .and(header("authorization", "Bearer pat-1"))
        .respond_with(ResponseTemplate::new(200))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/entries"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let client = client(&server, PersonalAccessToken::new("pat-1"));
    assert_eq!(get(&client, "/api/v1/entries").await.unwrap().status(), 200);
    let err = get(&client, "/api/v1/entries").await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Auth(AuthError::TokenRejected)),
        "{err:?}"
    );
    assert!(err.to_string().contains("issue a new one"), "{err}");
    assert_eq!(
        hits(&server, "/api/v1/entries").await,
        2,
        "no retry for a personal token"
    );
}

fn oauth(server: &MockServer, clock: &ManualClock) -> OAuth {
    OAuth::new(
        format!("{}/oauth/authorize", server.uri()),
        format!("{}/oauth/token", server.uri()),
        "client-9",
        "https://app.example.com/callback",
    )
    .clock(clock.clone())
}

fn query(url: &url::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn the_authorize_url_carries_a_random_state_and_an_s256_challenge() {
    let server = MockServer::start().await;
    let clock = ManualClock::default();
    let flow = oauth(&server, &clock).scopes(["read", "write"]);
    let first = flow.authorization_request().unwrap();
    let second = flow.authorization_request().unwrap();
    assert_eq!(first.url.path(), "/oauth/authorize");
    let q = query(&first.url);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "client-9");
    assert_eq!(q["redirect_uri"], "https://app.example.com/callback");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["scope"], "read write");
    assert_eq!(q["state"], first.pending.state());
    let verifier = first.pending.verifier().expose_secret();
    assert_eq!(
        q["code_challenge"],
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
    );
    assert!(!first.url.as_str().contains(verifier), "the verifier stays secret");
    assert_ne!(first.pending.state(), second.pending.state());
    assert_ne!(q["code_challenge"], query(&second.url)["code_challenge"]);
}

async fn mount_token_endpoint(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(|r: &Request| {
            let f = form(r);
            match f.get("grant_type").map(String::as_str) {
                Some("authorization_code") if f.get("code").map(String::as_str) == Some("code-1") => {
                    ResponseTemplate::new(200).set_body_json(json!({
                        "token_type": "Bearer", "access_token": "at-1",
                        "refresh_token": "rt-1", "expires_in": 86400
                    }))
                }
                Some("refresh_token") if f.get("refresh_token").map(String::as_str) == Some("rt-1") => {
                    ResponseTemplate::new(200).set_body_json(json!({
                        "token_type": "Bearer", "access_token": "at-2",
                        "refresh_token": "rt-2", "expires_in": 86400
                    }))
                }
                _ => ResponseTemplate::new(400).set_body_json(json!({
                    "error": "invalid_grant", "error_description": "The refresh token is invalid."
                })),
            }
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/entries"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [] })))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_state_mismatch_is_an_error_and_sends_nothing() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server).await;
    let clock = ManualClock::default();
    let flow = oauth(&server, &clock);
    let request = flow.authorization_request().unwrap();
    let err = flow
        .exchange_code(&request.pending, "code-1", "forged-state")
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::StateMismatch), "{err:?}");
    assert_eq!(hits(&server, "/oauth/token").await, 0);
}

#[tokio::test]
async fn the_code_is_exchanged_with_the_verifier_and_the_token_used_as_bearer() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server).await;
    let clock = ManualClock::default();
    let flow = oauth(&server, &clock);
    let request = flow.authorization_request().unwrap();
    let challenge = query(&request.url)["code_challenge"].clone();
    let state = request.pending.state().to_owned();
    flow.exchange_code(&request.pending, "code-1", &state).await.unwrap();

    let token_request = &server.received_requests().await.unwrap()[0];
    assert!(token_request.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
    let fields = form(token_request);
    assert_eq!(fields["grant_type"], "authorization_code");
    assert_eq!(fields["code"], "code-1");
    assert_eq!(fields["client_id"], "client-9");
    assert_eq!(fields["redirect_uri"], "https://app.example.com/callback");
    assert_eq!(
        URL_SAFE_NO_PAD.encode(Sha256::digest(fields["code_verifier"].as_bytes())),
        challenge
    );
    assert!(!fields.contains_key("client_secret"), "a public PKCE client");

    let client = client(&server, flow);
    get(&client, "/api/v1/entries").await.unwrap();
    let last = server.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(last.headers["authorization"], "Bearer at-1");
    assert_no_secret_in_urls(&server, &["at-1", "rt-1", fields["code_verifier"].as_str()]).await;
}

#[tokio::test]
async fn the_access_token_is_refreshed_and_the_rotated_refresh_token_saved() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server).await;
    let clock = ManualClock::default();
    let store = MemoryTokenStore::new();
    let flow = oauth(&server, &clock).token_store(store.clone());
    let pending = flow.authorization_request().unwrap().pending;
    let state = pending.state().to_owned();
    flow.exchange_code(&pending, "code-1", &state).await.unwrap();
    let client = client(&server, flow);

    clock.advance(Duration::from_secs(86400 - 60));
    get(&client, "/api/v1/entries").await.unwrap();
    let refresh = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(form)
        .find(|f| f.get("grant_type").map(String::as_str) == Some("refresh_token"))
        .unwrap();
    assert_eq!(refresh["refresh_token"], "rt-1");
    assert_eq!(refresh["client_id"], "client-9");
    let last = server.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(last.headers["authorization"], "Bearer at-2");

    let saved = store.load("timeneye:client-9:default").await.unwrap().unwrap();
    assert_eq!(saved.refresh_token().unwrap().expose_secret(), "rt-2");
}

#[tokio::test]
async fn a_rejected_refresh_token_is_refresh_rejected() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server).await;
    let clock = ManualClock::default();
    let store = MemoryTokenStore::new();
    // Tokens saved by an earlier run, whose refresh token has since been revoked.
    let old = client_runtime::token::Token::new("at-old", clock.now())
        .with_refresh_token("rt-revoked")
        .expires_in(Duration::from_secs(10));
    store.save("timeneye:client-9:default", &old).await.unwrap();
    clock.advance(Duration::from_secs(60));
    let client = client(&server, oauth(&server, &clock).token_store(store));
    let err = get(&client, "/api/v1/entries").await.unwrap_err();
    match err.into_kind() {
        ErrorKind::Auth(AuthError::RefreshRejected { status, message }) => {
            assert_eq!(status.map(|s| s.as_u16()), Some(400));
            assert_eq!(message.as_deref(), Some("The refresh token is invalid."));
        }
        other => panic!("expected RefreshRejected, got {other:?}"),
    }
}

#[tokio::test]
async fn without_tokens_the_flow_says_to_authorise_first() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server).await;
    let clock = ManualClock::default();
    let err = get(&client(&server, oauth(&server, &clock)), "/api/v1/entries")
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Auth(AuthError::Configuration(m)) if m.contains("exchange_code")),
        "{err:?}"
    );
    assert_eq!(hits(&server, "/oauth/token").await, 0);
}

#[tokio::test]
async fn a_pending_authorization_can_be_rebuilt_from_its_parts() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server).await;
    let clock = ManualClock::default();
    let flow = oauth(&server, &clock).client_secret("cs-1");
    let request = flow.authorization_request().unwrap();
    let saved_state = request.pending.state().to_owned();
    let saved_verifier = request.pending.verifier().expose_secret().to_owned();
    let rebuilt = PendingAuthorization::from_parts(saved_state.clone(), saved_verifier.clone());
    flow.exchange_code(&rebuilt, "code-1", &saved_state).await.unwrap();
    let fields = form(&server.received_requests().await.unwrap()[0]);
    assert_eq!(fields["code_verifier"], saved_verifier);
    assert_eq!(fields["client_secret"], "cs-1");
}
