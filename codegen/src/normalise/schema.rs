//! Applies the schema rules to one schema, in an order where each rule sees what the earlier
//! ones made (e.g. the type split sees `enum` after `const` became one).

use serde_json::Value;

use super::{boolean_schema, keywords, numbers, ref_siblings, type_array, Ctx};

/// Normalises one schema node; the walker then visits its (possibly new) subschemas.
pub(crate) fn normalise(node: &mut Value, ctx: &mut Ctx<'_>) {
    if boolean_schema::replace(node, ctx) {
        return;
    }
    // A bare reference needs nothing more; a wrapped one still gets the keyword rules (its
    // annotations may be 3.1 ones, such as an `examples` array).
    if ref_siblings::apply(node) && node.get("$ref").is_some() {
        return;
    }
    let Some(schema) = node.as_object_mut() else {
        return;
    };
    keywords::apply(schema, ctx);
    numbers::exclusive_bounds(schema);
    type_array::apply(schema);
    numbers::integer_bounds(schema, ctx);
}

#[cfg(test)]
mod tests {
    use crate::normalise::test_support::normalise_schema;
    use serde_json::json;

    #[test]
    fn wrapped_refs_get_the_keyword_rules() {
        let (out, _) = normalise_schema(json!({"$ref": "#/X", "examples": ["a"]}));
        assert_eq!(out, json!({"allOf": [{"$ref": "#/X"}], "example": "a"}));
    }

    #[test]
    fn rules_compose_over_a_tree() {
        let (out, warnings) = normalise_schema(json!({
            "type": "object",
            "properties": {
                "a": {"type": ["string", "null"], "const": "x"},
                "b": {"$ref": "#/components/schemas/B", "nullable": true},
                "c": true,
                "d": {"type": "integer", "exclusiveMinimum": 0, "maximum": 1e20}
            }
        }));
        assert_eq!(
            out,
            json!({
                "type": "object",
                "properties": {
                    "a": {"type": "string", "enum": ["x"], "nullable": true},
                    "b": {"allOf": [{"$ref": "#/components/schemas/B"}], "nullable": true},
                    "c": {},
                    "d": {"type": "integer", "minimum": 0, "exclusiveMinimum": true}
                }
            })
        );
        assert_eq!(
            warnings,
            ["#/s/properties/d/maximum: dropped `maximum: 1e+20`: an integer schema's bounds must fit in a signed 64-bit integer"]
        );
    }
}
