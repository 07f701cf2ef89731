//! Reading spec files into JSON values, within limits: the layer below both [`crate::parse`]
//! and [`crate::bundle`] (which reads the files a spec `$ref`s).
//!
//! Every byte that enters the generator passes here, so this is where untrusted input is
//! bounded: only regular files inside an allowed folder, no larger than a cap, nested no
//! deeper than a cap, with no more paths or schemas than a cap. Each limit has a default that
//! real APIs stay far below and a field (an xtask flag) to raise it.
//!
//! Nesting is checked before any recursive step sees the document (a linear scan of the bytes
//! for JSON and for YAML's flow collections, a walk with an explicit stack over the loaded
//! value otherwise), so every later stage that recurses over the document's shape
//! (deserialisation into openapiv3, normalisation, bundling, dropping the value) recurses at
//! most `max_nesting` levels deep; [`on_stack_for`] gives such work a stack sized for that.

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
    /// How deeply arrays and objects may nest (the root object is level 1); at most
    /// [`MOST_NESTING`].
    pub max_nesting: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 64 * 1024 * 1024,
            max_paths: 20_000,
            max_schemas: 50_000,
            ref_root: None,
            max_nesting: DEFAULT_MAX_NESTING,
        }
    }
}

/// How deeply arrays and objects may nest by default: serde_json's and serde_yaml's own limit,
/// far beyond any real API.
pub const DEFAULT_MAX_NESTING: usize = 128;

/// The highest nesting limit the generator takes. openapiv3 reads a schema through serde's
/// buffered `flatten`, which copies the schema's subtree at every level, so its time grows
/// with the square of schema depth (1,000 levels: 2.5 s in a debug build, 3,000: 24 s); this
/// cap keeps that within seconds and the stack [`on_stack_for`] reserves below 60 MB.
pub const MOST_NESTING: usize = 1_000;

/// How deep serde_yaml nests at most, whatever the limit says (a constant inside it).
const YAML_MOST_NESTING: usize = 128;

/// Stack reserved per level of nesting by [`on_stack_for`]: nested schemas read by openapiv3
/// in a debug build take 22–32 KB a level (measured at 1,000 and 3,000 levels), with a margin.
const STACK_PER_LEVEL: usize = 48 * 1024;

/// Stack reserved for everything else by [`on_stack_for`]: a main thread's usual 8 MB.
const STACK_BASE: usize = 8 * 1024 * 1024;

/// Errors when `limits` asks for more than the generator supports (before anything is read).
pub fn check_limits(path: &Path, limits: &Limits) -> Result<(), Diagnostic> {
    if limits.max_nesting == 0 || limits.max_nesting > MOST_NESTING {
        return Err(Diagnostic {
            file: path.to_path_buf(),
            location: Location::Document,
            message: format!(
                "a nesting limit of {} is not supported (--max-nesting takes 1 to {MOST_NESTING}: \
                 openapiv3 reads schemas in time that grows with the square of their depth)",
                limits.max_nesting
            ),
        });
    }
    Ok(())
}

/// Runs `f` on a thread whose stack fits documents nested up to `limits.max_nesting` (its
/// parsing, generation and dropping), and returns its result; a panic in `f` is passed on.
///
/// Reading a document recurses once per level of nesting, up to 32 KB a level in a debug
/// build: more than a test thread's 2 MB at the default limit of 128, so callers other than
/// quick tests of shallow documents run [`crate::parse::parse_file_with`] and
/// [`crate::generate()`] in here.
///
/// Errors only when the thread cannot be started (the stack could not be reserved).
pub fn on_stack_for<R: Send>(limits: &Limits, f: impl FnOnce() -> R + Send) -> std::io::Result<R> {
    let levels = limits.max_nesting.min(MOST_NESTING);
    let stack = STACK_BASE + levels * STACK_PER_LEVEL;
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("codegen".to_owned())
            .stack_size(stack)
            .spawn_scoped(scope, f)?;
        Ok(worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })
}

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

