//! What must never leak, and where credentials may not travel.

use std::net::SocketAddr;

use client_runtime::auth::bookingtime::ClientCredentials;
use client_runtime::auth::timekit::{AppKey, AppTokenBootstrap};
use client_runtime::auth::timeneye::{OAuth, PersonalAccessToken};
use client_runtime::auth::timify::AppToken;
use client_runtime::auth::{ApiKey, Authenticator, Credentials, RawAuthorization};
use client_runtime::token::{Clock, ManualClock, Token};
use client_runtime::{ApiRequest, AuthError};
use http::Method;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{client, get};

const SECRET: &str = "s3cr3t-value-42";
const TOKEN: &str = "t0k3n-value-43";

fn assert_hidden(shown: &str) {
    assert!(!shown.contains(SECRET), "secret shown: {shown}");
    assert!(!shown.contains(TOKEN), "token shown: {shown}");
}

#[tokio::test]
async fn debug_output_of_authenticators_tokens_and_credentials_hides_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": TOKEN, "refreshToken": TOKEN, "expires": 7200
        })))
        .mount(&server)
        .await;
    let timify = AppToken::new(server.uri(), "app", SECRET).clock(ManualClock::default());
    let mut credentials = Credentials::default();
    timify
        .authorize(&ApiRequest::new(Method::GET, "/x"), &mut credentials)
        .await
        .unwrap();
    // With a token in its cache, and the credentials that carry it.
    assert_hidden(&format!("{timify:?}"));
    assert_hidden(&format!("{credentials:?}"));
    assert_hidden(&format!("{:?}", credentials.noted_token()));
    assert_hidden(&format!("{:?}", credentials.headers()));

    let authenticators: Vec<Box<dyn Authenticator>> = vec![
        Box::new(RawAuthorization::new(SECRET)),
        Box::new(RawAuthorization::bearer(SECRET)),
        Box::new(RawAuthorization::basic("user", SECRET)),
        Box::new(ApiKey::header("X-Key", SECRET)),
        Box::new(ApiKey::query("key", SECRET)),
        Box::new(ClientCredentials::new("https://auth.example", "client", SECRET)),
        Box::new(PersonalAccessToken::new(SECRET)),
        Box::new(
            OAuth::new(
                "https://a.example/authorize",
                "https://a.example/token",
                "c",
                "https://r.example",
            )
            .client_secret(SECRET),
        ),
        Box::new(AppKey::new(SECRET)),
        Box::new(AppTokenBootstrap::new(
            "https://api.example/v2",
            "me@example.com",
            SECRET,
            "slug",
        )),
    ];
    for auth in &authenticators {
        assert_hidden(&format!("{auth:?}"));
    }
    let client = client_runtime::ApiClient::builder("https://api.example")
        .auth(RawAuthorization::new(SECRET))
        .build()
        .unwrap();
    assert_hidden(&format!("{client:?}"));

    let token = Token::new(TOKEN, ManualClock::default().now()).with_refresh_token(SECRET);
    assert_hidden(&format!("{token:?}"));

    let flow = OAuth::new(
        "https://a.example/authorize",
        "https://a.example/token",
        "c",
        "https://r.example",
    );
    let request = flow.authorization_request().unwrap();
    use secrecy::ExposeSecret;
    let verifier = request.pending.verifier().expose_secret().to_owned();
    assert!(!format!("{:?}", request.pending).contains(&verifier));
}

#[tokio::test]
async fn token_endpoint_errors_do_not_show_what_was_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({ "error": "invalid_client" })))
        .mount(&server)
        .await;
    let auth = ClientCredentials::new(server.uri(), "client", SECRET).default_organization("f6x");
    let err = get(&client(&server, auth), "/static/country/list").await.unwrap_err();
    assert!(err.is_auth());
    assert_hidden(&format!("{err:?}"));
    assert_hidden(&err.to_string());
}

#[tokio::test]
async fn plain_http_token_endpoints_are_refused_before_anything_is_sent() {
    let request =
        ApiRequest::new(Method::GET, "/organization/{organizationId}/show").path_param("organizationId", "f6x");
    let flows: Vec<Box<dyn Authenticator>> = vec![
        Box::new(AppToken::new("http://api.timify.example", "app", SECRET)),
        Box::new(ClientCredentials::new("http://auth.bookingtime.example", "c", SECRET)),
        Box::new(AppTokenBootstrap::new(
            "http://api.timekit.example/v2",
            "me@x",
            SECRET,
            "slug",
        )),
    ];
    for flow in flows {
        let err = flow.authorize(&request, &mut Credentials::default()).await.unwrap_err();
        assert!(matches!(err, AuthError::InsecureTokenUrl(_)), "{flow:?}: {err:?}");
        assert!(err.to_string().contains("allow_insecure_http"), "{err}");
    }
    let oauth = OAuth::new(
        "http://timeneye.example/authorize",
        "https://t.example/token",
        "c",
        "https://r.example",
    );
    assert!(matches!(
        oauth.authorization_request(),
        Err(AuthError::InsecureTokenUrl(_))
    ));
}

