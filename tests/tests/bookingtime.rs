//! End-to-end tests of the generated `bookingtime-client` against a mock bookingtime App API
//! and auth server following the documented exchanges: `POST /oauth/token` form
//! `grant_type=client_credentials` → refresh token (30 days), then form
//! `grant_type=refresh_token` + `organization_id` → an organization-scoped access token
//! (5 minutes) sent as `Bearer`; the `{messageList, content}` envelope; `PAGINATION_LIST` pages;
//! `organization/add` with the production plugin's flat body and its MODULE_CONFIG_SHORT answer;
//! the App SDK tests' appointment-template body with its typed enums; a booking template, its
//! slots and an appointment decoded in the shapes of the Module SDK's mocks.

use std::time::Duration;

use bookingtime_client::types::{
    AppointmentInput, AppointmentTemplateInput, AppointmentTemplateType, CustomerInput, FlatOrWrapped,
    FlatOrWrappedWrapped, Gender, InheritanceInput, InheritanceMode, KeyValue, MultiFactorProtection,
    MultiFactorProtectionSetting, OrganizationInput, PersonInput, SelectionDisplay,
};
use bookingtime_client::Client;
use client_runtime::auth::bookingtime::ClientCredentials;
use client_runtime::token::ManualClock;
use serde_json::json;
use wiremock::matchers::{body_json, body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::{assert_one_line_failure, fixture_json, quickstart_binary, run_with_env, seen, seen_lines};

const CLIENT_ID: &str = "23abcdef-client";
const CLIENT_SECRET: &str = "client-secret";
const ORG: &str = "f6123456789101112131415aBCdeFgH";
const REFRESH: &str = "eyJhbGc...refresh";
const ACCESS_1: &str = "eyJhbGc...access";
const ACCESS_2: &str = "access-2";

fn grant_body() -> String {
    format!("grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}")
}

fn exchange_body() -> String {
    format!("grant_type=refresh_token&client_id={CLIENT_ID}&refresh_token={REFRESH}&organization_id={ORG}")
}

/// The auth server: the grant answers token-refresh.json; exchanges answer ACCESS_1 once,
/// then ACCESS_2.
async fn mount_auth(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(grant_body()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/token-refresh.json")))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(exchange_body()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/token-access.json")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(exchange_body()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": ACCESS_2, "token_type": "Bearer", "expires_in": 300})),
        )
        .mount(server)
        .await;
}

fn show_path() -> String {
    format!("/en/organization/{ORG}/show")
}

async fn mount_show(server: &MockServer, token: &str) {
    let mut body = fixture_json("bookingtime/organization-show.json");
    body["content"]["brandNewField"] = json!({"class": "SOMETHING"});
    Mock::given(method("GET"))
        .and(path(show_path()))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

fn client(server: &MockServer, clock: &ManualClock) -> Client {
    let auth = ClientCredentials::new(server.uri(), CLIENT_ID, CLIENT_SECRET).clock(clock.clone());
    Client::with_auth(format!("{}/en", server.uri()), auth).unwrap()
}

#[tokio::test]
async fn one_grant_and_one_exchange_serve_several_calls() {
    let server = MockServer::start().await;
    mount_auth(&server).await;
    mount_show(&server, ACCESS_1).await;
    let client = client(&server, &ManualClock::default());

    for _ in 0..3 {
        let org = client.organization().show(ORG).await.unwrap().into_inner();
        let content = org.content;
        assert_eq!(content.id, ORG);
        assert_eq!(content.name.as_deref(), Some("ACME"));
    }

    let seen = seen(&server).await;
    let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
    let show = format!("GET {}", show_path());
    assert_eq!(lines, ["POST /oauth/token", "POST /oauth/token", &show, &show, &show]);
    assert_eq!(seen[0].body, grant_body());
    assert_eq!(seen[1].body, exchange_body());
    assert_eq!(seen[0].authorization, None);
    assert_eq!(seen[2].authorization.as_deref(), Some(&*format!("Bearer {ACCESS_1}")));
}

#[tokio::test]
async fn an_expired_access_token_is_exchanged_again_without_a_new_grant() {
    let server = MockServer::start().await;
    mount_auth(&server).await;
    mount_show(&server, ACCESS_1).await;
    mount_show(&server, ACCESS_2).await;
    let clock = ManualClock::default();
    let client = client(&server, &clock);

    client.organization().show(ORG).await.unwrap();
    clock.advance(Duration::from_secs(301));
    client.organization().show(ORG).await.unwrap();

    let seen = seen(&server).await;
    let bodies: Vec<&str> = seen.iter().map(|s| s.body.as_str()).collect();
    assert_eq!(bodies, [&*grant_body(), &*exchange_body(), "", &*exchange_body(), ""]);
    assert_eq!(seen[4].authorization.as_deref(), Some(&*format!("Bearer {ACCESS_2}")));
}

#[tokio::test]
async fn a_401_mid_session_exchanges_once_and_retries() {
    let server = MockServer::start().await;
    mount_auth(&server).await;
    Mock::given(method("GET"))
        .and(path(show_path()))
        .and(header("authorization", format!("Bearer {ACCESS_1}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/organization-show.json")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(show_path()))
        .and(header("authorization", format!("Bearer {ACCESS_1}").as_str()))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    mount_show(&server, ACCESS_2).await;
    let client = client(&server, &ManualClock::default());

    client.organization().show(ORG).await.unwrap();
    client.organization().show(ORG).await.unwrap();

    let show = format!("GET {}", show_path());
    assert_eq!(
        seen_lines(&server).await,
        [
            "POST /oauth/token",
            "POST /oauth/token",
            &show,
            &show,
            "POST /oauth/token",
            &show
        ]
    );
}

#[tokio::test]
async fn a_validation_failure_surfaces_the_message_list_text() {
    let server = MockServer::start().await;
    mount_auth(&server).await;
    Mock::given(method("POST"))
        .and(path(format!("/en/organization/{ORG}/customer/add")))
        .and(body_json(json!({"firstName": ""})))
        .respond_with(ResponseTemplate::new(422).set_body_json(fixture_json("bookingtime/error-validation.json")))
        .mount(&server)
        .await;
    let client = client(&server, &ManualClock::default());

    let input = CustomerInput {
        first_name: Some(String::new()),
        ..Default::default()
    };
    let error = client.customer().add(ORG, &input).await.unwrap_err();
    let client_runtime::ErrorKind::Api(api) = error.kind() else {
        panic!("expected a typed API error, got {error:?}");
    };
    assert_eq!(api.status.as_u16(), 422);
    assert_eq!(api.message.as_deref(), Some("This value should not be blank."));
    let messages = api.body.message_list.as_ref().unwrap();
    assert_eq!(messages[0].parameter.as_deref(), Some("firstName"));
}

#[tokio::test]
async fn customers_are_walked_page_by_page_to_the_last_one() {
    let server = MockServer::start().await;
    mount_auth(&server).await;
    for page in [1, 2] {
        Mock::given(method("GET"))
            .and(path(format!("/en/organization/{ORG}/customer/index/{page}")))
            .and(header("authorization", format!("Bearer {ACCESS_1}").as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(fixture_json(&format!("bookingtime/customer-index-page-{page}.json"))),
            )
            .mount(&server)
            .await;
    }
    let client = client(&server, &ManualClock::default());

    let mut names = Vec::new();
    let mut page = 1;
    loop {
        let list = client.customer().index(ORG).page(page).await.unwrap().into_inner();
        let content = list.content;
        for customer in content.record_list.unwrap_or_default() {
            names.push(customer.last_name.unwrap_or_default());
        }
        if content.page_current >= content.page_total {
            break;
        }
        page += 1;
    }

    assert_eq!(names, ["Doe", "Roe", "Mustermann"]);
    assert_eq!(
        seen_lines(&server).await,
        [
            "POST /oauth/token".to_owned(),
            "POST /oauth/token".to_owned(),
            format!("GET /en/organization/{ORG}/customer/index/1"),
            format!("GET /en/organization/{ORG}/customer/index/2"),
        ]
    );
}

fn quickstart_env(uri: &str, secret: &str) -> Vec<(&'static str, String)> {
    vec![
        ("BOOKINGTIME_API_URL", uri.to_owned()),
        ("BOOKINGTIME_AUTH_URL", uri.to_owned()),
        ("BOOKINGTIME_CLIENT_ID", CLIENT_ID.to_owned()),
        ("BOOKINGTIME_CLIENT_SECRET", secret.to_owned()),
        ("BOOKINGTIME_ORGANIZATION_ID", ORG.to_owned()),
    ]
}

#[tokio::test]
async fn the_quickstart_shows_the_organization_counts_customers_and_adds_a_missing_one() {
    let binary = quickstart_binary("bookingtime-client");
    let server = MockServer::start().await;
    mount_auth(&server).await;
    mount_show(&server, ACCESS_1).await;
    mount_quickstart_lookups(&server, ACCESS_1).await;
    Mock::given(method("POST"))
        .and(path(format!("/en/organization/{ORG}/customer/add")))
        .and(header("authorization", format!("Bearer {ACCESS_1}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(
            json!({"customId": "quickstart-john-doe", "firstName": "John", "lastName": "Doe"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(fixture_json("bookingtime/customer-add.json")))
        .mount(&server)
        .await;
    let env = quickstart_env(&server.uri(), CLIENT_SECRET);

    let output = tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run_with_env(&binary, &env)
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
        format!(
            "organization id: {ORG}\norganization name: ACME\ncustomers: 3\ncustomer id: d3123456789101112131415aBCdeFgH\n"
        )
    );
    assert_eq!(
        seen_lines(&server).await,
        [
            "POST /oauth/token".to_owned(),
            "POST /oauth/token".to_owned(),
            format!("GET /en/organization/{ORG}/show"),
            format!("GET /en/organization/{ORG}/customer/index/1"),
            format!("GET /en/organization/{ORG}/customer/index/2"),
            format!("GET /en/organization/{ORG}/customer/quickstart-john-doe/identify"),
            format!("POST /en/organization/{ORG}/customer/add"),
        ]
    );
}

/// What the quickstart reads besides the organization, for requests with `access`: two pages
/// of customers, and a 404 for the customer it looks up by `customId`.
async fn mount_quickstart_lookups(server: &MockServer, access: &str) {
    for page in [1, 2] {
        Mock::given(method("GET"))
            .and(path(format!("/en/organization/{ORG}/customer/index/{page}")))
            .and(header("authorization", format!("Bearer {access}").as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(fixture_json(&format!("bookingtime/customer-index-page-{page}.json"))),
            )
            .mount(server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(format!(
            "/en/organization/{ORG}/customer/quickstart-john-doe/identify"
        )))
        .and(header("authorization", format!("Bearer {access}").as_str()))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "messageList": [{"class": "MESSAGE", "type": "failure", "text": "Customer not found."}],
            "content": []
        })))
        .mount(server)
        .await;
}

#[tokio::test]
async fn the_quickstart_fails_in_one_line_on_bad_credentials() {
    let binary = quickstart_binary("bookingtime-client");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "invalid_client", "error_description": "Client authentication failed"})),
        )
        .mount(&server)
        .await;
    let env = quickstart_env(&server.uri(), "wrong");

    let output = tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run_with_env(&binary, &env)
    })
    .await
    .unwrap();

    // The error names the call (the port of the mock server varies) and then what went wrong.
    assert_one_line_failure(
        &output,
        &format!("showing organization {ORG} failed: organizationShow (GET /organization/{{organizationId}}/show on 127.0.0.1:"),
    );
    assert_one_line_failure(
        &output,
        "): the credentials were rejected (401 Unauthorized): Client authentication failed",
    );
    assert_eq!(seen_lines(&server).await, ["POST /oauth/token"]);
}

