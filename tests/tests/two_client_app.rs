//! The two-client app of issue #11 (`two_client_app/app.rs`) run against local servers playing
//! bookingtime and Timekit: what it prints and what each server received. The app's source is
//! also held to the crate-only rule: it names no API crate but the two generated ones.

#[path = "two_client_app/app.rs"]
mod app;

use serde_json::json;
use wiremock::matchers::{body_string, body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::{basic_auth, fixture_json, seen, seen_lines, workspace_root};

const CLIENT_ID: &str = "two-client-app";
const CLIENT_SECRET: &str = "two-client-secret";
const ORG: &str = "f6123456789101112131415aBCdeFgH";
/// The refresh token of tests/data/bookingtime/token-refresh.json.
const REFRESH: &str = "eyJhbGc...refresh";
const EMAIL: &str = "doc.brown@timekit.io";
const PERSONAL_KEY: &str = "nvHfRSlhvsnlg4rS7Wt28Ty47qdgegwSu3YK7hPW";
const APP: &str = "back-to-the-future";
/// The app token of tests/data/timekit/app-with-token.json.
const APP_TOKEN: &str = "live_api_key_7nzvc7wsBQQISLeFSVhROys9V1bUJ1z7";
const RESOURCE: &str = "d187d6e0-d6cb-409a-ae60-45a8fd0ec879";

async fn bookingtime_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/token-refresh.json")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(format!(
            "grant_type=refresh_token&client_id={CLIENT_ID}&refresh_token={REFRESH}&organization_id={ORG}"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/token-access.json")))
        .mount(&server)
        .await;
    let customers = format!("/en/organization/{ORG}/customer");
    Mock::given(method("POST"))
        .and(path(format!("{customers}/add")))
        .and(body_string(r#"{"firstName":"John","lastName":"Doe"}"#))
        .respond_with(ResponseTemplate::new(201).set_body_json(fixture_json("bookingtime/customer-add.json")))
        .mount(&server)
        .await;
    let john = fixture_json("bookingtime/customer-add.json")["content"].clone();
    Mock::given(method("GET"))
        .and(path(format!("{customers}/list")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messageList": [],
            "content": {"class": "LIST", "recordList": [john.clone(), john]}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{customers}/nope/show")))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "messageList": [{"text": "customer nope not found"}]
        })))
        .mount(&server)
        .await;
    server
}

async fn timekit_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/app"))
        .and(query_param("include", "app_token"))
        .and(header("authorization", basic_auth(EMAIL, PERSONAL_KEY).as_str()))
        .and(header("timekit-app", APP))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timekit/app-with-token.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/bookings"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                {"id": "b1", "graph": "instant", "state": "confirmed"},
                {"id": "b2", "graph": "instant", "state": "tentative"}
            ],
            "next_page_url": null
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/bookings"))
        .respond_with(ResponseTemplate::new(201).set_body_json(fixture_json("timekit/booking-created.json")))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_two_client_app_adds_lists_tells_a_404_and_books() {
    let bookingtime = bookingtime_server().await;
    let timekit = timekit_server().await;
    let settings = app::Settings {
        bookingtime_url: format!("{}/en", bookingtime.uri()),
        bookingtime_auth_url: bookingtime.uri(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        organization: ORG.into(),
        timekit_url: timekit.uri(),
        email: EMAIL.into(),
        personal_key: PERSONAL_KEY.into(),
        app: APP.into(),
        resource: RESOURCE.into(),
    };

    let printed = app::run(&settings).await.expect("the app runs through");

    assert_eq!(
        printed,
        [
            "added customer d3123456789101112131415aBCdeFgH",
            "2 customers",
            "no customer nope",
            "2 bookings",
            "created booking 58190fc6-1ec0-4ebb-b627-7ce6aa9fc703 (Tentative)",
        ]
    );
    assert_eq!(
        seen_lines(&bookingtime).await,
        [
            "POST /oauth/token",
            "POST /oauth/token",
            &format!("POST /en/organization/{ORG}/customer/add"),
            &format!("GET /en/organization/{ORG}/customer/list"),
            &format!("GET /en/organization/{ORG}/customer/nope/show"),
        ]
    );
    let timekit_seen = seen(&timekit).await;
    let lines: Vec<&str> = timekit_seen.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(lines, ["GET /app?include=app_token", "GET /bookings", "POST /bookings"]);
    assert_eq!(timekit_seen[2].authorization, Some(basic_auth("", APP_TOKEN)));
    let created: serde_json::Value = serde_json::from_str(&timekit_seen[2].body).expect("a JSON body");
    // Made with `BookingCreate::new`: the fields the app set, and no member for any other.
    assert_eq!(
        created,
        json!({
            "resource_id": RESOURCE,
            "graph": "instant",
            "start": "2026-12-02T10:00:00+01:00",
            "end": "2026-12-02T11:00:00+01:00",
            "what": "Consultation",
            "where": "Office",
            "customer": {"name": "John Doe", "email": "john@example.com"}
        })
    );
}

/// The app's `use` lines and paths name only std, the two generated crates and what they
/// export: no `client_runtime`, `futures`, `chrono` or `serde_json`.
#[test]
fn the_app_depends_on_the_generated_crates_alone() {
    let source =
        std::fs::read_to_string(workspace_root().join("tests/tests/two_client_app/app.rs")).expect("the app's source");
    for crate_name in [
        "client_runtime",
        "futures",
        "chrono",
        "serde_json",
        "serde::",
        "reqwest",
        "http::",
    ] {
        let code_mentions = source
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .any(|line| line.contains(crate_name));
        assert!(!code_mentions, "the app names `{crate_name}`");
    }
}
