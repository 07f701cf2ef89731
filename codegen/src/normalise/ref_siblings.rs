//! Keywords beside a schema `$ref` (allowed in 3.1, common in 3.0 specs too).
//!
//! openapiv3 reads `{$ref: X, ...}` as a bare reference and drops the rest, so a field the
//! spec marks `nullable` would not accept null. Where the siblings mean something, the node
//! becomes `{allOf: [{$ref: X}], <modifiers>}` (the IR reads a single-`$ref` allOf with
//! modifiers as "that type, modified"); sibling validation keywords (3.1 lets a `$ref` be
//! extended) go into a second allOf branch. A bare `$ref`, or one whose siblings only restate
//! defaults, stays as it is.

use serde_json::{Map, Value};

/// Annotations that stay on the wrapper and, if set, make the wrap worth doing.
const MODIFIERS: [&str; 8] = [
    "nullable",
    "description",
    "readOnly",
    "writeOnly",
    "default",
    "deprecated",
    "example",
    "examples",
];

/// Annotations that stay on the wrapper but alone do not call for one.
const PASSENGERS: [&str; 3] = ["title", "externalDocs", "discriminator"];

/// Keywords that constrain the value: beside a `$ref` they extend the referenced schema.
const CONSTRAINTS: [&str; 35] = [
    "type",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "unevaluatedProperties",
    "minProperties",
    "maxProperties",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "enum",
    "const",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "contentEncoding",
    "contentMediaType",
];

/// Rewrites a `$ref` node with meaningful siblings. Returns whether the node is a reference
/// (wrapped or not), in which case no other rule applies to it directly.
pub(crate) fn apply(node: &mut Value) -> bool {
    let Some(schema) = node.as_object_mut() else {
        return false;
    };
    let Some(Value::String(_)) = schema.get("$ref") else {
        return false;
    };
    let worth_wrapping = schema.iter().any(|(key, value)| {
        (MODIFIERS.contains(&key.as_str()) && carries_meaning(value)) || CONSTRAINTS.contains(&key.as_str())
    });
    if !worth_wrapping {
        return true;
    }
    let original = std::mem::take(schema);
    let mut reference = Map::new();
    let mut constraints = Map::new();
    let mut wrapper = Map::new();
    for (key, value) in original {
        if key == "$ref" {
            reference.insert(key, value);
        } else if CONSTRAINTS.contains(&key.as_str()) {
            constraints.insert(key, value);
        } else if MODIFIERS.contains(&key.as_str()) || PASSENGERS.contains(&key.as_str()) || key.starts_with("x-") {
            wrapper.insert(key, value);
        }
        // Anything else (`$comment`, `summary`, stray keys) means nothing to a client.
    }
    let mut branches = vec![Value::Object(reference)];
    if !constraints.is_empty() {
        branches.push(Value::Object(constraints));
    }
    *schema = Map::with_capacity(wrapper.len() + 1);
    schema.insert("allOf".to_string(), Value::Array(branches));
    schema.extend(wrapper);
    true
}

/// Whether a modifier's value says something beyond its default (`nullable: false` does not).
fn carries_meaning(value: &Value) -> bool {
    !matches!(value, Value::Bool(false) | Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apply_to(mut v: Value) -> Value {
        apply(&mut v);
        v
    }

    #[test]
    fn nullable_and_description_wrap_the_ref() {
        assert_eq!(
            apply_to(json!({"$ref": "#/X", "nullable": true, "description": "d", "x-a": 1})),
            json!({"allOf": [{"$ref": "#/X"}], "nullable": true, "description": "d", "x-a": 1})
        );
    }

    #[test]
    fn a_bare_ref_stays() {
        assert_eq!(apply_to(json!({"$ref": "#/X"})), json!({"$ref": "#/X"}));
        assert_eq!(
            apply_to(json!({"$ref": "#/X", "nullable": false, "summary": "s"})),
            json!({"$ref": "#/X", "nullable": false, "summary": "s"})
        );
    }

    #[test]
    fn sibling_constraints_extend_in_a_second_branch() {
        assert_eq!(
            apply_to(json!({"$ref": "#/X", "required": ["a"], "readOnly": true})),
            json!({"allOf": [{"$ref": "#/X"}, {"required": ["a"]}], "readOnly": true})
        );
    }

    #[test]
    fn non_refs_are_not_touched() {
        let mut v = json!({"type": "string", "description": "d"});
        assert!(!apply(&mut v));
        assert_eq!(v, json!({"type": "string", "description": "d"}));
    }
}
