//! `cargo xtask conformance SPEC_OR_DIR`: do the generated types accept what the spec allows?
//!
//! For every example in a document (see [`examples`]): (1) validate it against its schema with
//! the `jsonschema` crate ([`validate`]); (2) decode it into the generated type of its place,
//! which the generator reports ([`codegen::TypePlace`]); (3) encode it again and compare with
//! the example ([`compare`], documented normalisations only). Steps 2 and 3 run in a harness
//! crate written beside the generated one ([`harness`]), built in the corpus's scratch
//! workspace. Each example gets one [`Verdict`]; decode failures and round-trip differences on
//! examples the validator accepts are the generator's fault and fail the command.
//!
//! The command is `cargo xtask corpus --conformance` under another name: see `corpus.rs`.

pub mod compare;
pub mod declared;
pub mod examples;
pub mod fixtures;
pub mod harness;
pub mod instances;
pub mod validate;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use examples::{Example, Origin};
use validate::{Rejection, Validators};

/// What one example came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Valid, decodes, and re-encodes to the same JSON.
    Ok,
    /// The validator rejects the example: the example's fault (the validator's message).
    SpecInvalid(String),
    /// A valid example the generated type does not decode: the generator's fault.
    DecodeFail {
        /// Where in the example serde stopped.
        path: String,
        /// serde's message.
        message: String,
    },
    /// A valid example that decodes but encodes to different JSON: the generator's fault.
    RoundtripDiff(String),
    /// Not checked: no schema or no generated type at this place, or a schema that does not compile.
    Skipped(String),
}

impl Verdict {
    /// The verdict's name in tables and JSON.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::SpecInvalid(_) => "spec-invalid",
            Verdict::DecodeFail { .. } => "decode-fail",
            Verdict::RoundtripDiff(_) => "roundtrip-diff",
            Verdict::Skipped(_) => "skipped",
        }
    }

    /// Whether the generator is to blame.
    pub fn is_generator_fault(&self) -> bool {
        matches!(self, Verdict::DecodeFail { .. } | Verdict::RoundtripDiff(_))
    }

    fn detail(&self) -> String {
        match self {
            Verdict::Ok => String::new(),
            Verdict::SpecInvalid(m) | Verdict::RoundtripDiff(m) | Verdict::Skipped(m) => m.clone(),
            Verdict::DecodeFail { path, message } => format!("at {path}: {message}"),
        }
    }
}

/// One spec's examples and what became of them.
pub struct Plan {
    /// The examples, in document order.
    pub examples: Vec<Example>,
    /// The Rust type of each example's place, when the generator typed it.
    rust_types: Vec<Option<String>>,
    /// One verdict per example; `None` until the harness has run (examples to decode).
    pub verdicts: Vec<Option<Verdict>>,
    /// Per example: members the spec does not declare that the generated type dropped.
    dropped: Vec<usize>,
    /// The normalised document (for which members a schema declares).
    document: Value,
    /// The validators of the document's schemas (for which alternatives a value fits).
    validators: Validators,
}

impl Plan {
    /// Finds the examples of `document` (the normalised document the generator read), adds
    /// `extra` ones (fixtures, generated instances), types them from `places` and validates
    /// them. Only valid, typed examples are left to decode.
    pub fn new(document: Value, places: &[codegen::TypePlace], extra: Vec<Example>) -> anyhow::Result<Self> {
        let by_pointer: HashMap<&str, &str> = places
            .iter()
            .map(|p| (p.pointer.as_str(), p.rust_type.as_str()))
            .collect();
        let mut examples = examples::collect(&document, &|pointer| by_pointer.contains_key(pointer));
        examples.extend(extra);
        let mut validators = Validators::new(&document)?;
        let mut rust_types = Vec::with_capacity(examples.len());
        let mut verdicts = Vec::with_capacity(examples.len());
        for (index, example) in examples.iter().enumerate() {
            let rust_type = by_pointer.get(example.place.as_str()).map(|t| (*t).to_owned());
            // An open instance is invalid by design (only an open type takes it): the rest of
            // it is checked through its known twin.
            let checked = example.validate_instead.as_ref().unwrap_or(&example.value);
            let validated = validators.check(&example.schema_at, checked);
            let verdict = match validated {
                Err(Rejection::Example(message)) => Some(Verdict::SpecInvalid(message)),
                Err(Rejection::Schema(message)) => Some(Verdict::Skipped(message)),
                Ok(()) if rust_type.is_none() => {
                    Some(Verdict::Skipped("no generated type reads this place".to_owned()))
                }
                Ok(()) => None,
            };
            // A schema's instances stand together: its validator is not needed after the last.
            let next = examples.get(index + 1).map(|e| e.schema_at.as_str());
            if example.origin.is_instance() && next != Some(example.schema_at.as_str()) {
                validators.forget(&example.schema_at);
            }
            rust_types.push(rust_type);
            verdicts.push(verdict);
        }
        Ok(Self {
            dropped: vec![0; examples.len()],
            examples,
            rust_types,
            verdicts,
            document,
            validators,
        })
    }

