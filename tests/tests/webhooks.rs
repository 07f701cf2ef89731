//! Webhook deliveries end to end: verify with the runtime's verifiers, then parse with the
//! generated `WebhookEvent`s. The Timekit delivery in tests/data is shaped after
//! developers.timekit.io's webhook docs (booking fields, a colon-less offset, customer `meta`
//! as a JSON string); its signature was computed independently (Python's `hmac`).

use client_runtime::reexports::http::{HeaderMap, HeaderName, HeaderValue};
use client_runtime::webhook::{EventError, HmacSha256Hex, SharedSecretHeader, Verifier, VerifyError};
use workspace_tests::fixture;

const TIMEKIT_SECRET: &str = "wh-secret-3f9a1c";
/// `hmac.new(b"wh-secret-3f9a1c", body, hashlib.sha256).hexdigest()` of the fixture's bytes.
const TIMEKIT_SIGNATURE: &str = "8b544e8f4a494ae568addc8805a4218968a76cbe613b38673e890177265408dc";

fn timekit_delivery() -> (HeaderMap, Vec<u8>) {
    let mut headers = HeaderMap::new();
    headers.insert("x-timekit-signature", HeaderValue::from_static(TIMEKIT_SIGNATURE));
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    (headers, fixture("timekit/webhook-instant-confirmed.json").into_bytes())
}

#[test]
fn a_correctly_signed_timekit_delivery_parses_into_its_typed_event() {
    use timekit_client::types::{InstantBookingWebhookGraph, InstantBookingWebhookState};
    use timekit_client::webhook_events::WebhookEvent;

    let (headers, body) = timekit_delivery();
    HmacSha256Hex::timekit(TIMEKIT_SECRET)
        .verify(&headers, &body)
        .expect("the delivery is signed with the app's secret");

    let event = WebhookEvent::from_body(&body).expect("the body names its graph");
    assert_eq!(event.event(), "instantBooking");
    let WebhookEvent::InstantBooking(booking) = event else {
        panic!("expected an instant booking, got {event:?}");
    };
    assert_eq!(booking.id, "58190fc6-1ec0-4ebb-b627-7ce6aa9fc703");
    assert_eq!(booking.graph, InstantBookingWebhookGraph::Instant);
    assert_eq!(booking.state, InstantBookingWebhookState::Confirmed);
    assert!(!booking.completed);
    // `2016-11-24T13:34:54+0100`: the offset without a colon decodes.
    let created = booking.created_at.expect("created_at is sent").into_inner();
    assert_eq!(created.to_rfc3339(), "2016-11-24T13:34:54+01:00");
    let event = booking.event.expect("the event is included");
    assert_eq!(event.all_day, Some(false));
    assert_eq!(
        event.start.expect("start").into_inner().to_rfc3339(),
        "2016-12-01T10:00:00+01:00"
    );
    // Customer `meta` arrives as a JSON text, kept as such.
    let customers = booking.customers.expect("customers are included");
    assert_eq!(customers[0].meta.as_deref(), Some("{}"));
    assert_eq!(customers[0].email.as_deref(), Some("marty.mcfly@timekit.io"));
    assert_eq!(
        booking.available_actions.as_deref(),
        Some(
            &[
                "cancel".to_owned(),
                "complete".to_owned(),
                "reschedule_by_customer".to_owned()
            ][..]
        )
    );

    // Routing by the URL the webhook was registered under gives the same event.
    let by_name = WebhookEvent::parse("instantBooking", &body).expect("same payload");
    assert_eq!(by_name.event(), "instantBooking");
}

#[test]
fn a_timekit_body_changed_by_one_byte_is_a_mismatch() {
    let (headers, mut body) = timekit_delivery();
    // "confirmed" -> "confirmee": still valid JSON, still a known graph.
    let at = body
        .windows(9)
        .position(|w| w == b"confirmed")
        .expect("the fixture has a state");
    body[at + 8] = b'e';
    assert_eq!(
        HmacSha256Hex::timekit(TIMEKIT_SECRET).verify(&headers, &body),
        Err(VerifyError::Mismatch {
            header: HeaderName::from_static("x-timekit-signature")
        })
    );
}

