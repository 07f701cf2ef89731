//! Validating examples against their schemas with the `jsonschema` crate.
//!
//! The normalised document is OpenAPI 3.0 (the normaliser rewrote 3.1 into it), whose schema
//! dialect is JSON Schema draft 4 plus a few keywords. One of them changes validation and is
//! translated here: `nullable: true` becomes `anyOf: [{type: null}, <the schema>]`. Two formats
//! the generator maps to checked Rust types are added to the validator's formats: `date`
//! (RFC 3339 full-date, `chrono::NaiveDate`) and `uuid` (`uuid::Uuid`). Everything else
//! (`discriminator`, `readOnly`, `example`, `x-*`) is an annotation and is ignored. `$ref`s
//! resolve inside the document, which is registered once and shared by every validator.

use std::collections::HashMap;

use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Map, Value};

/// The URI the document is registered under.
const DOCUMENT_URI: &str = "https://conformance.invalid/openapi.json";

/// Validators for the schemas of one document, built on first use.
pub struct Validators {
    registry: Registry,
    /// The document as the validator reads it (`nullable` translated), for its pointers.
    converted: Value,
    built: HashMap<String, Result<Validator, String>>,
}

impl Validators {
    /// Prepares validation against the schemas of `document` (the normalised document).
    pub fn new(document: &Value) -> anyhow::Result<Self> {
        let mut converted = document.clone();
        lenient_date_times(&mut converted);
        drop_unchecked_formats(&mut converted);
        null_only_alternatives(&mut converted);
        nullable_to_any_of(&mut converted);
        let resource = Draft::Draft4.create_resource(converted.clone());
        let registry = Registry::options()
            .draft(Draft::Draft4)
            .build([(DOCUMENT_URI, resource)])
            .map_err(|e| anyhow::anyhow!("registering the document with the validator: {e}"))?;
        Ok(Self {
            registry,
            converted,
            built: HashMap::new(),
        })
    }

    /// `Ok(())` when `value` satisfies the schema at `pointer`, else the validator's messages
    /// (or, when the schema itself does not compile, why: `Err` with `schema_error` set).
    pub fn check(&mut self, pointer: &str, value: &Value) -> Result<(), Rejection> {
        let (registry, converted) = (&self.registry, &self.converted);
        let validator = self
            .built
            .entry(pointer.to_owned())
            .or_insert_with(|| build(registry, converted, pointer));
        let validator = match validator {
            Ok(validator) => validator,
            Err(message) => return Err(Rejection::Schema(message.clone())),
        };
        let messages: Vec<String> = validator
            .iter_errors(value)
            .take(3)
            .map(|error| {
                let at = error.instance_path.to_string();
                let at = if at.is_empty() { "(root)".to_owned() } else { at };
                format!("at {at}: {}", shorten(&error.to_string(), 200))
            })
            .collect();
        if messages.is_empty() {
            Ok(())
        } else {
            Err(Rejection::Example(messages.join("; ")))
        }
    }
}

impl Validators {
    /// Drops the validator built for `pointer`, if any: generated instances check each
    /// component schema once, and keeping a validator per schema of a large document (each
    /// holding what its `$ref`s reach) would grow with the document's square.
    pub fn forget(&mut self, pointer: &str) {
        self.built.remove(pointer);
    }
}

/// Why a value was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The validator rejects the example: the validator's messages.
    Example(String),
    /// There is no schema to validate against (a media type that declares none), or it does
    /// not compile (e.g. an invalid `pattern`), so nothing can be said: why.
    Schema(String),
}

