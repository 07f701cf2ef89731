//! Builds every fixture's generated crate, so snapshots cannot drift into code that does not
//! compile or that warns: all fixtures go into one scratch workspace under target/, checked
//! by `cargo clippy -D warnings` with its own target dir (the outer build holds the main one).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen sits in the workspace")
        .to_path_buf()
}

#[test]
fn generated_fixture_crates_build_without_warnings() {
    let root = workspace_root();
    let scratch = root.join("target/fixture-crates");
    let _ = std::fs::remove_dir_all(&scratch);
    let runtime = root.join("runtime");
    let mut members = Vec::new();
    for name in common::fixture_names() {
        let generated = common::generate_fixture(&name, &runtime.to_string_lossy());
        let dir = scratch.join(&name);
        for file in &generated.files {
            let path = dir.join(&file.path);
            std::fs::create_dir_all(path.parent().expect("files sit in folders")).expect("create folder");
            std::fs::write(&path, &file.contents).expect("write generated file");
        }
        members.push(format!("{name:?}"));
    }
    let manifest = format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", members.join(", "));
    std::fs::write(scratch.join("Cargo.toml"), manifest).expect("write workspace manifest");
    // Same dependency versions as the main workspace; only crates it lacks (e.g. uuid) are resolved.
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).expect("copy Cargo.lock");

    let output = Command::new(env!("CARGO"))
        .args([
            "clippy",
            "--workspace",
            "--quiet",
            "--message-format",
            "short",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(&scratch)
        .env("CARGO_TARGET_DIR", root.join("target/fixture-check"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo clippy");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "generated fixture crates do not build cleanly:\n{stderr}"
    );
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("warning")).collect();
    assert!(
        warnings.is_empty(),
        "generated fixture crates warn:\n{}",
        warnings.join("\n")
    );
}
