//! Response envelopes: bodies that wrap the record in one field (`{data: ...}`,
//! `{messageList, content}`).
//!
//! Generated code implements [`Envelope`] for schemas the spec marks `x-envelope: <field>`, so
//! callers can take the record and still keep the envelope (its messages, `meta`, status and
//! headers) when they want it.

use crate::ResponseValue;

/// A body that wraps its record in one field.
pub trait Envelope {
    /// The wrapped record.
    type Content;

    /// The record, borrowed; the envelope stays intact.
    fn content(&self) -> &Self::Content;

    /// The record, dropping the rest of the envelope.
    fn into_content(self) -> Self::Content;
}

impl<T: Envelope> ResponseValue<T> {
    /// The wrapped record with the response's status and headers, dropping the envelope's
    /// other fields. Use [`ResponseValue::into_inner`] to keep them.
    pub fn into_content(self) -> ResponseValue<T::Content> {
        self.map(Envelope::into_content)
    }
}

#[cfg(test)]
mod tests {
    use http::{HeaderMap, StatusCode};

    use super::*;

    struct Wrapped {
        data: u32,
        meta: &'static str,
    }

    impl Envelope for Wrapped {
        type Content = u32;

        fn content(&self) -> &u32 {
            &self.data
        }

        fn into_content(self) -> u32 {
            self.data
        }
    }

    #[test]
    fn into_content_keeps_status_and_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "abc".parse().unwrap());
        let response = ResponseValue::new(StatusCode::CREATED, headers, Wrapped { data: 7, meta: "m" });
        assert_eq!(*response.content(), 7);
        assert_eq!(response.meta, "m");
        let content = response.into_content();
        assert_eq!(content.status(), StatusCode::CREATED);
        assert_eq!(content.headers()["x-request-id"], "abc");
        assert_eq!(content.into_inner(), 7);
    }
}
