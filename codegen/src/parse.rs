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
            location: Location::Line {
                line: e.line(),
                column: e.column(),
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
///
/// openapiv3 has a few `expect`s on paths it believes unreachable; a panic there must not
/// take the caller down, so it is caught and reported like any other rejection.
fn to_openapi(path: &Path, document: &serde_json::Value) -> Result<openapiv3::OpenAPI, Diagnostic> {
    let attempt = std::panic::catch_unwind(|| {
        let result: Result<openapiv3::OpenAPI, _> = serde_path_to_error::deserialize(document);
        result
    });
    match attempt {
        Ok(Ok(openapi)) => Ok(openapi),
        Ok(Err(e)) => Err(Diagnostic::at_pointer(
            path,
            path_to_pointer(e.path()),
            format!("not a valid OpenAPI document: {}", e.inner()),
        )),
        Err(_) => Err(Diagnostic {
            file: path.to_path_buf(),
            location: Location::Document,
            message: "not a valid OpenAPI document: the openapiv3 parser failed".to_string(),
        }),
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
