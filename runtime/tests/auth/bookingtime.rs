//! bookingtime: client credentials → refresh token → per-organization access tokens.

use std::time::Duration;

use client_runtime::auth::bookingtime::ClientCredentials;
use client_runtime::token::ManualClock;
use client_runtime::{ApiClient, ApiRequest, AuthError, Error, ErrorKind, RawResponse};
use http::Method;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::{assert_no_secret_in_urls, client, form, form_is, hits};

const ORG_A: &str = "f6123456789101112131415aBCdeFgH";
const ORG_B: &str = "f6aBCdeFgH123456789101112131415";

fn refresh_body(token: &str) -> serde_json::Value {
    json!({ "refresh_token": token, "token_type": "Bearer", "expires_in": 2592000 })
}

fn access_body(token: &str) -> serde_json::Value {
    json!({ "access_token": token, "token_type": "Bearer", "expires_in": 300 })
}

/// The client-credentials grant, answering refresh tokens `rt-1`, `rt-2`, … in turn.
async fn mount_grant(server: &MockServer) {
    let counter = std::sync::atomic::AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(form_is(&[
            ("grant_type", "client_credentials"),
            ("client_id", "client-1"),
            ("client_secret", "client-secret-1"),
        ]))
        .respond_with(move |_: &Request| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(refresh_body(&format!("rt-{n}")))
        })
        .mount(server)
        .await;
}

/// The exchange: answers `at-<refresh>-<org>-<n>` for organizations in `allowed` and
/// refresh tokens not in `revoked`; 400 for a revoked refresh token, 403 for other orgs.
async fn mount_exchange(server: &MockServer, allowed: &'static [&'static str], revoked: &'static [&'static str]) {
    let counter = std::sync::atomic::AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(|r: &Request| form(r).get("grant_type").map(String::as_str) == Some("refresh_token"))
        .respond_with(move |r: &Request| {
            let fields = form(r);
            let refresh = fields["refresh_token"].clone();
            let org = fields["organization_id"].clone();
            if revoked.contains(&refresh.as_str()) {
                return ResponseTemplate::new(400)
                    .set_body_json(json!({ "error": "invalid_grant", "error_description": "refresh token expired" }));
            }
            if !allowed.contains(&org.as_str()) {
                return ResponseTemplate::new(403)
                    .set_body_json(json!({ "messageList": [], "error": "app not permitted for organization" }));
            }
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(access_body(&format!("at-{refresh}-{org}-{n}")))
        })
        .mount(server)
        .await;
}

