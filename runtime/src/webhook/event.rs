//! Parsing a verified delivery's raw body into a generated crate's typed event.
//!
//! Generated crates with webhooks have a `WebhookEvent` enum whose `parse` (event named by
//! the caller, e.g. from the URL it registered) and, where every payload names its event in
//! one property, `from_body` call these helpers, so every crate reports the same errors.

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::DecodeError;
use crate::json_path::path_of;

/// Why a (verified) delivery could not become a typed event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The event name is not one the API documents.
    #[error("unknown webhook event `{0}`")]
    UnknownEvent(String),
    /// The body does not carry the property that names its event.
    #[error("webhook body has no string property `{property}` naming its event")]
    MissingEventName {
        /// The property looked for.
        property: &'static str,
    },
    /// The request does not carry the header that names its event (or it is not text).
    #[error("webhook delivery has no `{header}` header naming its event")]
    MissingEventHeader {
        /// The header looked for.
        header: &'static str,
    },
    /// The body is not JSON or does not match the event's payload schema; the error names the
    /// JSON path and keeps the raw body.
    #[error("webhook body{} does not match: {source}", event_label(.event))]
    Decode {
        /// The event whose payload was expected, when known.
        event: Option<String>,
        /// Where and why decoding failed, with the raw body.
        #[source]
        source: Box<DecodeError>,
    },
}

fn event_label(event: &Option<String>) -> String {
    event.as_deref().map(|e| format!(" of event `{e}`")).unwrap_or_default()
}

/// Decodes `body` as the payload of `event`.
pub fn parse_payload<T: DeserializeOwned>(event: &str, body: &[u8]) -> Result<T, EventError> {
    // The same `serde_json::from_slice` as response bodies (one compiled decoder per type, for
    // payloads that are also responses); trailing data after the value is an error too.
    serde_json::from_slice(body).map_err(|e| decode_error(Some(event), body, path_of(body, &e), e.to_string()))
}

/// Reads the event name from the top-level string property `property` of `body`.
pub fn event_name_in_body(body: &[u8], property: &'static str) -> Result<String, EventError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| decode_error(None, body, ".".to_owned(), e.to_string()))?;
    match value.get(property) {
        Some(serde_json::Value::String(name)) => Ok(name.clone()),
        _ => Err(EventError::MissingEventName { property }),
    }
}

/// Reads the event name from the request header `header`.
pub fn event_name_in_header(headers: &http::HeaderMap, header: &'static str) -> Result<String, EventError> {
    headers
        .get(header)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().to_owned())
        .ok_or(EventError::MissingEventHeader { header })
}

fn decode_error(event: Option<&str>, body: &[u8], path: String, message: String) -> EventError {
    EventError::Decode {
        event: event.map(str::to_owned),
        source: Box::new(DecodeError {
            path,
            message,
            status: None,
            body: Bytes::copy_from_slice(body),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Booking {
        id: String,
        state: String,
    }

    #[test]
    fn a_payload_decodes_into_its_type() {
        let booking: Booking =
            parse_payload("booking", br#"{"id":"b1","state":"confirmed","extra":1}"#).expect("valid payload");
        assert_eq!(
            booking,
            Booking {
                id: "b1".into(),
                state: "confirmed".into()
            }
        );
    }

    #[test]
    fn a_mismatched_payload_names_the_event_the_path_and_keeps_the_body() {
        let body = br#"{"id":"b1","state":7}"#;
        let err = parse_payload::<Booking>("booking", body).unwrap_err();
        let EventError::Decode { event, source } = &err else {
            panic!("expected a decode error, got {err:?}");
        };
        assert_eq!(event.as_deref(), Some("booking"));
        assert_eq!(source.path, "state");
        assert_eq!(&source.body[..], body);
        assert!(
            err.to_string()
                .starts_with("webhook body of event `booking` does not match"),
            "{err}"
        );
    }

    #[test]
    fn trailing_data_is_refused() {
        assert!(matches!(
            parse_payload::<Booking>("booking", br#"{"id":"b1","state":"x"} {}"#),
            Err(EventError::Decode { .. })
        ));
    }

    #[test]
    fn the_event_name_is_read_from_the_named_header() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-event-type", http::HeaderValue::from_static("booking.cancelled"));
        assert_eq!(
            event_name_in_header(&headers, "x-event-type").expect("present"),
            "booking.cancelled"
        );
        assert!(matches!(
            event_name_in_header(&http::HeaderMap::new(), "x-event-type"),
            Err(EventError::MissingEventHeader { header: "x-event-type" })
        ));
    }

    #[test]
    fn the_event_name_is_read_from_the_named_property() {
        assert_eq!(
            event_name_in_body(br#"{"type":"batch.completed","data":{}}"#, "type").expect("present"),
            "batch.completed"
        );
        assert!(matches!(
            event_name_in_body(br#"{"type":3}"#, "type"),
            Err(EventError::MissingEventName { property: "type" })
        ));
        assert!(matches!(
            event_name_in_body(b"not json", "type"),
            Err(EventError::Decode { event: None, .. })
        ));
    }
}
