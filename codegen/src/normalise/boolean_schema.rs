//! Boolean schemas (JSON Schema 2020-12, allowed in 3.1): `true` accepts anything, `false`
//! nothing. openapiv3 wants an object wherever a schema stands.

use serde_json::{json, Map, Value};

use super::Ctx;

/// Replaces a boolean schema by its object form: `true` → `{}`, `false` → `{not: {}}`.
/// Returns whether the node was a boolean (and so needs no further rules).
pub(crate) fn replace(node: &mut Value, ctx: &mut Ctx<'_>) -> bool {
    match node {
        Value::Bool(true) => {
            *node = Value::Object(Map::new());
            true
        }
        Value::Bool(false) => {
            ctx.warn(None, "the schema `false` (no value is valid) became `{not: {}}`");
            *node = json!({"not": {}});
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::test_support::run;

    #[test]
    fn true_becomes_an_empty_schema() {
        let (out, warnings) = run(json!(true), |v, ctx| {
            replace(v, ctx);
        });
        assert_eq!(out, json!({}));
        assert!(warnings.is_empty());
    }

    #[test]
    fn false_becomes_not_anything_with_a_warning() {
        let (out, warnings) = run(json!(false), |v, ctx| {
            replace(v, ctx);
        });
        assert_eq!(out, json!({"not": {}}));
        assert_eq!(
            warnings,
            ["#/s: the schema `false` (no value is valid) became `{not: {}}`"]
        );
    }

    #[test]
    fn objects_are_left_alone() {
        let (out, _) = run(json!({"type": "string"}), |v, ctx| {
            assert!(!replace(v, ctx));
        });
        assert_eq!(out, json!({"type": "string"}));
    }
}
