//! The quickstart examples keep working when the server misbehaves: each vendor's real
//! `quickstart` binary runs against a mock that rejects the first token with 401 once, then
//! answers 429 with `Retry-After: 1` once, then 503 once, then succeeds. The run must exit 0
//! with its normal output, having sent exactly the requests the recovery needs.
//!
//! The 503 always lands on a GET: POSTs are not retried after a 503. Timeneye's quickstart
//! uses a personal access token, which cannot be renewed: a 401 there is final by design (the
//! test checks it is neither retried nor hidden), and its recovery run covers 429 and 503.

use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::{
    assert_one_line_failure, basic_auth, fixture_json, quickstart_binary, run_with_env, seen, seen_lines,
};

/// Mounts on `GET <route>` for requests with `authorization`: a 429 with `Retry-After: 1`
/// once, then a 503 once, then `success` for good.
async fn mount_429_503_then(server: &MockServer, route: &str, authorization: &str, success: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(route))
        .and(header("authorization", authorization))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"message": "Too Many Attempts."})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(route))
        .and(header("authorization", authorization))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"message": "Service Unavailable"})))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(route))
        .and(header("authorization", authorization))
        .respond_with(success)
        .with_priority(3)
        .mount(server)
        .await;
}

/// Mounts a 401 with `body` on `<method> <route>` for requests with `authorization`.
async fn mount_401(server: &MockServer, verb: &str, route: &str, authorization: &str, body: Value) {
    Mock::given(method(verb))
        .and(path(route))
        .and(header("authorization", authorization))
        .respond_with(ResponseTemplate::new(401).set_body_json(body))
        .mount(server)
        .await;
}

/// Runs `package`'s quickstart with `env` off the async runtime; returns its output and how
/// long it took.
async fn run_quickstart(package: &'static str, env: Vec<(&'static str, String)>) -> (Output, Duration) {
    let binary = quickstart_binary(package);
    tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let started = Instant::now();
        let output = run_with_env(&binary, &env);
        (output, started.elapsed())
    })
    .await
    .unwrap()
}

/// Exit 0, `expected` on stdout, nothing on stderr, and the server's one-second
/// `Retry-After` honoured without the run dragging on.
fn assert_recovered(output: &Output, took: Duration, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "stderr: {stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
    assert_eq!(stderr, "");
    assert!(
        took >= Duration::from_secs(1),
        "Retry-After: 1 was not waited for: {took:?}"
    );
    assert!(took < Duration::from_secs(10), "the recovery took {took:?}");
}

#[tokio::test]
async fn timify_quickstart_survives_a_rejected_token_a_429_and_a_503() {
    const APP_ID: &str = "5f0c1e2d3b4a59687a6b5c4d";
    const APP_SECRET: &str = "app-secret-123";
    const COMPANY_ID: &str = "63fa22b81d77389d476518bc";
    // The tokens of tests/data/timify/token.json, and the renewed one.
    const ACCESS_1: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...";
    const REFRESH_1: &str = "def50200a1b2c3d4...";
    const ACCESS_2: &str = "access-token-2";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timify/token.json")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/refreshtoken"))
        .and(body_string(format!(r#"{{"refreshtoken":"{REFRESH_1}"}}"#)))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": ACCESS_2,
            "refreshToken": "refresh-token-2",
            "expires": 7200
        })))
        .mount(&server)
        .await;
    mount_401(
        &server,
        "GET",
        "/v1/companies",
        ACCESS_1,
        json!({"message": "Token is invalid"}),
    )
    .await;
    mount_429_503_then(
        &server,
        "/v1/companies",
        ACCESS_2,
        ResponseTemplate::new(200).set_body_json(fixture_json("timify/companies.json")),
    )
    .await;
    // No appointments: the walk is one page, and there is none to show.
    Mock::given(method("GET"))
        .and(path("/v1/appointments"))
        .and(header("authorization", ACCESS_2))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [], "meta": {"totalPages": 1}})))
        .mount(&server)
        .await;
    let env = vec![
        ("TIMIFY_BASE_URL", server.uri()),
        ("TIMIFY_APP_ID", APP_ID.to_owned()),
        ("TIMIFY_APP_SECRET", APP_SECRET.to_owned()),
        ("TIMIFY_COMPANY_ID", COMPANY_ID.to_owned()),
    ];

    let (output, took) = run_quickstart("timify-client", env).await;

    assert_recovered(
        &output,
        took,
        &format!("company id: {COMPANY_ID}\ncompany name: Berlin Office\nappointments: 0\n"),
    );
    let companies = format!("GET /v1/companies?company_id={COMPANY_ID}");
    let seen = seen(&server).await;
    let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "POST /v1/auth/token",
            &companies,
            "POST /v1/auth/refreshtoken",
            &companies,
            &companies,
            &companies,
            "GET /v1/appointments?page=1"
        ]
    );
    let auth: Vec<Option<&str>> = seen.iter().map(|s| s.authorization.as_deref()).collect();
    assert_eq!(
        auth,
        [
            None,
            Some(ACCESS_1),
            None,
            Some(ACCESS_2),
            Some(ACCESS_2),
            Some(ACCESS_2),
            Some(ACCESS_2)
        ]
    );
}

