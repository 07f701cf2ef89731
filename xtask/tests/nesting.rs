//! `--max-nesting`: documents nested past the default fail with an error naming the flag,
//! generate when the flag raises the limit, and a limit past the most supported is refused
//! before the spec is read.

use std::path::PathBuf;
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("run xtask")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-nesting-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A JSON spec nested `depth` levels deep: a component schema that is an array of arrays of
/// ... of strings (the root object is level 1, `Deep` level 4).
fn deep_spec(depth: usize) -> String {
    let inner = depth - 4;
    let mut text = String::from(
        r##"{"openapi": "3.0.3", "info": {"title": "deep", "version": "1"}, "paths": {}, "components": {"schemas": {"Deep": "##,
    );
    text.push_str(&r#"{"type": "array", "items": "#.repeat(inner));
    text.push_str(r#"{"type": "string"}"#);
    text.push_str(&"}".repeat(inner));
    text.push_str("}}}\n");
    text
}

/// Writes `text` as `deep.json` in a fresh folder and runs `generate` on it with `flags`.
fn generate(name: &str, text: &str, flags: &[&str]) -> (Output, PathBuf) {
    let dir = scratch(name);
    std::fs::create_dir_all(&dir).expect("create the scratch folder");
    let spec = dir.join("deep.json");
    std::fs::write(&spec, text).expect("write the spec");
    let out = dir.join("out");
    let spec_arg = spec.to_string_lossy().into_owned();
    let out_arg = out.to_string_lossy().into_owned();
    let mut args = vec!["generate", "--spec", &spec_arg, "--out", &out_arg];
    args.extend(flags);
    (xtask(&args), dir)
}

#[test]
fn depth_200_fails_by_default_naming_the_flag_and_generates_with_it_raised() {
    let text = deep_spec(200);
    let (refused, dir) = generate("200", &text, &[]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("deep.json:1:")
            && stderr.contains("invalid JSON: nested deeper than 128 levels (--max-nesting raises it)"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);

    let (generated, dir) = generate("300", &text, &["--max-nesting", "300"]);
    let stderr = String::from_utf8_lossy(&generated.stderr);
    assert!(generated.status.success(), "{stderr}");
    let types = std::fs::read_to_string(dir.join("out/src/types.rs")).unwrap_or_default();
    // The IR types 65 levels of arrays and reads the rest as JSON (its own limit on schema
    // depth); prettyplease spreads the type over many lines.
    assert!(types.contains("pub type Deep = Vec<"), "{types}");
    assert_eq!(types.matches("Vec<").count(), 65, "{types}");
    assert!(types.contains("Vec<serde_json::Value>"), "{types}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_limit_past_the_most_supported_is_refused_before_reading() {
    let text = format!(r#"{{"x": {}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    let (refused, dir) = generate("100000", &text, &["--max-nesting", "200000"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("a nesting limit of 200000 is not supported (--max-nesting takes 1 to 1000"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
