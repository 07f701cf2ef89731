//! Generated instances: a handful of JSON values made from each component schema, checked like
//! the spec's own examples (validate, decode, re-encode).
//!
//! Each component schema gets at most [`MAX_PER_SCHEMA`] instances, one per kind that applies
//! (duplicates dropped):
//! - `full`: every declared property, nullable ones with a value;
//! - `required`: only the required properties (absent optional fields), arrays at `minItems`;
//! - `nulls`: `null` wherever the schema is `nullable` (the value itself, if it is);
//! - `branch-N`: the N-th alternative of the schema's own `oneOf`/`anyOf`, each one once
//!   (the discriminator property, if any, set to the alternative's tag);
//! - `extra`: one member no property names, where `additionalProperties` allows it;
//! - `unknown-enum`: a string no `enum` lists, at the top or in the schema's own properties.
//!   Generated string enums are open (they keep unknown values), so such a value must decode
//!   and round-trip although the schema rejects it; the validator is not asked.
//!
//! Values follow the keywords a generator can meet by construction (type, format, enum,
//! bounds, lengths, item counts, required). A `pattern` cannot be: there the schema's
//! `example` or `default` is used when it has one, otherwise the instance may be invalid,
//! which the validator says (such instances are counted as invalid, never as the generator's
//! fault). Nesting is cut at [`MAX_DEPTH`] levels and size at [`NODE_BUDGET`] values: past
//! either only required properties are made, and arrays are as short as allowed; an instance
//! that still passes [`NODE_LIMIT`] values is given up.
//!
//! Deterministic: one `Pcg64` stream per schema, seeded from the run's seed and the schema's
//! name (FNV-1a), so a schema's instances depend on nothing else in the document.

use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use serde_json::{Map, Number, Value};

use codegen::diagnostic::escape_pointer_token;

use super::examples::{Example, Origin};

/// At most this many instances per component schema.
pub const MAX_PER_SCHEMA: usize = 12;

/// How deeply instances nest before only required members are made.
const MAX_DEPTH: usize = 6;

/// Below this depth nothing more is made (a required recursive member gives up the instance).
const HARD_DEPTH: usize = 24;

/// How many values one instance may hold before only required members are made and arrays
/// are as short as allowed: real schemas (Stripe's objects of fifty expandable properties)
/// would otherwise grow with the number of properties to the power of the depth.
const NODE_BUDGET: usize = 250;

/// Past this many values an instance is given up (a schema whose required members alone
/// make it this big).
const NODE_LIMIT: usize = 5_000;

/// The member added where `additionalProperties` allows one.
const EXTRA_MEMBER: &str = "conformance_extra";

/// The string no enum lists.
const UNKNOWN_VALUE: &str = "conformance-unknown-value";

/// The default seed of `cargo xtask conformance`.
pub const DEFAULT_SEED: u64 = 1;

/// One generated instance of a component schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// The schema's pointer (`/components/schemas/<name>`).
    pub schema_at: String,
    /// Which kind of instance (`full`, `required`, `branch-2`, ...).
    pub kind: String,
    /// Whether the schema allows it: `false` for `unknown-enum`, which only an open type takes.
    pub valid_by_construction: bool,
    /// The value.
    pub value: Value,
    /// Of an `unknown-enum` instance: the same value with known enum values where it has the
    /// unknown ones, which the validator checks instead (the rest of the instance must be
    /// valid for a decode failure to be the generator's fault).
    pub known: Option<Value>,
}

/// How an instance is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Full,
    Required,
    Nulls,
    /// The given alternative of the top-level `oneOf`/`anyOf`.
    Branch(usize),
    Extra,
    UnknownEnum,
}

/// The instances of every component schema of `document` (the normalised document), in
/// document order.
pub fn generate(document: &Value, seed: u64) -> Vec<Instance> {
    let Some(Value::Object(schemas)) = document.pointer("/components/schemas") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, schema) in schemas {
        let pointer = format!("/components/schemas/{}", escape_pointer_token(name));
        out.extend(for_schema(document, schema, &pointer, seed ^ fnv1a(name.as_bytes())));
    }
    out
}

/// The instances of `document` as examples for the check, each at its schema's place.
pub fn examples(document: &Value, seed: u64) -> Vec<Example> {
    generate(document, seed)
        .into_iter()
        .map(|instance| Example {
            location: format!("{} (instance {})", instance.schema_at, instance.kind),
            place: instance.schema_at.clone(),
            schema_at: instance.schema_at,
            value: instance.value,
            origin: if instance.valid_by_construction {
                Origin::Instance
            } else {
                Origin::OpenInstance
            },
            validate_instead: instance.known,
        })
        .collect()
}