    /// The distinct Rust types to decode into, and the cases: (type index, example value).
    pub fn cases(&self) -> (Vec<String>, Vec<(usize, &Value)>) {
        let mut types: Vec<String> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut cases = Vec::new();
        for ((example, rust_type), verdict) in self.examples.iter().zip(&self.rust_types).zip(&self.verdicts) {
            let (Some(rust_type), None) = (rust_type, verdict) else {
                continue;
            };
            let ty = *index.entry(rust_type.as_str()).or_insert_with(|| {
                types.push(rust_type.clone());
                types.len() - 1
            });
            cases.push((ty, &example.value));
        }
        (types, cases)
    }

    /// Writes the harness crate for the generated package `package` in `ws`; returns the
    /// cases file to run it with.
    pub fn write_harness(&self, ws: &Path, package: &str) -> anyhow::Result<PathBuf> {
        let (types, cases) = self.cases();
        harness::write(ws, package, &types, &cases)
    }

    /// Runs the built harness and gives every undecided example its verdict.
    pub fn run_harness(&mut self, target: &Path, package: &str, cases_path: &Path) -> anyhow::Result<()> {
        let pending: Vec<usize> = (0..self.examples.len())
            .filter(|&i| self.verdicts[i].is_none())
            .collect();
        let results = harness::run(target, package, cases_path, pending.len())?;
        for (index, result) in pending.into_iter().zip(results) {
            let example = &self.examples[index];
            let validators = &mut self.validators;
            let mut fits =
                |pointer: &str, value: &Value| !matches!(validators.check(pointer, value), Err(Rejection::Example(_)));
            let fits = std::cell::RefCell::new(&mut fits);
            let declared = |path: &[String], key: &str| {
                let mut fits = fits.borrow_mut();
                declared::is_declared(
                    &self.document,
                    &example.schema_at,
                    &example.value,
                    path,
                    key,
                    &mut **fits,
                )
            };
            let (verdict, dropped) = judge(&example.value, &result, &declared);
            self.verdicts[index] = Some(verdict);
            self.dropped[index] = dropped;
        }
        Ok(())
    }

    /// Counts per verdict label of the examples (the document's and the fixtures'; not yet
    /// judged ones count as `pending`).
    pub fn totals(&self) -> Totals {
        self.totals_where(|origin| !origin.is_instance())
    }

    /// Counts per verdict label of the generated instances.
    pub fn instance_totals(&self) -> Totals {
        self.totals_where(Origin::is_instance)
    }

    fn totals_where(&self, include: impl Fn(Origin) -> bool) -> Totals {
        let mut totals = Totals::default();
        for ((example, verdict), dropped) in self.examples.iter().zip(&self.verdicts).zip(&self.dropped) {
            if !include(example.origin) {
                continue;
            }
            totals.examples += 1;
            if *dropped > 0 {
                totals.ok_dropping_undeclared += 1;
            }
            match verdict {
                Some(Verdict::Ok) => totals.ok += 1,
                Some(Verdict::SpecInvalid(_)) => totals.spec_invalid += 1,
                Some(v) if v.is_generator_fault() => totals.generator_fault += 1,
                Some(_) => totals.skipped += 1,
                None => totals.pending += 1,
            }
        }
        totals
    }

    /// The examples with their verdicts as JSON, for `--json`.
    pub fn to_json(&self) -> Value {
        let examples: Vec<Value> = self
            .examples
            .iter()
            .zip(&self.rust_types)
            .zip(&self.verdicts)
            .zip(&self.dropped)
            .map(|(((example, rust_type), verdict), dropped)| {
                json!({
                    "location": example.location,
                    "origin": match example.origin {
                        Origin::Document => "document",
                        Origin::Fixture => "fixture",
                        Origin::Instance | Origin::OpenInstance => "instance",
                    },
                    "schema": example.schema_at,
                    "rust_type": rust_type,
                    "verdict": verdict.as_ref().map_or("pending", Verdict::label),
                    "detail": verdict.as_ref().map(Verdict::detail).filter(|d| !d.is_empty()),
                    "undeclared_members_dropped": dropped,
                })
            })
            .collect();
        json!({
            "totals": self.totals().to_json(),
            "instance_totals": self.instance_totals().to_json(),
            "examples": examples,
        })
    }

    /// One line per example the generator is to blame for (and, when `verbose`, per
    /// spec-invalid and skipped example), for the log.
    pub fn problems(&self, verbose: bool) -> Vec<String> {
        self.examples
            .iter()
            .zip(&self.rust_types)
            .zip(&self.verdicts)
            .filter_map(|((example, rust_type), verdict)| {
                let verdict = verdict.as_ref()?;
                if !(verdict.is_generator_fault() || verbose && *verdict != Verdict::Ok) {
                    return None;
                }
                let ty = rust_type.as_deref().map(|t| format!(" as {t}")).unwrap_or_default();
                Some(format!(
                    "{}: {}{ty}: {}",
                    verdict.label(),
                    example.location,
                    verdict.detail()
                ))
            })
            .collect()
    }
}

