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

use codegen::diagnostic::escape_pointer_token;

/// Whether a value is valid against the schema at a JSON pointer of the document (`true`
/// when that cannot be told, e.g. a schema that does not compile).
pub type Fits<'v> = dyn FnMut(&str, &Value) -> bool + 'v;

/// The schemas of `document` that apply at `path` (object keys and array indexes) below the
/// schema at `pointer`, through `$ref`, `allOf`, `oneOf`, `anyOf`, `properties`,
/// `additionalProperties` and `items`. Of a `oneOf`/`anyOf`, only the alternatives the
/// example's value there fits apply (all of them when it fits none).
fn applicable<'a>(
    document: &'a Value,
    pointer: &str,
    path: &[String],
    example: &Value,
    fits: &mut Fits<'_>,
) -> Vec<&'a Value> {
    let mut current: Vec<(String, &Value)> = document
        .pointer(pointer)
        .map(|schema| (pointer.to_owned(), schema))
        .into_iter()
        .collect();
    let mut value = Some(example);
    current = expand(document, current, value, fits);
    for token in path {
        let mut next = Vec::new();
        for (at, schema) in &current {
            if let Some(property) = schema.get("properties").and_then(|p| p.get(token)) {
                next.push((format!("{at}/properties/{}", escape_pointer_token(token)), property));
            } else if let Some(extra @ Value::Object(_)) = schema.get("additionalProperties") {
                next.push((format!("{at}/additionalProperties"), extra));
            }
            if token.parse::<usize>().is_ok() {
                if let Some(items) = schema.get("items") {
                    next.push((format!("{at}/items"), items));
                }
            }
        }
        value = value.and_then(|v| match v {
            Value::Object(members) => members.get(token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        });
        current = expand(document, next, value, fits);
    }
    current.into_iter().map(|(_, schema)| schema).collect()
}

/// `schemas` with `$ref`s followed and every composition member added (of a `oneOf`/`anyOf`,
/// the alternatives `value` fits, if it fits any).
fn expand<'a>(
    document: &'a Value,
    schemas: Vec<(String, &'a Value)>,
    value: Option<&Value>,
    fits: &mut Fits<'_>,
) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = schemas;
    while let Some((mut at, mut schema)) = stack.pop() {
        let mut hops = 0;
        while let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            match target.strip_prefix('#').and_then(|p| Some((p, document.pointer(p)?))) {
                Some((pointer, resolved)) if hops < 16 => {
                    at = pointer.to_owned();
                    schema = resolved;
                }
                _ => break,
            }
            hops += 1;
        }
        if !seen.insert(schema as *const Value) {
            continue;
        }
        if let Some(Value::Array(members)) = schema.get("allOf") {
            stack.extend(members.iter().enumerate().map(|(i, m)| (format!("{at}/allOf/{i}"), m)));
        }
        for keyword in ["oneOf", "anyOf"] {
            let Some(Value::Array(members)) = schema.get(keyword) else {
                continue;
            };
            let members: Vec<(String, &Value)> = members
                .iter()
                .enumerate()
                .map(|(i, m)| (format!("{at}/{keyword}/{i}"), m))
                .collect();
            let fitting: Vec<(String, &Value)> = match value {
                Some(value) => members.iter().filter(|(p, _)| fits(p, value)).cloned().collect(),
                None => Vec::new(),
            };
            stack.extend(if fitting.is_empty() { members } else { fitting });
        }
        out.push((at, schema));
    }
    out
}

/// Whether the member `key` of the object at `path` of `example` is part of a generated type:
/// some applicable schema names it or keeps extra members (`additionalProperties` true or a
/// schema).
pub fn is_declared(
    document: &Value,
    pointer: &str,
    example: &Value,
    path: &[String],
    key: &str,
    fits: &mut Fits<'_>,
) -> bool {
    applicable(document, pointer, path, example, fits).iter().any(|schema| {
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
        let example = json!({"pay": {"card": 1}, "tags": [{}], "meta": {}});
        let mut any = |_: &str, _: &Value| true;
        let mut declared = |p: &[String], key: &str| is_declared(&document, pet, &example, p, key, &mut any);
        assert!(declared(&[], "id"));
        assert!(!declared(&[], "eventName"));
        assert!(declared(&path(&["pay"]), "card"));
        assert!(declared(&path(&["tags", "0"]), "label"));
        assert!(!declared(&path(&["tags", "0"]), "colour"));
        assert!(declared(&path(&["meta"]), "anything"));
    }

    #[test]
    fn members_only_an_alternative_the_value_does_not_fit_declares_are_not_declared() {
        let document = json!({"components": {"schemas": {
            "Attribute": {"properties": {"name": {}}, "oneOf": [
                {"required": ["options"], "properties": {"options": {"type": "array"}}},
                {"title": "other"}
            ]}
        }}});
        let example = json!({"name": "a", "options": {"value": 1}});
        // The value fits only the second alternative (its `options` is no array).
        let mut fits = |pointer: &str, _: &Value| pointer.ends_with("/oneOf/1");
        let at = "/components/schemas/Attribute";
        assert!(!is_declared(&document, at, &example, &[], "options", &mut fits));
        assert!(is_declared(&document, at, &example, &[], "name", &mut fits));
        let mut fits_none = |_: &str, _: &Value| false;
        assert!(is_declared(&document, at, &example, &[], "options", &mut fits_none));
    }
}
