//! JSON Schema keywords that OpenAPI 3.0 lacks, mapped to the closest 3.0 form or dropped.
//!
//! openapiv3 ignores most unknown keywords, but their meaning would be lost without a word,
//! and some (tuples, `items: false`) it rejects. What has a 3.0 counterpart is rewritten to
//! it; what only validates and means nothing for generated types is dropped silently.

use serde_json::{Map, Value};

use super::Ctx;

/// Keywords with no 3.0 counterpart that do not change the shape of generated types.
const DROPPED: [&str; 18] = [
    "$schema",
    "$id",
    "$anchor",
    "$dynamicAnchor",
    "$dynamicRef",
    "$comment",
    "$vocabulary",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
    "propertyNames",
    "contentSchema",
];

/// Applies every keyword rule to one schema.
pub(crate) fn apply(schema: &mut Map<String, Value>, ctx: &mut Ctx<'_>) {
    const_to_enum(schema);
    examples_to_example(schema);
    content_to_format(schema);
    tuples_to_items(schema, ctx);
    pattern_properties(schema);
    unevaluated_properties(schema);
    malformed_required(schema, ctx);
    for key in DROPPED {
        schema.shift_remove(key);
    }
}

/// `const: v` → `enum: [v]` (3.0 has no `const`; a one-value enum means the same).
fn const_to_enum(schema: &mut Map<String, Value>) {
    if let Some(value) = schema.shift_remove("const") {
        schema.insert("enum".to_string(), Value::Array(vec![value]));
    }
}

/// A schema's 3.1 `examples` array → `example` (its first entry), unless one is given.
fn examples_to_example(schema: &mut Map<String, Value>) {
    // A map here is not valid in any version and carries nothing a client uses: dropped.
    if let Some(Value::Array(examples)) = schema.shift_remove("examples") {
        if let Some(first) = examples.into_iter().next() {
            schema.entry("example").or_insert(first);
        }
    }
}

/// `contentEncoding: base64` → `format: byte`; `contentMediaType: application/octet-stream`
/// → `format: binary` (the 3.0 way to say the same), unless a format is given.
fn content_to_format(schema: &mut Map<String, Value>) {
    let encoding = schema.shift_remove("contentEncoding");
    let media_type = schema.shift_remove("contentMediaType");
    if schema.contains_key("format") {
        return;
    }
    let format = match (
        encoding.as_ref().and_then(Value::as_str),
        media_type.as_ref().and_then(Value::as_str),
    ) {
        (Some("base64" | "base64url"), _) => "byte",
        (None, Some("application/octet-stream")) => "binary",
        _ => return,
    };
    schema.insert("format".to_string(), Value::String(format.to_string()));
}

/// Tuples (`prefixItems`, or draft-4 `items: [..]` with `additionalItems`) and `items: false`.
///
/// 3.0 arrays have one item schema, so a tuple becomes an array of "one of" its item
/// schemas, with a warning; a closed tuple also gets `maxItems`. `items: false` alone (no
/// items allowed) becomes `maxItems: 0`.
fn tuples_to_items(schema: &mut Map<String, Value>, ctx: &mut Ctx<'_>) {
    let (tuple, rest_key) = match schema.get("prefixItems") {
        Some(Value::Array(_)) => (schema.shift_remove("prefixItems"), "items"),
        _ => match schema.get("items") {
            Some(Value::Array(_)) => (schema.shift_remove("items"), "additionalItems"),
            _ => (None, "items"),
        },
    };
    let rest = match schema.get(rest_key) {
        Some(Value::Bool(_) | Value::Object(_)) => schema.shift_remove(rest_key),
        _ => None,
    };
    schema.shift_remove("additionalItems");
    let Some(Value::Array(tuple)) = tuple else {
        if let Some(Value::Bool(false)) = rest {
            schema.entry("maxItems").or_insert(Value::from(0));
        } else if let Some(rest) = rest {
            schema.insert("items".to_string(), rest);
        }
        return;
    };
    let closed = matches!(rest, Some(Value::Bool(false)));
    if closed {
        schema.entry("maxItems").or_insert(Value::from(tuple.len()));
    }
    let mut choices: Vec<Value> = Vec::with_capacity(tuple.len() + 1);
    for item in tuple.into_iter().chain(rest.filter(Value::is_object)) {
        if !choices.contains(&item) {
            choices.push(item);
        }
    }
    let items = match choices.len() {
        0 => return,
        1 => choices.pop().unwrap_or_default(),
        _ => {
            let mut one_of = Map::new();
            one_of.insert("oneOf".to_string(), Value::Array(choices));
            Value::Object(one_of)
        }
    };
    schema.insert("items".to_string(), items);
    ctx.warn(
        None,
        "a tuple (`prefixItems`) became an array whose items are one of the tuple's schemas",
    );
}

