//! End-to-end tests of the generated `timify-client` against a mock Timify DevAPI that follows
//! the documented exchanges: `POST /v1/auth/token` with JSON `{appid, appsecret}`, the access
//! token sent as the bare `Authorization` value, `POST /v1/auth/refreshtoken` with JSON
//! `{refreshtoken}`, and the `{data, total, meta{page, limit, totalItems, totalPages}}` list
//! envelope; an appointment as captured from production and the booker reserve/confirm bodies.

use std::time::Duration;

use client_runtime::auth::timify::AppToken;
use client_runtime::token::ManualClock;
use serde_json::json;
use timify_client::types::{BookerConfirmation, BookerConfirmationFieldsItem, BookerReservation};
use timify_client::{Client, Envelope};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::{assert_one_line_failure, fixture_json, quickstart_binary, run_with_env, seen, seen_lines};

const APP_ID: &str = "5f0c1e2d3b4a59687a6b5c4d";
const APP_SECRET: &str = "app-secret-123";
const COMPANY_ID: &str = "63fa22b81d77389d476518bc";
/// The access and refresh tokens of tests/data/timify/token.json.
const ACCESS_1: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...";
const REFRESH_1: &str = "def50200a1b2c3d4...";
const ACCESS_2: &str = "access-token-2";
const REFRESH_2: &str = "refresh-token-2";

fn companies_line() -> String {
    format!("GET /v1/companies?company_id={COMPANY_ID}")
}

/// `POST /v1/auth/token` with the documented JSON body answers tests/data/timify/token.json.
async fn mount_token(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .and(body_json(json!({"appid": APP_ID, "appsecret": APP_SECRET})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timify/token.json")))
        .mount(server)
        .await;
}

/// `POST /v1/auth/refreshtoken` with the first refresh token answers a second token pair.
async fn mount_refresh(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/v1/auth/refreshtoken"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"refreshtoken": REFRESH_1})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": ACCESS_2,
            "refreshToken": REFRESH_2,
            "expires": 7200
        })))
        .mount(server)
        .await;
}

/// The companies fixture, with a field no spec knows (it must still decode).
fn companies_body() -> serde_json::Value {
    let mut body = fixture_json("timify/companies.json");
    body["data"][0]["fieldAddedLater"] = json!({"nested": [1, 2]});
    body["somethingNew"] = json!(true);
    body
}

async fn mount_companies(server: &MockServer, access_token: &str) {
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .and(query_param("company_id", COMPANY_ID))
        .and(header("authorization", access_token))
        .respond_with(ResponseTemplate::new(200).set_body_json(companies_body()))
        .mount(server)
        .await;
}

/// The companies list for [`COMPANY_ID`].
fn companies_list(client: &Client) -> timify_client::companies::CompaniesListBuilder<'_> {
    client.companies().list().company_id(COMPANY_ID)
}

fn client_with_clock(server: &MockServer, clock: &ManualClock) -> Client {
    let auth = AppToken::new(server.uri(), APP_ID, APP_SECRET).clock(clock.clone());
    Client::with_auth(server.uri(), auth).unwrap()
}

