//! The path of a JSON decoding failure, found from where in the text `serde_json` stopped.
//!
//! Why not `serde_path_to_error`: it wraps the deserializer, so every generated type's
//! `Deserialize` was compiled a second time, for that wrapper, beside the fast path's plain
//! `serde_json` one; in a big API's client crate that second copy of every decoder was a
//! large share of the build (BENCHMARKS.md, "Code per type, 2026-12-06"). The position
//! `serde_json` reports is enough: the members and items that are open at that byte are
//! the path, found by one non-generic scan of the text, compiled once in the runtime.
#![warn(clippy::arithmetic_side_effects)]

use std::fmt::Write as _;

/// One open container at the failure's position.
enum Frame {
    /// An object, and the member whose value the scan is in (once its key was read).
    Object { key: Option<String>, expecting_key: bool },
    /// An array, the index of its current item, and whether that item has begun.
    Array { index: usize, in_item: bool },
}

/// The path of the value `serde_json` was decoding when it failed with `error` on `text`, in
/// `serde_path_to_error`'s notation: `data[1].email`, `.` for the top level (also when the
/// error has no position).
///
/// A failure of the value itself with no position of its own (an untagged union no
/// alternative fits, a custom decoder's message) is placed by `serde_json` where the
/// enclosing object or array stopped reading: after its closing bracket when the value was
/// its last member, or after the comma behind an array item. The value is then the member or item
/// before that byte; a missing member or a wrong length is the container's own (also inside
/// an untagged union's alternative, where `serde_path_to_error` names the union member and
/// this names the object around it when the union is its last member).
pub(crate) fn path_of(text: &[u8], error: &serde_json::Error) -> String {
    let Some(end) = offset_of(text, error.line(), error.column()) else {
        return ".".to_owned();
    };
    let message = error.to_string();
    let of_the_container = ["missing field", "duplicate field", "invalid length"]
        .iter()
        .any(|start| message.starts_with(start));
    // The last byte read before the position, past the whitespace `serde_json` skipped.
    let last = text[..end].iter().rposition(|byte| !byte.is_ascii_whitespace());
    let scanned = match last {
        Some(last) if error.is_data() && !of_the_container && placed_behind(text, last, end) => last,
        _ => end,
    };
    render(&scan(&text[..scanned]))
}

/// Whether `text[last]`, the last byte before the position `end`, ended the container of the
/// failed value rather than the value. Before an object's comma the position is right behind
/// the value itself (`serde_json` does not read that comma), so a `}` there was the value's;
/// an array reads its comma and its `]`, so those are the container's. (A `]` before a comma
/// is taken as an array's end: a union member whose value is an array, failing as a whole,
/// is then named by its last item.)
fn placed_behind(text: &[u8], last: usize, end: usize) -> bool {
    match text[last] {
        b']' | b',' => true,
        b'}' => text.get(end) != Some(&b','),
        _ => false,
    }
}

/// The byte offset of a `serde_json` position: `column` bytes after the start of the 1-based
/// `line` (`serde_json` counts the bytes of the line before its position), at most the end.
fn offset_of(text: &[u8], line: usize, column: usize) -> Option<usize> {
    let newlines_before = line.checked_sub(1)?;
    let start = if newlines_before == 0 {
        0
    } else {
        let (index, _) = text
            .iter()
            .enumerate()
            .filter(|(_, byte)| **byte == b'\n')
            .nth(newlines_before.checked_sub(1)?)?;
        index.checked_add(1)?
    };
    Some(start.saturating_add(column).min(text.len()))
}

/// The most containers the scan keeps: `serde_json` refuses typed values nested deeper than
/// 128 levels, so a failure's path never needs more. Values it skips (members no type
/// declares) have no depth limit, though: `{"x": [[[[...` a million levels deep costs it
/// nothing, and one frame per level here would cost 32 bytes per byte of the body.
const MAX_FRAMES: usize = 256;

