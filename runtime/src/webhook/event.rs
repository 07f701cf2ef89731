//! Parsing a verified delivery's raw body into a generated crate's typed event.
//!
//! Generated crates with webhooks have a `WebhookEvent` enum whose `parse` (event named by
//! the caller, e.g. from the URL it registered) and, where every payload names its event in
//! one property, `from_body` call these helpers, so every crate reports the same errors.

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::DecodeError;
use crate::json_path::path_of;
use crate::response::one_line;

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
    // Path and message may quote the sender's text (keys, values): shown on one line.
    serde_json::from_slice(body).map_err(|e| {
        let path = one_line(&path_of(body, &e));
        decode_error(Some(event), body, path, one_line(&e.to_string()))
    })
}

/// Reads the event name from the top-level string property `property` of `body`.
///
/// Everything else in the body is skipped, not built: as a `serde_json::Value` tree a body
/// takes up to 70 times its size, and this runs before the payload is decoded.
pub fn event_name_in_body(body: &[u8], property: &'static str) -> Result<String, EventError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let name = serde::Deserializer::deserialize_any(&mut deserializer, NameIn(Probe::Body { property }))
        .and_then(|name| deserializer.end().map(|()| name))
        .map_err(|e| decode_error(None, body, ".".to_owned(), e.to_string()))?;
    name.ok_or(EventError::MissingEventName { property })
}

/// What [`Probe`] reads: the body (for the string in its member `property`) or one member's
/// value (for its text).
#[derive(Clone, Copy)]
enum Probe {
    /// A top-level value: the string in its member `property` (the last, if repeated).
    Body { property: &'static str },
    /// A member's value: its text when it is a string.
    Member,
}

/// Reads what [`Probe`] asks for; everything else is skipped, not built, and gives `None`.
struct NameIn(Probe);

impl<'de> serde::de::Visitor<'de> for NameIn {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut name = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match self.0 {
                Probe::Body { property } if key == property => name = map.next_value::<MemberText>()?.0,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(name)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
        Ok(match self.0 {
            Probe::Member => Some(text.to_owned()),
            Probe::Body { .. } => None,
        })
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A member's value: its text when it is a string, else skipped.
struct MemberText(Option<String>);

impl<'de> serde::Deserialize<'de> for MemberText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NameIn(Probe::Member)).map(MemberText)
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
        // Anything but an object, and members that are not strings, name no event.
        for body in [&b"[1,{}]"[..], b"\"type\"", b"null", br#"{"type":{"a":[1]},"x":[]}"#] {
            assert!(
                matches!(
                    event_name_in_body(body, "type"),
                    Err(EventError::MissingEventName { .. })
                ),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        // The last of repeated members counts, as in a JSON object read whole; trailing data
        // after the value is refused.
        assert_eq!(
            event_name_in_body(br#"{"type":"a","data":{"type":"inner"},"type":"b"}"#, "type").expect("present"),
            "b"
        );
        assert!(matches!(
            event_name_in_body(br#"{"type":"a"} {}"#, "type"),
            Err(EventError::Decode { .. })
        ));
    }

    #[test]
    fn a_mismatch_quoting_the_senders_text_is_one_line() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        enum State {
            Confirmed,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Event {
            state: State,
        }
        let err = parse_payload::<Event>("booking", b"{\"state\":\"x\\nINFO forged\"}").unwrap_err();
        assert!(!err.to_string().contains('\n'), "{err:?}");
    }
}