/// `organization/add` as the official WordPress plugin sends it in production: flat values, no
/// `{value}` wrappers; the answer lists the module configurations created with it.
#[tokio::test]
async fn an_organization_is_added_with_flat_values_and_its_module_configs_come_back_typed() {
    let server = MockServer::start().await;
    mount_auth(&server).await;
    Mock::given(method("POST"))
        .and(path("/en/organization/add"))
        .and(header("authorization", format!("Bearer {ACCESS_1}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "name": "Praxis Dr. Muster",
            "contractAccountId": "ca123456789101112131415aBCdeFgH",
            "address": {"name": "Praxis Dr. Muster", "street": "Hauptstr. 1", "zip": "10115", "city": "Berlin", "country": "DE"},
            "sector": "01ab",
            "email": "praxis@example.de",
            "settings": {"locale": "de_DE", "timeZone": "Europe/Berlin", "emailReply": "praxis@example.de"},
            "admin": {"gender": "NOT_SPECIFIED", "firstName": "Max", "lastName": "Muster", "email": "max@example.de"},
            "organizationTemplateList": ["DEFAULT_DE"]
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "messageList": [{"class": "MESSAGE", "type": "success", "parameter": null, "text": "Organization successfully added."}],
            "content": {
                "class": "LIST",
                "recordList": [{
                    "class": "MODULE_CONFIG_SHORT",
                    "id": "mc123456789101112131415aBCdeFgH",
                    "moduleId": "mo123456789101112131415aBCdeFgH",
                    "moduleName": "Appointment booking",
                    "organizationId": ORG
                }]
            }
        })))
        .expect(1)
        .mount(&server)
        .await;
    let auth = ClientCredentials::new(server.uri(), CLIENT_ID, CLIENT_SECRET).default_organization(ORG);
    let client = Client::with_auth(format!("{}/en", server.uri()), auth).unwrap();
    let flat = |value: serde_json::Value| Some(FlatOrWrapped::Flat(value));
    let input = OrganizationInput {
        name: Some("Praxis Dr. Muster".to_owned()),
        contract_account_id: Some("ca123456789101112131415aBCdeFgH".to_owned()),
        address: flat(
            json!({"name": "Praxis Dr. Muster", "street": "Hauptstr. 1", "zip": "10115", "city": "Berlin", "country": "DE"}),
        ),
        sector: flat(json!("01ab")),
        email: flat(json!("praxis@example.de")),
        settings: json!({"locale": "de_DE", "timeZone": "Europe/Berlin", "emailReply": "praxis@example.de"})
            .as_object()
            .cloned(),
        admin: Some(PersonInput {
            gender: Some(Gender::NotSpecified),
            first_name: Some("Max".to_owned()),
            last_name: Some("Muster".to_owned()),
            email: Some("max@example.de".to_owned()),
            ..Default::default()
        }),
        organization_template_list: Some(vec!["DEFAULT_DE".to_owned()]),
        ..Default::default()
    };

    let created = client.organization().add(&input).await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let configs = created.into_content().into_inner().record_list.expect("recordList");
    assert_eq!(configs[0].id, "mc123456789101112131415aBCdeFgH");
    assert_eq!(configs[0].class.as_deref(), Some("MODULE_CONFIG_SHORT"));
    assert_eq!(configs[0].organization_id.as_deref(), Some(ORG));

    // The SDK tests' spelling, `{value}`-wrapped, is the other variant.
    let wrapped = FlatOrWrapped::Wrapped(FlatOrWrappedWrapped {
        value: json!("01ab"),
        inheritance: None,
        additional_properties: Default::default(),
    });
    assert_eq!(serde_json::to_value(&wrapped).unwrap(), json!({"value": "01ab"}));
}

