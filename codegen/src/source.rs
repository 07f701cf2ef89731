//! Reading spec files into JSON values, within limits: the layer below both [`crate::parse`]
//! and [`crate::bundle`] (which reads the files a spec `$ref`s).
//!
//! Every byte that enters the generator passes here, so this is where untrusted input is
//! bounded: only regular files inside an allowed folder, no larger than a cap, nested no
//! deeper than the parsers allow, with no more paths or schemas than a cap. Each limit has a
//! default that real APIs stay far below and a field (an xtask flag) to raise it.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::de::DeserializeSeed;

use crate::diagnostic::{Diagnostic, Location};

/// Bounds on what a spec may ask of the generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest file read (the spec and each file it `$ref`s), in bytes.
    pub max_file_bytes: u64,
    /// The most entries under `paths`.
    pub max_paths: usize,
    /// The most entries under `components/schemas` (after bundling).
    pub max_schemas: usize,
    /// The folder whose files `$ref`s may read (with its subfolders); `None`: the spec's own
    /// folder.
    pub ref_root: Option<PathBuf>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 64 * 1024 * 1024,
            max_paths: 20_000,
            max_schemas: 50_000,
            ref_root: None,
        }
    }
}

/// How deeply arrays and objects may nest. serde_json and serde_yaml both stop at 128 (a
/// limit they do not let us raise); [`load_value`] checks YAML's flow collections first, since
/// the YAML scanner takes time with the square of their depth before serde_yaml gets to say so.
pub const MAX_NESTING: usize = 128;

/// Reads a whole file, naming it in the error: a regular file (after symlinks) of at most
/// `limits.max_file_bytes`.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, Diagnostic> {
    let error = |message: String| Diagnostic {
        file: path.to_path_buf(),
        location: Location::Document,
        message,
    };
    let metadata = std::fs::metadata(path).map_err(|e| error(format!("cannot read the file: {e}")))?;
    if !metadata.is_file() {
        return Err(error("cannot read the file: not a regular file".to_owned()));
    }
    let too_large = || {
        error(format!(
            "the file is larger than {} bytes (the limit; --max-file-bytes raises it)",
            limits.max_file_bytes
        ))
    };
    if metadata.len() > limits.max_file_bytes {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(|e| error(format!("cannot read the file: {e}")))?;
    // The size may change between the check and the read: never read past the cap.
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| error(format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Turns the bytes of a YAML or JSON file into a JSON value.
///
/// A leading UTF-8 byte order mark is skipped. A document whose first significant character
/// is `{` is read as JSON (faster, and its errors speak JSON); anything else as YAML, which
/// is read through [`crate::normalise::yaml_value`] so that integers beyond 64 bits become
/// floats instead of failing.
pub fn load_value(path: &Path, bytes: &[u8]) -> Result<serde_json::Value, Diagnostic> {
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
    if let Some((line, column)) = too_deep_flow(bytes) {
        return Err(Diagnostic {
            file: path.to_path_buf(),
            location: Location::Line { line, column },
            message: format!("invalid YAML: nested deeper than {MAX_NESTING} levels"),
        });
    }
    let de = serde_yaml::Deserializer::from_slice(bytes);
    crate::normalise::yaml_value::ValueSeed
        .deserialize(de)
        .map_err(|e| yaml_error(path, &e))
}

/// Where YAML flow collections (`[`, `{`) first nest deeper than [`MAX_NESTING`], as a
/// 1-based line and column; one linear pass.
///
/// In block context a bracket opens a collection only where a value starts (line start, or
/// after `:`, `-`, `?`); inside one, every bracket outside quotes does. Quotes count only
/// where a scalar starts, so `it's` in a plain scalar is not one. The scan may miss depth in
/// odd documents (then the parser reports it, only later), but never invents it.
fn too_deep_flow(bytes: &[u8]) -> Option<(usize, usize)> {
    let (mut line, mut line_start) = (1usize, 0usize);
    let mut depth = 0usize;
    // The last significant byte on this line (None at line start), to tell where a value starts.
    let mut previous: Option<u8> = None;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => {
                line += 1;
                line_start = i + 1;
                previous = None;
            }
            b' ' | b'\t' | b'\r' => {}
            b'#' if matches!(bytes.get(i.wrapping_sub(1)), None | Some(b' ' | b'\t' | b'\n')) => {
                while bytes.get(i + 1).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'\'' | b'"' if value_starts(previous, depth) => {
                // Skip the quoted scalar ('' escapes a quote in single quotes, \ in double).
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == b'\n' {
                        line += 1;
                        line_start = i + 1;
                    } else if b == b'"' && c == b'\\' {
                        i += 1;
                    } else if c == b {
                        if b == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    i += 1;
                }
                previous = Some(b);
            }
            b'[' | b'{' if depth > 0 || value_starts(previous, depth) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some((line, i - line_start + 1));
                }
                previous = Some(b);
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                previous = Some(b);
            }
            other => previous = Some(other),
        }
        i += 1;
    }
    None
}