/// `patternProperties` → `additionalProperties` (the value schema of a 3.0 map), when that
/// is not given: the key pattern is lost, the value type is kept.
fn pattern_properties(schema: &mut Map<String, Value>) {
    let Some(Value::Object(patterns)) = schema.shift_remove("patternProperties") else {
        return;
    };
    if schema.contains_key("additionalProperties") {
        return;
    }
    let mut values: Vec<Value> = Vec::with_capacity(patterns.len());
    for (_, value) in patterns {
        if !values.contains(&value) {
            values.push(value);
        }
    }
    let value = match values.len() {
        0 => return,
        1 => values.pop().unwrap_or_default(),
        _ => {
            let mut any_of = Map::new();
            any_of.insert("anyOf".to_string(), Value::Array(values));
            Value::Object(any_of)
        }
    };
    schema.insert("additionalProperties".to_string(), value);
}

/// `unevaluatedProperties` → `additionalProperties` when that is not given: for generated
/// types both say whether (and which) properties beyond the declared ones are allowed.
fn unevaluated_properties(schema: &mut Map<String, Value>) {
    let Some(value) = schema.shift_remove("unevaluatedProperties") else {
        return;
    };
    if !schema.contains_key("additionalProperties") && (value.is_boolean() || value.is_object()) {
        schema.insert("additionalProperties".to_string(), value);
    }
}

/// `required` that is not a list (Swagger 2's per-property `required: true` habit) is
/// dropped with a warning: openapiv3 would reject the whole document over it.
fn malformed_required(schema: &mut Map<String, Value>, ctx: &mut Ctx<'_>) {
    match schema.get("required") {
        None | Some(Value::Array(_)) => {}
        Some(other) => {
            let shown = other.to_string();
            schema.shift_remove("required");
            ctx.warn(
                Some("required"),
                format!("dropped `required: {shown}`: a schema's `required` lists property names (mark the property required in its parent)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::test_support::run;
    use serde_json::json;

    fn keywords(v: Value) -> (Value, Vec<String>) {
        run(v, |v, ctx| {
            if let Some(m) = v.as_object_mut() {
                apply(m, ctx);
            }
        })
    }

    #[test]
    fn const_becomes_a_one_value_enum() {
        assert_eq!(
            keywords(json!({"type": "string", "const": "a"})).0,
            json!({"type": "string", "enum": ["a"]})
        );
    }

    #[test]
    fn examples_array_becomes_example() {
        assert_eq!(keywords(json!({"examples": ["a", "b"]})).0, json!({"example": "a"}));
        assert_eq!(
            keywords(json!({"examples": ["a"], "example": "z"})).0,
            json!({"example": "z"})
        );
    }

    #[test]
    fn content_keywords_become_formats() {
        assert_eq!(
            keywords(json!({"type": "string", "contentEncoding": "base64"})).0,
            json!({"type": "string", "format": "byte"})
        );
        assert_eq!(
            keywords(json!({"type": "string", "contentMediaType": "application/octet-stream"})).0,
            json!({"type": "string", "format": "binary"})
        );
        assert_eq!(
            keywords(json!({"type": "string", "contentMediaType": "application/json"})).0,
            json!({"type": "string"})
        );
    }

    #[test]
    fn closed_tuples_become_bounded_arrays_with_a_warning() {
        let (out, warnings) = keywords(json!({
            "type": "array",
            "prefixItems": [{"type": "string"}, {"type": "integer"}],
            "items": false
        }));
        assert_eq!(
            out,
            json!({"type": "array", "maxItems": 2, "items": {"oneOf": [{"type": "string"}, {"type": "integer"}]}})
        );
        assert_eq!(
            warnings,
            ["#/s: a tuple (`prefixItems`) became an array whose items are one of the tuple's schemas"]
        );
    }

    #[test]
    fn draft4_tuples_and_items_false() {
        assert_eq!(
            keywords(json!({"type": "array", "items": [{"type": "string"}], "additionalItems": {"type": "string"}})).0,
            json!({"type": "array", "items": {"type": "string"}})
        );
        assert_eq!(
            keywords(json!({"type": "array", "items": false})).0,
            json!({"type": "array", "maxItems": 0})
        );
    }

    #[test]
    fn pattern_and_unevaluated_properties_become_additional_properties() {
        assert_eq!(
            keywords(json!({"type": "object", "patternProperties": {"^a": {"type": "string"}}})).0,
            json!({"type": "object", "additionalProperties": {"type": "string"}})
        );
        assert_eq!(
            keywords(json!({"type": "object", "unevaluatedProperties": false})).0,
            json!({"type": "object", "additionalProperties": false})
        );
    }

    #[test]
    fn validation_only_keywords_are_dropped_silently() {
        let (out, warnings) = keywords(json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "x", "$comment": "c",
            "if": {}, "then": {}, "else": {},
            "dependentRequired": {"a": ["b"]},
            "type": "object"
        }));
        assert_eq!(out, json!({"type": "object"}));
        assert!(warnings.is_empty());
    }

    #[test]
    fn boolean_required_is_dropped_with_a_warning() {
        let (out, warnings) = keywords(json!({"type": "string", "required": true}));
        assert_eq!(out, json!({"type": "string"}));
        assert_eq!(warnings.len(), 1);
    }
}
