//! `cargo xtask generate`: specs in, crates out (or, with `--check`, a drift report).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::config::{self, CrateEntry};
use crate::files;

/// Arguments of `cargo xtask generate`.
#[derive(clap::Args)]
pub struct Args {
    /// Change nothing; exit non-zero naming every file that differs from what would be generated.
    #[arg(long)]
    check: bool,
    /// Generate one crate from this spec instead of the configured ones (needs --out).
    #[arg(long, requires = "out")]
    spec: Option<PathBuf>,
    /// Where the --spec crate goes.
    #[arg(long, requires = "spec")]
    out: Option<PathBuf>,
    /// The --spec crate's package name (default: the spec's file stem + `-client`).
    #[arg(long, requires = "spec")]
    name: Option<String>,
    /// Print every warning (by default only a count per crate).
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

/// The input limits, each with codegen's default (`codegen::parse::Limits`).
#[derive(clap::Args, Clone, Debug)]
pub struct LimitArgs {
    /// The largest spec file (or file it `$ref`s) read, in bytes.
    #[arg(long, default_value_t = codegen::parse::Limits::default().max_file_bytes)]
    max_file_bytes: u64,
    /// The most paths a spec may have.
    #[arg(long, default_value_t = codegen::parse::Limits::default().max_paths)]
    max_paths: usize,
    /// The most component schemas a spec may have (after bundling).
    #[arg(long, default_value_t = codegen::parse::Limits::default().max_schemas)]
    max_schemas: usize,
    /// The folder whose files `$ref`s may read (default: the spec's own folder and below).
    #[arg(long)]
    ref_root: Option<PathBuf>,
    /// How deeply arrays and objects may nest in a spec (at most 1000; YAML stops at 128
    /// whatever this says, JSON goes as deep as this allows).
    #[arg(long, default_value_t = codegen::parse::DEFAULT_MAX_NESTING)]
    max_nesting: usize,
}

impl LimitArgs {
    /// The limits as codegen takes them.
    pub fn limits(&self) -> codegen::parse::Limits {
        codegen::parse::Limits {
            max_file_bytes: self.max_file_bytes,
            max_paths: self.max_paths,
            max_schemas: self.max_schemas,
            ref_root: self.ref_root.clone(),
            max_nesting: self.max_nesting,
        }
    }
}

/// Runs the command, on a stack deep enough for the nesting limit (see
/// [`codegen::parse::on_stack_for`]).
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    codegen::parse::on_stack_for(&args.limits.limits(), || run_here(args)).context("starting the generator's thread")?
}

fn run_here(args: &Args) -> anyhow::Result<ExitCode> {
    match (&args.spec, &args.out) {
        (Some(spec), Some(out)) => generate_one(spec, out, args),
        _ => generate_configured(args),
    }
}