/// Whether a scalar or collection may start after `previous` (the last significant byte).
fn value_starts(previous: Option<u8>, depth: usize) -> bool {
    match previous {
        None => true,
        Some(b':' | b'-' | b'?') => true,
        Some(b'[' | b'{' | b',') => depth > 0,
        Some(_) => false,
    }
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

/// Errors when the document has more paths or schemas than the limits allow.
pub fn check_counts(path: &Path, document: &serde_json::Value, limits: &Limits) -> Result<(), Diagnostic> {
    let count = |pointer: &str| {
        document
            .pointer(pointer)
            .and_then(|v| v.as_object())
            .map_or(0, |o| o.len())
    };
    let checks = [
        ("/paths", count("/paths"), limits.max_paths, "paths", "--max-paths"),
        (
            "/components/schemas",
            count("/components/schemas"),
            limits.max_schemas,
            "schemas",
            "--max-schemas",
        ),
    ];
    for (pointer, found, max, what, flag) in checks {
        if found > max {
            return Err(Diagnostic::at_pointer(
                path,
                pointer,
                format!("{found} {what}, more than the limit of {max} ({flag} raises it)"),
            ));
        }
    }
    Ok(())
}

/// Checks the `openapi` version: Swagger 2.0 is an error (it is a different format), a
/// version other than 3.0, 3.1 or 3.2 a warning (read as 3.x, which may fail later).
pub fn check_version(path: &Path, document: &serde_json::Value) -> Result<Option<Diagnostic>, Diagnostic> {
    let swagger = || {
        "Swagger 2.0 documents are not supported; convert it to OpenAPI 3 first \
         (e.g. with swagger2openapi, or the Swagger Editor's \"Convert to OpenAPI 3\")"
            .to_owned()
    };
    let version = match document.get("openapi") {
        Some(serde_json::Value::String(version)) => version.clone(),
        Some(other) => other.to_string(),
        None if document.get("swagger").is_some() => {
            return Err(Diagnostic::at_pointer(path, "/swagger", swagger()));
        }
        // openapiv3 names the missing field.
        None => return Ok(None),
    };
    if version.starts_with("2.") || version == "2" {
        return Err(Diagnostic::at_pointer(path, "/openapi", swagger()));
    }
    let known = ["3.0", "3.1", "3.2"]
        .iter()
        .any(|minor| version == *minor || version.starts_with(&format!("{minor}.")));
    Ok((!known).then(|| {
        Diagnostic::at_pointer(
            path,
            "/openapi",
            format!("unknown OpenAPI version `{version}`; read as 3.x (supported: 3.0, 3.1, 3.2)"),
        )
    }))
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

    #[test]
    fn flow_depth_is_counted_where_collections_open() {
        let deep = format!("a:\n  b: {}", "[".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep_flow(deep.as_bytes()), Some((2, 6 + MAX_NESTING)));
        let fine = format!("a: {}{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert_eq!(too_deep_flow(fine.as_bytes()), None);
        // Brackets inside plain scalars, quotes and comments open nothing.
        let text = "d: see a[0 and it's [\n\
                    q: '[[[[' \n\
                    r: \"{{{\\\"{{\"\n\
                    # [[[[[\n"
            .repeat(MAX_NESTING);
        assert_eq!(too_deep_flow(text.as_bytes()), None);
    }
}
