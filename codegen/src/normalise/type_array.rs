//! 3.1 `type` arrays and `type: "null"`, which openapiv3 (a single type string) rejects.
//!
//! `[T, "null"]` becomes `type: T, nullable: true`; `"null"` alone a nullable schema with no
//! type; several non-null types a `oneOf` with one branch per type, each taking the keywords
//! that apply to it (`items` goes with the array branch, `enum` values with the branch of
//! their JSON type), while annotations stay on the outer schema.

use serde_json::{Map, Value};

/// Rewrites the schema's `type` if it is an array or `"null"`.
pub(crate) fn apply(schema: &mut Map<String, Value>) {
    let types = match schema.get("type") {
        Some(Value::String(single)) if single == "null" => Vec::new(),
        Some(Value::String(_)) | None => return,
        Some(Value::Array(list)) => {
            let mut types: Vec<String> = Vec::with_capacity(list.len());
            for name in list.iter().filter_map(Value::as_str) {
                if !types.iter().any(|t| t == name) {
                    types.push(name.to_string());
                }
            }
            types
        }
        // Anything else is malformed; openapiv3 will say so at this place.
        Some(_) => return,
    };
    let nullable = types.is_empty() || types.iter().any(|t| t == "null");
    let mut types: Vec<String> = types.into_iter().filter(|t| t != "null").collect();
    // Every integer is a number: a branch for each would make the two overlap.
    if types.iter().any(|t| t == "number") {
        types.retain(|t| t != "integer");
    }
    if nullable {
        schema.insert("nullable".to_string(), Value::Bool(true));
    }
    match types.as_slice() {
        [] => {
            schema.shift_remove("type");
        }
        [single] => {
            schema.insert("type".to_string(), Value::String(single.clone()));
        }
        _ => split(schema, &types),
    }
}

/// Moves type-specific keywords into one branch per type and puts the branches in a `oneOf`
/// (or `anyOf`, or a new `allOf` entry, when the schema already uses the former).
fn split(schema: &mut Map<String, Value>, types: &[String]) {
    schema.shift_remove("type");
    let mut branches: Vec<Map<String, Value>> = types
        .iter()
        .map(|t| {
            let mut branch = Map::new();
            branch.insert("type".to_string(), Value::String(t.clone()));
            branch
        })
        .collect();
    let keys: Vec<String> = schema.keys().cloned().collect();
    for key in keys {
        if key == "enum" {
            if let Some(Value::Array(values)) = schema.shift_remove(&key) {
                split_enum(values, types, &mut branches);
            }
            continue;
        }
        let Some(family) = keyword_family(&key, schema.get(&key)) else {
            continue;
        };
        let Some(value) = schema.shift_remove(&key) else {
            continue;
        };
        // A keyword for a type not in the list constrains nothing, so it is dropped.
        for (t, branch) in types.iter().zip(branches.iter_mut()) {
            if family.contains(&t.as_str()) {
                branch.insert(key.clone(), value.clone());
            }
        }
    }
    let branches: Vec<Value> = branches.into_iter().map(Value::Object).collect();
    if !schema.contains_key("oneOf") {
        schema.insert("oneOf".to_string(), Value::Array(branches));
    } else if !schema.contains_key("anyOf") {
        schema.insert("anyOf".to_string(), Value::Array(branches));
    } else {
        let mut one_of = Map::new();
        one_of.insert("oneOf".to_string(), Value::Array(branches));
        match schema.get_mut("allOf") {
            Some(Value::Array(all_of)) => all_of.push(Value::Object(one_of)),
            _ => {
                schema.insert("allOf".to_string(), Value::Array(vec![Value::Object(one_of)]));
            }
        }
    }
}

