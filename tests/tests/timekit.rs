//! End-to-end tests of the generated `timekit-client` against a mock Timekit API following
//! the documented exchanges: the app key as Basic `:key`; the app token bootstrapped once from
//! `GET /app?include=app_token` with Basic `email:personal_key` and `Timekit-App: <slug>`; the
//! `{error}` envelope; Laravel-style pages (`current_page`, `last_page`); the typed bodies of
//! FINDINGS-2 (booking create with the widget's body and its colon-less timestamps, booking
//! actions, webhook routes, 422 field errors, 404 with `model`, an availability query).

use std::time::Duration;

use client_runtime::auth::timekit::AppTokenBootstrap;
use client_runtime::token::ManualClock;
use serde_json::json;
use timekit_client::types::{
    BookingAction, BookingActionInput, BookingActionInputPay, BookingCreate, BookingCustomerInput, BookingGraph,
    BookingState, WebhookSubscriptionCreate,
};
use timekit_client::{Client, Envelope};
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::{assert_one_line_failure, fixture_json, quickstart_binary, run_with_env, seen, seen_lines};

const EMAIL: &str = "doc.brown@timekit.io";
const PERSONAL_KEY: &str = "nvHfRSlhvsnlg4rS7Wt28Ty47qdgegwSu3YK7hPW";
const APP: &str = "back-to-the-future";
/// The first booking of tests/data/timekit/bookings-page-1.json.
const FIRST_BOOKING: &str = "58190fc6-1ec0-4ebb-b627-7ce6aa9fc703";
/// The server token of tests/data/timekit/app-with-token.json.
const APP_TOKEN: &str = "live_api_key_7nzvc7wsBQQISLeFSVhROys9V1bUJ1z7";

fn basic(user: &str, password: &str) -> String {
    // Base64 without a dependency: the runtime's encoding is what is under test, so compute
    // the expected value independently.
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

async fn mount_bootstrap(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/app"))
        .and(query_param("include", "app_token"))
        .and(header("authorization", basic(EMAIL, PERSONAL_KEY).as_str()))
        .and(header("timekit-app", APP))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timekit/app-with-token.json")))
        .mount(server)
        .await;
}

async fn mount_pages(server: &MockServer, key: &str) {
    for page in [1, 2] {
        Mock::given(method("GET"))
            .and(path("/bookings"))
            .and(query_param("page", page.to_string()))
            .and(header("authorization", basic("", key).as_str()))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(fixture_json(&format!("timekit/bookings-page-{page}.json"))),
            )
            .mount(server)
            .await;
    }
}

/// The first page of the bookings list.
fn first_page(client: &Client) -> timekit_client::bookings::BookingsListBuilder<'_> {
    client.bookings().list().page(1)
}

#[tokio::test]
async fn the_app_token_is_fetched_once_and_survives_the_clock() {
    let server = MockServer::start().await;
    mount_bootstrap(&server).await;
    mount_pages(&server, APP_TOKEN).await;
    let clock = ManualClock::default();
    let auth = AppTokenBootstrap::new(server.uri(), EMAIL, PERSONAL_KEY, APP).clock(clock.clone());
    let client = Client::with_auth(server.uri(), auth).unwrap();

    first_page(&client).await.unwrap();
    // App tokens do not expire: a year later the same token is still used.
    clock.advance(Duration::from_secs(365 * 24 * 3600));
    first_page(&client).await.unwrap();

    let seen = seen(&server).await;
    let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "GET /app?include=app_token",
            "GET /bookings?page=1",
            "GET /bookings?page=1"
        ]
    );
    assert_eq!(seen[1].authorization, Some(basic("", APP_TOKEN)));
}

#[tokio::test]
async fn a_401_mid_session_fetches_the_app_token_again_once() {
    let server = MockServer::start().await;
    mount_bootstrap(&server).await;
    Mock::given(method("GET"))
        .and(path("/bookings"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timekit/bookings-page-1.json")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/bookings"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Unauthorized"})))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    mount_pages(&server, APP_TOKEN).await;
    let client = Client::with_personal_credentials(server.uri(), EMAIL, PERSONAL_KEY, APP).unwrap();

    first_page(&client).await.unwrap();
    first_page(&client).await.unwrap();

    assert_eq!(
        seen_lines(&server).await,
        [
            "GET /app?include=app_token",
            "GET /bookings?page=1",
            "GET /bookings?page=1",
            "GET /app?include=app_token",
            "GET /bookings?page=1"
        ]
    );
}

#[tokio::test]
async fn an_error_body_surfaces_with_the_vendors_message() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/bookings"))
        .and(header("authorization", basic("", "test_key").as_str()))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({"error": "Too many requests"})))
        .mount(&server)
        .await;
    let client = Client::with_app_key(server.uri(), "test_key").unwrap();

    let error = first_page(&client).await.unwrap_err();
    let client_runtime::ErrorKind::Api(api) = error.kind() else {
        panic!("expected a typed API error, got {error:?}");
    };
    assert_eq!(api.status.as_u16(), 429);
    assert_eq!(api.message.as_deref(), Some("Too many requests"));
    assert_eq!(api.body.error.as_deref(), Some("Too many requests"));
}

