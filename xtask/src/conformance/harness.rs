//! The harness crate written beside a generated crate: it decodes each case into its generated
//! type and encodes it back.
//!
//! It is a separate package (`<crate>-conformance`) that depends on the generated crate by
//! path, so the crate a user ships carries nothing of it. Cases go in as a JSON file of
//! `[type index, value]` pairs; results come out on stdout as a JSON array in the same order,
//! each `{"encoded": …}`, `{"decode_error": …, "path": …}` or `{"encode_error": …}`. The
//! type index selects one `roundtrip::<T>` instantiation, so only types that have cases are
//! monomorphised.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use serde_json::Value;

/// The harness package's name for a generated package.
pub fn package_name(generated: &str) -> String {
    format!("{generated}-conformance")
}

/// Writes the harness crate for `generated` (a package in `ws`) decoding into `types`
/// (Rust type paths as [`codegen::TypePlace::rust_type`] writes them), and its cases.
pub fn write(ws: &Path, generated: &str, types: &[String], cases: &[(usize, &Value)]) -> anyhow::Result<PathBuf> {
    let package = package_name(generated);
    let dir = ws.join(&package);
    let src = dir.join("src");
    std::fs::create_dir_all(&src).with_context(|| format!("creating {}", src.display()))?;
    let manifest = format!(
        "# Written by `cargo xtask conformance`: the test harness beside `{generated}`.\n\
         [package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\napi = {{ package = \"{generated}\", path = \"../{generated}\" }}\n\
         serde = \"1\"\nserde_json = \"1\"\nserde_path_to_error = \"0.1\"\n{}",
        optional_dependencies(types)
    );
    write_file(&dir.join("Cargo.toml"), &manifest)?;
    write_file(&src.join("main.rs"), &main_rs(generated, types))?;
    let cases = serde_json::to_string(cases).context("encoding the cases")?;
    let cases_path = dir.join("cases.json");
    write_file(&cases_path, &cases)?;
    Ok(cases_path)
}

/// The libraries some builtin types come from, as the generated crate depends on them.
fn optional_dependencies(types: &[String]) -> String {
    let mut out = String::new();
    if types.iter().any(|t| t.contains("chrono::")) {
        out.push_str("chrono = { version = \"0.4\", default-features = false, features = [\"serde\", \"std\"] }\n");
    }
    if types.iter().any(|t| t.contains("uuid::")) {
        out.push_str("uuid = { version = \"1\", features = [\"serde\"] }\n");
    }
    if types.iter().any(|t| t.contains("client_runtime::")) {
        let runtime = crate::workspace_root().join("runtime");
        let runtime = runtime.canonicalize().unwrap_or(runtime);
        let runtime = runtime.to_string_lossy().replace('\\', "/");
        out.push_str(&format!("client-runtime = {{ path = \"{runtime}\" }}\n"));
    }
    out
}

fn write_file(path: &Path, contents: &str) -> anyhow::Result<()> {
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}

fn main_rs(generated: &str, types: &[String]) -> String {
    let mut arms = String::new();
    for (index, ty) in types.iter().enumerate() {
        arms.push_str(&format!("        {index} => roundtrip::<{ty}>(value),\n"));
    }
    // Where the type paths (`crate::types::...`) find the generated crate's types; left out
    // when no case needs them (an unused import would warn).
    let types_module = if types.iter().any(|t| t.contains("crate::types::")) {
        "/// The generated crate's types, where the type paths below find them.\nmod types {\n    pub use api::types::*;\n}\n\n"
    } else {
        ""
    };
    format!(
        r#"//! Written by `cargo xtask conformance`: decodes each case into the generated type of its
//! place in the spec and encodes it back. Reads `[[type index, value], ...]` from the file named
//! by the first argument and prints one result per case.

{types_module}use serde_json::{{json, Value}};

/// Decodes `value` as `T` (naming the JSON path of a failure) and encodes it again.
#[allow(dead_code)] // unused when the spec has no example to decode
fn roundtrip<T: serde::de::DeserializeOwned + serde::Serialize>(value: Value) -> Value {{
    match serde_path_to_error::deserialize::<_, T>(value) {{
        Ok(decoded) => match serde_json::to_value(&decoded) {{
            Ok(encoded) => json!({{ "encoded": encoded }}),
            Err(error) => json!({{ "encode_error": error.to_string() }}),
        }},
        Err(error) => json!({{ "decode_error": error.inner().to_string(), "path": error.path().to_string() }}),
    }}
}}

/// Runs one case through the type with index `ty`.
fn decode(ty: usize, value: Value) -> Value {{
    match ty {{
{arms}        _ => {{
            drop(value);
            json!({{ "decode_error": format!("no type with index {{ty}} in the harness of {generated}"), "path": "." }})
        }}
    }}
}}

fn main() -> std::process::ExitCode {{
    let Some(path) = std::env::args().nth(1) else {{
        eprintln!("usage: harness CASES.json");
        return std::process::ExitCode::FAILURE;
    }};
    let cases: Vec<(usize, Value)> = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
    {{
        Ok(cases) => cases,
        Err(error) => {{
            eprintln!("reading {{path}}: {{error}}");
            return std::process::ExitCode::FAILURE;
        }}
    }};
    let results: Vec<Value> = cases.into_iter().map(|(ty, value)| decode(ty, value)).collect();
    println!("{{}}", Value::Array(results));
    std::process::ExitCode::SUCCESS
}}
"#
    )
}

/// Runs the built harness of `generated` over its cases; one result per case.
pub fn run(target: &Path, generated: &str, cases_path: &Path, expected: usize) -> anyhow::Result<Vec<Value>> {
    let binary = target
        .join("debug")
        .join(format!("{}{}", package_name(generated), std::env::consts::EXE_SUFFIX));
    let output = Command::new(&binary)
        .arg(cases_path)
        .output()
        .with_context(|| format!("running {}", binary.display()))?;
    if !output.status.success() {
        bail!(
            "the harness of {generated} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let results: Vec<Value> = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("reading the results of the harness of {generated}"))?;
    if results.len() != expected {
        bail!(
            "the harness of {generated} answered {} cases of {expected}",
            results.len()
        );
    }
    Ok(results)
}