fn generate_configured(args: &Args) -> anyhow::Result<ExitCode> {
    let root = crate::workspace_root();
    let specs = root.join("specs");
    let config = config::load(&specs)?;
    let mut drift = Vec::new();
    let mut failed = false;
    for entry in &config.crates {
        let dir = root.join("generated").join(&entry.name);
        let settings = configured_settings(&specs, entry)?;
        let Some(generated) = generate_crate(&specs.join(&entry.spec), &settings, args) else {
            failed = true;
            continue;
        };
        let outcome = files::sync(&dir, &generated.files, args.check)?;
        report(&entry.name, &generated, &outcome, args.check, &root);
        drift.extend(outcome.changed);
        drift.extend(outcome.stale);
    }
    if failed {
        bail!("some specs could not be generated (see above)");
    }
    if args.check && !drift.is_empty() {
        eprintln!("generated code is stale: run `cargo xtask generate` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn configured_settings(specs: &Path, entry: &CrateEntry) -> anyhow::Result<codegen::CrateSettings> {
    let mut extra_files = Vec::new();
    if let Some(examples) = &entry.examples {
        let dir = specs.join(examples);
        for path in files::list_files(&dir) {
            let contents = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let relative = path.strip_prefix(&dir).unwrap_or(&path);
            let relative = relative.to_string_lossy().replace('\\', "/");
            extra_files.push(codegen::GeneratedFile {
                path: format!("examples/{relative}"),
                contents,
            });
        }
    }
    Ok(codegen::CrateSettings {
        name: entry.name.clone(),
        version: entry.version.clone(),
        runtime_path: "../../runtime".to_owned(),
        standalone: false,
        source_label: format!("specs/{}", entry.spec.display()),
        has_quickstart: {
            let quickstart = format!(
                "examples/{}.rs",
                codegen::emit::manifest::quickstart_example_name(&entry.name)
            );
            extra_files.iter().any(|f| f.path == quickstart)
        },
        extra_files,
    })
}

fn generate_one(spec: &Path, out: &Path, args: &Args) -> anyhow::Result<ExitCode> {
    let name = match &args.name {
        Some(name) => name.clone(),
        None => codegen::naming::package_name(&spec.file_stem().unwrap_or_default().to_string_lossy()),
    };
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let out_abs = out
        .canonicalize()
        .with_context(|| format!("resolving {}", out.display()))?;
    let settings = one_off_settings(spec, &name, &out_abs, true);
    let Some(generated) = generate_crate(spec, &settings, args) else {
        return Ok(ExitCode::FAILURE);
    };
    let outcome = files::sync(&out_abs, &generated.files, args.check)?;
    report(&name, &generated, &outcome, args.check, &out_abs);
    if args.check && !(outcome.changed.is_empty() && outcome.stale.is_empty()) {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Settings for a crate generated from `spec` into `out` (absolute) outside `generated/`:
/// version 0.1.0, the runtime found relative to `out`, no extra files. `standalone` adds an
/// empty `[workspace]` so it builds where it is; the corpus puts its crates in one workspace.
pub fn one_off_settings(spec: &Path, name: &str, out: &Path, standalone: bool) -> codegen::CrateSettings {
    let runtime = crate::workspace_root().join("runtime");
    let runtime = runtime.canonicalize().unwrap_or(runtime);
    codegen::CrateSettings {
        name: name.to_owned(),
        version: "0.1.0".to_owned(),
        runtime_path: files::relative_path(out, &runtime).to_string_lossy().replace('\\', "/"),
        standalone,
        source_label: spec
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        extra_files: Vec::new(),
        has_quickstart: false,
    }
}

/// Parses and generates, printing diagnostics; `None` when the spec could not be generated.
fn generate_crate(spec: &Path, settings: &codegen::CrateSettings, args: &Args) -> Option<codegen::GeneratedCrate> {
    let result = codegen::parse::parse_file_with(spec, &args.limits.limits())
        .and_then(|parsed| codegen::generate(&parsed, settings));
    match result {
        Ok(generated) => {
            if args.verbose {
                for warning in &generated.warnings {
                    eprintln!("warning: {warning}");
                }
            }
            Some(generated)
        }
        Err(errors) => {
            for error in errors {
                eprintln!("error: {error}");
            }
            None
        }
    }
}

fn report(name: &str, generated: &codegen::GeneratedCrate, outcome: &files::Outcome, check: bool, root: &Path) {
    let show = |p: &PathBuf| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let warnings = match generated.warnings.len() {
        0 => String::new(),
        n => format!(", {n} warnings (-v lists them)"),
    };
    println!(
        "{name}: {} operations, {} types, {} files{warnings}",
        generated.operations,
        generated.types,
        generated.files.len()
    );
    for path in &outcome.changed {
        if check {
            println!("  stale: {}", show(path));
        } else {
            println!("  wrote: {}", show(path));
        }
    }
    for path in &outcome.stale {
        if check {
            println!("  not generated any more: {}", show(path));
        } else {
            println!("  removed: {}", show(path));
        }
    }
}
