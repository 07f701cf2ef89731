//! The first stage: a spec file in, a normalised JSON document and its openapiv3 model out.
//!
//! The steps run in a fixed order: [`load_value`] turns bytes into a `serde_json::Value`
//! (YAML or JSON, decided by content); [`crate::bundle`] copies pieces of other files the
//! spec refers to into it and checks every local `$ref`; [`crate::normalise`] rewrites what
//! openapiv3 (an OpenAPI 3.0 model) cannot take as it is; then openapiv3 deserialises the
//! result, with serde_path_to_error telling where it failed.

use std::path::{Path, PathBuf};

use serde::de::DeserializeSeed;

use crate::diagnostic::{Diagnostic, Location};
use crate::normalise::walk::{self, Kind};

/// A spec read from disk, normalised, bundled and parsed.
#[derive(Debug, Clone)]
pub struct ParsedSpec {
    /// The spec file (for diagnostics).
    pub file: PathBuf,
    /// The normalised document as JSON (the openapiv3 model drops some things later stages
    /// need, e.g. `x-additional-operations`; they read those from here by JSON pointer).
    pub document: serde_json::Value,
    /// The openapiv3 model of `document`.
    pub openapi: openapiv3::OpenAPI,
    /// Things the normaliser changed or dropped that a user should know about.
    pub warnings: Vec<Diagnostic>,
}

/// Reads `path` (YAML or JSON, decided by content, not extension), normalises and parses it.
pub fn parse_file(path: &Path) -> Result<ParsedSpec, Vec<Diagnostic>> {
    let bytes = read_file(path).map_err(|d| vec![d])?;
    parse_bytes(path, &bytes)
}

/// The same for bytes already in memory; `path` is used for messages and to resolve relative
/// external `$ref`s.
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<ParsedSpec, Vec<Diagnostic>> {
    let mut document = load_value(path, bytes).map_err(|d| vec![d])?;
    crate::bundle::bundle(path, &mut document)?;
    let warnings = crate::normalise::normalise(path, &mut document);
    let openapi = to_openapi(path, &document).map_err(|d| vec![d])?;
    Ok(ParsedSpec {
        file: path.to_path_buf(),
        document,
        openapi,
        warnings,
    })
}

/// Reads a whole file, naming it in the error.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    std::fs::read(path).map_err(|e| Diagnostic {
        file: path.to_path_buf(),
        location: Location::Document,
        message: format!("cannot read the file: {e}"),
    })
}

/// Turns the bytes of a YAML or JSON file into a JSON value.
///
/// A leading UTF-8 byte order mark is skipped. A document whose first significant character
/// is `{` is read as JSON (faster, and its errors speak JSON); anything else as YAML, which
/// is read through [`crate::normalise::yaml_value`] so that integers beyond 64 bits become
/// floats instead of failing.
pub(crate) fn load_value(path: &Path, bytes: &[u8]) -> Result<serde_json::Value, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        return serde_json::from_slice(bytes).map_err(|e| Diagnostic {
            file: path.to_path_buf(),
            // serde_json reports column 0 for an error at the very start of a line (e.g.
            // at the end of the input); locations are 1-based.
            location: Location::Line {
                line: e.line(),
                column: e.column().max(1),
            },
            message: format!("invalid JSON: {}", strip_json_position(&e.to_string())),
        });
    }
    let de = serde_yaml::Deserializer::from_slice(bytes);
    crate::normalise::yaml_value::ValueSeed
        .deserialize(de)
        .map_err(|e| yaml_error(path, &e))
}

/// A YAML error as a diagnostic at its (1-based) line and column, when serde_yaml knows them.
fn yaml_error(path: &Path, e: &serde_yaml::Error) -> Diagnostic {
    let location = match e.location() {
        Some(at) => Location::Line {
            line: at.line(),
            column: at.column(),
        },
        None => Location::Document,
    };
    Diagnostic {
        file: path.to_path_buf(),
        location,
        message: format!("invalid YAML: {}", strip_yaml_position(&e.to_string())),
    }
}

/// serde_json's messages end in " at line L column C"; the location already says that.
fn strip_json_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    }
}

/// serde_yaml's messages embed " at line L column C" before an optional ", while ..." tail.
fn strip_yaml_position(message: &str) -> String {
    let Some(start) = message.find(" at line ") else {
        return message.to_string();
    };
    let rest = &message[start..];
    let end = rest.find(", ").map_or(message.len(), |i| start + i);
    let mut out = String::with_capacity(message.len());
    out.push_str(&message[..start]);
    out.push_str(&message[end..]);
    out
}

/// Deserialises the normalised document into the openapiv3 model.
fn to_openapi(path: &Path, document: &serde_json::Value) -> Result<openapiv3::OpenAPI, Diagnostic> {
    match attempt::<openapiv3::OpenAPI>(document) {
        Ok(openapi) => Ok(openapi),
        Err(_) => {
            let (pointer, message) = locate_rejection(Kind::Document, document, String::new());
            Err(Diagnostic::at_pointer(
                path,
                pointer,
                format!("not a valid OpenAPI document: {message}"),
            ))
        }
    }
}

