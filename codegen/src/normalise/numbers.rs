//! Numeric bounds: 3.1's numeric `exclusiveMinimum`/`exclusiveMaximum`, and integer schemas
//! whose bounds openapiv3 cannot hold in an `i64`.

use serde_json::{Map, Number, Value};

use super::Ctx;

/// Turns 3.1 numeric exclusive bounds into the 3.0 form: `exclusiveMinimum: 5` becomes
/// `minimum: 5, exclusiveMinimum: true` (openapiv3 wants a boolean there). When an inclusive
/// bound is also given, the stricter of the two is kept.
pub(crate) fn exclusive_bounds(schema: &mut Map<String, Value>) {
    convert(schema, "exclusiveMinimum", "minimum", |exclusive, inclusive| {
        exclusive >= inclusive
    });
    convert(schema, "exclusiveMaximum", "maximum", |exclusive, inclusive| {
        exclusive <= inclusive
    });
}

/// Converts one exclusive bound; `stricter(exclusive, inclusive)` tells which one wins.
fn convert(schema: &mut Map<String, Value>, exclusive_key: &str, inclusive_key: &str, stricter: fn(f64, f64) -> bool) {
    let Some(Value::Number(exclusive)) = schema.get(exclusive_key) else {
        return;
    };
    let exclusive = exclusive.clone();
    let wins = match schema.get(inclusive_key).and_then(Value::as_f64) {
        Some(inclusive) => exclusive.as_f64().is_some_and(|e| stricter(e, inclusive)),
        None => true,
    };
    if wins {
        schema.insert(inclusive_key.to_string(), Value::Number(exclusive));
        schema.insert(exclusive_key.to_string(), Value::Bool(true));
    } else {
        schema.shift_remove(exclusive_key);
    }
}

/// On `type: integer` schemas, makes `minimum`, `maximum` and `multipleOf` fit an `i64`.
///
/// openapiv3 reads an integer schema's bounds as `i64`; a bound that is not one silently turns
/// the schema into an untyped "any" schema. Integral floats (`minimum: 1.0`) become integers;
/// bounds beyond 64 bits (`maximum: 99999999999999999999`) or with a fraction are dropped
/// with a warning, as an `i64` field could not honour them anyway. Integral float enum values
/// become integers too.
pub(crate) fn integer_bounds(schema: &mut Map<String, Value>, ctx: &mut Ctx<'_>) {
    if schema.get("type").and_then(Value::as_str) != Some("integer") {
        return;
    }
    for key in ["minimum", "maximum", "multipleOf"] {
        let Some(Value::Number(n)) = schema.get_mut(key) else {
            continue;
        };
        if n.is_i64() {
            continue;
        }
        if let Some(int) = as_i64(n) {
            *n = Number::from(int);
            continue;
        }
        let shown = n.to_string();
        schema.shift_remove(key);
        ctx.warn(
            Some(key),
            format!("dropped `{key}: {shown}`: an integer schema's bounds must fit in a signed 64-bit integer"),
        );
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        for value in values {
            if let Value::Number(n) = value {
                if let Some(int) = as_i64(n).filter(|_| !n.is_i64()) {
                    *n = Number::from(int);
                }
            }
        }
    }
}

/// The number as an `i64`, if it is an integral value in range.
fn as_i64(n: &Number) -> Option<i64> {
    if let Some(int) = n.as_i64() {
        return Some(int);
    }
    let float = n.as_f64()?;
    // i64::MAX as f64 rounds up to 2^63, which does not fit: the range check is exclusive.
    #[allow(clippy::cast_precision_loss)]
    let in_range = float >= i64::MIN as f64 && float < i64::MAX as f64;
    #[allow(clippy::cast_possible_truncation)]
    (float.fract() == 0.0 && in_range).then_some(float as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::test_support::run;
    use serde_json::json;

    fn exclusive(v: Value) -> Value {
        let mut v = v;
        if let Some(m) = v.as_object_mut() {
            exclusive_bounds(m);
        }
        v
    }

    #[test]
    fn numeric_exclusive_bounds_become_boolean_ones() {
        assert_eq!(
            exclusive(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10})),
            json!({"type": "number", "exclusiveMinimum": true, "exclusiveMaximum": true, "minimum": 0, "maximum": 10})
        );
    }

    #[test]
    fn the_stricter_bound_wins() {
        assert_eq!(
            exclusive(json!({"minimum": 5, "exclusiveMinimum": 0})),
            json!({"minimum": 5})
        );
        assert_eq!(
            exclusive(json!({"maximum": 5, "exclusiveMaximum": 3})),
            json!({"maximum": 3, "exclusiveMaximum": true})
        );
    }

    #[test]
    fn boolean_exclusive_bounds_stay() {
        let v = json!({"minimum": 1, "exclusiveMinimum": true});
        assert_eq!(exclusive(v.clone()), v);
    }

    #[test]
    fn integer_bounds_beyond_64_bits_are_dropped_with_a_warning() {
        let (out, warnings) = run(
            json!({"type": "integer", "minimum": 1.0, "maximum": 1e20, "enum": [2.0, 3]}),
            |v, ctx| {
                if let Some(m) = v.as_object_mut() {
                    integer_bounds(m, ctx);
                }
            },
        );
        assert_eq!(out, json!({"type": "integer", "minimum": 1, "enum": [2, 3]}));
        assert_eq!(
            warnings,
            ["#/s/maximum: dropped `maximum: 1e+20`: an integer schema's bounds must fit in a signed 64-bit integer"]
        );
    }

    #[test]
    fn number_schemas_keep_large_bounds() {
        let (out, warnings) = run(json!({"type": "number", "maximum": 1e20}), |v, ctx| {
            if let Some(m) = v.as_object_mut() {
                integer_bounds(m, ctx);
            }
        });
        assert_eq!(out, json!({"type": "number", "maximum": 1e20}));
        assert!(warnings.is_empty());
    }
}