fn build(registry: &Registry, converted: &Value, pointer: &str) -> Result<Validator, String> {
    let pointer = converted_pointer(converted, pointer)
        .ok_or_else(|| format!("no schema at {pointer} (e.g. a media type that declares none)"))?;
    let schema = json!({ "$ref": format!("{DOCUMENT_URI}#{}", encode_fragment(&pointer)) });
    jsonschema::options()
        .with_draft(Draft::Draft4)
        .with_registry(registry.clone())
        .should_validate_formats(true)
        .with_format("date", |s: &str| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
        })
        .with_format("uuid", |s: &str| uuid::Uuid::parse_str(s).is_ok())
        .with_format(LENIENT_DATE_TIME, |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s).is_ok()
                || chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z").is_ok()
        })
        .build(&schema)
        .map_err(|e| format!("the schema does not compile: {}", shorten(&e.to_string(), 300)))
}

/// A JSON pointer as a URI fragment: characters outside RFC 3986's `pchar` set percent-encoded.
fn encode_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&byte);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The format of `date-time` strings the spec marks `x-lenient-date-time` (a colon-less
/// offset allowed, as `client_runtime::LenientDateTime` decodes them).
const LENIENT_DATE_TIME: &str = "x-lenient-date-time";

/// Gives every `format: date-time` schema marked `x-lenient-date-time: true` the lenient format.
fn lenient_date_times(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" && key != "enum" && key != "default" {
                    lenient_date_times(child);
                }
            }
            let lenient = map.get("x-lenient-date-time") == Some(&Value::Bool(true));
            if lenient && map.get("format").and_then(Value::as_str) == Some("date-time") {
                map.insert("format".to_owned(), Value::String(LENIENT_DATE_TIME.to_owned()));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(lenient_date_times),
        _ => {}
    }
}

/// Marks the `anyOf` objects [`nullable_to_any_of`] made (an unknown keyword, which
/// validators ignore), so [`converted_pointer`] can step into them.
const NULLABLE_WRAPPER: &str = "x-conformance-nullable";

/// The pointer, in the converted document, of the schema at `pointer` in the normalised one
/// (`None` when there is none): below a schema that `nullable` wrapped, its keywords sit at
/// `anyOf/1`. Without this, every schema inside a nullable object (Intercom's 370 property
/// examples) would be out of the validator's reach.
fn converted_pointer(converted: &Value, pointer: &str) -> Option<String> {
    let mut out = String::with_capacity(pointer.len());
    let mut current = converted;
    for token in pointer.split('/').skip(1) {
        if current.get(NULLABLE_WRAPPER) == Some(&Value::Bool(true)) {
            out.push_str("/anyOf/1");
            current = current.pointer("/anyOf/1")?;
        }
        out.push('/');
        out.push_str(token);
        let key = token.replace("~1", "/").replace("~0", "~");
        current = match current {
            Value::Object(members) => members.get(&key)?,
            Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(out)
}

/// The string formats the generated types check (`chrono`, `uuid` and `LenientDateTime`
/// types); the validator checks these and no others.
const CHECKED_FORMATS: [&str; 4] = ["date-time", "date", "uuid", LENIENT_DATE_TIME];

/// Removes every other `format`: the generator types those strings as `String`, which takes
/// any string. Checking them (`uri` takes no relative reference like Intercom's
/// `/contacts/1/notes`, `email`, `hostname`, ...) would call such an example `spec-invalid`
/// and keep it from being decoded, hiding whatever else in it the types get wrong; format
/// checking is optional in draft 4 and an annotation in OpenAPI.
fn drop_unchecked_formats(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" && key != "enum" && key != "default" {
                    drop_unchecked_formats(child);
                }
            }
            let unchecked = map
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|format| !CHECKED_FORMATS.contains(&format));
            if unchecked {
                map.remove("format");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(drop_unchecked_formats),
        _ => {}
    }
}

/// Keywords that say nothing about which values a schema takes (OpenAPI's schema data and
/// annotations; `x-*` extensions too).
const ANNOTATIONS: [&str; 12] = [
    "nullable",
    "title",
    "description",
    "example",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "externalDocs",
    "xml",
    "discriminator",
];

