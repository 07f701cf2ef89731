//! Which object members the spec declares at a place of an example.
//!
//! Generated structs read the properties their schema names (and, with `additionalProperties`,
//! a map of the rest); members a schema merely tolerates (no `additionalProperties`, JSON
//! Schema's default) are not part of the type and are dropped on decoding. The comparison
//! treats such a dropped member as a documented normalisation, but only when no schema that
//! applies at that place names it: a member some `oneOf` branch declares, lost because the
//! decoder chose another branch, stays a difference.

use std::collections::HashSet;

use serde_json::Value;

/// The schemas of `document` that apply at `path` (object keys and array indexes) below the
/// schema at `pointer`, through `$ref`, `allOf`, `oneOf`, `anyOf`, `properties`,
/// `additionalProperties` and `items`.
fn applicable<'a>(document: &'a Value, pointer: &str, path: &[String]) -> Vec<&'a Value> {
    let mut current: Vec<&Value> = document.pointer(pointer).into_iter().collect();
    current = expand(document, current);
    for token in path {
        let mut next = Vec::new();
        for schema in &current {
            if let Some(property) = schema.get("properties").and_then(|p| p.get(token)) {
                next.push(property);
            } else if let Some(extra @ Value::Object(_)) = schema.get("additionalProperties") {
                next.push(extra);
            }
            if token.parse::<usize>().is_ok() {
                if let Some(items) = schema.get("items") {
                    next.push(items);
                }
            }
        }
        current = expand(document, next);
    }
    current
}

/// `schemas` with `$ref`s followed and every composition member added.
fn expand<'a>(document: &'a Value, schemas: Vec<&'a Value>) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = schemas;
    while let Some(mut schema) = stack.pop() {
        let mut hops = 0;
        while let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            match target.strip_prefix('#').and_then(|p| document.pointer(p)) {
                Some(resolved) if hops < 16 => schema = resolved,
                _ => break,
            }
            hops += 1;
        }
        if !seen.insert(schema as *const Value) {
            continue;
        }
        for keyword in ["allOf", "oneOf", "anyOf"] {
            if let Some(Value::Array(members)) = schema.get(keyword) {
                stack.extend(members.iter());
            }
        }
        out.push(schema);
    }
    out
}

/// Whether the member `key` of the object at `path` is part of a generated type: some
/// applicable schema names it or keeps extra members (`additionalProperties` true or a schema).
pub fn is_declared(document: &Value, pointer: &str, path: &[String], key: &str) -> bool {
    applicable(document, pointer, path).iter().any(|schema| {
        schema.get("properties").and_then(|p| p.get(key)).is_some()
            || matches!(
                schema.get("additionalProperties"),
                Some(Value::Object(_) | Value::Bool(true))
            )
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn members_named_by_any_applicable_schema_are_declared() {
        let document = json!({"components": {"schemas": {
            "Base": {"properties": {"id": {}}},
            "Pet": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {
                "pay": {"oneOf": [{"properties": {"iban": {}}}, {"properties": {"card": {}}}]},
                "tags": {"items": {"properties": {"label": {}}}},
                "meta": {"additionalProperties": true}
            }}]}
        }}});
        let pet = "/components/schemas/Pet";
        let path = |tokens: &[&str]| tokens.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
        assert!(is_declared(&document, pet, &[], "id"));
        assert!(!is_declared(&document, pet, &[], "eventName"));
        assert!(is_declared(&document, pet, &path(&["pay"]), "card"));
        assert!(is_declared(&document, pet, &path(&["tags", "0"]), "label"));
        assert!(!is_declared(&document, pet, &path(&["tags", "0"]), "colour"));
        assert!(is_declared(&document, pet, &path(&["meta"]), "anything"));
    }
}
