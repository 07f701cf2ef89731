//! Reads YAML straight into a `serde_json::Value`, turning integers beyond 64 bits into floats.
//!
//! serde_yaml hands integers that fit 128 bits to the visitor as `u128`/`i128`, which
//! `serde_json::Value` (without arbitrary precision) refuses, failing the whole parse over,
//! say, `maximum: 99999999999999999999`. This seed builds the same `Value` serde_json's own
//! visitor would, except that such integers become the nearest float; the schema
//! normaliser later drops bounds that an integer schema cannot hold, with a warning.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Deserialises any self-describing input into a `serde_json::Value`.
pub(crate) struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// Builds the value; see the module documentation for the one difference from serde_json.
struct ValueVisitor;

/// A float as a JSON number; NaN and infinities (`.nan`, `.inf` in YAML) have none, so they
/// become null exactly as serde_json's own visitor makes them.
fn float(value: f64) -> Value {
    Number::from_f64(value).map_or(Value::Null, Value::Number)
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(match i64::try_from(v) {
            Ok(small) => Value::Number(small.into()),
            // Beyond 64 bits: precision is lost on purpose, see the module docs.
            #[allow(clippy::cast_precision_loss)]
            Err(_) => float(v as f64),
        })
    }

    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(match u64::try_from(v) {
            Ok(small) => Value::Number(small.into()),
            #[allow(clippy::cast_precision_loss)]
            Err(_) => float(v as f64),
        })
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(ValueSeed)? {
            out.push(item);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(ValueSeed)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// Reads a mapping key as a string: YAML keys such as `200:` or `true:` are scalars whose
/// text is the key, which is what an OpenAPI document means by them.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_string(KeyVisitor)
    }
}

/// Accepts any scalar as a key's text.
struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scalar mapping key")
    }

    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_string<E>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bool<E>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_unit<E>(self) -> Result<String, E> {
        Ok("null".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(yaml: &str) -> Value {
        ValueSeed
            .deserialize(serde_yaml::Deserializer::from_str(yaml))
            .unwrap_or(Value::Null)
    }

    #[test]
    fn integers_beyond_64_bits_become_floats() {
        let v = read("maximum: 99999999999999999999\nminimum: -99999999999999999999\n");
        assert_eq!(v, json!({"maximum": 1e20, "minimum": -1e20}));
    }

    #[test]
    fn ordinary_values_read_as_serde_json_would() {
        let v = read("a: 1\nb: -2\nc: 1.5\nd: [x, true, null]\n200: ok\ne: .nan\n");
        assert_eq!(
            v,
            json!({"a": 1, "b": -2, "c": 1.5, "d": ["x", true, null], "200": "ok", "e": null})
        );
    }

    #[test]
    fn key_order_is_kept() {
        let v = read("z: 1\na: 2\nm: 3\n");
        let keys: Vec<&str> = v
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys, ["z", "a", "m"]);
    }
}