/// Whether a schema is `nullable` with no type or constraint: as a `oneOf`/`anyOf`
/// alternative, the normaliser's form of 3.1's `{type: "null"}`.
pub fn is_null_only(schema: &Map<String, Value>) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
        && schema
            .keys()
            .all(|k| ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-"))
}

/// Gives a `oneOf`/`anyOf` alternative that is `nullable` with no type or constraint
/// `type: "null"`, as the generator reads it (`is_null_only`: the union becomes an `Option`).
/// The normaliser writes 3.1's `{type: "null"}` so, which in 3.0 would take any value: the
/// validator accepted Discord's `"value"` for `emoji: oneOf [null, PollEmoji]`, and the
/// `Option<PollEmoji>` rejecting it was counted as the generator's fault.
fn null_only_alternatives(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "example" || key == "examples" || key == "enum" || key == "default" {
                    continue;
                }
                if key == "oneOf" || key == "anyOf" {
                    for alternative in child.as_array_mut().into_iter().flatten() {
                        let Value::Object(alternative) = alternative else {
                            continue;
                        };
                        if is_null_only(alternative) {
                            alternative.remove("nullable");
                            alternative.insert("type".to_owned(), Value::String("null".to_owned()));
                        }
                    }
                }
                null_only_alternatives(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(null_only_alternatives),
        _ => {}
    }
}

/// Rewrites every schema with `nullable: true` into `anyOf: [{type: null}, <schema>]`
/// (marked as [`NULLABLE_WRAPPER`]).
///
/// Walks the whole document: `nullable` with a boolean value only occurs on schemas (a
/// property *named* `nullable` has a schema, an object, as its value).
pub fn nullable_to_any_of(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                // Example values are data, not schemas.
                if key != "example" && key != "examples" && key != "enum" && key != "default" {
                    nullable_to_any_of(child);
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                let mut rest: Map<String, Value> = std::mem::take(map);
                rest.remove("nullable");
                map.insert("anyOf".to_owned(), json!([{ "type": "null" }, Value::Object(rest)]));
                map.insert(NULLABLE_WRAPPER.to_owned(), Value::Bool(true));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_to_any_of),
        _ => {}
    }
}

