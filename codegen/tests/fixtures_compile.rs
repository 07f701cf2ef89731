//! Builds every fixture's generated crate, so snapshots cannot drift into code that does not
//! compile or that warns: all fixtures go into one scratch workspace under target/, checked
//! by `cargo clippy -D warnings` with its own target dir (the outer build holds the main one),
//! then its doc examples compiled (`cargo test --doc`) and its docs rendered with
//! `RUSTDOCFLAGS=-D warnings`.

mod common;
mod scratch_crate;

use std::process::Command;

use scratch_crate::{assert_clippy_clean, workspace_root};

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

    // Every operation's doc example compiles (edition 2024: one merged doctest binary per
    // crate), and the docs render without a rustdoc warning.
    let doctests = Command::new(env!("CARGO"))
        .args(["test", "--doc", "--workspace", "--quiet"])
        .current_dir(&scratch)
        .env("CARGO_TARGET_DIR", root.join("target/fixture-check"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo test --doc");
    assert!(
        doctests.status.success(),
        "generated fixture crates' doc examples fail:\n{}{}",
        String::from_utf8_lossy(&doctests.stdout),
        String::from_utf8_lossy(&doctests.stderr)
    );
    let docs = Command::new(env!("CARGO"))
        .args(["doc", "--no-deps", "--workspace", "--quiet"])
        .current_dir(&scratch)
        .env("CARGO_TARGET_DIR", root.join("target/fixture-check"))
        .env("RUSTDOCFLAGS", "-D warnings")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo doc");
    assert!(
        docs.status.success(),
        "generated fixture crates' docs warn:\n{}",
        String::from_utf8_lossy(&docs.stderr)
    );
}

/// The feature-gates fixture builds warning-free with no feature, with each feature alone and
/// with all: every type a feature needs is behind that feature, and nothing else is left
/// dangling (a gate too narrow fails to compile; one too wide shows in the cfgs asserted here).
#[test]
fn each_feature_alone_builds_without_warnings() {
    let root = workspace_root();
    let dir = root.join("target/fixture-features/feature-gates");
    let _ = std::fs::remove_dir_all(&dir);
    let runtime = root.join("runtime");
    let generated = common::generate_fixture("feature-gates", &runtime.to_string_lossy());
    for file in &generated.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("files sit in folders")).expect("create folder");
        std::fs::write(&path, &file.contents).expect("write generated file");
    }
    let mut manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("read manifest");
    manifest.push_str("\n[workspace]\n");
    std::fs::write(dir.join("Cargo.toml"), &manifest).expect("write manifest");
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");

    let types = std::fs::read_to_string(dir.join("src/types.rs")).expect("read types.rs");
    for (cfg, item) in [
        (
            r#"#[cfg(any(feature = "orders", feature = "refunds", feature = "unreferenced-types"))]"#,
            "pub struct Money ",
        ),
        (r#"#[cfg(feature = "orders")]"#, "pub struct Order "),
        (r#"#[cfg(feature = "operations")]"#, "pub struct Health "),
        (r#"#[cfg(feature = "unreferenced-types")]"#, "pub struct Event "),
        // Sent: Serialize always; received only: with the default-on feature.
        (
            "#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]",
            "pub struct RefundRequest ",
        ),
        (
            "#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]",
            "pub struct Money ",
        ),
        (
            r#"#[cfg_attr(feature = "serialize-responses", derive(serde::Serialize))]"#,
            "pub struct Refund ",
        ),
    ] {
        let at = types.find(item).unwrap_or_else(|| panic!("{item} missing"));
        let before = &types[..at];
        let last_item_end = before.rfind("\n}\n").unwrap_or(0);
        assert!(before[last_item_end..].contains(cfg), "{item} is not behind {cfg}");
    }

    let defaults = manifest
        .lines()
        .find_map(|l| l.strip_prefix("default = ["))
        .expect("a default feature list");
    let features: Vec<&str> = defaults.split('"').skip(1).step_by(2).collect();
    assert_eq!(
        features,
        [
            "orders",
            "refunds",
            "customers",
            "invoices",
            "payouts",
            "operations",
            "unreferenced-types",
            "serialize-responses"
        ]
    );
    let mut runs: Vec<Vec<&str>> = vec![vec!["--no-default-features"]];
    runs.extend(features.iter().map(|f| vec!["--no-default-features", "--features", f]));
    runs.push(Vec::new());
    for args in runs {
        assert_clippy_clean(&dir, &args);
    }
}