#[tokio::test]
async fn one_token_serves_several_calls_and_is_sent_bare() {
    let server = MockServer::start().await;
    mount_token(&server).await;
    mount_companies(&server, ACCESS_1).await;
    let client = Client::with_app_credentials(server.uri(), APP_ID, APP_SECRET).unwrap();

    for _ in 0..3 {
        let companies = companies_list(&client).await.unwrap();
        let company = &companies.data.as_ref().unwrap()[0];
        assert_eq!(company.id.as_deref(), Some(COMPANY_ID));
        assert_eq!(company.name.as_deref(), Some("Berlin Office"));
        assert_eq!(
            company.additional_properties["fieldAddedLater"],
            json!({"nested": [1, 2]})
        );
    }

    let seen = seen(&server).await;
    let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
    let companies = companies_line();
    assert_eq!(lines, ["POST /v1/auth/token", &companies, &companies, &companies]);
    assert_eq!(seen[0].authorization, None);
    assert_eq!(
        seen[0].body,
        format!(r#"{{"appid":"{APP_ID}","appsecret":"{APP_SECRET}"}}"#)
    );
    for api_call in &seen[1..] {
        assert_eq!(api_call.authorization.as_deref(), Some(ACCESS_1));
    }
}

#[tokio::test]
async fn an_expired_token_is_renewed_with_the_refresh_token() {
    let server = MockServer::start().await;
    mount_token(&server).await;
    mount_refresh(&server).await;
    mount_companies(&server, ACCESS_1).await;
    mount_companies(&server, ACCESS_2).await;
    let clock = ManualClock::default();
    let client = client_with_clock(&server, &clock);

    companies_list(&client).await.unwrap();
    // Well inside the 7200 s lifetime: the token is reused.
    clock.advance(Duration::from_secs(3600));
    companies_list(&client).await.unwrap();
    // Past it: renewed once with the refresh token, not with the app secret.
    clock.advance(Duration::from_secs(3600));
    companies_list(&client).await.unwrap();
    companies_list(&client).await.unwrap();

    let seen = seen(&server).await;
    let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
    let companies = companies_line();
    assert_eq!(
        lines,
        [
            "POST /v1/auth/token",
            &companies,
            &companies,
            "POST /v1/auth/refreshtoken",
            &companies,
            &companies
        ]
    );
    assert_eq!(seen[3].body, format!(r#"{{"refreshtoken":"{REFRESH_1}"}}"#));
    let auth: Vec<Option<&str>> = seen.iter().map(|s| s.authorization.as_deref()).collect();
    assert_eq!(
        auth,
        [
            None,
            Some(ACCESS_1),
            Some(ACCESS_1),
            None,
            Some(ACCESS_2),
            Some(ACCESS_2)
        ]
    );
}

#[tokio::test]
async fn a_401_mid_session_refreshes_once_and_retries() {
    let server = MockServer::start().await;
    mount_token(&server).await;
    mount_refresh(&server).await;
    // The first token works once, then the server revokes it.
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .and(header("authorization", ACCESS_1))
        .respond_with(ResponseTemplate::new(200).set_body_json(companies_body()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .and(header("authorization", ACCESS_1))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Token is invalid"})))
        .mount(&server)
        .await;
    mount_companies(&server, ACCESS_2).await;
    let clock = ManualClock::default();
    let client = client_with_clock(&server, &clock);

    companies_list(&client).await.unwrap();
    let companies = companies_list(&client).await.unwrap();
    assert_eq!(companies.data.as_ref().unwrap()[0].id.as_deref(), Some(COMPANY_ID));

    let seen = seen(&server).await;
    let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
    let companies = companies_line();
    assert_eq!(
        lines,
        [
            "POST /v1/auth/token",
            &companies,
            &companies,
            "POST /v1/auth/refreshtoken",
            &companies
        ]
    );
    assert_eq!(seen[2].authorization.as_deref(), Some(ACCESS_1));
    assert_eq!(seen[4].authorization.as_deref(), Some(ACCESS_2));
}

#[tokio::test]
async fn an_error_body_surfaces_with_the_vendors_message() {
    let server = MockServer::start().await;
    mount_token(&server).await;
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .and(header("authorization", ACCESS_1))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"status": 0, "message": "Company not found", "code": "NOT_FOUND"})),
        )
        .mount(&server)
        .await;
    let client = Client::with_app_credentials(server.uri(), APP_ID, APP_SECRET).unwrap();

    let error = companies_list(&client).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    let client_runtime::ErrorKind::Api(api) = error.kind() else {
        panic!("expected a typed API error, got {error:?}");
    };
    assert_eq!(api.message.as_deref(), Some("Company not found"));
    assert_eq!(api.body["code"], json!("NOT_FOUND"));
    assert_eq!(
        error.to_string(),
        format!(
            "companiesList (GET /v1/companies on {}): the server answered 404 Not Found: Company not found",
            server.address()
        )
    );
    assert_eq!(seen_lines(&server).await, ["POST /v1/auth/token", &companies_line()]);
}

#[tokio::test]
async fn timeshifts_are_walked_page_by_page_to_the_last_one() {
    let server = MockServer::start().await;
    mount_token(&server).await;
    for page in [1, 2] {
        Mock::given(method("GET"))
            .and(path("/v1/timeshifts"))
            .and(query_param("page", page.to_string()))
            .and(query_param("limit", "2"))
            .and(header("company-id", COMPANY_ID))
            .and(header("authorization", ACCESS_1))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(fixture_json(&format!("timify/timeshifts-page-{page}.json"))),
            )
            .mount(&server)
            .await;
    }
    let client = Client::with_app_credentials(server.uri(), APP_ID, APP_SECRET).unwrap();

    let mut ids = Vec::new();
    let mut page = 1;
    loop {
        let list = client
            .timeshifts()
            .list()
            .company_id(COMPANY_ID)
            .from("2025-03-03")
            .to("2025-03-07")
            .page(page)
            .limit(2)
            .await
            .unwrap()
            .into_inner();
        for shift in list.data.unwrap_or_default() {
            ids.push(shift["id"].as_str().unwrap().to_owned());
        }
        let meta = list.meta.unwrap();
        assert_eq!(meta.page, Some(page));
        if meta.page >= meta.total_pages {
            break;
        }
        page += 1;
    }

    assert_eq!(
        ids,
        [
            "65f4c840b6f1a10012ab34cd",
            "65f4c840b6f1a10012ab34ce",
            "65f4c840b6f1a10012ab34cf"
        ]
    );
    assert_eq!(
        seen_lines(&server).await,
        [
            "POST /v1/auth/token",
            "GET /v1/timeshifts?from=2025-03-03&to=2025-03-07&page=1&limit=2",
            "GET /v1/timeshifts?from=2025-03-03&to=2025-03-07&page=2&limit=2",
        ]
    );
}