/// The containers open at the end of `text`, outermost first (at most [`MAX_FRAMES`]; the
/// levels below them are only counted).
fn scan(text: &[u8]) -> Vec<Frame> {
    let mut frames: Vec<Frame> = Vec::new();
    // Containers open inside the innermost kept frame, beyond `MAX_FRAMES`: nothing in them
    // can change the path, so only their number is kept, to know when they are closed.
    let mut deeper = 0usize;
    let mut i = 0;
    while let Some(&byte) = text.get(i) {
        i = i.saturating_add(1);
        if deeper > 0 {
            match byte {
                b'"' => i = string_end(text, i).saturating_add(1),
                b'{' | b'[' => deeper = deeper.saturating_add(1),
                b'}' | b']' => deeper = deeper.saturating_sub(1),
                _ => {}
            }
            continue;
        }
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            b'"' => {
                let start = i;
                i = string_end(text, start);
                let raw = text.get(start..i).unwrap_or_default();
                // Past the closing quote (when the text goes that far).
                i = i.saturating_add(1);
                match frames.last_mut() {
                    Some(Frame::Object { key, expecting_key }) if *expecting_key => {
                        *key = Some(unescape(raw));
                        *expecting_key = false;
                    }
                    _ => begin_value(&mut frames),
                }
            }
            b'{' | b'[' if frames.len() >= MAX_FRAMES => {
                begin_value(&mut frames);
                deeper = 1;
            }
            b'{' => {
                begin_value(&mut frames);
                frames.push(Frame::Object {
                    key: None,
                    expecting_key: true,
                });
            }
            b'[' => {
                begin_value(&mut frames);
                frames.push(Frame::Array {
                    index: 0,
                    in_item: false,
                });
            }
            b'}' | b']' => {
                frames.pop();
            }
            b',' => match frames.last_mut() {
                Some(Frame::Object { key, expecting_key }) => {
                    *key = None;
                    *expecting_key = true;
                }
                Some(Frame::Array { index, in_item }) => {
                    *index = index.saturating_add(1);
                    *in_item = false;
                }
                None => {}
            },
            // Between a key and its value: the value's path is the key's.
            b':' => {}
            // A number, `true`, `false` or `null`, byte by byte.
            _ => begin_value(&mut frames),
        }
    }
    frames
}

/// Marks the innermost array's current item as begun (a value's first byte was read).
fn begin_value(frames: &mut [Frame]) {
    if let Some(Frame::Array { in_item, .. }) = frames.last_mut() {
        *in_item = true;
    }
}

/// The index of the closing quote of the string whose content starts at `start` (or the
/// end of `text` when the failure came inside the string).
fn string_end(text: &[u8], start: usize) -> usize {
    let mut i = start;
    while let Some(&byte) = text.get(i) {
        match byte {
            b'"' => return i,
            // The escaped byte cannot close the string.
            b'\\' => i = i.saturating_add(2),
            _ => i = i.saturating_add(1),
        }
    }
    text.len()
}

/// A key's text: as it is without escapes, else decoded by `serde_json` (raw when invalid).
fn unescape(raw: &[u8]) -> String {
    if !raw.contains(&b'\\') {
        return String::from_utf8_lossy(raw).into_owned();
    }
    let mut quoted = Vec::with_capacity(raw.len().saturating_add(2));
    quoted.push(b'"');
    quoted.extend_from_slice(raw);
    quoted.push(b'"');
    serde_json::from_slice::<String>(&quoted).unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned())
}

