//! What a user reads when a call fails: `Display` of `client_runtime::Error` names the
//! operation, the method, the path template and the host before saying what went wrong, and
//! never the filled-in path (it holds ids) or the query.

use bookingtime_client::Client;
use client_runtime::auth::bookingtime::ClientCredentials;
use client_runtime::token::ManualClock;
use client_runtime::RetryPolicy;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ORG: &str = "f6123456789101112131415aBCdeFgH";
const CUSTOMER: &str = "nope";
const SHOW: &str = "customerShow (GET /organization/{organizationId}/customer/{customerId}/show";

/// A bookingtime client at `base` (auth server at `auth`), retries off so a refused
/// connection fails at once.
fn client(base: &str, auth: &str) -> Client {
    let auth = ClientCredentials::new(auth, "client-1", "client-secret-1").clock(ManualClock::default());
    Client::builder()
        .base_url(format!("{base}/en"))
        .auth(auth)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap()
}

/// `127.0.0.1:PORT` of a mock server: the host part of the message.
fn host(server: &MockServer) -> String {
    server.address().to_string()
}

async fn mount_tokens(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"refresh_token": "rt", "access_token": "at", "token_type": "Bearer", "expires_in": 300}),
        ))
        .mount(server)
        .await;
}

async fn show_error(client: &Client) -> String {
    let error = client.customer().show(ORG, CUSTOMER).await.unwrap_err();
    let text = error.to_string();
    assert!(
        !text.contains(ORG) && !text.contains("/nope/"),
        "a filled-in path leaked: {text}"
    );
    text
}

async fn answer_show(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(format!("/en/organization/{ORG}/customer/{CUSTOMER}/show")))
        .respond_with(response)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_404_with_a_message_names_the_call_and_quotes_the_server() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    let body = json!({"messageList": [{"class": "MESSAGE", "type": "failure", "text": "customer nope not found"}], "content": null});
    answer_show(&server, ResponseTemplate::new(404).set_body_json(body)).await;
    let text = show_error(&client(&server.uri(), &server.uri())).await;
    assert_eq!(
        text,
        format!(
            "{SHOW} on {}): the server answered 404 Not Found: customer nope not found",
            host(&server)
        )
    );
}

#[tokio::test]
async fn a_404_without_a_body_names_the_call_and_the_status() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    answer_show(&server, ResponseTemplate::new(404)).await;
    let text = show_error(&client(&server.uri(), &server.uri())).await;
    assert_eq!(
        text,
        format!("{SHOW} on {}): the server answered 404 Not Found", host(&server))
    );
}

#[tokio::test]
async fn a_body_that_does_not_decode_names_the_call_and_the_json_path() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    let body = json!({"messageList": [], "content": {"id": 42}});
    answer_show(&server, ResponseTemplate::new(200).set_body_json(body)).await;
    let text = show_error(&client(&server.uri(), &server.uri())).await;
    // serde_json ends with where in the body it failed (`at line 1 column N`).
    let expected = format!(
        "{SHOW} on {}): could not decode the response body at `content.id`: invalid type: integer `42`, expected a string at line 1",
        host(&server)
    );
    assert!(text.starts_with(&expected), "{text}");
}

#[tokio::test]
async fn rejected_credentials_name_the_call_that_needed_them() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "invalid_client", "error_description": "Client authentication failed"})),
        )
        .mount(&server)
        .await;
    let text = show_error(&client(&server.uri(), &server.uri())).await;
    assert_eq!(
        text,
        format!(
            "{SHOW} on {}): the credentials were rejected (401 Unauthorized): Client authentication failed",
            host(&server)
        )
    );
    assert!(!text.contains("client-secret-1"), "{text}");
}

#[tokio::test]
async fn a_refused_connection_names_the_call_and_the_host() {
    // A port that was free a moment ago: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let auth = MockServer::start().await;
    mount_tokens(&auth).await;
    let text = show_error(&client(&format!("http://127.0.0.1:{port}"), &auth.uri())).await;
    let expected = format!("{SHOW} on 127.0.0.1:{port}): could not connect to the server: ");
    assert!(text.starts_with(&expected), "{text}");
}