/// The verdict on a valid example from the harness's result, and how many undeclared
/// members the type dropped.
fn judge(original: &Value, result: &Value, declared: &dyn Fn(&[String], &str) -> bool) -> (Verdict, usize) {
    if let Some(encoded) = result.get("encoded") {
        return match compare::compare(original, encoded, declared) {
            compare::Comparison::Same { dropped } => (Verdict::Ok, dropped),
            compare::Comparison::Different(difference) => (Verdict::RoundtripDiff(difference), 0),
        };
    }
    let text = |key: &str| result.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    if let Some(message) = result.get("encode_error").and_then(Value::as_str) {
        return (
            Verdict::RoundtripDiff(format!("decoded but does not encode: {message}")),
            0,
        );
    }
    let verdict = Verdict::DecodeFail {
        path: text("path"),
        message: validate::shorten(&text("decode_error"), 300),
    };
    (verdict, 0)
}

/// Counts of verdicts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Examples found.
    pub examples: usize,
    /// Valid, decoded, round-tripped.
    pub ok: usize,
    /// Of `ok`: examples with members the spec does not declare, which the type dropped.
    pub ok_dropping_undeclared: usize,
    /// Rejected by the validator.
    pub spec_invalid: usize,
    /// Decode failures and round-trip differences on valid examples.
    pub generator_fault: usize,
    /// Not checked (no type at the place, or a schema that does not compile).
    pub skipped: usize,
    /// Not judged (the harness did not run).
    pub pending: usize,
}

impl Totals {
    /// Adds `other` into `self`.
    pub fn add(&mut self, other: Totals) {
        self.examples += other.examples;
        self.ok += other.ok;
        self.ok_dropping_undeclared += other.ok_dropping_undeclared;
        self.spec_invalid += other.spec_invalid;
        self.generator_fault += other.generator_fault;
        self.skipped += other.skipped;
        self.pending += other.pending;
    }

    fn to_json(self) -> Value {
        json!({
            "examples": self.examples,
            "ok": self.ok,
            "ok_dropping_undeclared": self.ok_dropping_undeclared,
            "spec_invalid": self.spec_invalid,
            "generator_fault": self.generator_fault,
            "skipped": self.skipped,
            "pending": self.pending,
        })
    }
}

/// The per-spec table and the totals line. `(dropped)` counts the `ok` examples whose
/// undeclared members the generated type dropped.
pub fn table(rows: &[(&str, Totals)]) -> String {
    let mut out = format!(
        "{:<26} {:>8} {:>6} {:>10} {:>12} {:>15} {:>8}\n",
        "spec", "examples", "ok", "(dropped)", "spec-invalid", "generator-fault", "skipped"
    );
    let mut all = Totals::default();
    let line = |name: &str, t: &Totals| {
        let pending = if t.pending > 0 {
            format!("  ({} not run)", t.pending)
        } else {
            String::new()
        };
        format!(
            "{:<26} {:>8} {:>6} {:>10} {:>12} {:>15} {:>8}{pending}\n",
            name, t.examples, t.ok, t.ok_dropping_undeclared, t.spec_invalid, t.generator_fault, t.skipped
        )
    };
    for (name, totals) in rows {
        out.push_str(&line(name, totals));
        all.add(*totals);
    }
    out.push_str(&line("total", &all));
    out
}

/// The `--json` document: totals and every example per spec.
pub fn json_report(rows: &[(&str, &Plan)]) -> Value {
    let mut all = Totals::default();
    let mut instances = Totals::default();
    let mut specs = BTreeMap::new();
    for (name, plan) in rows {
        all.add(plan.totals());
        instances.add(plan.instance_totals());
        specs.insert((*name).to_owned(), plan.to_json());
    }
    json!({ "totals": all.to_json(), "instance_totals": instances.to_json(), "specs": specs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_harness_results() {
        let original = json!({"a": 1});
        let declared = |_: &[String], _: &str| true;
        assert_eq!(
            judge(&original, &json!({"encoded": {"a": 1.0}}), &declared),
            (Verdict::Ok, 0)
        );
        assert!(matches!(
            judge(&original, &json!({"encoded": {}}), &declared),
            (Verdict::RoundtripDiff(d), 0) if d.contains("/a")
        ));
        assert_eq!(
            judge(&original, &json!({"encoded": {}}), &|_, _| false),
            (Verdict::Ok, 1)
        );
        assert_eq!(
            judge(
                &original,
                &json!({"decode_error": "missing field `b`", "path": "."}),
                &declared
            ),
            (
                Verdict::DecodeFail {
                    path: ".".to_owned(),
                    message: "missing field `b`".to_owned()
                },
                0
            )
        );
    }
}
