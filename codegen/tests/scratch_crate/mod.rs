//! Helpers for the tests that build generated crates in a scratch workspace under target/.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (codegen's parent folder).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen sits in the workspace")
        .to_path_buf()
}

/// Runs `cargo clippy <args> -- -D warnings` in `dir` with the fixture-check target dir (the
/// outer build holds the main one) and asserts it passes without a single warning.
pub fn assert_clippy_clean(dir: &Path, args: &[&str]) {
    let output = Command::new(env!("CARGO"))
        .args(["clippy", "--quiet", "--message-format", "short"])
        .args(args)
        .args(["--", "-D", "warnings"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", workspace_root().join("target/fixture-check"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo clippy");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?} does not build cleanly:\n{stderr}");
    assert!(!stderr.contains("warning"), "{args:?} warns:\n{stderr}");
}
