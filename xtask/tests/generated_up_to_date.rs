//! The drift guard: the checked-in crates under generated/ are exactly what
//! `cargo xtask generate` produces from specs/ now. Runs under plain `cargo test`, so CI
//! catches a spec or generator change that was not regenerated.

use std::process::Command;

#[test]
fn generated_crates_match_the_specs() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["generate", "--check"])
        .output()
        .expect("run xtask");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "generated/ is stale; run `cargo xtask generate` and commit the result.\n{stdout}{stderr}"
    );
    // Every configured crate was looked at.
    for name in [
        "timify-client",
        "bookingtime-client",
        "timeneye-client",
        "timekit-client",
    ] {
        assert!(
            stdout.contains(&format!("{name}: ")),
            "{name} was not checked:\n{stdout}"
        );
    }
}