/// The instances of one schema.
fn for_schema(document: &Value, schema: &Value, pointer: &str, seed: u64) -> Vec<Instance> {
    let mut modes = vec![Mode::Full, Mode::Required, Mode::Nulls];
    let (top, _) = resolve(document, schema);
    let alternatives = top
        .get("oneOf")
        .or_else(|| top.get("anyOf"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    modes.extend((0..alternatives).map(Mode::Branch));
    if matches!(
        top.get("additionalProperties"),
        Some(Value::Bool(true) | Value::Object(_))
    ) {
        modes.push(Mode::Extra);
    }
    if has_string_enum(document, top) {
        modes.push(Mode::UnknownEnum);
    }
    let mut out: Vec<Instance> = Vec::new();
    for mode in modes {
        if out.len() == MAX_PER_SCHEMA {
            break;
        }
        let make = |unknown: bool| {
            let mut maker = Maker {
                document,
                rng: Pcg64::seed_from_u64(seed),
                mode,
                unknown,
                made: 0,
            };
            maker.value(schema, 0, true)
        };
        let Some(value) = make(mode == Mode::UnknownEnum) else {
            continue;
        };
        if out.iter().any(|i| i.value == value) {
            continue;
        }
        // Same seed and mode, so the same draws: only the enum values differ.
        let known = if mode == Mode::UnknownEnum { make(false) } else { None };
        let kind = match mode {
            Mode::Full => "full".to_owned(),
            Mode::Required => "required".to_owned(),
            Mode::Nulls => "nulls".to_owned(),
            Mode::Branch(index) => format!("branch-{index}"),
            Mode::Extra => "extra".to_owned(),
            Mode::UnknownEnum => "unknown-enum".to_owned(),
        };
        out.push(Instance {
            schema_at: pointer.to_owned(),
            kind,
            valid_by_construction: mode != Mode::UnknownEnum,
            value,
            known,
        });
    }
    out
}

/// Whether the schema is a string enum or has one among its own properties.
fn has_string_enum(document: &Value, schema: &Value) -> bool {
    let is_enum = |s: &Value| {
        let (s, _) = resolve(document, s);
        s.get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| values.iter().any(Value::is_string))
    };
    is_enum(schema)
        || schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|properties| properties.values().any(is_enum))
}

/// Follows local `$ref`s (a few hops at most); the schema and the last reference followed.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> (&'a Value, Option<&'a str>) {
    let mut current = schema;
    let mut last = None;
    for _ in 0..16 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match reference.strip_prefix('#').and_then(|p| document.pointer(p)) {
            Some(target) => {
                last = Some(reference);
                current = target;
            }
            None => break,
        }
    }
    (current, last)
}

/// 64-bit FNV-1a, to derive a schema's seed from its name.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Makes one instance.
struct Maker<'a> {
    document: &'a Value,
    rng: Pcg64,
    mode: Mode,
    /// In [`Mode::UnknownEnum`]: whether enums get the unknown value (else a known one, drawn
    /// the same way, for the instance's known twin).
    unknown: bool,
    /// Values made so far (see [`NODE_BUDGET`]).
    made: usize,
}