#[tokio::test]
async fn bookings_are_walked_page_by_page_to_the_last_one() {
    let server = MockServer::start().await;
    mount_pages(&server, "test_key").await;
    let client = Client::with_app_key(server.uri(), "test_key").unwrap();

    let mut states = Vec::new();
    let mut page = 1;
    loop {
        let list = client.bookings().list().page(page).await.unwrap().into_inner();
        states.extend(
            list.data
                .unwrap_or_default()
                .into_iter()
                .map(|b| b.state.as_str().to_owned()),
        );
        if list.current_page >= list.last_page {
            break;
        }
        page += 1;
    }

    assert_eq!(states, ["tentative", "confirmed", "cancelled"]);
    assert_eq!(
        seen_lines(&server).await,
        ["GET /bookings?page=1", "GET /bookings?page=2"]
    );
}

#[tokio::test]
async fn the_quickstart_lists_bookings_with_a_key_or_bootstrapped_credentials() {
    let binary = quickstart_binary("timekit-client");
    let server = MockServer::start().await;
    mount_bootstrap(&server).await;
    mount_pages(&server, APP_TOKEN).await;
    // The stream starts without a page number and follows `next_page_url` on this server.
    let mut first = fixture_json("timekit/bookings-page-1.json");
    first["next_page_url"] = json!(format!("{}/bookings?page=2", server.uri()));
    Mock::given(method("GET"))
        .and(path("/bookings"))
        .and(query_param_is_missing("page"))
        .respond_with(ResponseTemplate::new(200).set_body_json(first))
        .mount(&server)
        .await;
    // The first listed booking exists; any other id is answered 404 (wiremock's default).
    Mock::given(method("GET"))
        .and(path(format!("/bookings/{FIRST_BOOKING}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timekit/booking-created.json")))
        .mount(&server)
        .await;
    let uri = server.uri();

    let (with_key, bootstrapped) = tokio::task::spawn_blocking(move || {
        let with_key = run_with_env(&binary, &[("TIMEKIT_BASE_URL", &uri), ("TIMEKIT_API_KEY", APP_TOKEN)]);
        let bootstrapped = run_with_env(
            &binary,
            &[
                ("TIMEKIT_BASE_URL", &uri),
                ("TIMEKIT_EMAIL", EMAIL),
                ("TIMEKIT_PERSONAL_KEY", PERSONAL_KEY),
                ("TIMEKIT_APP", APP),
                ("TIMEKIT_BOOKING_ID", "nope"),
            ],
        );
        (with_key, bootstrapped)
    })
    .await
    .unwrap();

    for (output, shown) in [
        (&with_key, format!("booking {FIRST_BOOKING}: tentative")),
        (&bootstrapped, "booking nope: none".to_owned()),
    ] {
        assert!(
            output.status.success(),
            "stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            format!("bookings on page 1: 2\ntotal bookings: 3\nbookings in all pages: 3\n{shown}\n")
        );
    }
    assert_eq!(
        seen_lines(&server).await,
        [
            "GET /bookings?page=1",
            "GET /bookings",
            "GET /bookings?page=2",
            &format!("GET /bookings/{FIRST_BOOKING}"),
            "GET /app?include=app_token",
            "GET /bookings?page=1",
            "GET /bookings",
            "GET /bookings?page=2",
            "GET /bookings/nope",
        ]
    );
}

#[tokio::test]
async fn the_quickstart_fails_in_one_line() {
    let binary = quickstart_binary("timekit-client");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/bookings"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Invalid API key"})))
        .mount(&server)
        .await;
    let uri = server.uri();

    let (bad_key, missing) = tokio::task::spawn_blocking(move || {
        (
            run_with_env(&binary, &[("TIMEKIT_BASE_URL", &uri), ("TIMEKIT_API_KEY", "wrong")]),
            run_with_env(&binary, &[("TIMEKIT_BASE_URL", &uri), ("TIMEKIT_EMAIL", EMAIL)]),
        )
    })
    .await
    .unwrap();

    assert_one_line_failure(&bad_key, "listing bookings failed:");
    assert_one_line_failure(&bad_key, "Invalid API key");
    assert_one_line_failure(
        &missing,
        "missing environment variable TIMEKIT_PERSONAL_KEY (or set TIMEKIT_API_KEY)",
    );
    assert_eq!(seen_lines(&server).await, ["GET /bookings?page=1"]);
}

