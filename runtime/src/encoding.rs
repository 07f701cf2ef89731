//! Turning parameter values into the strings that go on the wire.
//!
//! Generated code hands parameters over as `impl Serialize`; this module flattens the
//! resulting JSON value following the OpenAPI serialisation styles we support.

use serde::Serialize;
use serde_json::Value;

/// How a query parameter is spread over the query string (OpenAPI `style` + `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// `style: form, explode: true` (the default): arrays repeat the name, objects spread their keys.
    Form,
    /// `style: form, explode: false`: arrays and objects are joined with commas.
    FormNoExplode,
    /// `style: deepObject`: `name[key]=value`, nested.
    DeepObject,
}

/// Serialises `value` to JSON, for flattening into a parameter.
pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

/// The plain text of a scalar, as it appears in a path segment, header or query value.
/// Arrays are joined with commas (OpenAPI's `simple` style); objects are rejected.
pub(crate) fn scalar_text(value: &Value) -> Result<Option<String>, String> {
    Ok(match value {
        Value::Null => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                if let Some(text) = scalar_text(item)? {
                    parts.push(text);
                }
            }
            Some(parts.join(","))
        }
        Value::Object(_) => return Err("an object cannot be sent as a single value".into()),
    })
}

/// Appends `name`'s query pairs in `style` to `out`. `None`/null adds nothing.
pub(crate) fn query_pairs(
    name: &str,
    value: &Value,
    style: QueryStyle,
    out: &mut Vec<(String, String)>,
) -> Result<(), String> {
    match (value, style) {
        (Value::Null, _) => {}
        (Value::Array(items), QueryStyle::Form) => {
            for item in items {
                if let Some(text) = scalar_text(item)? {
                    out.push((name.to_owned(), text));
                }
            }
        }
        (Value::Object(map), QueryStyle::DeepObject) => {
            for (key, item) in map {
                deep_object_pairs(&format!("{name}[{key}]"), item, out)?;
            }
        }
        (Value::Object(map), QueryStyle::Form) => {
            for (key, item) in map {
                if let Some(text) = scalar_text(item)? {
                    out.push((key.clone(), text));
                }
            }
        }
        (other, QueryStyle::FormNoExplode | QueryStyle::Form | QueryStyle::DeepObject) => {
            if let Value::Object(map) = other {
                let mut parts = Vec::new();
                for (key, item) in map {
                    if let Some(text) = scalar_text(item)? {
                        parts.push(key.clone());
                        parts.push(text);
                    }
                }
                out.push((name.to_owned(), parts.join(",")));
            } else if let Some(text) = scalar_text(other)? {
                out.push((name.to_owned(), text));
            }
        }
    }
    Ok(())
}

fn deep_object_pairs(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                deep_object_pairs(&format!("{prefix}[{key}]"), item, out)?;
            }
        }
        Value::Array(items) => {
            for item in items {
                if let Some(text) = scalar_text(item)? {
                    out.push((format!("{prefix}[]"), text));
                }
            }
        }
        other => {
            if let Some(text) = scalar_text(other)? {
                out.push((prefix.to_owned(), text));
            }
        }
    }
    Ok(())
}

/// Characters escaped in a path segment: everything but RFC 3986 unreserved characters.
pub(crate) fn encode_path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(name: &str, value: Value, style: QueryStyle) -> Vec<(String, String)> {
        let mut out = Vec::new();
        query_pairs(name, &value, style, &mut out).unwrap();
        out
    }

    #[test]
    fn exploded_arrays_repeat_the_name() {
        assert_eq!(
            pairs("day[]", json!(["2024-01-01", "2024-01-02"]), QueryStyle::Form),
            vec![
                ("day[]".to_owned(), "2024-01-01".to_owned()),
                ("day[]".to_owned(), "2024-01-02".to_owned())
            ]
        );
    }

    #[test]
    fn unexploded_arrays_join_with_commas() {
        assert_eq!(
            pairs("ids", json!([1, 2, 3]), QueryStyle::FormNoExplode),
            vec![("ids".to_owned(), "1,2,3".to_owned())]
        );
    }

    #[test]
    fn deep_objects_nest_with_brackets() {
        assert_eq!(
            pairs("filter", json!({"a": {"b": 1}, "c": "x"}), QueryStyle::DeepObject),
            vec![
                ("filter[a][b]".to_owned(), "1".to_owned()),
                ("filter[c]".to_owned(), "x".to_owned())
            ]
        );
    }

    #[test]
    fn null_adds_nothing() {
        assert!(pairs("page", Value::Null, QueryStyle::Form).is_empty());
    }

    #[test]
    fn path_segments_escape_reserved_characters() {
        assert_eq!(encode_path_segment("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(encode_path_segment("ümlaut"), "%C3%BCmlaut");
    }
}