#[tokio::test]
async fn the_quickstart_prints_the_company() {
    let binary = quickstart_binary("timify-client");
    let server = MockServer::start().await;
    mount_token(&server).await;
    mount_companies(&server, ACCESS_1).await;
    // Two pages of appointments; the first one listed exists, any other id is answered 404
    // (wiremock's default).
    let appointment = fixture_json("timify/appointment.json")["data"].clone();
    let first = appointment["id"].as_str().unwrap().to_owned();
    for (page, ids) in [(1, vec![first.as_str(), "a2"]), (2, vec!["a3"])] {
        let data: Vec<_> = ids.iter().map(|id| json!({"id": id})).collect();
        Mock::given(method("GET"))
            .and(path("/v1/appointments"))
            .and(query_param("page", page.to_string()))
            .and(header("company-id", COMPANY_ID))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": data, "meta": {"totalPages": 2}})))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(format!("/v1/appointments/{first}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timify/appointment.json")))
        .mount(&server)
        .await;
    let uri = server.uri();

    let outputs = tokio::task::spawn_blocking(move || {
        let env = [
            ("TIMIFY_BASE_URL", uri.as_str()),
            ("TIMIFY_APP_ID", APP_ID),
            ("TIMIFY_APP_SECRET", APP_SECRET),
            ("TIMIFY_COMPANY_ID", COMPANY_ID),
        ];
        let missing = [env.as_slice(), &[("TIMIFY_APPOINTMENT_ID", "nope")]].concat();
        [run_with_env(&binary, &env), run_with_env(&binary, &missing)]
    })
    .await
    .unwrap();

    let title = appointment["title"].as_str().unwrap();
    for (output, shown) in outputs.iter().zip([
        format!("appointment {first}: {title}"),
        "appointment nope: none".to_owned(),
    ]) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "stderr: {stderr}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            format!("company id: {COMPANY_ID}\ncompany name: Berlin Office\nappointments: 3\n{shown}\n")
        );
    }
    let pages = ["GET /v1/appointments?page=1", "GET /v1/appointments?page=2"];
    let mut expected = vec!["POST /v1/auth/token".to_owned(), companies_line()];
    expected.extend(pages.map(str::to_owned));
    expected.push(format!("GET /v1/appointments/{first}"));
    expected.extend(["POST /v1/auth/token".to_owned(), companies_line()]);
    expected.extend(pages.map(str::to_owned));
    expected.push("GET /v1/appointments/nope".to_owned());
    assert_eq!(seen_lines(&server).await, expected);
}

#[tokio::test]
async fn the_quickstart_fails_in_one_line() {
    let binary = quickstart_binary("timify-client");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"message": "Invalid app credentials\nplease check"})),
        )
        .mount(&server)
        .await;
    let uri = server.uri();

    let output = tokio::task::spawn_blocking(move || {
        let bad_secret = run_with_env(
            &binary,
            &[
                ("TIMIFY_BASE_URL", &uri),
                ("TIMIFY_APP_ID", APP_ID),
                ("TIMIFY_APP_SECRET", "wrong"),
                ("TIMIFY_COMPANY_ID", COMPANY_ID),
            ],
        );
        let missing = run_with_env(&binary, &[("TIMIFY_BASE_URL", &uri), ("TIMIFY_APP_ID", APP_ID)]);
        // Port 9 on loopback: nothing listens there.
        let unreachable = run_with_env(
            &binary,
            &[
                ("TIMIFY_BASE_URL", "http://127.0.0.1:9"),
                ("TIMIFY_APP_ID", APP_ID),
                ("TIMIFY_APP_SECRET", APP_SECRET),
                ("TIMIFY_COMPANY_ID", COMPANY_ID),
            ],
        );
        (bad_secret, missing, unreachable)
    })
    .await
    .unwrap();
    let (bad_secret, missing, unreachable) = output;

    assert_one_line_failure(
        &bad_secret,
        &format!("fetching company {COMPANY_ID} failed: companiesList (GET /v1/companies on 127.0.0.1:"),
    );
    assert_one_line_failure(
        &bad_secret,
        "): the credentials were rejected (401 Unauthorized): Invalid app credentials please check",
    );
    assert_one_line_failure(&missing, "missing environment variable TIMIFY_APP_SECRET");
    assert_one_line_failure(&unreachable, "the token endpoint could not be reached");
    assert_eq!(bad_secret.stdout, b"");
    // The bad secret was tried once; the other runs sent nothing to the mock.
    assert_eq!(seen_lines(&server).await, ["POST /v1/auth/token"]);
}

