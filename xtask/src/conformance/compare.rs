//! Comparing an example with its re-encoding, with the documented normalisations only.
//!
//! Two JSON values are the same when they are equal after these, and nothing else:
//! - **absent vs null**: an object member that is `null` on one side and absent on the other.
//!   Optional fields are `Option`s that serialise `None` by leaving the member out, and a
//!   required nullable field writes `null`; the validator already decided which the spec allows.
//! - **number formatting**: numbers compare by value (`1` = `1.0`), and two floats within
//!   single precision of each other (relative 1e-6) are the same: `format: float` fields are `f32`.
//! - **string formats with one value and many spellings**: RFC 3339 date-times compare as instants
//!   (`Z` = `+00:00`, `.000` = no fraction, and a colon-less offset `+0100` = `+01:00`, which
//!   `x-lenient-date-time` allows), UUIDs case-insensitively.
//! - **member order**: objects compare as maps.
//! - **undeclared members**: a member the example has and the re-encoding lacks is dropped
//!   by design when no schema that applies there declares it (the schema tolerates it only
//!   because it sets no `additionalProperties`; see [`super::declared`]). Such examples are
//!   counted apart (`ok` with undeclared members dropped), so the figure stays visible.

use serde_json::Value;

use super::validate::shorten;

/// What comparing an example with its re-encoding found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    /// The same JSON, up to the normalisations; `dropped` members the spec does not declare.
    Same {
        /// How many undeclared members the generated type dropped.
        dropped: usize,
    },
    /// The first difference, as `at <JSON path>: <what>`.
    Different(String),
}

/// Compares `original` with `encoded`; `declared(path, key)` says whether the member `key` of
/// the object at `path` is one the spec declares.
pub fn compare(original: &Value, encoded: &Value, declared: &dyn Fn(&[String], &str) -> bool) -> Comparison {
    let mut walk = Walk {
        declared,
        tokens: Vec::new(),
        path: String::new(),
        dropped: 0,
    };
    match walk.diff(original, encoded) {
        Some(difference) => Comparison::Different(difference),
        None => Comparison::Same { dropped: walk.dropped },
    }
}

/// The first difference between `original` and `encoded`, every member counting as declared.
#[cfg(test)]
pub fn difference(original: &Value, encoded: &Value) -> Option<String> {
    match compare(original, encoded, &|_, _| true) {
        Comparison::Same { .. } => None,
        Comparison::Different(d) => Some(d),
    }
}

struct Walk<'a> {
    declared: &'a dyn Fn(&[String], &str) -> bool,
    tokens: Vec<String>,
    path: String,
    dropped: usize,
}

impl Walk<'_> {
    fn enter(&mut self, token: String) -> usize {
        let len = self.path.len();
        self.path.push('/');
        self.path.push_str(&codegen::diagnostic::escape_pointer_token(&token));
        self.tokens.push(token);
        len
    }

    fn leave(&mut self, len: usize) {
        self.path.truncate(len);
        self.tokens.pop();
    }

    fn diff(&mut self, original: &Value, encoded: &Value) -> Option<String> {
        let at = |path: &str| {
            if path.is_empty() {
                "(root)".to_owned()
            } else {
                path.to_owned()
            }
        };
        match (original, encoded) {
            (Value::Object(a), Value::Object(b)) => {
                let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
                for key in keys {
                    match (a.get(key), b.get(key)) {
                        (Some(Value::Null), None) | (None, Some(Value::Null)) | (None, None) => continue,
                        (Some(_), None) if !(self.declared)(&self.tokens, key) => {
                            self.dropped += 1;
                            continue;
                        }
                        _ => {}
                    }
                    let len = self.enter(key.clone());
                    let found = match (a.get(key), b.get(key)) {
                        (Some(x), Some(y)) => self.diff(x, y),
                        (Some(x), None) => Some(format!(
                            "at {}: {} is missing after re-encoding",
                            at(&self.path),
                            brief(x)
                        )),
                        (None, Some(y)) => Some(format!("at {}: re-encoding added {}", at(&self.path), brief(y))),
                        (None, None) => None,
                    };
                    self.leave(len);
                    if found.is_some() {
                        return found;
                    }
                }
                None
            }
            (Value::Array(a), Value::Array(b)) => {
                if a.len() != b.len() {
                    return Some(format!("at {}: {} items became {}", at(&self.path), a.len(), b.len()));
                }
                for (index, (x, y)) in a.iter().zip(b).enumerate() {
                    let len = self.enter(index.to_string());
                    let found = self.diff(x, y);
                    self.leave(len);
                    if found.is_some() {
                        return found;
                    }
                }
                None
            }
            (Value::Number(a), Value::Number(b)) if same_number(a, b) => None,
            (Value::String(a), Value::String(b)) if same_string(a, b) => None,
            (a, b) if a == b => None,
            (a, b) => Some(format!("at {}: {} became {}", at(&self.path), brief(a), brief(b))),
        }
    }
}

