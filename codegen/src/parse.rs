//! The first stage: a spec file in, a normalised JSON document and its openapiv3 model out.
//!
//! The steps run in a fixed order: `source` reads the bytes within [`Limits`] and
//! turns them into a `serde_json::Value` (YAML or JSON, decided by content), and the
//! `openapi` version is checked; `bundle` copies pieces of other files the
//! spec refers to into it and checks every local `$ref`; `normalise` rewrites what
//! openapiv3 (an OpenAPI 3.0 model) cannot take as it is; then openapiv3 deserialises the
//! result, with serde_path_to_error telling where it failed when it does.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Location};
use crate::normalise::walk::{self, Kind};
use crate::source;
pub use crate::source::{check_limits, on_stack_for, Limits, DEFAULT_MAX_NESTING, MOST_NESTING};

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

/// Reads `path` (YAML or JSON, decided by content, not extension), normalises and parses it,
/// within the default [`Limits`].
pub fn parse_file(path: &Path) -> Result<ParsedSpec, Vec<Diagnostic>> {
    parse_file_with(path, &Limits::default())
}

/// [`parse_file`] within the given limits.
pub fn parse_file_with(path: &Path, limits: &Limits) -> Result<ParsedSpec, Vec<Diagnostic>> {
    source::check_limits(path, limits).map_err(|d| vec![d])?;
    let bytes = source::read_file(path, limits).map_err(|d| vec![d])?;
    parse_bytes_with(path, &bytes, limits)
}

/// The same for bytes already in memory; `path` is used for messages and to resolve relative
/// external `$ref`s.
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<ParsedSpec, Vec<Diagnostic>> {
    parse_bytes_with(path, bytes, &Limits::default())
}

/// [`parse_bytes`] within the given limits.
///
/// Deeply nested documents need a deeper stack than a test thread's: call this (and drop its
/// result) inside [`on_stack_for`], which sizes the stack for `limits.max_nesting`.
pub fn parse_bytes_with(path: &Path, bytes: &[u8], limits: &Limits) -> Result<ParsedSpec, Vec<Diagnostic>> {
    source::check_limits(path, limits).map_err(|d| vec![d])?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(vec![Diagnostic {
            file: path.to_path_buf(),
            location: Location::Document,
            message: format!(
                "the file is larger than {} bytes (the limit; --max-file-bytes raises it)",
                limits.max_file_bytes
            ),
        }]);
    }
    let mut document = source::load_value(path, bytes, limits).map_err(|d| vec![d])?;
    let version_warning = source::check_version(path, &document).map_err(|d| vec![d])?;
    source::check_counts(path, &document, limits).map_err(|d| vec![d])?;
    crate::bundle::bundle(path, &mut document, limits)?;
    source::check_counts(path, &document, limits).map_err(|d| vec![d])?;
    // Pieces of other files may have been inlined at depth.
    source::check_depth(path, &document, limits).map_err(|d| vec![d])?;
    let mut warnings: Vec<Diagnostic> = version_warning.into_iter().collect();
    warnings.extend(crate::normalise::normalise(path, &mut document));
    let openapi = to_openapi(path, &document).map_err(|d| vec![d])?;
    Ok(ParsedSpec {
        file: path.to_path_buf(),
        document,
        openapi,
        warnings,
    })
}

/// Deserialises the normalised document into the openapiv3 model.
///
/// Straight from the value first: tracking the path of every field (serde_path_to_error)
/// costs as much again, and only a rejected document needs it, to say where it failed.
fn to_openapi(path: &Path, document: &serde_json::Value) -> Result<openapiv3::OpenAPI, Diagnostic> {
    let direct = std::panic::catch_unwind(|| <openapiv3::OpenAPI as serde::Deserialize>::deserialize(document));
    match direct {
        Ok(Ok(openapi)) => Ok(openapi),
        _ => {
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
}
