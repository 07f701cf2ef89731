//! The first stage end to end: real files in, a parsed spec or exact diagnostics out.

use std::path::{Path, PathBuf};
use std::time::Instant;

use codegen::parse::{parse_bytes, parse_file, ParsedSpec};
use codegen::{Diagnostic, Location};

/// A fixture under `tests/parse/`.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/parse")
        .join(name)
}

/// Parses a fixture that must parse.
fn parse_ok(name: &str) -> ParsedSpec {
    match parse_file(&fixture(name)) {
        Ok(spec) => spec,
        Err(errors) => panic!("{name} failed: {}", shown(&errors).join("\n")),
    }
}

/// Parses in-memory text that must fail, returning the diagnostics.
fn parse_err(name: &str, text: &str) -> Vec<Diagnostic> {
    match parse_bytes(&fixture(name), text.as_bytes()) {
        Ok(_) => panic!("{name} parsed but should not have"),
        Err(errors) => errors,
    }
}

/// Diagnostics as `place: message` lines, with the file made relative to the fixtures.
fn shown(errors: &[Diagnostic]) -> Vec<String> {
    let base = fixture("");
    errors
        .iter()
        .map(|d| {
            let file = d.file.strip_prefix(&base).unwrap_or(&d.file);
            format!("{} {}: {}", file.display(), d.location, d.message)
        })
        .collect()
}

#[test]
fn corpus_documents_parse() {
    let corpus = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"));
    let Ok(entries) = std::fs::read_dir(corpus) else {
        println!("no corpus at {}: skipping", corpus.display());
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml")
            )
        })
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for file in &files {
        let started = Instant::now();
        let result = parse_file(file);
        let took = started.elapsed();
        match result {
            Ok(spec) => println!(
                "ok   {} in {took:.2?} ({} warnings)",
                file.display(),
                spec.warnings.len()
            ),
            Err(errors) => {
                println!("FAIL {} in {took:.2?}", file.display());
                for e in &errors {
                    println!("     {e}");
                }
                failures.push(file.display().to_string());
            }
        }
    }
    assert!(failures.is_empty(), "failed to parse: {failures:#?}");
}