/// The organization `show` route; answers 200 to any Bearer token.
async fn mount_api(server: &MockServer) {
    Mock::given(method("GET"))
        .and(|r: &Request| r.url.path().starts_with("/organization/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "messageList": [], "content": {} })))
        .mount(server)
        .await;
}

fn flow(server: &MockServer, clock: &ManualClock) -> ClientCredentials {
    ClientCredentials::new(server.uri(), "client-1", "client-secret-1").clock(clock.clone())
}

async fn show(client: &ApiClient, org: &str) -> Result<RawResponse, Error> {
    client
        .send(ApiRequest::new(Method::GET, "/organization/{organizationId}/show").path_param("organizationId", org))
        .await
}

/// The `Authorization` header of the last API request the server saw.
async fn last_api_token(server: &MockServer) -> String {
    let requests = server.received_requests().await.unwrap();
    let last = requests
        .iter()
        .rev()
        .find(|r| r.url.path().starts_with("/organization/"))
        .unwrap();
    last.headers["authorization"].to_str().unwrap().to_owned()
}

/// The exchange requests' form fields, in order.
async fn exchanges(server: &MockServer) -> Vec<std::collections::BTreeMap<String, String>> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(form)
        .filter(|f| f.get("grant_type").map(String::as_str) == Some("refresh_token"))
        .collect()
}

async fn grants(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(form)
        .filter(|f| f.get("grant_type").map(String::as_str) == Some("client_credentials"))
        .count()
}

#[tokio::test]
async fn grant_then_organization_exchange_with_the_documented_fields() {
    let server = MockServer::start().await;
    mount_grant(&server).await;
    mount_exchange(&server, &[ORG_A], &[]).await;
    mount_api(&server).await;
    let clock = ManualClock::default();
    let client = client(&server, flow(&server, &clock));
    for _ in 0..3 {
        assert_eq!(show(&client, ORG_A).await.unwrap().status(), 200);
    }
    assert_eq!(grants(&server).await, 1);
    let exchanges = exchanges(&server).await;
    assert_eq!(exchanges.len(), 1);
    let expected: std::collections::BTreeMap<String, String> = [
        ("grant_type", "refresh_token"),
        ("client_id", "client-1"),
        ("refresh_token", "rt-1"),
        ("organization_id", ORG_A),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(exchanges[0], expected);
    assert_eq!(last_api_token(&server).await, format!("Bearer at-rt-1-{ORG_A}-1"));
    let requests = server.received_requests().await.unwrap();
    let exchange = requests.iter().find(|r| r.url.path() == "/oauth/token").unwrap();
    assert!(exchange.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
    assert_no_secret_in_urls(&server, &["rt-1", "at-rt-1", "client-secret-1"]).await;
}

#[tokio::test]
async fn one_access_token_per_organization_picked_from_the_path() {
    let server = MockServer::start().await;
    mount_grant(&server).await;
    mount_exchange(&server, &[ORG_A, ORG_B], &[]).await;
    mount_api(&server).await;
    let clock = ManualClock::default();
    let client = client(&server, flow(&server, &clock));
    show(&client, ORG_A).await.unwrap();
    let token_a = last_api_token(&server).await;
    show(&client, ORG_B).await.unwrap();
    let token_b = last_api_token(&server).await;
    show(&client, ORG_A).await.unwrap();
    assert_eq!(last_api_token(&server).await, token_a);
    show(&client, ORG_B).await.unwrap();
    assert_eq!(last_api_token(&server).await, token_b);
    assert_ne!(token_a, token_b);
    assert!(token_b.contains(ORG_B));
    assert_eq!(grants(&server).await, 1, "one refresh token serves both organizations");
    let orgs: Vec<String> = exchanges(&server)
        .await
        .into_iter()
        .map(|f| f["organization_id"].clone())
        .collect();
    assert_eq!(orgs, vec![ORG_A.to_owned(), ORG_B.to_owned()]);
}

#[tokio::test]
async fn an_expired_access_token_is_exchanged_again_without_a_new_grant() {
    let server = MockServer::start().await;
    mount_grant(&server).await;
    mount_exchange(&server, &[ORG_A], &[]).await;
    mount_api(&server).await;
    let clock = ManualClock::default();
    let client = client(&server, flow(&server, &clock));
    show(&client, ORG_A).await.unwrap();
    clock.advance(Duration::from_secs(239));
    show(&client, ORG_A).await.unwrap();
    assert_eq!(exchanges(&server).await.len(), 1);
    clock.advance(Duration::from_secs(1)); // 60 s before the 5-minute expiry
    show(&client, ORG_A).await.unwrap();
    assert_eq!(exchanges(&server).await.len(), 2);
    assert_eq!(grants(&server).await, 1);
    assert_eq!(last_api_token(&server).await, format!("Bearer at-rt-1-{ORG_A}-2"));
}

#[tokio::test]
async fn an_expired_refresh_token_leads_to_a_new_grant() {
    let server = MockServer::start().await;
    mount_grant(&server).await;
    mount_exchange(&server, &[ORG_A], &[]).await;
    mount_api(&server).await;
    let clock = ManualClock::default();
    let client = client(&server, flow(&server, &clock));
    show(&client, ORG_A).await.unwrap();
    clock.advance(Duration::from_secs(30 * 24 * 3600));
    show(&client, ORG_A).await.unwrap();
    assert_eq!(grants(&server).await, 2);
    assert_eq!(exchanges(&server).await[1]["refresh_token"], "rt-2");
}

#[tokio::test]
async fn a_rejected_refresh_token_leads_to_a_new_grant() {
    let server = MockServer::start().await;
    mount_grant(&server).await;
    mount_exchange(&server, &[ORG_A, ORG_B], &[]).await;
    mount_api(&server).await;
    let clock = ManualClock::default();
    let client = client(&server, flow(&server, &clock));
    show(&client, ORG_A).await.unwrap();

    // Server side, rt-1 is now revoked; a new grant answers rt-2.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(|r: &Request| form(r).get("grant_type").map(String::as_str) == Some("client_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(refresh_body("rt-2")))
        .mount(&server)
        .await;
    mount_exchange(&server, &[ORG_A, ORG_B], &["rt-1"]).await;
    mount_api(&server).await;

    show(&client, ORG_B).await.unwrap();
    assert_eq!(grants(&server).await, 1, "one new grant after the refusal");
    let refresh_tokens: Vec<String> = exchanges(&server)
        .await
        .into_iter()
        .map(|f| f["refresh_token"].clone())
        .collect();
    assert_eq!(refresh_tokens, vec!["rt-1".to_owned(), "rt-2".to_owned()]);
    assert!(last_api_token(&server).await.starts_with("Bearer at-rt-2-"));
}

#[tokio::test]
async fn an_organization_the_app_may_not_access_is_not_permitted() {
    let server = MockServer::start().await;
    mount_grant(&server).await;
    mount_exchange(&server, &[ORG_A], &[]).await;
    mount_api(&server).await;
    let clock = ManualClock::default();
    let client = client(&server, flow(&server, &clock));
    // Refused right after a fresh grant: no second grant is tried.
    let err = show(&client, ORG_B).await.unwrap_err();
    match err.kind() {
        ErrorKind::Auth(AuthError::NotPermitted { message }) => {
            assert!(message.contains(ORG_B), "{message}");
            assert!(message.contains("app not permitted for organization"), "{message}");
        }
        other => panic!("expected NotPermitted, got {other:?}"),
    }
    assert_eq!(grants(&server).await, 1);

    // Refused with an older refresh token: one new grant, then the verdict stands.
    clock.advance(Duration::from_secs(3600));
    let err = show(&client, ORG_B).await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Auth(AuthError::NotPermitted { .. })),
        "{err:?}"
    );
    assert_eq!(grants(&server).await, 2);
    assert_eq!(hits(&server, &format!("/organization/{ORG_B}/show")).await, 0);
}

#[tokio::test]
async fn bad_client_credentials_are_invalid_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(
                json!({ "error": "invalid_client", "error_description": "Client authentication failed" }),
            ),
        )
        .mount(&server)
        .await;
    let clock = ManualClock::default();
    let err = show(&client(&server, flow(&server, &clock)), ORG_A).await.unwrap_err();
    match err.into_kind() {
        ErrorKind::Auth(AuthError::InvalidCredentials { status, message }) => {
            assert_eq!(status.map(|s| s.as_u16()), Some(401));
            assert_eq!(message.as_deref(), Some("Client authentication failed"));
        }
        other => panic!("expected InvalidCredentials, got {other:?}"),
    }
}