#[tokio::test]
async fn plain_http_token_endpoints_work_after_an_explicit_opt_in() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": TOKEN, "refreshToken": TOKEN, "expires": 7200
        })))
        .expect(1)
        .mount(&server)
        .await;
    // A host name that is not loopback, resolved to the mock server without any DNS.
    let addr: SocketAddr = *server.address();
    let http = reqwest::Client::builder()
        .resolve("timify.internal.example", addr)
        .build()
        .unwrap();
    let auth = AppToken::new(format!("http://timify.internal.example:{}", addr.port()), "app", SECRET)
        .http_client(http)
        .allow_insecure_http(true);
    auth.authorize(&ApiRequest::new(Method::GET, "/x"), &mut Credentials::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn the_api_base_url_check_still_applies() {
    let err = client_runtime::ApiClient::builder("http://api.timify.example")
        .auth(RawAuthorization::new(SECRET))
        .build()
        .unwrap_err();
    assert!(matches!(err, client_runtime::BuildError::InsecureBaseUrl(_)));
}

/// Collects every field of every span and event, formatted with `Debug`.
#[derive(Clone, Default)]
struct Capture(std::sync::Arc<std::sync::Mutex<String>>);

impl tracing::field::Visit for Capture {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let mut out = self.0.lock().unwrap();
        out.push_str(&format!("{}={:?}\n", field.name(), value));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        span.record(&mut self.clone());
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut self.clone());
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        event.record(&mut self.clone());
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn tracing_output_shows_no_secrets() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": TOKEN, "refreshToken": TOKEN, "expires": 60
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/refreshtoken"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({ "message": "expired" })))
        .mount(&server)
        .await;
    let clock = ManualClock::default();
    let auth = AppToken::new(server.uri(), "app", SECRET).clock(clock.clone());
    let request = ApiRequest::new(Method::GET, "/x");
    auth.authorize(&request, &mut Credentials::default()).await.unwrap();
    clock.advance(std::time::Duration::from_secs(60));
    // A failed refresh and a fallback grant: the flow logs both.
    auth.authorize(&request, &mut Credentials::default()).await.unwrap();
    let logged = capture.0.lock().unwrap().clone();
    assert!(logged.contains("timify"), "the flow logged something: {logged}");
    assert_hidden(&logged);
}

#[tokio::test]
async fn each_request_gets_a_span_with_method_path_template_attempt_status_and_duration() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/organization/org-9/customer/c-1/show"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let client = client_runtime::ApiClient::builder(server.uri())
        .auth(ApiKey::query("api_key", SECRET))
        .build()
        .unwrap();
    let request = ApiRequest::new(Method::GET, "/organization/{organizationId}/customer/{customerId}/show")
        .path_param("organizationId", "org-9")
        .path_param("customerId", "c-1");
    client.send::<()>(request).await.unwrap();
    let logged = capture.0.lock().unwrap().clone();
    // The template, not the filled-in path: ids stay out of traces and spans group by operation.
    assert!(
        logged.contains("path=\"/organization/{organizationId}/customer/{customerId}/show\""),
        "{logged}"
    );
    assert!(!logged.contains("org-9"), "{logged}");
    for field in ["method=GET", "attempt=1", "status=200", "duration_ms="] {
        assert!(logged.contains(field), "span lacks `{field}`: {logged}");
    }
    // The API key travels in the query, which never reaches the trace.
    assert_hidden(&logged);
}

/// The error text a user sees: `Display` and `Debug`, both.
fn shown<E: std::fmt::Display + std::fmt::Debug>(err: &E) -> String {
    format!("{err} / {err:?}")
}

#[tokio::test]
async fn a_token_endpoint_echoing_the_app_secret_does_not_put_it_in_the_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(|request: &wiremock::Request| {
            // The endpoint quotes the request it refuses, secret and all.
            let sent = String::from_utf8_lossy(&request.body).into_owned();
            ResponseTemplate::new(401).set_body_json(json!({
                "error": "invalid_client",
                "error_description": format!("bad app credentials in {sent}")
            }))
        })
        .mount(&server)
        .await;
    let auth = AppToken::new(server.uri(), "app-7", SECRET).clock(ManualClock::default());
    let err = get(&client(&server, auth), "/v1/companies").await.unwrap_err();
    let text = shown(&err);
    assert!(
        matches!(
            err.kind(),
            client_runtime::ErrorKind::Auth(AuthError::InvalidCredentials { .. })
        ),
        "{text}"
    );
    assert_hidden(&text);
    assert!(text.contains("[redacted]"), "{text}");
    // What is not secret stays readable.
    assert!(text.contains("app-7"), "{text}");
}

#[tokio::test]
async fn a_failing_grant_endpoint_echoing_the_client_secret_does_not_put_it_in_the_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(|request: &wiremock::Request| {
            let sent = String::from_utf8_lossy(&request.body).into_owned();
            ResponseTemplate::new(500).set_body_json(json!({ "message": format!("failed on {sent}") }))
        })
        .mount(&server)
        .await;
    let auth = ClientCredentials::new(server.uri(), "client-1", SECRET).clock(ManualClock::default());
    let request =
        ApiRequest::new(Method::GET, "/organization/{organizationId}/show").path_param("organizationId", "org");
    let err = client(&server, auth).send::<()>(request).await.unwrap_err();
    let text = shown(&err);
    assert_hidden(&text);
    assert!(text.contains("[redacted]"), "{text}");
}

#[tokio::test]
async fn an_api_error_echoing_the_access_token_or_api_key_does_not_keep_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(|request: &wiremock::Request| {
            let auth = request
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            ResponseTemplate::new(403).set_body_json(json!({
                "message": format!("{auth} may not read {}", request.url)
            }))
        })
        .mount(&server)
        .await;
    for auth in [
        Box::new(RawAuthorization::bearer(TOKEN)) as Box<dyn Authenticator>,
        Box::new(ApiKey::query("api_key", SECRET)),
    ] {
        let client = client_runtime::ApiClient::builder(server.uri())
            .shared_auth(std::sync::Arc::from(auth))
            .build()
            .unwrap();
        let response = get(&client, "/v1/companies").await.unwrap();
        assert_eq!(response.status(), 403);
        let err = response.unexpected::<()>();
        let text = shown(&err);
        assert_hidden(&text);
        assert!(
            text.contains("[redacted] may not read") || text.contains("api_key=[redacted]"),
            "{text}"
        );
    }
}