fn same_number(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-6 * x.abs().max(y.abs()),
        _ => false,
    }
}

fn same_string(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if let (Some(x), Some(y)) = (date_time(a), date_time(b)) {
        return x == y;
    }
    matches!((uuid::Uuid::parse_str(a), uuid::Uuid::parse_str(b)), (Ok(x), Ok(y)) if x == y)
}

/// An RFC 3339 date-time, or one with a colon-less offset (`x-lenient-date-time`).
fn date_time(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .or_else(|_| chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
}

/// A value as short JSON for messages.
fn brief(value: &Value) -> String {
    shorten(&value.to_string(), 80)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn documented_normalisations_are_not_differences() {
        let original = json!({"a": null, "n": 1.0, "f": 0.1, "t": "2020-01-01T00:00:00.000Z",
            "l": "2016-11-24T13:34:54+0100",
            "u": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "m": {"x": 1, "y": 2}});
        let encoded = json!({"n": 1, "f": 0.10000000149011612, "t": "2020-01-01T00:00:00+00:00",
            "l": "2016-11-24T13:34:54+01:00",
            "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "m": {"y": 2, "x": 1}, "b": null});
        assert_eq!(difference(&original, &encoded), None);
        let shifted = json!("2016-11-24T13:34:54+02:00");
        assert!(difference(&json!("2016-11-24T13:34:54+0100"), &shifted).is_some());
    }

    #[test]
    fn only_undeclared_members_may_be_dropped_and_they_are_counted() {
        let original = json!({"kept": 1, "extra": "x", "inner": {"lost": 2}});
        let encoded = json!({"kept": 1, "inner": {}});
        let declared = |path: &[String], key: &str| !(path.is_empty() && key == "extra");
        assert_eq!(
            compare(&original, &encoded, &declared),
            Comparison::Different("at /inner/lost: 2 is missing after re-encoding".to_owned())
        );
        let encoded = json!({"kept": 1, "inner": {"lost": 2}});
        assert_eq!(compare(&original, &encoded, &declared), Comparison::Same { dropped: 1 });
    }

    #[test]
    fn names_the_first_real_difference_with_its_path() {
        assert_eq!(
            difference(&json!({"a": [1, {"b": "x"}]}), &json!({"a": [1, {}]})),
            Some("at /a/1/b: \"x\" is missing after re-encoding".to_owned())
        );
        assert_eq!(
            difference(&json!({"a": 1}), &json!({"a": 2})),
            Some("at /a: 1 became 2".to_owned())
        );
        assert_eq!(
            difference(&json!("x"), &json!({"x": 1})),
            Some("at (root): \"x\" became {\"x\":1}".to_owned())
        );
        assert_eq!(
            difference(&json!({}), &json!({"extra": false})),
            Some("at /extra: re-encoding added false".to_owned())
        );
    }
}
