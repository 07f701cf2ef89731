//! `multipart/form-data` bodies: [`Multipart`] (the parts, kept as data so a request can be
//! re-sent after a retry or a token refresh) and [`FilePart`] (a file: bytes, file name,
//! content type).
//!
//! Generated request types fill a [`Multipart`] field by field with [`Multipart::field`] and
//! [`Multipart::files`]; hand-written code can use [`Multipart::text`] and [`Multipart::file`].
//! How a typed value becomes parts:
//!
//! - absent (`None`) or null: no part (multipart has no way to say null);
//! - a string, number or boolean: one text part with its text;
//! - a list: one part per item, each by these rules, all under the field's name;
//! - an object (or a list inside a list): one part holding its JSON, `application/json` unless
//!   the spec's `encoding.<field>.contentType` says otherwise;
//! - a file: one part with its file name and content type (the file's own, else the spec's
//!   `encoding.<field>.contentType`, else `application/octet-stream`).

use std::fmt;

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use crate::encoding;

/// The content type of a file part when neither the file nor the spec gives one.
pub const DEFAULT_FILE_CONTENT_TYPE: &str = "application/octet-stream";

/// A file to upload in a `multipart/form-data` body: its bytes, the file name the server sees
/// and, optionally, its content type.
///
/// ```
/// use client_runtime::FilePart;
/// let report = FilePart::new("report.pdf", b"%PDF-1.7".to_vec()).content_type("application/pdf");
/// assert_eq!(report.file_name(), "report.pdf");
/// ```
#[derive(Clone)]
pub struct FilePart {
    file_name: String,
    content_type: Option<String>,
    bytes: Bytes,
}

impl FilePart {
    /// A file named `file_name` holding `bytes`; its content type is the one the API's spec
    /// gives for the field, else `application/octet-stream`, unless
    /// [`content_type`](Self::content_type) sets it.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self {
            file_name: file_name.into(),
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// Sets the file's content type (e.g. `image/png`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file name sent with the part.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The content type set with [`content_type`](Self::content_type), if any.
    pub fn content_type_set(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The length, not the bytes: a file can be large and its content private.
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// The parts of a `multipart/form-data` body, in order.
///
/// A value that cannot be encoded (see [`field`](Self::field)) or a content type that is not
/// a valid media type makes the request it is put into invalid: sending it fails with
/// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) naming the field.
#[derive(Debug, Default, Clone)]
pub struct Multipart {
    pub(crate) parts: Vec<MultipartPart>,
    /// The first field that could not be encoded, and why.
    pub(crate) error: Option<String>,
}

/// One part: a name, the bytes, and for files a file name.
#[derive(Clone)]
pub(crate) struct MultipartPart {
    pub(crate) name: String,
    pub(crate) file_name: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) bytes: Bytes,
}

impl fmt::Debug for MultipartPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultipartPart")
            .field("name", &self.name)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl Multipart {
    /// An empty multipart body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text field.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let value: String = value.into();
        self.push(name.into(), None, None, Bytes::from(value.into_bytes()));
        self
    }

    /// Adds a file field.
    pub fn file(
        mut self,
        name: impl Into<String>,
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> Self {
        self.push(
            name.into(),
            Some(file_name.into()),
            Some(content_type.into()),
            bytes.into(),
        );
        self
    }

    /// Adds field `name` (its wire name) holding `value`, by the rules of the module docs:
    /// nothing for `None`, a text part for a scalar, a part per item for a list, a JSON part
    /// for an object. `content_type` (the spec's `encoding.<name>.contentType`) is set on
    /// every part the field makes.
    pub fn field<T: Serialize + ?Sized>(mut self, name: &str, value: &T, content_type: Option<&str>) -> Self {
        match encoding::to_value(value) {
            Ok(Value::Array(items)) => {
                for item in &items {
                    self.push_value(name, item, content_type);
                }
            }
            Ok(value) => self.push_value(name, &value, content_type),
            Err(e) => self.fail(format!("multipart field `{name}`: {e}")),
        }
        self
    }

    /// Adds one file part per file under `name` (none for an absent optional file). A file
    /// without its own content type gets `default_content_type`.
    pub fn files<'f>(
        mut self,
        name: &str,
        files: impl IntoIterator<Item = &'f FilePart>,
        default_content_type: &str,
    ) -> Self {
        for file in files {
            let content_type = file.content_type.as_deref().unwrap_or(default_content_type);
            self.push(
                name.to_owned(),
                Some(file.file_name.clone()),
                Some(content_type.to_owned()),
                file.bytes.clone(),
            );
        }
        self
    }