impl Maker<'_> {
    /// A value of `schema` at nesting `depth`; `top` for the component schema itself.
    /// `None` when nothing can be made (a required member nested past [`HARD_DEPTH`]).
    fn value(&mut self, schema: &Value, depth: usize, top: bool) -> Option<Value> {
        self.made += 1;
        if depth > HARD_DEPTH || self.made > NODE_LIMIT {
            return None;
        }
        let (schema, _) = resolve(self.document, schema);
        if self.mode == Mode::Nulls && schema.get("nullable") == Some(&Value::Bool(true)) {
            return Some(Value::Null);
        }
        if let Some(Value::Array(values)) = schema.get("enum") {
            let unknown = self.unknown && depth <= 1 && values.iter().any(Value::is_string);
            let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            if !values.is_empty() {
                // Drawn either way, so an instance and its known twin make the same draws.
                let index = self.below(values.len());
                if unknown {
                    return Some(Value::String(UNKNOWN_VALUE.to_owned()));
                }
                return Some(values[index].clone());
            }
        }
        if let Some(Value::Array(members)) = schema.get("allOf") {
            let mut merged = self.object(schema, depth, top)?;
            for member in members {
                let part = self.value(member, depth + 1, false)?;
                merge(&mut merged, part);
            }
            return Some(merged);
        }
        if let Some(alternatives) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            if !alternatives.is_empty() {
                return self.alternative(schema, alternatives, depth, top);
            }
        }
        let typ = schema.get("type").and_then(Value::as_str);
        let typ = typ.or_else(|| {
            if schema.get("properties").is_some() || schema.get("additionalProperties").is_some() {
                Some("object")
            } else if schema.get("items").is_some() {
                Some("array")
            } else {
                None
            }
        });
        match typ {
            Some("object") => self.object(schema, depth, top),
            Some("array") => self.array(schema, depth),
            Some("string") => Some(self.string(schema)),
            Some("integer") => Some(self.integer(schema)),
            Some("number") => Some(self.number(schema)),
            Some("boolean") => Some(Value::Bool(self.rng.next_u64() & 1 == 1)),
            _ => Some(
                schema
                    .get("example")
                    .cloned()
                    .unwrap_or_else(|| Value::String("value".to_owned())),
            ),
        }
    }

    /// A `oneOf`/`anyOf` value: the chosen alternative, merged with the object keywords beside
    /// the composition, with the discriminator set to the alternative's tag.
    fn alternative(&mut self, schema: &Value, alternatives: &[Value], depth: usize, top: bool) -> Option<Value> {
        let index = match self.mode {
            Mode::Branch(index) if top => index,
            _ => self.below(alternatives.len()),
        };
        let chosen = alternatives.get(index)?;
        // The normaliser's form of 3.1's `{type: "null"}` (see `validate::is_null_only`).
        let null_only = resolve(self.document, chosen)
            .0
            .as_object()
            .is_some_and(super::validate::is_null_only);
        let mut value = if null_only {
            Value::Null
        } else {
            self.value(chosen, depth + 1, false)?
        };
        if schema.get("properties").is_some() || schema.get("required").is_some() {
            let mut siblings = self.object(schema, depth, top)?;
            merge(&mut siblings, value);
            value = siblings;
        }
        if let (Some(discriminator), Value::Object(members)) = (schema.get("discriminator"), &mut value) {
            if let Some(property) = discriminator.get("propertyName").and_then(Value::as_str) {
                let (target, reference) = resolve(self.document, chosen);
                // Without a mapping entry the tag is the schema's name, unless the schema
                // lists the values itself (`enum`/`const`): then the value made from them is
                // kept, one the schema allows (OpenAI's `ClickParam` has `type: {enum:
                // [click]}`, and the API sends `click`, never the name).
                let own = target
                    .pointer(&format!("/properties/{}", escape_pointer_token(property)))
                    .map(|p| resolve(self.document, p).0);
                let allowed = own.is_some_and(|p| p.get("enum").is_some() || p.get("const").is_some());
                let tag = reference.and_then(|reference| {
                    let mapped = discriminator
                        .get("mapping")
                        .and_then(Value::as_object)
                        .and_then(|m| m.iter().find(|(_, target)| target.as_str() == Some(reference)));
                    match mapped {
                        Some((tag, _)) => Some(tag.clone()),
                        None if allowed && members.get(property).is_some_and(Value::is_string) => None,
                        None => reference.rsplit('/').next().map(str::to_owned),
                    }
                });
                if let Some(tag) = tag {
                    members.insert(property.to_owned(), Value::String(tag));
                }
            }
        }
        Some(value)
    }

    fn object(&mut self, schema: &Value, depth: usize, top: bool) -> Option<Value> {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let only_required = self.minimal(depth);
        let mut members = Map::new();
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, property) in properties.into_iter().flatten() {
            let is_required = required.contains(&name.as_str());
            if only_required && !is_required {
                continue;
            }
            match self.value(property, depth + 1, false) {
                Some(value) => {
                    members.insert(name.clone(), value);
                }
                None if is_required => return None,
                None => {}
            }
        }
        let additional = schema.get("additionalProperties");
        for name in required {
            if members.contains_key(name) || properties.is_some_and(|p| p.contains_key(name)) {
                continue;
            }
            // Required but declared by no property here (an allOf sibling may declare it).
            let value = match additional {
                Some(extra @ Value::Object(_)) => self.value(extra, depth + 1, false)?,
                _ => Value::String("value".to_owned()),
            };
            members.insert(name.to_owned(), value);
        }
        if self.mode == Mode::Extra && top {
            let extra = match additional {
                Some(extra @ Value::Object(_)) => self.value(extra, depth + 1, false),
                Some(Value::Bool(true)) => Some(Value::String("extra".to_owned())),
                _ => None,
            };
            if let Some(extra) = extra {
                members.insert(EXTRA_MEMBER.to_owned(), extra);
            }
        }
        Some(Value::Object(members))
    }

    fn array(&mut self, schema: &Value, depth: usize) -> Option<Value> {
        let min = count(schema, "minItems").unwrap_or(0);
        let max = count(schema, "maxItems").unwrap_or(usize::MAX);
        let wanted = if self.minimal(depth) { min } else { min.max(2) };
        let length = wanted.min(max);
        let items = schema.get("items").cloned().unwrap_or(Value::Object(Map::new()));
        let mut out = Vec::with_capacity(length);
        for _ in 0..length {
            out.push(self.value(&items, depth + 1, false)?);
        }
        Some(Value::Array(out))
    }

    fn string(&mut self, schema: &Value) -> Value {
        let text = match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => format!(
                "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                10 + self.below(20),
                1 + self.below(12),
                1 + self.below(28),
                self.below(24),
                self.below(60),
                self.below(60)
            ),
            Some("date") => format!(
                "20{:02}-{:02}-{:02}",
                10 + self.below(20),
                1 + self.below(12),
                1 + self.below(28)
            ),
            Some("uuid") => {
                let (a, b) = (self.rng.next_u64(), self.rng.next_u64());
                format!(
                    "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                    a >> 32,
                    (a >> 16) & 0xffff,
                    a & 0xfff,
                    b >> 52,
                    b & 0xffff_ffff_ffff
                )
            }
            Some("email") => format!("user{}@example.com", self.below(1000)),
            Some("uri" | "url") => format!("https://example.com/{}", self.word(6)),
            Some("byte") => "aGVsbG8=".to_owned(),
            Some("ipv4") => format!("192.0.2.{}", 1 + self.below(254)),
            _ => {
                if schema.get("pattern").is_some() {
                    if let Some(known) = schema
                        .get("example")
                        .or_else(|| schema.get("default"))
                        .filter(|v| v.is_string())
                    {
                        return known.clone();
                    }
                }
                let min = count(schema, "minLength").unwrap_or(0);
                let max = count(schema, "maxLength").unwrap_or(usize::MAX);
                return Value::String(self.word(min.max(8).min(max)));
            }
        };
        Value::String(text)
    }

    fn integer(&mut self, schema: &Value) -> Value {
        let exclusive = |key: &str| schema.get(key) == Some(&Value::Bool(true));
        let mut low = schema
            .get("minimum")
            .and_then(Value::as_f64)
            .map_or(0, |m| m.ceil() as i64);
        let mut high = schema
            .get("maximum")
            .and_then(Value::as_f64)
            .map_or(1000, |m| m.floor() as i64);
        if exclusive("exclusiveMinimum") {
            low = low.saturating_add(1);
        }
        if exclusive("exclusiveMaximum") {
            high = high.saturating_sub(1);
        }
        if schema.get("format").and_then(Value::as_str) == Some("int32") {
            low = low.max(i64::from(i32::MIN));
            high = high.min(i64::from(i32::MAX));
        }
        if schema.get("maximum").is_none() && low > 0 {
            high = low.saturating_add(1000);
        }
        if high < low {
            return Value::from(low);
        }
        let span = high.abs_diff(low).min(1_000_000);
        let mut value = low.saturating_add_unsigned(self.rng.next_u64() % (span + 1));
        if let Some(step) = schema.get("multipleOf").and_then(Value::as_i64).filter(|s| *s > 0) {
            value = value - value.rem_euclid(step);
            if value < low {
                value = value.saturating_add(step);
            }
        }
        Value::from(value)
    }

    fn number(&mut self, schema: &Value) -> Value {
        let low = schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0);
        let high = schema.get("maximum").and_then(Value::as_f64).unwrap_or(low + 1000.0);
        // Quarters are exact in single precision (`format: float` is `f32`).
        let steps = ((high - low) * 4.0).floor().clamp(0.0, 1_000_000.0) as u64;
        let mut value = low + (self.rng.next_u64() % (steps + 1)) as f64 / 4.0;
        if schema.get("exclusiveMinimum") == Some(&Value::Bool(true)) && value <= low {
            value = (low + high) / 2.0;
        }
        if schema.get("exclusiveMaximum") == Some(&Value::Bool(true)) && value >= high {
            value = (low + high) / 2.0;
        }
        Number::from_f64(value).map_or(Value::from(0), Value::Number)
    }

    /// Whether to make only what is required here: the `required` kind, or past the depth or
    /// the size budget.
    fn minimal(&self, depth: usize) -> bool {
        self.mode == Mode::Required || depth >= MAX_DEPTH || self.made > NODE_BUDGET
    }

    /// A number below `bound` (`bound` > 0).
    fn below(&mut self, bound: usize) -> usize {
        (self.rng.next_u64() % bound.max(1) as u64) as usize
    }

    /// Lower-case letters and digits.
    fn word(&mut self, length: usize) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..length.min(64))
            .map(|_| ALPHABET[self.below(ALPHABET.len())] as char)
            .collect()
    }
}