fn inherited_off(value: serde_json::Value) -> Option<InheritanceInput> {
    Some(InheritanceInput {
        value: Some(value),
        inheritance: Some(InheritanceMode::Off),
        ..Default::default()
    })
}

fn key_value(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: Some(key.to_owned()),
        value: Some(value.to_owned()),
        ..Default::default()
    }
}

#[tokio::test]
async fn an_appointment_template_is_added_with_the_sdk_tests_body() {
    let server = MockServer::start().await;
    mount_auth(&server).await;
    // appointmentTemplate_add (SIMPLE) of the official App SDK's tests, byte for byte as JSON.
    Mock::given(method("POST"))
        .and(path(format!("/en/organization/{ORG}/appointmentTemplate/add")))
        .and(header("authorization", format!("Bearer {ACCESS_1}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "type": "SIMPLE",
            "name": "Terminvorlage simple",
            "publicName": "Terminvorlage simple",
            "publicNameI18nList": [{"key": "en", "value": "AppointmentTemplate simple"}],
            "description": "Terminvorlage simple",
            "descriptionI18nList": [],
            "duration": 60,
            "externalCalendarContentCustomer": {"value": "[ORGANIZATION]", "inheritance": "OFF"},
            "externalCalendarContentCustomerI18nList": {
                "value": [{"key": "en", "value": "[ORGANIZATION]"}],
                "inheritance": "OFF"
            },
            "moduleMultiFactorProtection": {"value": "OFF", "inheritance": "OFF"},
            "customerAddressRequired": {"value": false, "inheritance": "OFF"},
            "customerEmailRequired": {"value": false, "inheritance": "OFF"},
            "customerMobileRequired": {"value": false, "inheritance": "OFF"}
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "messageList": [],
            "content": {
                "class": "APPOINTMENT_TEMPLATE",
                "id": "ea123456789101112131415aBCdeFgH",
                "name": "Terminvorlage simple"
            }
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, &ManualClock::default());

    let input = AppointmentTemplateInput {
        type_: Some(AppointmentTemplateType::Simple),
        name: Some("Terminvorlage simple".to_owned()),
        public_name: Some("Terminvorlage simple".to_owned()),
        public_name_i18n_list: Some(vec![key_value("en", "AppointmentTemplate simple")]),
        description: Some("Terminvorlage simple".to_owned()),
        description_i18n_list: Some(vec![]),
        duration: Some(60),
        external_calendar_content_customer: inherited_off(json!("[ORGANIZATION]")),
        external_calendar_content_customer_i18n_list: inherited_off(json!([{"key": "en", "value": "[ORGANIZATION]"}])),
        module_multi_factor_protection: Some(MultiFactorProtectionSetting {
            value: Some(MultiFactorProtection::Off),
            inheritance: Some(InheritanceMode::Off),
            ..Default::default()
        }),
        customer_address_required: inherited_off(json!(false)),
        customer_email_required: inherited_off(json!(false)),
        customer_mobile_required: inherited_off(json!(false)),
        ..Default::default()
    };
    let created = client.appointment_template().add(ORG, &input).await.unwrap();

    assert_eq!(created.status().as_u16(), 201);
    let template = created.into_content().into_inner();
    assert_eq!(template.id.as_deref(), Some("ea123456789101112131415aBCdeFgH"));
    assert_eq!(template.name.as_deref(), Some("Terminvorlage simple"));
}

/// A booking resource as the official Module SDK's mocks show it.
fn booking_resource_mock() -> serde_json::Value {
    json!({
        "class": "BOOKING_RESOURCE",
        "id": "br123456789101112131415aBCdeFgH",
        "customId": "emp-7",
        "type": "EMPLOYEE",
        "name": "Erika Mustermann",
        "nameI18nList": [],
        "gender": "FEMALE",
        "title": null,
        "firstName": "Erika",
        "lastName": "Mustermann",
        "description": null,
        "descriptionI18nList": [],
        "image": null,
        "additionalData": null
    })
}

#[tokio::test]
async fn a_slot_is_found_through_the_booking_template_and_booked() {
    let server = MockServer::start().await;
    mount_auth(&server).await;
    let template_id = "fc123456789101112131415aBCdeFgH";
    let slot_id = "4f123456789101112131415aBCdeFgH";
    let customer_id = "d3123456789101112131415aBCdeFgH";
    let bearer = format!("Bearer {ACCESS_1}");
    // Shapes of the Module SDK's BookingTemplateRoute, BookingSlotRoute and AppointmentRoute mocks.
    Mock::given(method("GET"))
        .and(path(format!(
            "/en/organization/{ORG}/bookingTemplate/{template_id}/show"
        )))
        .and(header("authorization", bearer.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messageList": [],
            "content": {
                "class": "BOOKING_TEMPLATE",
                "id": template_id,
                "customId": null,
                "name": "Beratung",
                "nameI18nList": [],
                "image": null,
                "duration": 120,
                "showPrice": true,
                "priceGross": 49.5,
                "currency": "EUR",
                "taxRate": 19,
                "description": "Erstberatung",
                "descriptionI18nList": [],
                "appointmentAddressRequired": false,
                "customerAddressRequired": false,
                "customerEmailRequired": true,
                "customerMobileRequired": false,
                "bookingDayEarliest": 0,
                "bookingDayLatest": 14,
                "bookingLeadTime": 120,
                "address": null,
                "bookingStepList": [{
                    "class": "BOOKING_STEP",
                    "name": "Mitarbeiter",
                    "nameI18nList": [],
                    "description": null,
                    "descriptionI18nList": [],
                    "selectionQuantity": 1,
                    "selectionDisplay": "BOTH",
                    "bookingResourceList": [booking_resource_mock()],
                    "additionalData": null
                }],
                "emailTemplateList": [],
                "smsTemplateList": [],
                "additionalData": null
            }
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/en/organization/{ORG}/bookingTemplate/{template_id}/bookingSlot/year/2026/month/12/day/3/listDay"
        )))
        .and(header("authorization", bearer.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messageList": [],
            "content": {
                "class": "RANGE_LIST",
                "rangeStart": "2026-12-03T00:00:00+01:00",
                "rangeEnd": "2026-12-03T23:59:59+01:00",
                "timeZone": "Europe/Berlin",
                "list": [{
                    "class": "BOOKING_SLOT",
                    "id": slot_id,
                    "timestamp": "2026-12-03T09:00:00+01:00",
                    "bookingResourceCombination": ["br123456789101112131415aBCdeFgH"]
                }]
            }
        })))
        .mount(&server)
        .await;
    // appointment_add of the App SDK's tests: the slot and the customer, nothing else.
    Mock::given(method("POST"))
        .and(path(format!("/en/organization/{ORG}/appointment/add")))
        .and(header("authorization", bearer.as_str()))
        .and(body_json(json!({"bookingSlotId": slot_id, "customerId": customer_id})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "messageList": [{
                "class": "MESSAGE", "type": "success", "parameter": null, "text": "Appointment successfully booked."
            }],
            "content": {
                "class": "APPOINTMENT",
                "id": "ap123456789101112131415aBCdeFgH",
                "customId": null,
                "start": "2026-12-03T09:00:00+01:00",
                "end": "2026-12-03T11:00:00+01:00",
                "duration": 120,
                "timeZone": "Europe/Berlin",
                "protected": false,
                "name": "Beratung",
                "nameI18nList": [],
                "description": "Erstberatung",
                "descriptionI18nList": {"en": "First consultation"},
                "showPrice": true,
                "priceGross": 49.5,
                "taxRate": 19,
                "currency": "EUR",
                "customer": {"class": "CUSTOMER", "id": customer_id},
                "address": {"name": "ACME", "extra": "", "street": "Musterstraße 1", "zip": "12345",
                            "city": "Bonn", "country": "DE", "latitude": null, "longitude": null},
                "canceled": false,
                "moved": false,
                "bookingResourceList": [booking_resource_mock()],
                "fileList": [],
                "organizationId": ORG
            }
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, &ManualClock::default());

    let template = client
        .booking_template()
        .show(ORG, template_id)
        .await
        .unwrap()
        .into_content()
        .into_inner();
    assert_eq!(template.duration, Some(120));
    assert_eq!(template.booking_lead_time, Some(120));
    let steps = template.booking_step_list.expect("bookingStepList");
    assert_eq!(steps[0].selection_quantity, Some(1));
    assert_eq!(steps[0].selection_display, Some(SelectionDisplay::Both));
    let resources = steps[0].booking_resource_list.as_ref().expect("bookingResourceList");
    assert_eq!(resources[0].id, "br123456789101112131415aBCdeFgH");

    let day = client
        .booking_slot()
        .list_day(ORG, template_id)
        .year(2026)
        .month(12)
        .day(3)
        .await
        .unwrap()
        .into_content()
        .into_inner();
    let slots = day.list.expect("list");
    assert_eq!(slots[0].id, slot_id);
    assert_eq!(
        slots[0].timestamp.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-12-03T09:00:00+01:00")
    );
    assert_eq!(
        slots[0].booking_resource_combination.as_deref(),
        Some(&["br123456789101112131415aBCdeFgH".to_owned()][..])
    );

    let input = AppointmentInput {
        booking_slot_id: Some(slots[0].id.clone()),
        customer_id: Some(customer_id.to_owned()),
        ..Default::default()
    };
    let booked = client.appointment().add(ORG, &input).await.unwrap();
    assert_eq!(booked.status().as_u16(), 201);
    let envelope = booked.into_inner();
    let messages = envelope.message_list.as_ref().expect("messageList");
    assert_eq!(messages[0].text.as_deref(), Some("Appointment successfully booked."));
    let appointment = envelope.content;
    assert_eq!(appointment.class, "APPOINTMENT");
    assert_eq!(appointment.id, "ap123456789101112131415aBCdeFgH");
    assert_eq!(appointment.duration, Some(120));
    assert_eq!(appointment.canceled, Some(false));
    assert_eq!(appointment.price_gross, Some(49.5));
    assert_eq!(appointment.booking_resource_list.as_ref().map(Vec::len), Some(1));
    assert_eq!(appointment.organization_id.as_deref(), Some(ORG));
}