/// Turns the bytes of a YAML or JSON file into a JSON value, nested at most
/// `limits.max_nesting` levels deep.
///
/// A leading UTF-8 byte order mark is skipped. A document whose first significant character
/// is `{` is read as JSON (faster, and its errors speak JSON); anything else as YAML, which
/// is read through [`crate::normalise::yaml_value`] so that integers beyond 64 bits become
/// floats instead of failing.
pub fn load_value(path: &Path, bytes: &[u8], limits: &Limits) -> Result<serde_json::Value, Diagnostic> {
    let max = limits.max_nesting;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let too_deep = |(line, column): (usize, usize), format: &str| Diagnostic {
        file: path.to_path_buf(),
        location: Location::Line { line, column },
        message: format!("invalid {format}: nested deeper than {max} levels (--max-nesting raises it)"),
    };
    if first == Some(&b'{') {
        if let Some(at) = too_deep_json(bytes, max) {
            return Err(too_deep(at, "JSON"));
        }
        return parse_json(bytes).map_err(|e| Diagnostic {
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
    if let Some(at) = too_deep_flow(bytes, max) {
        return Err(too_deep(at, "YAML"));
    }
    let de = serde_yaml::Deserializer::from_slice(bytes);
    let value = crate::normalise::yaml_value::ValueSeed.deserialize(de).map_err(|e| {
        let mut error = yaml_error(path, &e);
        if e.to_string().starts_with("recursion limit exceeded") {
            error.message = if max > YAML_MOST_NESTING {
                format!(
                    "invalid YAML: nested deeper than {YAML_MOST_NESTING} levels, the most the YAML \
                     reader takes whatever --max-nesting says (a JSON document may nest deeper)"
                )
            } else {
                format!("invalid YAML: nested deeper than {max} levels (--max-nesting raises it)")
            };
        }
        error
    })?;
    check_depth(path, &value, limits)?;
    Ok(value)
}

/// serde_json's parse with its own limit lifted (it stops at 127 levels, one short of
/// serde_yaml's 128): the bytes were checked against the limit before, so the recursion stays
/// within it.
fn parse_json(bytes: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    let value = serde::Deserialize::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Where a JSON text first nests deeper than `max`, as a 1-based line and column; one linear
/// pass that knows strings and their escapes (anything else malformed is left to the parser).
fn too_deep_json(bytes: &[u8], max: usize) -> Option<(usize, usize)> {
    let (mut line, mut line_start) = (1usize, 0usize);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some((line, i - line_start + 1));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Errors when `value` nests deeper than `limits.max_nesting`, naming the first place that
/// does; a walk with an explicit stack, so any depth is safe to check.
pub fn check_depth(path: &Path, value: &serde_json::Value, limits: &Limits) -> Result<(), Diagnostic> {
    let max = limits.max_nesting;
    // One iterator per open container; `tokens[i]` leads from `frames[i]` to `frames[i + 1]`.
    let mut frames: Vec<Children<'_>> = Children::of(value).into_iter().collect();
    let mut tokens: Vec<Token<'_>> = Vec::new();
    while let Some(top) = frames.last_mut() {
        match top.next() {
            Some((token, child)) => {
                if let Some(children) = Children::of(child) {
                    tokens.push(token);
                    frames.push(children);
                }
            }
            None => {
                frames.pop();
                tokens.pop();
            }
        }
        if frames.len() > max {
            let tokens: Vec<String> = tokens.iter().map(Token::text).collect();
            return Err(Diagnostic::at_pointer(
                path,
                crate::diagnostic::pointer(tokens.iter().map(String::as_str)),
                format!("nested deeper than {max} levels (--max-nesting raises it)"),
            ));
        }
    }
    Ok(())
}

/// The children of an array or object, one at a time, with the pointer token of each.
enum Children<'a> {
    Array(std::iter::Enumerate<std::slice::Iter<'a, serde_json::Value>>),
    Object(serde_json::map::Iter<'a>),
}

/// A pointer token: an array index or an object key.
enum Token<'a> {
    Index(usize),
    Key(&'a str),
}

impl Token<'_> {
    fn text(&self) -> String {
        match self {
            Token::Index(index) => index.to_string(),
            Token::Key(key) => (*key).to_owned(),
        }
    }
}

impl<'a> Children<'a> {
    /// The children of `value` if it is an array or object.
    fn of(value: &'a serde_json::Value) -> Option<Self> {
        match value {
            serde_json::Value::Array(items) => Some(Children::Array(items.iter().enumerate())),
            serde_json::Value::Object(map) => Some(Children::Object(map.iter())),
            _ => None,
        }
    }

    fn next(&mut self) -> Option<(Token<'a>, &'a serde_json::Value)> {
        match self {
            Children::Array(items) => items.next().map(|(i, v)| (Token::Index(i), v)),
            Children::Object(entries) => entries.next().map(|(k, v)| (Token::Key(k.as_str()), v)),
        }
    }
}

/// Where YAML flow collections (`[`, `{`) first nest deeper than `max`, as a 1-based line
/// and column; one linear pass. It runs before the YAML scanner, whose time grows with the
/// square of flow depth before serde_yaml gets to refuse it.
///
/// In block context a bracket opens a collection only where a value starts (line start, or
/// after `:`, `-`, `?`); inside one, every bracket outside quotes does. Quotes count only
/// where a scalar starts, so `it's` in a plain scalar is not one. The scan may miss depth in
/// odd documents (then the parser reports it, only later), but never invents it.
fn too_deep_flow(bytes: &[u8], max: usize) -> Option<(usize, usize)> {
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
                if depth > max {
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
        let v = load_value(Path::new("x.yaml"), b"  {\"a\": 1}", &Limits::default()).unwrap_or_default();
        assert_eq!(v, serde_json::json!({"a": 1}));
        let v = load_value(Path::new("x.json"), b"a: 1\n", &Limits::default()).unwrap_or_default();
        assert_eq!(v, serde_json::json!({"a": 1}));
    }

    #[test]
    fn bom_is_skipped() {
        let v = load_value(Path::new("x.yaml"), b"\xEF\xBB\xBFa: 1\n", &Limits::default()).unwrap_or_default();
        assert_eq!(v, serde_json::json!({"a": 1}));
    }

    #[test]
    fn flow_depth_is_counted_where_collections_open() {
        let max = DEFAULT_MAX_NESTING;
        let deep = format!("a:\n  b: {}", "[".repeat(max + 1));
        assert_eq!(too_deep_flow(deep.as_bytes(), max), Some((2, 6 + max)));
        let fine = format!("a: {}{}", "[".repeat(max), "]".repeat(max));
        assert_eq!(too_deep_flow(fine.as_bytes(), max), None);
        // Brackets inside plain scalars, quotes and comments open nothing.
        let text = "d: see a[0 and it's [\n\
                    q: '[[[[' \n\
                    r: \"{{{\\\"{{\"\n\
                    # [[[[[\n"
            .repeat(max);
        assert_eq!(too_deep_flow(text.as_bytes(), max), None);
    }

    #[test]
    fn json_depth_is_counted_outside_strings() {
        let deep = format!("{{\"a\":\n{}", "[".repeat(4));
        assert_eq!(too_deep_json(deep.as_bytes(), 3), Some((2, 3)));
        let quoted = r#"{"a": "[[[[\"[[[[", "b": [1]}"#;
        assert_eq!(too_deep_json(quoted.as_bytes(), 2), None);
        assert_eq!(too_deep_json(quoted.as_bytes(), 1), Some((1, 26)));
    }

    #[test]
    fn loaded_depth_is_checked_at_its_place() {
        let value = serde_json::json!({"a": [1, {"b": {}}], "c": {"d": [[]]}});
        let limits = |max_nesting| Limits {
            max_nesting,
            ..Limits::default()
        };
        assert!(check_depth(Path::new("x"), &value, &limits(4)).is_ok());
        let error = check_depth(Path::new("x"), &value, &limits(3)).err();
        assert_eq!(
            error.map(|e| e.to_string()),
            Some("x #/a/1/b: nested deeper than 3 levels (--max-nesting raises it)".to_owned())
        );
    }
}
