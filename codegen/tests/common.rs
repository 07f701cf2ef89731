//! Helpers shared by codegen's integration tests: generating a fixture crate.

use std::path::{Path, PathBuf};

/// The fixtures folder.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture's stem, sorted.
pub fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures folder exists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "json")))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

/// Generates the fixture `name` as crate `<name>-fixture` depending on the runtime at `runtime_path`.
pub fn generate_fixture(name: &str, runtime_path: &str) -> codegen::GeneratedCrate {
    let dir = fixtures_dir();
    let path = ["yaml", "json"]
        .iter()
        .map(|ext| dir.join(format!("{name}.{ext}")))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("no fixture named {name}"));
    let parsed = codegen::parse::parse_file(&path).unwrap_or_else(|e| panic!("{name} does not parse: {e:#?}"));
    let settings = codegen::CrateSettings {
        name: format!("{name}-fixture"),
        version: "0.1.0".to_owned(),
        runtime_path: runtime_path.to_owned(),
        standalone: false,
        source_label: format!(
            "tests/fixtures/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        ),
        extra_files: Vec::new(),
        has_quickstart: false,
    };
    codegen::generate(&parsed, &settings).unwrap_or_else(|e| panic!("{name} does not generate: {e:#?}"))
}
