//! `cargo xtask generate --spec … --out … [--check]`: a crate generated anywhere, and the
//! check mode that names each file that differs or should not be there.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("run xtask")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-generate-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../codegen/tests/fixtures/responses.yaml")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn check_names_a_changed_file_and_a_leftover_file_and_fails() {
    let out = scratch("stale");
    let out_arg = out.to_string_lossy().into_owned();
    let generated = xtask(&[
        "generate",
        "--spec",
        &fixture(),
        "--out",
        &out_arg,
        "--name",
        "pets-client",
    ]);
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let clean = xtask(&[
        "generate",
        "--spec",
        &fixture(),
        "--out",
        &out_arg,
        "--name",
        "pets-client",
        "--check",
    ]);
    assert!(
        clean.status.success(),
        "a fresh crate is not stale: {}",
        String::from_utf8_lossy(&clean.stdout)
    );

    std::fs::write(out.join("src/types.rs"), "// edited by hand\n").expect("edit a generated file");
    std::fs::write(out.join("src/extra.rs"), "// not generated\n").expect("add a file");
    let stale = xtask(&[
        "generate",
        "--spec",
        &fixture(),
        "--out",
        &out_arg,
        "--name",
        "pets-client",
        "--check",
    ]);
    let stdout = String::from_utf8_lossy(&stale.stdout);
    assert!(!stale.status.success(), "check must fail on drift:\n{stdout}");
    assert!(
        stdout.contains("stale: src/types.rs"),
        "the changed file is named:\n{stdout}"
    );
    assert!(
        stdout.contains("not generated any more: src/extra.rs"),
        "the leftover file is named:\n{stdout}"
    );
    // Check mode changes nothing.
    assert_eq!(
        std::fs::read_to_string(out.join("src/types.rs")).unwrap(),
        "// edited by hand\n"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_broken_spec_fails_with_the_file_and_place() {
    let dir = scratch("broken");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("broken.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Missing'}\n",
    )
    .unwrap();
    let out = dir.join("out").to_string_lossy().into_owned();
    let output = xtask(&["generate", "--spec", &spec.to_string_lossy(), "--out", &out]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("broken.yaml"), "names the file: {stderr}");
    assert!(
        stderr.contains("#/components/schemas/Missing"),
        "names the ref: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_spec_named_2fa_gives_a_valid_package_name_and_a_failed_run_keeps_the_crate() {
    let dir = scratch("2fa");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("2fa.yaml");
    std::fs::copy(fixture(), &spec).unwrap();
    let out = dir.join("out");
    let out_arg = out.to_string_lossy().into_owned();
    let generated = xtask(&["generate", "--spec", &spec.to_string_lossy(), "--out", &out_arg]);
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"api-2fa-client\""), "{manifest}");
    // A spec that no longer generates leaves the crate as it was.
    std::fs::write(&spec, "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n").unwrap();
    let refused = xtask(&["generate", "--spec", &spec.to_string_lossy(), "--out", &out_arg]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("Swagger 2.0 documents are not supported"), "{stderr}");
    assert_eq!(std::fs::read_to_string(out.join("Cargo.toml")).unwrap(), manifest);
    let _ = std::fs::remove_dir_all(&dir);
}