/// `serde_path_to_error`'s notation: keys joined by `.`, items as `[i]`, `.` when empty.
fn render(frames: &[Frame]) -> String {
    let mut path = String::new();
    for frame in frames {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Array { index, in_item: true } => {
                // Writing to a String cannot fail.
                let _ = write!(path, "[{index}]");
            }
            _ => {}
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::path_of;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        id: u32,
        email: String,
        #[serde(default)]
        tags: Vec<Kind>,
        #[serde(default)]
        inner: Option<Box<Item>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        A,
        B,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    #[serde(untagged)]
    enum Either {
        Number(u32),
        Item(Item),
    }

    /// A decoder whose failure has no position of its own (like a date parsed from a string).
    #[derive(Debug)]
    struct Even;

    impl<'de> Deserialize<'de> for Even {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            match u32::deserialize(deserializer)? % 2 {
                0 => Ok(Even),
                _ => Err(serde::de::Error::custom("odd")),
            }
        }
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct List {
        data: Vec<Item>,
        #[serde(default)]
        evens: Vec<Even>,
        #[serde(default)]
        unions: Vec<Either>,
        #[serde(default)]
        either: Option<Either>,
        #[serde(rename = "we\"ird")]
        #[serde(default)]
        weird: Option<u32>,
    }

    /// Our path, beside `serde_path_to_error`'s for the same failure.
    fn both<T: for<'de> Deserialize<'de> + std::fmt::Debug>(json: &str) -> (String, String) {
        let e = serde_json::from_str::<T>(json).unwrap_err();
        let ours = path_of(json.as_bytes(), &e);
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let theirs = serde_path_to_error::deserialize::<_, T>(&mut deserializer).unwrap_err();
        assert_eq!(theirs.inner().to_string(), e.to_string(), "{json}");
        (ours, theirs.path().to_string())
    }

    #[test]
    fn the_path_is_serde_path_to_errors_for_each_kind_of_failure() {
        let cases = [
            // A wrong type inside an array item.
            (r#"{"data":[{"id":1,"email":"a"},{"id":2,"email":7}]}"#, "data[1].email"),
            // A wrong type that is a string, an object, an array.
            (r#"{"data":[{"id":"x","email":"a"}]}"#, "data[0].id"),
            (r#"{"data":[{"id":1,"email":{"a":[1,2]}}]}"#, "data[0].email"),
            (r#"{"data":[{"id":1,"email":[]}]}"#, "data[0].email"),
            (r#"{"data":{"id":1}}"#, "data"),
            // A missing member is the object's failure.
            (r#"{"data":[{"id":1,"email":"a"},{"id":2}]}"#, "data[1]"),
            (r#"{"either":null}"#, "."),
            // An unknown enum value, deeper, and after pretty-printing across lines.
            (
                "{\n  \"data\": [\n    {\"id\": 1, \"email\": \"a\", \"tags\": [\"a\", \"c\"]}\n  ]\n}",
                "data[0].tags[1]",
            ),
            (
                r#"{"data":[{"id":1,"email":"a","inner":{"id":2,"email":"b","inner":{"id":-3}}}]}"#,
                "data[0].inner.inner.id",
            ),
            // Keys and strings holding brackets, quotes and escapes.
            (r#"{"data":[{"email":"[{\"}","id":1,"tags":["z"]}]}"#, "data[0].tags[0]"),
            (r#"{"data":[],"we\"ird":"s"}"#, "we\"ird"),
            // An untagged union fails as a whole, as the last member, before another, as an item.
            (r#"{"data":[],"either":{"id":1}}"#, "either"),
            (r#"{"either":{"id":1} , "data":[]}"#, "either"),
            (r#"{"data":[],"unions":[1,{"id":1},2]}"#, "unions[1]"),
            (r#"{"data":[],"unions":[1,{"id":1}]}"#, "unions[1]"),
            (
                r#"{"data":[{"id":1,"email":"a","inner":{"id":2,"email":"b"}}],"unions":[[]]}"#,
                "unions[0]",
            ),
            // A custom decoder's message, with no position of its own.
            (r#"{"evens":[2,3],"data":[]}"#, "evens[1]"),
            (r#"{"data":[],"evens":[2,4,5 ]}"#, "evens[2]"),
            (r#"{"data":[],"evens":[1, 4]}"#, "evens[0]"),
        ];
        for (json, expected) in cases {
            let (ours, theirs) = both::<List>(json);
            assert_eq!(ours, theirs, "{json}");
            assert_eq!(ours, expected, "{json}");
        }
    }

    #[test]
    fn a_syntax_error_names_the_innermost_value_open_where_the_text_breaks() {
        // `serde_path_to_error` says `data` for the first: the item had been read.
        let cases = [
            (r#"{"data":[{"id":1,"email":"a"}"#, "data[0]"),
            (r#"{"data":[{"id":1,"email":"a"},]}"#, "data"),
            (r#"{"data":[]} x"#, "."),
            (r#"{"data":[{"id":1,"email":"a"},{"id":2,"email":"b"#, "data[1].email"),
            (r#"{"data":[{"id":1,"email":"a"} "#, "data[0]"),
            (r#"{"data":[{"id":1,"email"::"a"}]}"#, "data[0].email"),
        ];
        for (json, expected) in cases {
            let e = serde_json::from_str::<List>(json).unwrap_err();
            assert!(e.is_syntax() || e.is_eof(), "{json}");
            assert_eq!(path_of(json.as_bytes(), &e), expected, "{json}");
        }
    }

    #[test]
    fn a_top_level_array_and_a_top_level_union() {
        let (ours, theirs) = both::<Vec<Item>>(r#"[{"id":1,"email":"a"},{"id":2,"email":null}]"#);
        assert_eq!((ours.as_str(), theirs.as_str()), ("[1].email", "[1].email"));
        let (ours, theirs) = both::<Either>(r#"{"id":1}"#);
        assert_eq!((ours.as_str(), theirs.as_str()), (".", "."));
    }

    #[test]
    fn positions_past_the_text_or_missing_do_not_panic() {
        use super::{offset_of, render, scan};
        assert_eq!(offset_of(b"{}", 0, 0), None);
        assert_eq!(offset_of(b"{}", 9, 99), None);
        assert_eq!(offset_of(b"{\n}", 2, 99), Some(3));
        assert_eq!(render(&scan(b"{\"a\":[1")), "a[0]");
        assert_eq!(render(&scan(b"{\"a\":\"\\")), "a");
        assert_eq!(render(&scan(b"]]}")), ".");
    }
}
