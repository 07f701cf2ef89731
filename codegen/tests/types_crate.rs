//! A big API's types go into a crate of their own (`emit/split.rs`): the files, the client
//! crate's re-export and forwarded features, and that both crates build warning-free with
//! every feature and with one tag. Small APIs keep one crate (the snapshots and vendor crates
//! show that: they have no `types/` folder).

mod scratch_crate;

use std::fmt::Write as _;
use std::path::Path;

use codegen::emit::split::SPLIT_AT_TYPES;
use scratch_crate::{assert_clippy_clean, workspace_root};

/// A document with `count` distinct object schemas (one field each, named apart so they are
/// not one shape): `S0` is what the tag `alpha` returns, `S1` what `beta` returns, and the
/// rest no operation uses.
fn big_spec(count: usize) -> String {
    let mut text = String::from(
        "openapi: 3.0.3\ninfo: {title: Big, version: '1'}\npaths:\n  \
         /alpha: {get: {operationId: getAlpha, tags: [alpha], responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/S0'}}}}}}}\n  \
         /beta: {get: {operationId: getBeta, tags: [beta], responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/S1'}}}}}}}\n\
         components:\n  schemas:\n",
    );
    for i in 0..count {
        let _ = writeln!(
            text,
            "    S{i}: {{type: object, required: [f{i}], properties: {{f{i}: {{type: string}}}}}}"
        );
    }
    text
}

fn generate(runtime: &Path) -> codegen::GeneratedCrate {
    let settings = codegen::CrateSettings {
        name: "big-client".to_owned(),
        version: "0.1.0".to_owned(),
        runtime_path: runtime.to_string_lossy().into_owned(),
        standalone: true,
        source_label: "big.yaml".to_owned(),
        extra_files: Vec::new(),
        has_quickstart: false,
    };
    let text = big_spec(SPLIT_AT_TYPES);
    let parsed = codegen::parse::parse_bytes(Path::new("big.yaml"), text.as_bytes()).expect("the document parses");
    codegen::generate(&parsed, &settings).expect("the crate generates")
}

fn file<'a>(generated: &'a codegen::GeneratedCrate, path: &str) -> &'a str {
    generated
        .files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.contents.as_str())
        .unwrap_or_else(|| panic!("{path} is not generated"))
}

#[test]
fn a_big_api_gets_a_types_crate_that_builds_with_every_feature_and_with_one_tag() {
    let root = workspace_root();
    let generated = generate(&root.join("runtime"));
    assert!(generated.types >= SPLIT_AT_TYPES);
    assert!(
        !generated.files.iter().any(|f| f.path == "src/types.rs"),
        "the types are in the types crate, not in src/types.rs"
    );
    let lib = file(&generated, "src/lib.rs");
    assert!(lib.contains("pub use big_client_types as types;"), "{lib}");
    let manifest = file(&generated, "Cargo.toml");
    for line in [
        "big-client-types = { path = \"types\", default-features = false }",
        "alpha = [\"big-client-types/alpha\"]",
        "beta = [\"big-client-types/beta\"]",
        "unreferenced-types = [\"big-client-types/unreferenced-types\"]",
        "serialize-responses = [\"big-client-types/serialize-responses\"]",
    ] {
        assert!(manifest.lines().any(|l| l == line), "{line} missing from:\n{manifest}");
    }
    let types_manifest = file(&generated, "types/Cargo.toml");
    assert!(
        types_manifest.contains("name = \"big-client-types\""),
        "{types_manifest}"
    );
    assert!(types_manifest.lines().any(|l| l == "alpha = []"), "{types_manifest}");
    let types = file(&generated, "types/src/lib.rs");
    let s0 = types.find("pub struct S0 ").expect("S0 is in the types crate");
    assert!(types[..s0].ends_with(
        "#[cfg(feature = \"alpha\")]\n#[derive(Debug, Clone, serde::Deserialize)]\n#[cfg_attr(feature = \"serialize-responses\", derive(serde::Serialize))]\n"
    ));

    let dir = root.join("target/types-crate/big-client");
    let _ = std::fs::remove_dir_all(&dir);
    for file in &generated.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("files sit in folders")).expect("create folder");
        std::fs::write(&path, &file.contents).expect("write generated file");
    }
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
    // Every feature, then one tag: a call of that tag compiles against the re-exported types.
    for args in [&[][..], &["--no-default-features", "--features", "alpha"][..]] {
        assert_clippy_clean(&dir, args);
    }
}