#[tokio::test]
async fn bookingtime_quickstart_survives_a_rejected_token_a_429_and_a_503() {
    const CLIENT_ID: &str = "23abcdef-client";
    const CLIENT_SECRET: &str = "client-secret";
    const ORG: &str = "f6123456789101112131415aBCdeFgH";
    // The tokens of tests/data/bookingtime/token-{refresh,access}.json, and the renewed one.
    const REFRESH: &str = "eyJhbGc...refresh";
    const ACCESS_1: &str = "eyJhbGc...access";
    const ACCESS_2: &str = "access-2";
    let grant = format!("grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}");
    let exchange =
        format!("grant_type=refresh_token&client_id={CLIENT_ID}&refresh_token={REFRESH}&organization_id={ORG}");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(grant.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/token-refresh.json")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(exchange.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/token-access.json")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(exchange.clone()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": ACCESS_2, "token_type": "Bearer", "expires_in": 300})),
        )
        .mount(&server)
        .await;
    let show = format!("/en/organization/{ORG}/show");
    let add = format!("/en/organization/{ORG}/customer/add");
    mount_401(
        &server,
        "GET",
        &show,
        &format!("Bearer {ACCESS_1}"),
        json!({"messageList": [{"text": "Token expired"}]}),
    )
    .await;
    mount_429_503_then(
        &server,
        &show,
        &format!("Bearer {ACCESS_2}"),
        ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/organization-show.json")),
    )
    .await;
    Mock::given(method("POST"))
        .and(path(add.as_str()))
        .and(header("authorization", format!("Bearer {ACCESS_2}").as_str()))
        .respond_with(ResponseTemplate::new(201).set_body_json(fixture_json("bookingtime/customer-add.json")))
        .mount(&server)
        .await;
    let index = |page: u32| format!("/en/organization/{ORG}/customer/index/{page}");
    for page in [1, 2] {
        Mock::given(method("GET"))
            .and(path(index(page)))
            .and(header("authorization", format!("Bearer {ACCESS_2}").as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(fixture_json(&format!("bookingtime/customer-index-page-{page}.json"))),
            )
            .mount(&server)
            .await;
    }
    let identify = format!("/en/organization/{ORG}/customer/quickstart-john-doe/identify");
    Mock::given(method("GET"))
        .and(path(identify.as_str()))
        .and(header("authorization", format!("Bearer {ACCESS_2}").as_str()))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"messageList": [{"text": "Customer not found."}], "content": []})),
        )
        .mount(&server)
        .await;
    let env = vec![
        ("BOOKINGTIME_API_URL", server.uri()),
        ("BOOKINGTIME_AUTH_URL", server.uri()),
        ("BOOKINGTIME_CLIENT_ID", CLIENT_ID.to_owned()),
        ("BOOKINGTIME_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
        ("BOOKINGTIME_ORGANIZATION_ID", ORG.to_owned()),
    ];

    let (output, took) = run_quickstart("bookingtime-client", env).await;

    assert_recovered(
        &output,
        took,
        &format!(
            "organization id: {ORG}\norganization name: ACME\ncustomers: 3\ncustomer id: d3123456789101112131415aBCdeFgH\n"
        ),
    );
    let seen = seen(&server).await;
    let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
    let (show, add) = (format!("GET {show}"), format!("POST {add}"));
    let (page_1, page_2, identify) = (
        format!("GET {}", index(1)),
        format!("GET {}", index(2)),
        format!("GET {identify}"),
    );
    assert_eq!(
        lines,
        [
            "POST /oauth/token",
            "POST /oauth/token",
            &show,
            "POST /oauth/token",
            &show,
            &show,
            &show,
            &page_1,
            &page_2,
            &identify,
            &add
        ]
    );
    let bodies: Vec<&str> = seen.iter().map(|s| s.body.as_str()).collect();
    assert_eq!(bodies[..4], [&*grant, &*exchange, "", &*exchange]);
    // The customer is added once, with the renewed token.
    assert_eq!(
        seen[10].body,
        r#"{"customId":"quickstart-john-doe","firstName":"John","lastName":"Doe"}"#
    );
    assert_eq!(seen[10].authorization.as_deref(), Some(&*format!("Bearer {ACCESS_2}")));
}

