//! Repository lints that run under `cargo test`: every hand-written module starts with a `//!`
//! doc, no trailing whitespace, no `#[ignore]` or `#[should_panic]`, the runtime and the
//! generated crates never depend on the generator, and the generated docs carry no maintainer
//! provenance (fact tags belong in the specs' `x-provenance` entries).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn hand_written_sources() -> Vec<PathBuf> {
    let root = root();
    [
        "codegen/src",
        "codegen/tests",
        "runtime/src",
        "runtime/tests",
        "xtask/src",
        "xtask/tests",
        "tests",
    ]
    .iter()
    .flat_map(|dir| rust_files(&root.join(dir)))
    .collect()
}

#[test]
fn modules_start_with_a_doc_comment() {
    let missing: Vec<String> = hand_written_sources()
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a leading `//!` module doc:\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_trailing_whitespace_ignored_or_should_panic_tests() {
    let mut problems = Vec::new();
    // Built from parts so this file does not flag itself.
    let banned = [format!("#[{}]", "ignore"), format!("#[{}", "should_panic")];
    for path in hand_written_sources() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (number, line) in text.lines().enumerate() {
            if line.ends_with(' ') || line.ends_with('\t') {
                problems.push(format!("{}:{}: trailing whitespace", path.display(), number + 1));
            }
            if banned.iter().any(|b| line.trim_start().starts_with(b.as_str())) {
                problems.push(format!("{}:{}: {}", path.display(), number + 1, line.trim()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn runtime_and_generated_crates_do_not_depend_on_codegen() {
    let root = root();
    let mut manifests = vec![root.join("runtime/Cargo.toml")];
    for entry in std::fs::read_dir(root.join("generated"))
        .into_iter()
        .flatten()
        .flatten()
    {
        manifests.push(entry.path().join("Cargo.toml"));
    }
    for manifest in manifests {
        let text = std::fs::read_to_string(&manifest).unwrap_or_default();
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("codegen")),
            "{} depends on codegen",
            manifest.display()
        );
    }
}

#[test]
fn no_openssl_or_native_tls_anywhere_in_the_dependency_graph() {
    // Cargo.lock holds the whole resolved graph of every workspace crate.
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock is checked in");
    for banned in ["openssl-sys", "openssl", "native-tls"] {
        let entry = format!("name = \"{banned}\"");
        assert!(
            !lock.lines().any(|l| l == entry),
            "{banned} is in Cargo.lock: TLS must come from rustls"
        );
    }
}

/// Architecture invariant "emit reads only ir::model": every decision is made while the IR is
/// built, and emission only renders it. So no file under `codegen/src/emit` names another
/// codegen module (lowering, naming, parsing) except `crate::ir::model`.
#[test]
fn emit_reads_only_the_ir_model() {
    let root = root();
    let lib = std::fs::read_to_string(root.join("codegen/src/lib.rs")).expect("codegen has a lib.rs");
    let modules: Vec<String> = lib
        .lines()
        .filter_map(|l| {
            let l = l.trim_start().strip_prefix("pub ").unwrap_or(l.trim_start());
            l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)
        })
        .filter(|m| m != "emit")
        .collect();
    assert!(
        modules.iter().any(|m| m == "ir"),
        "codegen/src/lib.rs declares no `ir` module"
    );
    let mut problems = Vec::new();
    for path in rust_files(&root.join("codegen/src/emit")) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (number, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                let after = &rest[at + "crate::".len()..];
                let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let allowed = name == "ir" && after.starts_with("ir::model");
                if modules.contains(&name) && !allowed {
                    problems.push(format!("{}:{}: {}", path.display(), number + 1, line.trim()));
                }
                rest = after;
            }
            if line.contains("super::super") || line.contains("crate::{") {
                problems.push(format!("{}:{}: {}", path.display(), number + 1, line.trim()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "emit must read only `crate::ir::model` (decide in ir::build, render in emit):\n{}",
        problems.join("\n")
    );
}

/// Fact tags and provenance notes are for spec maintainers: the generated crates' docs (what
/// `cargo doc` renders, and the README) must read as API documentation.
#[test]
fn generated_docs_carry_no_fact_tags_or_provenance_notes() {
    const MARKERS: &[&str] = &[
        "[C]",
        "[C3]",
        "[I]",
        "[D]",
        "vendors/README",
        "FINDINGS",
        "Hand-written from",
        "Reconstructed by hand",
        "Fact tags",
        "docs2",
        "third-party client",
        "third-party CLI",
        "getting-started",
        "Reconstructed:",
        "page slug",
    ];
    let generated = root().join("generated");
    let mut files = rust_files(&generated);
    files.extend(
        std::fs::read_dir(&generated)
            .into_iter()
            .flatten()
            .flatten()
            .map(|crate_dir| crate_dir.path().join("README.md"))
            .filter(|readme| readme.exists()),
    );
    assert!(
        files.len() > 4,
        "no generated crates found under {}",
        generated.display()
    );
    let mut offenders = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let is_readme = file.extension().is_some_and(|e| e == "md");
        for (number, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let is_doc =
                is_readme || trimmed.starts_with("///") || trimmed.starts_with("//!") || trimmed.starts_with("#[doc");
            if let Some(marker) = MARKERS.iter().find(|m| is_doc && line.contains(**m)) {
                offenders.push(format!("{}:{}: {marker}", file.display(), number + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "provenance in generated docs:\n{}",
        offenders.join("\n")
    );
}