    /// The parts' names in order (a list field's name once per item).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().map(|p| p.name.as_str())
    }

    fn push_value(&mut self, name: &str, value: &Value, content_type: Option<&str>) {
        let (bytes, default_type) = match value {
            Value::Null => return,
            Value::String(text) => (Bytes::from(text.clone().into_bytes()), None),
            Value::Bool(_) | Value::Number(_) => (Bytes::from(value.to_string().into_bytes()), None),
            Value::Array(_) | Value::Object(_) => match serde_json::to_vec(value) {
                Ok(json) => (Bytes::from(json), Some("application/json")),
                Err(e) => return self.fail(format!("multipart field `{name}`: {e}")),
            },
        };
        let content_type = content_type.or(default_type).map(str::to_owned);
        self.push(name.to_owned(), None, content_type, bytes);
    }

    fn push(&mut self, name: String, file_name: Option<String>, content_type: Option<String>, bytes: Bytes) {
        if let Some(bad) = content_type.as_deref().filter(|t| !is_media_type(t)) {
            self.fail(format!("multipart field `{name}`: `{bad}` is not a media type"));
        }
        self.parts.push(MultipartPart {
            name,
            file_name,
            content_type,
            bytes,
        });
    }

    fn fail(&mut self, message: String) {
        self.error.get_or_insert(message);
    }

    /// The reqwest form for one attempt (the parts are copied, so the body can be sent again).
    pub(crate) fn to_form(&self) -> reqwest::multipart::Form {
        let mut form = reqwest::multipart::Form::new();
        for part in &self.parts {
            let mut piece = reqwest::multipart::Part::stream_with_length(
                reqwest::Body::from(part.bytes.clone()),
                u64::try_from(part.bytes.len()).unwrap_or(u64::MAX),
            );
            if let Some(content_type) = &part.content_type {
                // Checked when the part was added (`push`), so this parse succeeds.
                piece = match piece.mime_str(content_type) {
                    Ok(piece) => piece,
                    Err(_) => continue,
                };
            }
            if let Some(file_name) = &part.file_name {
                piece = piece.file_name(file_name.clone());
            }
            form = form.part(part.name.clone(), piece);
        }
        form
    }
}

/// Whether `text` parses as a media type the way reqwest will parse it when sending.
fn is_media_type(text: &str) -> bool {
    reqwest::multipart::Part::bytes(Vec::new()).mime_str(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (name, file name, content type, body text) of every part.
    fn parts(body: &Multipart) -> Vec<(&str, Option<&str>, Option<&str>, String)> {
        body.parts
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.file_name.as_deref(),
                    p.content_type.as_deref(),
                    String::from_utf8_lossy(&p.bytes).into_owned(),
                )
            })
            .collect()
    }

    #[derive(Serialize)]
    struct Attributes {
        name: String,
        parent: u32,
    }

    #[test]
    fn typed_fields_become_text_json_and_repeated_parts_and_absent_ones_none() {
        let body = Multipart::new()
            .field("purpose", "fine-tune", None)
            .field("temperature", &0.5, None)
            .field("stream", &true, None)
            .field("language", &None::<String>, None)
            .field("tags", &["a", "b"], None)
            .field(
                "attributes",
                &Attributes {
                    name: "x.txt".into(),
                    parent: 7,
                },
                None,
            )
            .field("sdp", "v=0", Some("application/sdp"));
        assert!(body.error.is_none(), "{:?}", body.error);
        assert_eq!(
            parts(&body),
            [
                ("purpose", None, None, "fine-tune".to_owned()),
                ("temperature", None, None, "0.5".to_owned()),
                ("stream", None, None, "true".to_owned()),
                ("tags", None, None, "a".to_owned()),
                ("tags", None, None, "b".to_owned()),
                (
                    "attributes",
                    None,
                    Some("application/json"),
                    r#"{"name":"x.txt","parent":7}"#.to_owned()
                ),
                ("sdp", None, Some("application/sdp"), "v=0".to_owned()),
            ]
        );
    }

    #[test]
    fn files_carry_their_name_and_type_or_the_specs_or_octet_stream() {
        let photo = FilePart::new("me.png", b"\x89PNG".to_vec()).content_type("image/png");
        let notes = FilePart::new("notes.bin", b"raw".to_vec());
        let none: Option<FilePart> = None;
        let body = Multipart::new()
            .files("photo", [&photo], DEFAULT_FILE_CONTENT_TYPE)
            .files("notes", [&notes], "text/csv")
            .files("extra", &none, DEFAULT_FILE_CONTENT_TYPE)
            .files("all", &vec![notes.clone(), photo.clone()], DEFAULT_FILE_CONTENT_TYPE);
        assert_eq!(
            parts(&body),
            [
                ("photo", Some("me.png"), Some("image/png"), "\u{fffd}PNG".to_owned()),
                ("notes", Some("notes.bin"), Some("text/csv"), "raw".to_owned()),
                (
                    "all",
                    Some("notes.bin"),
                    Some("application/octet-stream"),
                    "raw".to_owned()
                ),
                ("all", Some("me.png"), Some("image/png"), "\u{fffd}PNG".to_owned()),
            ]
        );
    }

    #[test]
    fn a_content_type_that_is_not_a_media_type_names_the_field() {
        let file = FilePart::new("a.txt", "a").content_type("not a type");
        let body = Multipart::new().files("upload", [&file], DEFAULT_FILE_CONTENT_TYPE);
        assert_eq!(
            body.error.as_deref(),
            Some("multipart field `upload`: `not a type` is not a media type")
        );
    }

    #[test]
    fn a_file_part_prints_its_length_not_its_bytes() {
        let file = FilePart::new("secret.txt", "top secret");
        let printed = format!("{file:?}");
        assert!(!printed.contains("top secret"), "{printed}");
        assert!(printed.contains("len: 10"), "{printed}");
    }
}
