//! Mutated real documents: the generator must never panic, and every crate it generates must
//! build. A seeded generator mutates a few small corpus documents (`../shared/corpus`; the
//! test skips when it is absent, outside CI), generates each mutant, and checks all the crates
//! that came out in one scratch workspace.
//!
//! CI runs a small sample. `ROBUSTNESS_MUTANTS=<per document>` and `ROBUSTNESS_SEED=<n>` run
//! a bigger or different one; a failure names the seed, document and mutant, and the mutant's
//! spec is left in `target/robustness-crates/<crate>/spec.json`.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

/// Small, varied corpus documents (generation and builds stay quick).
const DOCUMENTS: &[&str] = &[
    "museum.yaml",
    "oai-petstore-expanded.yaml",
    "oai-link-example.yaml",
    "oxide-propolis.json",
];

/// Mutants per document when `ROBUSTNESS_MUTANTS` is not set.
const DEFAULT_MUTANTS: usize = 10;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen sits in the workspace")
        .to_path_buf()
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// SplitMix64: a tiny, well-known generator; the sequence for a seed never changes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Every JSON pointer in `value` (objects and arrays included), in document order.
fn pointers(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), value)];
    while let Some((at, node)) = stack.pop() {
        match node {
            Value::Object(map) => {
                for (key, child) in map.iter().rev() {
                    stack.push((format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), child));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate().rev() {
                    stack.push((format!("{at}/{index}"), child));
                }
            }
            _ => {}
        }
        out.push(at);
    }
    out
}

/// One random change at one random place: the kinds of damage and oddities real documents
/// and fuzzers bring (wrong types, dropped keys, self-references, reserved and long names).
fn mutate(document: &mut Value, rng: &mut Rng) {
    let places = pointers(document);
    let schemas: Vec<String> = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().map(|k| format!("#/components/schemas/{k}")).collect())
        .unwrap_or_default();
    let some_ref = |rng: &mut Rng| match schemas.as_slice() {
        [] => "#/components/schemas/Missing".to_owned(),
        all => rng.pick(all).clone(),
    };
    let at = rng.pick(&places).clone();
    let replacement = match rng.below(12) {
        0 => Value::Null,
        1 => json!(""),
        2 => json!(-1),
        3 => json!([]),
        4 => json!({}),
        5 => json!({"$ref": some_ref(rng)}),
        6 => json!({"type": "array", "items": {"$ref": some_ref(rng)}}),
        7 => {
            json!({"allOf": [{"$ref": some_ref(rng)}, {"type": "object", "properties": {"default": {"type": "string"}}}]})
        }
        8 => json!({"oneOf": [{"$ref": some_ref(rng)}]}),
        9 => json!({"type": rng.pick(&["string", "integer", "object", "array", "boolean", "number", "null"])}),
        10 => {
            // Rename a key of the object at `at` (or its parent).
            let name = (*rng.pick(&[
                "default",
                "client-runtime",
                "type",
                "self",
                "2fa",
                "",
                "pets",
                "Client",
                "x".repeat(300).as_str(),
            ]))
            .to_owned();
            if let Some(Value::Object(map)) = document.pointer_mut(&at) {
                if let Some(key) = map.keys().next().cloned() {
                    if let Some(moved) = map.remove(&key) {
                        map.insert(name, moved);
                    }
                }
            }
            return;
        }
        _ => {
            // Copy another subtree here.
            let from = rng.pick(&places).clone();
            document.pointer(&from).cloned().unwrap_or(Value::Null)
        }
    };
    match document.pointer_mut(&at) {
        Some(node) if !at.is_empty() => *node = replacement,
        _ => {}
    }
}

#[test]
fn mutated_corpus_documents_never_panic_and_their_crates_build() {
    let root = workspace_root();
    let corpus = root.join("../shared/corpus");
    if !corpus.is_dir() {
        println!("no corpus at {}: skipping", corpus.display());
        return;
    }
    let seed = env_number("ROBUSTNESS_SEED", 9);
    let per_document = env_number("ROBUSTNESS_MUTANTS", DEFAULT_MUTANTS as u64) as usize;
    let scratch = root.join("target/robustness-crates");
    let _ = std::fs::remove_dir_all(&scratch);
    let runtime = root.join("runtime");
    let mut rng = Rng(seed);
    let mut members = Vec::new();
    let mut panics = Vec::new();
    let mut refused = 0;
    for name in DOCUMENTS {
        let path = corpus.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!("{name} is not in the corpus: skipped");
            continue;
        };
        let original: Value = serde_yaml::from_str(&text).expect("corpus documents are YAML or JSON");
        for index in 0..per_document {
            let mut document = original.clone();
            for _ in 0..=rng.below(3) {
                mutate(&mut document, &mut rng);
            }
            let label = format!("seed {seed}, {name}, mutant {index}");
            let package =
                codegen::naming::package_name(&format!("mutant {} {index}", name.split('.').next().unwrap_or("spec")));
            let bytes = serde_json::to_vec_pretty(&document).expect("a JSON value serialises");
            let settings = codegen::CrateSettings {
                name: package.clone(),
                version: "0.1.0".to_owned(),
                runtime_path: runtime.to_string_lossy().into_owned(),
                standalone: false,
                source_label: format!("{package}.json"),
                extra_files: Vec::new(),
                has_quickstart: false,
            };
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                codegen::parse::parse_bytes(&corpus.join(format!("{package}.json")), &bytes)
                    .and_then(|parsed| codegen::generate(&parsed, &settings))
            }));
            let generated = match outcome {
                Err(_) => {
                    panics.push(label);
                    continue;
                }
                Ok(Err(errors)) => {
                    assert!(!errors.is_empty(), "{label}: refused without a diagnostic");
                    refused += 1;
                    continue;
                }
                Ok(Ok(generated)) => generated,
            };
            let dir = scratch.join(&package);
            for file in &generated.files {
                let file_path = dir.join(&file.path);
                std::fs::create_dir_all(file_path.parent().expect("files sit in folders")).expect("create folder");
                std::fs::write(&file_path, &file.contents).expect("write generated file");
            }
            std::fs::write(dir.join("spec.json"), &bytes).expect("keep the mutant");
            members.push((package, label));
        }
    }
    assert!(panics.is_empty(), "the generator panicked on: {panics:#?}");
    println!(
        "{} mutants generated, {refused} refused with diagnostics",
        members.len()
    );
    if members.is_empty() {
        return;
    }
    let listed: Vec<String> = members.iter().map(|(package, _)| format!("{package:?}")).collect();
    let manifest = format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", listed.join(", "));
    std::fs::write(scratch.join("Cargo.toml"), manifest).expect("write workspace manifest");
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).expect("copy Cargo.lock");
    // The fixture check's target dir: the runtime and dependencies are already built there.
    let output = Command::new(env!("CARGO"))
        .args(["check", "--workspace", "--quiet", "--message-format", "short"])
        .current_dir(&scratch)
        .env("CARGO_TARGET_DIR", root.join("target/fixture-check"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo check");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let failing: Vec<&String> = members
        .iter()
        .filter(|(package, _)| stderr.contains(&format!("{package}/")))
        .map(|(_, label)| label)
        .collect();
    assert!(
        output.status.success(),
        "crates generated from mutants do not build ({failing:#?}; specs kept under {}):\n{stderr}",
        scratch.display()
    );
}