/// The types a keyword constrains, or `None` for annotations and combinators that stay on
/// the outer schema.
fn keyword_family(key: &str, value: Option<&Value>) -> Option<&'static [&'static str]> {
    const STRING: &[&str] = &["string"];
    const NUMERIC: &[&str] = &["number", "integer"];
    const OBJECT: &[&str] = &["object"];
    const ARRAY: &[&str] = &["array"];
    Some(match key {
        "pattern" | "minLength" | "maxLength" | "contentEncoding" | "contentMediaType" => STRING,
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => NUMERIC,
        "format" => match value.and_then(Value::as_str) {
            Some("int32" | "int64" | "float" | "double" | "decimal") => NUMERIC,
            _ => STRING,
        },
        "properties"
        | "required"
        | "additionalProperties"
        | "patternProperties"
        | "minProperties"
        | "maxProperties"
        | "propertyNames"
        | "unevaluatedProperties"
        | "dependentRequired"
        | "dependentSchemas" => OBJECT,
        "items" | "prefixItems" | "minItems" | "maxItems" | "uniqueItems" | "contains" | "minContains"
        | "maxContains" | "unevaluatedItems" => ARRAY,
        _ => return None,
    })
}

/// Gives each branch the enum values of its JSON type; nulls are covered by `nullable`.
fn split_enum(values: Vec<Value>, types: &[String], branches: &mut [Map<String, Value>]) {
    for value in values {
        let fits = |t: &str| match &value {
            Value::String(_) => t == "string",
            Value::Bool(_) => t == "boolean",
            Value::Number(n) => t == "number" || (t == "integer" && (n.is_i64() || n.is_u64())),
            Value::Object(_) => t == "object",
            Value::Array(_) => t == "array",
            Value::Null => false,
        };
        let Some(index) = types.iter().position(|t| fits(t)) else {
            continue;
        };
        let Some(branch) = branches.get_mut(index) else {
            continue;
        };
        if let Value::Array(list) = branch.entry("enum").or_insert_with(|| Value::Array(Vec::new())) {
            list.push(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apply_to(v: Value) -> Value {
        let mut v = v;
        if let Some(m) = v.as_object_mut() {
            apply(m);
        }
        v
    }

    #[test]
    fn type_and_null_becomes_nullable() {
        assert_eq!(
            apply_to(json!({"type": ["string", "null"], "format": "date"})),
            json!({"type": "string", "format": "date", "nullable": true})
        );
    }

    #[test]
    fn null_alone_becomes_an_untyped_nullable_schema() {
        assert_eq!(
            apply_to(json!({"type": "null", "description": "d"})),
            json!({"description": "d", "nullable": true})
        );
        assert_eq!(apply_to(json!({"type": ["null"]})), json!({"nullable": true}));
    }

    #[test]
    fn several_types_become_one_of_with_keywords_in_their_branch() {
        assert_eq!(
            apply_to(json!({
                "type": ["string", "array", "null"],
                "description": "d",
                "minLength": 1,
                "items": {"type": "integer"},
                "enum": ["a", ["b"], null]
            })),
            json!({
                "description": "d",
                "nullable": true,
                "oneOf": [
                    {"type": "string", "minLength": 1, "enum": ["a"]},
                    {"type": "array", "items": {"type": "integer"}, "enum": [["b"]]}
                ]
            })
        );
    }

    #[test]
    fn integer_folds_into_number_and_numeric_keywords_follow() {
        assert_eq!(
            apply_to(json!({"type": ["integer", "number", "string"], "minimum": 0, "format": "double"})),
            json!({"oneOf": [
                {"type": "number", "minimum": 0, "format": "double"},
                {"type": "string"}
            ]})
        );
    }

    #[test]
    fn an_existing_one_of_moves_the_split_to_any_of() {
        assert_eq!(
            apply_to(json!({"type": ["string", "boolean"], "oneOf": [{}]})),
            json!({"oneOf": [{}], "anyOf": [{"type": "string"}, {"type": "boolean"}]})
        );
    }

    #[test]
    fn plain_types_stay() {
        let v = json!({"type": "string"});
        assert_eq!(apply_to(v.clone()), v);
    }
}