#[tokio::test]
async fn an_appointment_decodes_from_a_captured_production_response() {
    let server = MockServer::start().await;
    mount_token(&server).await;
    Mock::given(method("GET"))
        .and(path("/v1/appointments/6601c20a5cdab7a34f9498dd"))
        .and(header("authorization", ACCESS_1))
        .and(header("company-id", COMPANY_ID))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timify/appointment.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::with_app_credentials(server.uri(), APP_ID, APP_SECRET).unwrap();

    let response = client
        .appointments()
        .get("6601c20a5cdab7a34f9498dd")
        .company_id(COMPANY_ID)
        .await
        .unwrap();
    assert_eq!(response.status, Some(1));
    let appointment = response.content();
    assert_eq!(appointment.id, "6601c20a5cdab7a34f9498dd");
    assert_eq!(appointment.duration, Some(90));
    assert_eq!(appointment.is_course, Some(true));
    assert_eq!(
        appointment.start_date.map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-04-01T07:00:00+00:00")
    );
    let recurring = appointment.recurring.as_ref().expect("recurring");
    assert_eq!(recurring.frequency.as_deref(), Some("WEEKS"));
    assert_eq!(recurring.repeat_times, Some(3));
    let booking = &appointment.bookings.as_ref().expect("bookings")[0];
    assert_eq!(booking.resource_id.as_deref(), Some("65e6d029d9d6e5c324d2cd65"));
    let category = appointment.resources.as_ref().expect("resources")[0]
        .category
        .as_ref()
        .expect("category");
    assert_eq!(category.order_index, Some(3));
}

#[tokio::test]
async fn the_booker_flow_reserves_then_confirms_with_the_handlers_bodies() {
    let server = MockServer::start().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path("/v1/booker-services/reservations"))
        .and(header("authorization", ACCESS_1))
        .and(body_json(json!({
            "service_id": "65e6d1a2d9d6e5c324d2cd90",
            "company_id": COMPANY_ID,
            "resource_ids": ["65e6d029d9d6e5c324d2cd65"],
            "firstName": "Ana",
            "lastName": "García",
            "email": "ana@example.es",
            "phone": "+34600000000",
            "language": "es",
            "startTime": "2024-04-02T10:00:00+02:00",
            "customData": {"notes": "Primera visita"},
            "sendEmailToCustomer": true
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {"id": "66010a5cdab7a34f9498aa01", "secret": "0d5f0e8c-4a51-4c7e-9a59-2f1d2b3c4d5e"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/booker-services/appointments/confirm"))
        .and(body_json(json!({
            "company_id": COMPANY_ID,
            "reservation_id": "66010a5cdab7a34f9498aa01",
            "secret": "0d5f0e8c-4a51-4c7e-9a59-2f1d2b3c4d5e",
            "fields": [
                {"id": "65e6d2b3d9d6e5c324d2cda1", "value": "Ana"},
                {"id": "65e6d2b3d9d6e5c324d2cda4", "value": "{\"number\":\"600000000\",\"country\":\"ES\"}"}
            ]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {}})))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::with_app_credentials(server.uri(), APP_ID, APP_SECRET).unwrap();

    let reservation = client
        .booker()
        .reserve(&BookerReservation {
            service_id: Some("65e6d1a2d9d6e5c324d2cd90".to_owned()),
            company_id: Some(COMPANY_ID.to_owned()),
            resource_ids: Some(vec!["65e6d029d9d6e5c324d2cd65".to_owned()]),
            first_name: Some("Ana".to_owned()),
            last_name: Some("García".to_owned()),
            email: Some("ana@example.es".to_owned()),
            phone: Some("+34600000000".to_owned()),
            language: Some("es".to_owned()),
            start_time: Some("2024-04-02T10:00:00+02:00".to_owned()),
            custom_data: Some(json!({"notes": "Primera visita"}).as_object().cloned().unwrap()),
            send_email_to_customer: Some(true),
            additional_properties: Default::default(),
        })
        .await
        .unwrap()
        .into_content()
        .into_inner();

    let field = |id: &str, value: &str| BookerConfirmationFieldsItem {
        id: id.to_owned(),
        value: json!(value),
        additional_properties: Default::default(),
    };
    client
        .booker()
        .confirm(&BookerConfirmation {
            company_id: COMPANY_ID.to_owned(),
            reservation_id: reservation.id,
            secret: reservation.secret.expect("secret"),
            fields: vec![
                field("65e6d2b3d9d6e5c324d2cda1", "Ana"),
                field("65e6d2b3d9d6e5c324d2cda4", r#"{"number":"600000000","country":"ES"}"#),
            ],
            additional_properties: Default::default(),
        })
        .await
        .unwrap();
}