/// At most `max` characters of `text`, marked when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Value {
        json!({
            "openapi": "3.0.3",
            "components": {"schemas": {
                "Pet": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"},
                    "tag": {"type": "string", "nullable": true},
                    "born": {"type": "string", "format": "date"},
                    "kind": {"type": "string", "enum": ["cat", "dog"], "nullable": true}
                }},
                "Pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
                "a b{c}": {"type": "integer"}
            }}
        })
    }

    #[test]
    fn accepts_valid_values_and_null_where_nullable() {
        let mut validators = Validators::new(&document()).expect("registry");
        let ok = json!([{"name": "rex", "tag": null, "kind": null, "born": "2020-02-29"}]);
        assert_eq!(validators.check("/components/schemas/Pets", &ok), Ok(()));
        assert_eq!(validators.check("/components/schemas/a b{c}", &json!(3)), Ok(()));
    }

    #[test]
    fn rejects_with_the_validators_message_and_place() {
        let mut validators = Validators::new(&document()).expect("registry");
        let Err(Rejection::Example(message)) = validators.check("/components/schemas/Pets", &json!([{"tag": "x"}]))
        else {
            panic!("a pet without its required name must be rejected");
        };
        assert!(message.contains("at /0") && message.contains("name"), "{message}");
        let bad_date = json!({"name": "rex", "born": "2021-02-29"});
        assert!(matches!(
            validators.check("/components/schemas/Pet", &bad_date),
            Err(Rejection::Example(m)) if m.contains("/born")
        ));
    }

    #[test]
    fn a_lenient_date_time_takes_a_colon_less_offset_and_a_plain_one_does_not() {
        let document = json!({"components": {"schemas": {
            "Lenient": {"type": "string", "format": "date-time", "x-lenient-date-time": true},
            "Strict": {"type": "string", "format": "date-time"}
        }}});
        let mut validators = Validators::new(&document).expect("registry");
        let colon_less = json!("2016-11-24T13:34:54+0100");
        assert_eq!(validators.check("/components/schemas/Lenient", &colon_less), Ok(()));
        assert_eq!(
            validators.check("/components/schemas/Lenient", &json!("2016-11-24T13:34:54Z")),
            Ok(())
        );
        assert!(validators
            .check("/components/schemas/Lenient", &json!("yesterday"))
            .is_err());
        assert!(validators.check("/components/schemas/Strict", &colon_less).is_err());
    }

    #[test]
    fn schemas_inside_a_nullable_schema_are_reached_by_their_own_pointer() {
        let document = json!({"components": {"schemas": {
            "Metadata": {"type": "object", "nullable": true, "properties": {
                "id": {"type": "string", "example": "a1"},
                "tags": {"type": "array", "nullable": true, "items": {"type": "integer"}}
            }}
        }}});
        let mut validators = Validators::new(&document).expect("registry");
        let at = |p: &str| format!("/components/schemas/Metadata{p}");
        assert_eq!(validators.check(&at(""), &json!(null)), Ok(()));
        assert_eq!(validators.check(&at("/properties/id"), &json!("a1")), Ok(()));
        assert!(matches!(
            validators.check(&at("/properties/id"), &json!(7)),
            Err(Rejection::Example(_))
        ));
        assert_eq!(validators.check(&at("/properties/tags/items"), &json!(3)), Ok(()));
        assert!(validators.check(&at("/properties/tags/items"), &json!("x")).is_err());
    }

    #[test]
    fn only_the_formats_the_types_check_are_validated() {
        let document = json!({"components": {"schemas": {
            "Link": {"type": "string", "format": "uri"},
            "Contact": {"type": "object", "properties": {
                "email": {"type": "string", "format": "email"},
                "seen": {"type": "string", "format": "date-time"},
                "id": {"type": "string", "format": "uuid"},
                "format": {"type": "string", "enum": ["uri"]}
            }}
        }}});
        let mut validators = Validators::new(&document).expect("registry");
        assert_eq!(
            validators.check("/components/schemas/Link", &json!("/contacts/1/notes")),
            Ok(())
        );
        let relaxed = json!({"email": "not an address", "format": "uri"});
        assert_eq!(validators.check("/components/schemas/Contact", &relaxed), Ok(()));
        for checked in [
            json!({"seen": "yesterday"}),
            json!({"id": "12"}),
            json!({"format": "email"}),
        ] {
            assert!(
                validators.check("/components/schemas/Contact", &checked).is_err(),
                "{checked}"
            );
        }
    }

    #[test]
    fn a_nullable_alternative_with_no_type_takes_only_null_and_elsewhere_anything() {
        let document = json!({"components": {"schemas": {
            "Emoji": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Media": {"type": "object", "properties": {
                "emoji": {"oneOf": [
                    {"nullable": true, "description": "3.1's type null, normalised"},
                    {"$ref": "#/components/schemas/Emoji"}
                ]},
                "anything": {"nullable": true}
            }}
        }}});
        let mut validators = Validators::new(&document).expect("registry");
        let media = "/components/schemas/Media";
        assert_eq!(validators.check(media, &json!({"emoji": null})), Ok(()));
        assert_eq!(validators.check(media, &json!({"emoji": {"name": "x"}})), Ok(()));
        assert!(validators.check(media, &json!({"emoji": "value"})).is_err());
        assert_eq!(validators.check(media, &json!({"anything": "value"})), Ok(()));
    }

    #[test]
    fn a_schema_that_does_not_compile_is_a_schema_rejection() {
        let mut validators = Validators::new(&document()).expect("registry");
        assert!(matches!(
            validators.check("/components/schemas/Missing", &json!(1)),
            Err(Rejection::Schema(_))
        ));
    }
}