#[tokio::test]
async fn timeneye_quickstart_survives_a_429_and_a_503() {
    const PAT: &str = "personal-token-1";
    let server = MockServer::start().await;
    mount_429_503_then(
        &server,
        "/entries",
        &format!("Bearer {PAT}"),
        ResponseTemplate::new(200).set_body_json(fixture_json("timeneye/entries-page-1.json")),
    )
    .await;
    let env = vec![("TIMENEYE_BASE_URL", server.uri()), ("TIMENEYE_TOKEN", PAT.to_owned())];

    let (output, took) = run_quickstart("timeneye-client", env).await;

    // The walk reads page 1 again, then page 2, served the same body: a repeated page ends the
    // walk without its items (numbered paging's guard against a server that ignores `page`).
    assert_recovered(
        &output,
        took,
        "entries on page 1: 2\ntotal entries: 3\nentries in all pages: 2\n",
    );
    assert_eq!(
        seen_lines(&server).await,
        [
            "GET /entries?page=1",
            "GET /entries?page=1",
            "GET /entries?page=1",
            "GET /entries?page=1",
            "GET /entries?page=2"
        ]
    );
}

#[tokio::test]
async fn timeneye_quickstart_reports_a_rejected_personal_token_without_retrying_it() {
    const PAT: &str = "personal-token-1";
    let server = MockServer::start().await;
    mount_401(
        &server,
        "GET",
        "/entries",
        &format!("Bearer {PAT}"),
        json!({"message": "Unauthenticated."}),
    )
    .await;
    let env = vec![("TIMENEYE_BASE_URL", server.uri()), ("TIMENEYE_TOKEN", PAT.to_owned())];

    let (output, _) = run_quickstart("timeneye-client", env).await;

    assert_one_line_failure(
        &output,
        "listing entries failed: entriesList (GET /entries on 127.0.0.1:",
    );
    assert_one_line_failure(&output, "): the access token was rejected");
    assert_eq!(seen_lines(&server).await, ["GET /entries?page=1"]);
}

#[tokio::test]
async fn timekit_quickstart_survives_a_rejected_app_token_a_429_and_a_503() {
    const EMAIL: &str = "doc.brown@timekit.io";
    const PERSONAL_KEY: &str = "nvHfRSlhvsnlg4rS7Wt28Ty47qdgegwSu3YK7hPW";
    const APP: &str = "back-to-the-future";
    // The token of tests/data/timekit/app-with-token.json, and the one issued after it.
    const TOKEN_1: &str = "live_api_key_7nzvc7wsBQQISLeFSVhROys9V1bUJ1z7";
    const TOKEN_2: &str = "live_api_key_second";
    let server = MockServer::start().await;
    let mut second = fixture_json("timekit/app-with-token.json");
    second["data"]["app_token"][0]["token"] = json!(TOKEN_2);
    for (priority, body, times) in [
        (1, fixture_json("timekit/app-with-token.json"), Some(1)),
        (2, second, None),
    ] {
        let mock = Mock::given(method("GET"))
            .and(path("/app"))
            .and(query_param("include", "app_token"))
            .and(header("authorization", basic_auth(EMAIL, PERSONAL_KEY).as_str()))
            .and(header("timekit-app", APP))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .with_priority(priority);
        let mock = match times {
            Some(n) => mock.up_to_n_times(n),
            None => mock,
        };
        mock.mount(&server).await;
    }
    mount_401(
        &server,
        "GET",
        "/bookings",
        &basic_auth("", TOKEN_1),
        json!({"error": "Unauthorized"}),
    )
    .await;
    // One page (no next-page URL), so the walk ends there; the booking shown is not mounted: 404.
    let mut only_page = fixture_json("timekit/bookings-page-1.json");
    only_page["next_page_url"] = Value::Null;
    mount_429_503_then(
        &server,
        "/bookings",
        &basic_auth("", TOKEN_2),
        ResponseTemplate::new(200).set_body_json(only_page),
    )
    .await;
    let env = vec![
        ("TIMEKIT_BASE_URL", server.uri()),
        ("TIMEKIT_EMAIL", EMAIL.to_owned()),
        ("TIMEKIT_PERSONAL_KEY", PERSONAL_KEY.to_owned()),
        ("TIMEKIT_APP", APP.to_owned()),
    ];

    let (output, took) = run_quickstart("timekit-client", env).await;

    const FIRST: &str = "58190fc6-1ec0-4ebb-b627-7ce6aa9fc703";
    assert_recovered(
        &output,
        took,
        &format!("bookings on page 1: 2\ntotal bookings: 3\nbookings in all pages: 2\nbooking {FIRST}: none\n"),
    );
    let seen = seen(&server).await;
    let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "GET /app?include=app_token",
            "GET /bookings?page=1",
            "GET /app?include=app_token",
            "GET /bookings?page=1",
            "GET /bookings?page=1",
            "GET /bookings?page=1",
            "GET /bookings",
            &format!("GET /bookings/{FIRST}")
        ]
    );
    let auth: Vec<Option<String>> = seen.iter().map(|s| s.authorization.clone()).collect();
    let (personal, first, renewed) = (
        Some(basic_auth(EMAIL, PERSONAL_KEY)),
        Some(basic_auth("", TOKEN_1)),
        Some(basic_auth("", TOKEN_2)),
    );
    assert_eq!(
        auth,
        [
            personal.clone(),
            first,
            personal,
            renewed.clone(),
            renewed.clone(),
            renewed.clone(),
            renewed.clone(),
            renewed
        ]
    );
}