/// The booking body of the official widget (booking-js `pages/booking.js`) with the fields
/// MindCloud's reference marks required.
fn haircut_booking() -> BookingCreate {
    BookingCreate {
        resource_id: "d187d6e0-d6cb-409a-ae60-45a8fd0ec879".to_owned(),
        graph: BookingGraph::ConfirmDecline,
        // chrono writes a zero offset as `Z`; a local offset shows the wire form unchanged.
        start: "2015-03-01T09:00:00+01:00".parse().unwrap(),
        end: "2015-03-01T14:00:00+01:00".parse().unwrap(),
        what: Some("Mens haircut".to_owned()),
        where_: Some("Sesame St, Middleburg, FL 32068, USA".to_owned()),
        description: Some("Please arrive 10 minutes before you time begin".to_owned()),
        customer: BookingCustomerInput {
            name: "Marty McFly".to_owned(),
            email: "marty.mcfly@timekit.io".to_owned(),
            phone: Some("1-591-001-5403".to_owned()),
            voip: Some("McFly".to_owned()),
            timezone: Some("America/Los_Angeles".to_owned()),
            first_name: None,
            last_name: None,
            where_: None,
            comment: None,
            additional_properties: Default::default(),
        },
        calendar_id: None,
        project_id: None,
        reservation_id: None,
        meta: None,
        settings: None,
        participants: None,
        invite: None,
        my_rsvp: None,
        related: None,
        action: None,
        additional_properties: Default::default(),
    }
}

#[tokio::test]
async fn a_booking_is_created_with_the_widgets_body_and_colon_less_timestamps_decode() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/bookings"))
        .and(query_param("include", "attributes,event,user"))
        .and(header("authorization", basic("", "test_key").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "resource_id": "d187d6e0-d6cb-409a-ae60-45a8fd0ec879",
            "graph": "confirm_decline",
            "start": "2015-03-01T09:00:00+01:00",
            "end": "2015-03-01T14:00:00+01:00",
            "what": "Mens haircut",
            "where": "Sesame St, Middleburg, FL 32068, USA",
            "description": "Please arrive 10 minutes before you time begin",
            "customer": {
                "name": "Marty McFly",
                "email": "marty.mcfly@timekit.io",
                "phone": "1-591-001-5403",
                "voip": "McFly",
                "timezone": "America/Los_Angeles"
            }
        })))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("timekit-request-id", "2c1c5f0e-8d0a-4a43-9d0b-1f1b4e0f6a11")
                .insert_header("x-ratelimit-remaining", "806")
                .set_body_json(fixture_json("timekit/booking-created.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::with_app_key(server.uri(), "test_key").unwrap();

    let response = client
        .bookings()
        .create(&haircut_booking())
        .include("attributes,event,user")
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(
        response.headers()["timekit-request-id"],
        "2c1c5f0e-8d0a-4a43-9d0b-1f1b4e0f6a11"
    );

    // The envelope is kept (`response.data`) and can be dropped for the record.
    let booking = response.into_content().into_inner();
    assert_eq!(booking.id, "58190fc6-1ec0-4ebb-b627-7ce6aa9fc703");
    assert_eq!(booking.state, BookingState::Tentative);
    assert_eq!(booking.graph, BookingGraph::ConfirmDecline);
    assert_eq!(
        booking.possible_actions,
        Some(vec![BookingAction::Decline, BookingAction::Confirm])
    );
    // `2016-02-11T11:58:45+0100`: no colon in the offset, as Timekit sends it.
    let created = booking.created_at.expect("created_at");
    assert_eq!(created.offset().local_minus_utc(), 3600);
    assert_eq!(created.to_rfc3339(), "2016-02-11T11:58:45+01:00");
    let event = booking.attributes.and_then(|a| a.event_info).expect("event_info");
    assert_eq!(
        event.start.map(|s| s.to_rfc3339()).as_deref(),
        Some("2015-03-01T08:00:00+00:00")
    );
    let calendar = booking.calendar.expect("calendar");
    assert_eq!(calendar.updated_at.map(|t| t.timestamp()), Some(1_455_538_902));
    assert_eq!(booking.customers.expect("customers")[0].voip.as_deref(), Some("McFly"));
}

#[tokio::test]
async fn validation_errors_arrive_typed_per_field() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/bookings"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "errors": {"event": ["calendar id must be a valid UUID"]},
            "action": "save_booking_data"
        })))
        .mount(&server)
        .await;
    let client = Client::with_app_key(server.uri(), "test_key").unwrap();

    let error = client.bookings().create(&haircut_booking()).await.unwrap_err();
    let client_runtime::ErrorKind::Api(api) = error.kind() else {
        panic!("expected a typed API error, got {error:?}");
    };
    assert_eq!(api.status.as_u16(), 422);
    let errors = api.body.errors.as_ref().expect("field errors");
    assert_eq!(errors["event"], vec!["calendar id must be a valid UUID".to_owned()]);
    assert_eq!(api.body.action.as_deref(), Some("save_booking_data"));
}