/// Deserialises `value` as `T`, returning on failure the JSON pointer (relative to `value`)
/// serde_path_to_error found and the message.
///
/// openapiv3 has a few `expect`s on paths it believes unreachable; a panic there must not
/// take the caller down, so it is caught and reported like any other rejection.
fn attempt<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T, (String, String)> {
    let outcome = std::panic::catch_unwind(|| serde_path_to_error::deserialize::<_, T>(value));
    match outcome {
        Ok(Ok(parsed)) => Ok(parsed),
        Ok(Err(e)) => Err((path_to_pointer(e.path()), e.inner().to_string())),
        Err(_) => Err((String::new(), "the openapiv3 parser failed on this object".to_string())),
    }
}

/// Finds the deepest object openapiv3 rejects under `node` (of `kind`, at `at`).
///
/// openapiv3 flattens extensions into nearly every struct, which makes serde buffer the
/// object and lose the path below it, so serde_path_to_error alone stops at `/paths`. Each
/// child object is therefore tried on its own with its own openapiv3 type, descending into
/// the first that fails; where no child fails, the object itself is the culprit.
fn locate_rejection(kind: Kind, node: &serde_json::Value, at: String) -> (String, String) {
    let (hint, message) = match try_kind(kind, node) {
        Err(rejection) => rejection,
        // Fine on its own but not in its parent (should not happen): blame the parent.
        Ok(()) => return (at, "openapiv3 rejected this object".to_string()),
    };
    for (tokens, child_kind, child) in walk::children(kind, node) {
        let mut relative = String::new();
        for token in &tokens {
            relative.push('/');
            relative.push_str(&crate::diagnostic::escape_pointer_token(token));
        }
        // Only children on the way openapiv3 itself pointed to: others (e.g. 3.1 webhooks,
        // which openapiv3 ignores) may fail alone without being the problem.
        if !on_the_way(&hint, &relative) || try_kind(child_kind, child).is_ok() {
            continue;
        }
        return locate_rejection(child_kind, child, format!("{at}{relative}"));
    }
    (format!("{at}{hint}"), message)
}

/// Whether one pointer lies on the way to the other (either is a prefix of the other, token
/// by token).
fn on_the_way(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    long.strip_prefix(short)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Deserialises one object as the openapiv3 type for its kind.
fn try_kind(kind: Kind, value: &serde_json::Value) -> Result<(), (String, String)> {
    use openapiv3 as o;
    use openapiv3::ReferenceOr as R;
    match kind {
        Kind::Document => attempt::<o::OpenAPI>(value).map(drop),
        Kind::Components => attempt::<o::Components>(value).map(drop),
        Kind::PathItem => attempt::<R<o::PathItem>>(value).map(drop),
        Kind::Operation => attempt::<o::Operation>(value).map(drop),
        Kind::Parameter => attempt::<R<o::Parameter>>(value).map(drop),
        Kind::Header => attempt::<R<o::Header>>(value).map(drop),
        Kind::RequestBody => attempt::<R<o::RequestBody>>(value).map(drop),
        Kind::Response => attempt::<R<o::Response>>(value).map(drop),
        Kind::MediaType => attempt::<o::MediaType>(value).map(drop),
        Kind::Encoding => attempt::<o::Encoding>(value).map(drop),
        Kind::Example => attempt::<R<o::Example>>(value).map(drop),
        Kind::Link => attempt::<R<o::Link>>(value).map(drop),
        Kind::Callback => attempt::<R<o::Callback>>(value).map(drop),
        Kind::SecurityScheme => attempt::<R<o::SecurityScheme>>(value).map(drop),
        Kind::Schema => attempt::<R<o::Schema>>(value).map(drop),
    }
}

/// Converts serde_path_to_error's path into a JSON pointer.
///
/// Enum variants are serde's own bookkeeping, not places in the document, so they are left
/// out; an unknown segment (inside a buffered untagged or flattened value) ends the pointer
/// at the deepest place known for sure.
fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                out.push('/');
                out.push_str(&index.to_string());
            }
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&crate::diagnostic::escape_pointer_token(key));
            }
            Segment::Enum { .. } => {}
            Segment::Unknown => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_on_the_way() {
        assert!(on_the_way("/paths", "/paths/~1a"));
        assert!(on_the_way("/paths/~1a/get", "/paths"));
        assert!(on_the_way("", "/components"));
        assert!(!on_the_way("/paths", "/pathsX"));
        assert!(!on_the_way("/paths", "/webhooks/a"));
    }

    #[test]
    fn yaml_position_is_cut_from_the_message() {
        assert_eq!(
            strip_yaml_position("did not find expected key at line 3 column 5, while parsing"),
            "did not find expected key, while parsing"
        );
        assert_eq!(
            strip_yaml_position("mapping values are not allowed at line 1 column 9"),
            "mapping values are not allowed"
        );
        assert_eq!(strip_yaml_position("plain"), "plain");
    }

    #[test]
    fn json_is_detected_by_content() {
        let v = load_value(Path::new("x.yaml"), b"  {\"a\": 1}").unwrap_or_default();
        assert_eq!(v, serde_json::json!({"a": 1}));
        let v = load_value(Path::new("x.json"), b"a: 1\n").unwrap_or_default();
        assert_eq!(v, serde_json::json!({"a": 1}));
    }

    #[test]
    fn bom_is_skipped() {
        let v = load_value(Path::new("x.yaml"), b"\xEF\xBB\xBFa: 1\n").unwrap_or_default();
        assert_eq!(v, serde_json::json!({"a": 1}));
    }
}
