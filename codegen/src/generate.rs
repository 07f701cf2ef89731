//! The library's entry point: a parsed spec and crate settings in, the crate's files out.

use crate::diagnostic::Diagnostic;
use crate::emit::{self, GeneratedFile};
use crate::ir;
use crate::parse::ParsedSpec;

/// How the generated crate is named and wired.
#[derive(Debug, Clone)]
pub struct CrateSettings {
    /// The package name, e.g. `timify-client`.
    pub name: String,
    /// The package version.
    pub version: String,
    /// The path from the crate's directory to the runtime crate, as written in `Cargo.toml`.
    pub runtime_path: String,
    /// Adds an empty `[workspace]` so the crate builds on its own wherever it is written.
    pub standalone: bool,
    /// How the spec is named in headers, e.g. `specs/timify.yaml`.
    pub source_label: String,
    /// Files copied into the crate as they are: (relative path, contents), e.g. examples.
    pub extra_files: Vec<GeneratedFile>,
    /// Whether `extra_files` include `examples/quickstart.rs` (mentioned in the README).
    pub has_quickstart: bool,
}

/// A generated crate: its files, what was generated, and what fell back.
#[derive(Debug, Clone)]
pub struct GeneratedCrate {
    /// The files, with paths relative to the crate root, sorted by path.
    pub files: Vec<GeneratedFile>,
    /// Warnings about fallbacks and skipped constructs, each naming its place in the spec.
    pub warnings: Vec<Diagnostic>,
    /// How many operations were generated.
    pub operations: usize,
    /// How many types were generated.
    pub types: usize,
}

/// Generates the crate for `spec`.
pub fn generate(spec: &ParsedSpec, settings: &CrateSettings) -> Result<GeneratedCrate, Vec<Diagnostic>> {
    let built = ir::build(&spec.file, &spec.document, &spec.openapi)?;
    let ir = built.ir;
    let source = &settings.source_label;
    let mut files = emit::rust_files(&ir, source).map_err(|message| {
        // Tokens that do not parse are a generator bug, but still reported, never a panic.
        vec![Diagnostic {
            file: spec.file.clone(),
            location: crate::Location::Document,
            message: format!("internal error: {message}"),
        }]
    })?;
    let uses = emit::uses(&ir);
    let has_examples = settings.extra_files.iter().any(|f| f.path.starts_with("examples/"));
    files.push(GeneratedFile {
        path: "Cargo.toml".to_owned(),
        contents: emit::manifest::cargo_toml(&ir, settings, uses, source, has_examples),
    });
    files.push(GeneratedFile {
        path: "README.md".to_owned(),
        contents: emit::manifest::readme(&ir, settings, source),
    });
    files.extend(settings.extra_files.iter().cloned());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut warnings = spec.warnings.clone();
    warnings.extend(built.warnings);
    Ok(GeneratedCrate {
        files,
        warnings,
        operations: ir.groups.iter().map(|g| g.operations.len()).sum(),
        types: ir.types.len(),
    })
}