#[test]
fn a_timekit_delivery_checked_with_another_secret_is_a_mismatch() {
    let (headers, body) = timekit_delivery();
    assert!(matches!(
        HmacSha256Hex::timekit("wh-secret-3f9a1d").verify(&headers, &body),
        Err(VerifyError::Mismatch { .. })
    ));
}

#[test]
fn a_timekit_delivery_without_its_signature_header_is_refused_by_name() {
    let (mut headers, body) = timekit_delivery();
    headers.remove("x-timekit-signature");
    let err = HmacSha256Hex::timekit(TIMEKIT_SECRET)
        .verify(&headers, &body)
        .unwrap_err();
    assert_eq!(
        err,
        VerifyError::MissingHeader {
            header: HeaderName::from_static("x-timekit-signature")
        }
    );
    assert_eq!(err.to_string(), "webhook delivery has no `x-timekit-signature` header");
}

#[test]
fn a_timekit_body_of_an_unknown_graph_or_a_wrong_shape_is_a_typed_error() {
    use timekit_client::webhook_events::WebhookEvent;

    let unknown = br#"{"id":"b1","graph":"subscription","state":"active","completed":false}"#;
    assert!(matches!(
        WebhookEvent::from_body(unknown),
        Err(EventError::UnknownEvent(graph)) if graph == "subscription"
    ));
    let wrong = br#"{"id":"b1","graph":"instant","state":"confirmed","completed":"no"}"#;
    let err = WebhookEvent::from_body(wrong).unwrap_err();
    let EventError::Decode { event, source } = &err else {
        panic!("expected a decode error, got {err:?}");
    };
    assert_eq!(event.as_deref(), Some("instant"));
    assert_eq!(source.path, "completed");
}

const TIMIFY_HEADER: &str = "x-webhook-secret";
const TIMIFY_SECRET: &str = "chosen-by-the-app-7c1e";

fn timify_verifier() -> SharedSecretHeader {
    SharedSecretHeader::new(HeaderName::from_static(TIMIFY_HEADER), TIMIFY_SECRET)
}

#[test]
fn a_timify_delivery_with_the_configured_header_parses_into_its_event() {
    use timify_client::webhook_events::WebhookEvent;

    let mut headers = HeaderMap::new();
    headers.insert(TIMIFY_HEADER, HeaderValue::from_static(TIMIFY_SECRET));
    let body = br#"{"id":"65f1a2b3c4d5e6f7a8b9c0d1","title":"Haircut"}"#;
    timify_verifier().verify(&headers, body).expect("the configured secret");

    let WebhookEvent::Events(payload) = WebhookEvent::parse("events", body).expect("an object") else {
        panic!("expected the appointments event");
    };
    assert_eq!(payload["title"], "Haircut");
    assert!(matches!(
        WebhookEvent::parse("appointment.created", body),
        Err(EventError::UnknownEvent(_))
    ));
}

#[test]
fn a_timify_delivery_with_a_wrong_or_missing_secret_is_refused() {
    let body = b"{}";
    let mut wrong = HeaderMap::new();
    wrong.insert(TIMIFY_HEADER, HeaderValue::from_static("chosen-by-the-app-7c1f"));
    assert_eq!(
        timify_verifier().verify(&wrong, body),
        Err(VerifyError::Mismatch {
            header: HeaderName::from_static(TIMIFY_HEADER)
        })
    );
    let mut elsewhere = HeaderMap::new();
    elsewhere.insert("authorization", HeaderValue::from_static(TIMIFY_SECRET));
    assert_eq!(
        timify_verifier().verify(&elsewhere, body),
        Err(VerifyError::MissingHeader {
            header: HeaderName::from_static(TIMIFY_HEADER)
        })
    );
}