#[tokio::test]
async fn a_missing_record_names_its_model() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/projects/embed/54321"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"error": "Resource does not exist", "model": "Widget"})),
        )
        .mount(&server)
        .await;
    let client = Client::with_app_key(server.uri(), "test_key").unwrap();

    let error = client.projects().get_embed("54321").await.unwrap_err();
    let client_runtime::ErrorKind::Api(api) = error.kind() else {
        panic!("expected a typed API error, got {error:?}");
    };
    assert_eq!(api.status.as_u16(), 404);
    assert_eq!(api.message.as_deref(), Some("Resource does not exist"));
    assert_eq!(api.body.model.as_deref(), Some("Widget"));
}

#[tokio::test]
async fn a_paid_action_sends_its_input_keyed_by_the_action() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/bookings/58190fc6-1ec0-4ebb-b627-7ce6aa9fc703/pay"))
        .and(body_json(json!({"pay": {"payment_id": "ch_1A2b3C"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {"id": "58190fc6-1ec0-4ebb-b627-7ce6aa9fc703", "graph": "instant_payment", "state": "paid",
                     "completed": false}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::with_app_key(server.uri(), "test_key").unwrap();
    let input: BookingActionInput = serde_json::from_value(json!({})).unwrap();
    let input = BookingActionInput {
        pay: Some(BookingActionInputPay {
            payment_id: Some("ch_1A2b3C".to_owned()),
            additional_properties: Default::default(),
        }),
        ..input
    };

    let booking = client
        .bookings()
        .update("58190fc6-1ec0-4ebb-b627-7ce6aa9fc703", &BookingAction::Pay)
        .body(&input)
        .await
        .unwrap();
    assert_eq!(booking.content().state, BookingState::Paid);
}

#[tokio::test]
async fn webhooks_are_created_and_deleted_as_pipedream_does() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/webhooks"))
        .and(header("authorization", basic("", "test_key").as_str()))
        .and(body_json(json!({
            "url": "https://hooks.example/timekit",
            "graph": "confirm_decline",
            "state": "confirmed",
            "method": "post"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "data": [],
            "meta": {"message": "Webhook created with id 6b9f4a30-1d54-4b41-9a35-2a1f6d0e3c77"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/webhooks/6b9f4a30-1d54-4b41-9a35-2a1f6d0e3c77"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::with_app_key(server.uri(), "test_key").unwrap();

    let created = client
        .webhooks()
        .create(&WebhookSubscriptionCreate {
            url: "https://hooks.example/timekit".to_owned(),
            graph: BookingGraph::ConfirmDecline,
            state: BookingState::Confirmed,
            method: Some("post".to_owned()),
            additional_properties: Default::default(),
        })
        .await
        .unwrap();
    let message = created
        .meta
        .as_ref()
        .and_then(|m| m.message.clone())
        .expect("meta.message");
    let id = message.rsplit(' ').next().expect("an id at the end");

    let deleted = client.webhooks().delete(id).await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
}

#[tokio::test]
async fn availability_is_queried_with_the_typed_body_and_slots_decode_with_either_offset_form() {
    use timekit_client::types::{AvailabilityQuery, AvailabilityQueryMode, SlotResource};

    let server = MockServer::start().await;
    // The fields FINDINGS-2 lists for `POST /availability` (mode required; relative times).
    Mock::given(method("POST"))
        .and(path("/availability"))
        .and(header("authorization", basic("", "test_key").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "mode": "roundrobin_random",
            "resources": ["d187d6e0-d6cb-409a-ae60-45a8fd0ec879", "0a5a2c4c-6c51-4b8f-9d8b-3d0b1f1b4e0f"],
            "from": "3 days",
            "to": "4 weeks",
            "length": "30 minutes",
            "output_timezone": "Europe/Copenhagen"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                {
                    "start": "2016-02-15T10:00:00+0100",
                    "end": "2016-02-15T10:30:00+01:00",
                    "resources": [{"id": "d187d6e0-d6cb-409a-ae60-45a8fd0ec879", "name": "Doc Brown", "timezone": "Europe/Copenhagen"}]
                },
                {
                    "start": "2016-02-15T11:00:00+01:00",
                    "end": "2016-02-15T11:30:00+01:00",
                    "resources": ["0a5a2c4c-6c51-4b8f-9d8b-3d0b1f1b4e0f"]
                }
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::with_app_key(server.uri(), "test_key").unwrap();

    let query = AvailabilityQuery {
        mode: AvailabilityQueryMode::RoundrobinRandom,
        resources: Some(vec![
            "d187d6e0-d6cb-409a-ae60-45a8fd0ec879".to_owned(),
            "0a5a2c4c-6c51-4b8f-9d8b-3d0b1f1b4e0f".to_owned(),
        ]),
        from: Some("3 days".to_owned()),
        to: Some("4 weeks".to_owned()),
        length: Some("30 minutes".to_owned()),
        project_id: None,
        buffer: None,
        timeslot_increments: None,
        constraints: None,
        output_timezone: Some("Europe/Copenhagen".to_owned()),
        round_to_nearest_hour: None,
        additional_properties: Default::default(),
    };
    let slots = client
        .availability()
        .fetch(&query)
        .await
        .unwrap()
        .into_inner()
        .into_content();

    assert_eq!(slots.len(), 2);
    // `+0100` (as Timekit sends it) and `+01:00` decode to the same instant form.
    assert_eq!(slots[0].start.into_inner().to_rfc3339(), "2016-02-15T10:00:00+01:00");
    assert_eq!(slots[0].end.into_inner().to_rfc3339(), "2016-02-15T10:30:00+01:00");
    match &slots[0].resources.as_deref().expect("resources")[0] {
        SlotResource::Object(resource) => assert_eq!(resource.name.as_deref(), Some("Doc Brown")),
        other => panic!("expected a resource object, got {other:?}"),
    }
    match &slots[1].resources.as_deref().expect("resources")[0] {
        SlotResource::String(id) => assert_eq!(id, "0a5a2c4c-6c51-4b8f-9d8b-3d0b1f1b4e0f"),
        other => panic!("expected a resource id, got {other:?}"),
    }
}

#[tokio::test]
async fn bookings_are_created_in_bulk_with_the_per_booking_flags() {
    use timekit_client::types::BookingBulkItem;

    let server = MockServer::start().await;
    // FINDINGS-2: an array of booking bodies, each with its own bulk flags.
    let wire = json!([
        {
            "resource_id": "d187d6e0-d6cb-409a-ae60-45a8fd0ec879",
            "graph": "instant",
            "start": "2015-03-01T09:00:00+01:00",
            "end": "2015-03-01T10:00:00+01:00",
            "what": "Mens haircut",
            "customer": {"name": "Marty McFly", "email": "marty.mcfly@timekit.io"},
            "delete_all_on_error": true,
            "stop_on_first_error": true,
            "relate_bookings": true,
            "webhooks": {"booking_created": {"enabled": false}}
        },
        {
            "resource_id": "d187d6e0-d6cb-409a-ae60-45a8fd0ec879",
            "graph": "instant",
            "start": "2015-03-08T09:00:00+01:00",
            "end": "2015-03-08T10:00:00+01:00",
            "customer": {"name": "Marty McFly", "email": "marty.mcfly@timekit.io"},
            "relate_bookings": true
        }
    ]);
    Mock::given(method("POST"))
        .and(path("/bookings/bulk"))
        .and(query_param("include", "bulked_bookings"))
        .and(header("authorization", basic("", "test_key").as_str()))
        .and(body_json(&wire))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"data": [{"id": "b1"}, {"id": "b2"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::with_app_key(server.uri(), "test_key").unwrap();

    let bookings: Vec<BookingBulkItem> = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(bookings[0].delete_all_on_error, Some(true));
    assert_eq!(bookings[1].stop_on_first_error, None);
    let response = client
        .bookings()
        .create_bulk(&bookings)
        .include("bulked_bookings")
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.into_inner().data, Some(json!([{"id": "b1"}, {"id": "b2"}])));
}