#[tokio::test]
async fn a_request_without_an_organization_needs_a_default_one() {
    let server = MockServer::start().await;
    mount_grant(&server).await;
    mount_exchange(&server, &[ORG_A], &[]).await;
    Mock::given(method("GET"))
        .and(path("/static/country/list"))
        .and(header("authorization", format!("Bearer at-rt-1-{ORG_A}-1").as_str()))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let clock = ManualClock::default();
    let request = || ApiRequest::new(Method::GET, "/static/country/list");

    let without = client(&server, flow(&server, &clock));
    let err = without.send::<()>(request()).await.unwrap_err();
    match err.into_kind() {
        ErrorKind::Auth(AuthError::Configuration(message)) => {
            assert!(message.contains("organizationId"), "{message}");
            assert!(message.contains("default_organization"), "{message}");
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert_eq!(hits(&server, "/oauth/token").await, 0);

    let with = client(&server, flow(&server, &clock).default_organization(ORG_A));
    assert_eq!(with.send::<()>(request()).await.unwrap().status(), 200);
}

#[tokio::test]
async fn the_organization_parameter_name_is_configurable() {
    let server = MockServer::start().await;
    mount_grant(&server).await;
    mount_exchange(&server, &[ORG_A], &[]).await;
    mount_api(&server).await;
    let clock = ManualClock::default();
    let client = client(&server, flow(&server, &clock).organization_param("orgId"));
    let response = client
        .send::<()>(ApiRequest::new(Method::GET, "/organization/{orgId}/show").path_param("orgId", ORG_A))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(exchanges(&server).await[0]["organization_id"], ORG_A);
}

#[tokio::test]
async fn the_module_api_sends_an_empty_client_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(form_is(&[
            ("grant_type", "client_credentials"),
            ("client_id", "module-1"),
            ("client_secret", ""),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(refresh_body("rt-1")))
        .expect(1)
        .mount(&server)
        .await;
    mount_exchange(&server, &[ORG_A], &[]).await;
    mount_api(&server).await;
    let clock = ManualClock::default();
    let auth = ClientCredentials::module(server.uri(), "module-1").clock(clock);
    assert_eq!(show(&client(&server, auth), ORG_A).await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_401_from_the_api_re_exchanges_once_and_retries() {
    let server = MockServer::start().await;
    mount_grant(&server).await;
    mount_exchange(&server, &[ORG_A], &[]).await;
    let first = format!("Bearer at-rt-1-{ORG_A}-1");
    Mock::given(method("GET"))
        .and(path(format!("/organization/{ORG_A}/show")))
        .and(header("authorization", first.as_str()))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    mount_api(&server).await;
    let clock = ManualClock::default();
    let client = client(&server, flow(&server, &clock));
    assert_eq!(show(&client, ORG_A).await.unwrap().status(), 200);
    assert_eq!(exchanges(&server).await.len(), 2);
    assert_eq!(grants(&server).await, 1);
    assert_eq!(last_api_token(&server).await, format!("Bearer at-rt-1-{ORG_A}-2"));
}