/// A non-negative count keyword (`minItems`, `maxLength`, ...).
fn count(schema: &Value, key: &str) -> Option<usize> {
    schema
        .get(key)
        .and_then(Value::as_u64)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// Merges `part` into `into`: objects member by member (later wins, objects merged deeply);
/// a non-object part replaces an empty object.
fn merge(into: &mut Value, part: Value) {
    match (into, part) {
        (Value::Object(into), Value::Object(part)) => {
            for (key, value) in part {
                match into.get_mut(&key) {
                    Some(existing @ Value::Object(_)) if value.is_object() => merge(existing, value),
                    _ => {
                        into.insert(key, value);
                    }
                }
            }
        }
        (into @ Value::Object(_), part) if into.as_object().is_some_and(Map::is_empty) => *into = part,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document() -> Value {
        json!({"components": {"schemas": {
            "Pet": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string", "minLength": 2},
                "tag": {"type": "string", "nullable": true},
                "kind": {"type": "string", "enum": ["cat", "dog"]},
                "born": {"type": "string", "format": "date"},
                "legs": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 4}
            }},
            "Shape": {"oneOf": [
                {"$ref": "#/components/schemas/Circle"},
                {"$ref": "#/components/schemas/Square"}
            ], "discriminator": {"propertyName": "shape", "mapping": {"round": "#/components/schemas/Circle"}}},
            "Circle": {"type": "object", "required": ["r"], "additionalProperties": false,
                "properties": {"shape": {"type": "string"}, "r": {"type": "number"}}},
            "Square": {"type": "object", "required": ["side"], "additionalProperties": false,
                "properties": {"shape": {"type": "string"}, "side": {"type": "number"}}},
            "Labels": {"type": "object", "additionalProperties": {"type": "integer"}},
            "Tree": {"type": "object", "required": ["children"], "properties": {
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}
            }}
        }}})
    }

    #[test]
    fn the_same_seed_gives_the_same_instances_and_another_seed_others() {
        let document = document();
        assert_eq!(generate(&document, 7), generate(&document, 7));
        assert_ne!(generate(&document, 7), generate(&document, 8));
    }

    #[test]
    fn each_kind_covers_its_edge_case() {
        let instances = generate(&document(), DEFAULT_SEED);
        let pet = |kind: &str| {
            instances
                .iter()
                .find(|i| i.schema_at.ends_with("/Pet") && i.kind == kind)
                .map(|i| i.value.clone())
                .unwrap_or_else(|| panic!("a {kind} instance of Pet"))
        };
        let full = pet("full");
        assert_eq!(full.as_object().map(Map::len), Some(5), "{full}");
        assert!(
            full["legs"].as_i64().is_some_and(|legs| (0..=4).contains(&legs)),
            "{full}"
        );
        assert!(matches!(full["kind"].as_str(), Some("cat" | "dog")), "{full}");
        assert_eq!(
            pet("required")
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["name".to_owned()])
        );
        assert_eq!(pet("nulls")["tag"], Value::Null);
        assert_eq!(pet("unknown-enum")["kind"], json!(UNKNOWN_VALUE));
        assert!(instances
            .iter()
            .filter(|i| i.kind == "unknown-enum")
            .all(|i| !i.valid_by_construction));

        let shapes: Vec<&Value> = instances
            .iter()
            .filter(|i| i.schema_at.ends_with("/Shape"))
            .map(|i| &i.value)
            .collect();
        assert!(
            shapes
                .iter()
                .any(|s| s["shape"] == json!("round") && s.get("r").is_some()),
            "{shapes:?}"
        );
        assert!(
            shapes
                .iter()
                .any(|s| s["shape"] == json!("Square") && s.get("side").is_some()),
            "{shapes:?}"
        );

        let labels = instances
            .iter()
            .find(|i| i.schema_at.ends_with("/Labels") && i.kind == "extra")
            .expect("an extra instance of Labels");
        assert!(labels.value[EXTRA_MEMBER].is_i64(), "{}", labels.value);
    }

    #[test]
    fn an_unmapped_tag_the_schema_does_not_allow_keeps_the_schemas_value() {
        let document = json!({"components": {"schemas": {
            "Action": {"oneOf": [
                {"$ref": "#/components/schemas/ClickParam"},
                {"$ref": "#/components/schemas/Wait"}
            ], "discriminator": {"propertyName": "type"}},
            "ClickParam": {"type": "object", "required": ["type"],
                "properties": {"type": {"type": "string", "enum": ["click"]}}},
            "Wait": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}}
        }}});
        let tags: std::collections::BTreeSet<String> = generate(&document, DEFAULT_SEED)
            .into_iter()
            .filter(|i| i.schema_at.ends_with("/Action"))
            .filter_map(|i| i.value["type"].as_str().map(str::to_owned))
            .collect();
        // ClickParam's own enum wins over its name; Wait allows any string: its name.
        assert_eq!(tags, ["Wait".to_owned(), "click".to_owned()].into());
    }

    #[test]
    fn a_null_only_alternative_makes_null() {
        let document = json!({"components": {"schemas": {
            "Emoji": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Media": {"oneOf": [{"nullable": true}, {"$ref": "#/components/schemas/Emoji"}]}
        }}});
        let media: Vec<Value> = generate(&document, DEFAULT_SEED)
            .into_iter()
            .filter(|i| i.schema_at.ends_with("/Media"))
            .map(|i| i.value)
            .collect();
        assert!(media.contains(&Value::Null), "{media:?}");
        assert!(media.iter().all(|m| m.is_null() || m.is_object()), "{media:?}");
    }

    #[test]
    fn a_required_recursion_gives_up_instead_of_recursing_forever() {
        let instances = generate(&document(), DEFAULT_SEED);
        // Tree requires children, which requires trees: only an empty `children` array ends it.
        let tree = instances
            .iter()
            .find(|i| i.schema_at.ends_with("/Tree"))
            .expect("a Tree instance");
        assert!(tree.value["children"].is_array(), "{}", tree.value);
    }

    #[test]
    fn instances_meet_their_schema_and_open_ones_do_not_but_their_known_twins_do() {
        let document = document();
        let mut validators = crate::conformance::validate::Validators::new(&document).expect("validators");
        for instance in generate(&document, DEFAULT_SEED) {
            let verdict = validators.check(&instance.schema_at, &instance.value);
            assert_eq!(
                verdict.is_ok(),
                instance.valid_by_construction,
                "{} {}: {} ({verdict:?})",
                instance.schema_at,
                instance.kind,
                instance.value
            );
            assert_eq!(instance.known.is_some(), !instance.valid_by_construction);
            if let Some(known) = &instance.known {
                let verdict = validators.check(&instance.schema_at, known);
                assert!(
                    verdict.is_ok(),
                    "{} known twin {known}: {verdict:?}",
                    instance.schema_at
                );
                let differing: Vec<&String> = known
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(key, value)| instance.value.get(key.as_str()) != Some(value))
                    .map(|(key, _)| key)
                    .collect();
                assert!(
                    differing
                        .iter()
                        .all(|key| instance.value[key.as_str()] == json!(UNKNOWN_VALUE)),
                    "{}: the twin differs beyond the enum values: {differing:?}",
                    instance.schema_at
                );
            }
        }
    }

    #[test]
    fn wide_deep_schemas_stay_within_the_size_budget() {
        // Twenty optional properties per level, each the same object again: without a budget
        // the `full` instance would hold 20^6 values.
        let properties: Map<String, Value> = (0..20)
            .map(|i| (format!("p{i}"), json!({"$ref": "#/components/schemas/Wide"})))
            .collect();
        let document = json!({"components": {"schemas": {"Wide": {"type": "object", "properties": properties}}}});
        let instances = generate(&document, DEFAULT_SEED);
        assert!(!instances.is_empty());
        for instance in instances {
            let size = instance.value.to_string().len();
            assert!(size < 200_000, "{} is {size} bytes", instance.kind);
        }
    }
}
