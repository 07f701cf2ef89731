//! `cargo xtask bench`: how fast generation is, measured against plain parsing and against
//! other generators, all in one run on one machine.
//!
//! Build xtask in release for meaningful figures: `cargo run --release -p xtask -- bench`.
//! For each spec (by default oxide-nexus, stripe, openai and box from `../shared/corpus`):
//!
//! * `parse`: read the bytes and deserialise them straight into `openapiv3::OpenAPI`
//!   (serde_json or serde_yaml, no normalisation) — the floor any generator pays;
//! * `generate`: `codegen::parse::parse_file` + `codegen::generate`, in memory, no cargo;
//!   the ratio `generate / parse` is the figure we aim to keep within 3×;
//! * `progenitor` (`cargo progenitor`) and `openapi-generator` (`openapi-generator-cli
//!   generate -g rust`), when installed, each timed once on the same spec; a missing tool is
//!   reported and skipped;
//! * with `--build` (see [`build`]): what building the generated crate costs, ours with every
//!   tag and with one tag beside openapi-generator's and progenitor's, on openai, stripe and
//!   oxide-nexus by default (`--quick`: one spec, no generation table);
//! * with `--whole-process` (see [`whole`]): each generator as a user runs it, process start
//!   to exit, interleaved over `--runs` rounds, wall and CPU time (oxide-nexus by default).
//!
//! The minimum of `--runs` runs is reported for the in-process timings.

mod build;
mod whole;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// Arguments of `cargo xtask bench`.
#[derive(clap::Args)]
pub struct Args {
    /// Specs to measure (default: oxide-nexus, stripe, openai and box from ../shared/corpus).
    specs: Vec<PathBuf>,
    /// In-process timings take the best of this many runs.
    #[arg(long, default_value_t = 3)]
    runs: u32,
    /// Skip the external generators.
    #[arg(long)]
    no_external: bool,
    /// Also build each spec's crate (ours with every tag and with one, openapi-generator's and
    /// progenitor's) and compare time, peak rustc memory, lines and types (default specs:
    /// openai, stripe, oxide-nexus).
    #[arg(long)]
    build: bool,
    /// With --build: only the first spec (oxide-nexus by default) and no generation table.
    #[arg(long)]
    quick: bool,
    /// With --build: the tag (cargo feature) of the one-tag build (default: the first).
    #[arg(long)]
    tag: Option<String>,
    /// With --build: a folder of crates generated earlier (`DIR/<spec stem>`, e.g. by the
    /// previous generator), built the same way beside ours as "before" rows.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Scratch folder (default: target/bench under the workspace root).
    #[arg(long)]
    scratch: Option<PathBuf>,
    /// Time each generator's whole process instead (this binary's `generate --spec`, `cargo
    /// progenitor`, `openapi-generator-cli`), interleaved over --runs rounds, on the first spec
    /// (oxide-nexus by default).
    #[arg(long, conflicts_with = "build")]
    whole_process: bool,
    /// With --whole-process: how many of the rounds also run openapi-generator (seconds a run).
    #[arg(long, default_value_t = 3)]
    slow_runs: u32,
}

/// The default specs, relative to the corpus folder.
const DEFAULT_SPECS: [&str; 4] = ["oxide-nexus.json", "stripe.yaml", "openai.json", "box.json"];

/// The default specs of `--build`: the largest corpus APIs and the one progenitor can generate.
const DEFAULT_BUILD_SPECS: [&str; 3] = ["openai.json", "stripe.yaml", "oxide-nexus.json"];

/// The default spec of `--build --quick`.
const QUICK_BUILD_SPEC: &str = "oxide-nexus.json";

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let root = crate::workspace_root();
    let corpus = root.join("..").join("shared").join("corpus");
    let defaults = |names: &[&str]| -> Vec<PathBuf> {
        if args.specs.is_empty() {
            names.iter().map(|s| corpus.join(s)).collect()
        } else {
            args.specs.clone()
        }
    };
    let specs = defaults(&DEFAULT_SPECS);
    let scratch = args
        .scratch
        .clone()
        .unwrap_or_else(|| root.join("target").join("bench"));
    std::fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    if cfg!(debug_assertions) {
        println!("note: xtask is a debug build; use `cargo run --release -p xtask -- bench` for real figures");
    }
    let progenitor = !args.no_external && tool_present("cargo", &["progenitor", "--help"]);
    let openapi_generator = !args.no_external && tool_present("openapi-generator-cli", &["version"]);
    if !args.no_external {
        if !progenitor {
            println!("progenitor: not installed (`cargo install cargo-progenitor`); skipped");
        }
        if !openapi_generator {
            println!("openapi-generator: not installed (`pip install openapi-generator-cli`); skipped");
        }
    }
    if args.whole_process {
        let spec = specs.first().context("no spec to measure")?;
        whole::run(spec, &scratch, args.runs, args.slow_runs, progenitor, openapi_generator)?;
    } else if args.build {
        let mut build_specs = defaults(&DEFAULT_BUILD_SPECS);
        if args.quick {
            build_specs = defaults(&[QUICK_BUILD_SPEC]);
            build_specs.truncate(1);
        } else {
            generation_table(args, &specs, &scratch, progenitor, openapi_generator)?;
        }
        let tools = build::Tools {
            progenitor,
            openapi_generator,
        };
        build::run(
            &root,
            &build_specs,
            &scratch,
            &tools,
            args.tag.as_deref(),
            args.baseline.as_deref(),
        )?;
    } else {
        generation_table(args, &specs, &scratch, progenitor, openapi_generator)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Times parsing, generation and the external generators on each spec; one row per spec.
fn generation_table(
    args: &Args,
    specs: &[PathBuf],
    scratch: &Path,
    progenitor: bool,
    openapi_generator: bool,
) -> anyhow::Result<()> {
    println!(
        "{:<16} {:>9} {:>9} {:>9} {:>8} {:>11} {:>8} {:>11} {:>8}",
        "spec", "size", "parse", "generate", "gen/par", "progenitor", "x ours", "openapi-gen", "x ours"
    );
    for spec in specs {
        if !spec.is_file() {
            println!("{}: not found; skipped", spec.display());
            continue;
        }
        let name = stem(spec);
        let size = std::fs::metadata(spec).map(|m| m.len()).unwrap_or(0);
        let parse = best_of(args.runs, || parse_only(spec))?;
        let generate = best_of(args.runs, || generate_only(spec))?;
        let ratio = generate.as_secs_f64() / parse.as_secs_f64().max(1e-9);
        let external = |present: bool, f: &dyn Fn() -> anyhow::Result<Duration>| -> (String, String) {
            if !present {
                return ("-".to_owned(), "-".to_owned());
            }
            match f() {
                Ok(time) => (
                    secs(time),
                    format!("{:.1}", time.as_secs_f64() / generate.as_secs_f64()),
                ),
                Err(error) => (format!("failed: {error:#}"), "-".to_owned()),
            }
        };
        let (prog, prog_x) = external(progenitor, &|| {
            run_progenitor(spec, &scratch.join("progenitor").join(&name))
        });
        let (oag, oag_x) = external(openapi_generator, &|| {
            run_openapi_generator(spec, &scratch.join("openapi-generator").join(&name))
        });
        println!(
            "{:<16} {:>8}K {:>9} {:>9} {:>7.2}x {:>11} {:>8} {:>11} {:>8}",
            name,
            size / 1024,
            secs(parse),
            secs(generate),
            ratio,
            prog,
            prog_x,
            oag,
            oag_x
        );
    }
    Ok(())
}

/// Seconds with three decimals.
fn secs(d: Duration) -> String {
    format!("{:.3}s", d.as_secs_f64())
}

/// A file's stem as a string.
fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether `program args` runs and succeeds.
fn tool_present(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The shortest of `runs` runs of `f`.
fn best_of(runs: u32, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        f()?;
        best = best.min(start.elapsed());
    }
    Ok(best)
}

/// Reads `spec` and deserialises it into openapiv3, nothing more.
fn parse_only(spec: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(spec).with_context(|| format!("reading {}", spec.display()))?;
    let json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let parsed: Result<openapiv3::OpenAPI, String> = if json {
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    } else {
        serde_yaml::from_slice(&bytes).map_err(|e| e.to_string())
    };
    // Some specs (3.1) do not deserialise into openapiv3 as they are; reading them still
    // counts as the floor, so only a YAML/JSON syntax error is fatal.
    if let Err(error) = parsed {
        let value: Result<serde_json::Value, String> = if json {
            serde_json::from_slice(&bytes).map_err(|e| e.to_string())
        } else {
            serde_yaml::from_slice(&bytes).map_err(|e| e.to_string())
        };
        if value.is_err() {
            bail!("{}: {error}", spec.display());
        }
    }
    Ok(())
}

/// Parses, normalises and generates `spec` in memory.
fn generate_only(spec: &Path) -> anyhow::Result<()> {
    let settings = crate::generate::one_off_settings(spec, "bench-client", Path::new("/tmp/bench-client"), true);
    let generated = codegen::parse::parse_file(spec).and_then(|p| codegen::generate(&p, &settings));
    if let Err(errors) = generated {
        let first = errors.first().map(|e| e.to_string()).unwrap_or_default();
        bail!("generating {}: {first}", spec.display());
    }
    Ok(())
}

/// Times one run of a command, failing with its stderr when it fails.
fn timed(command: &mut Command) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let output = command.output().context("running an external generator")?;
    let elapsed = start.elapsed();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        bail!("{first}");
    }
    Ok(elapsed)
}

/// `cargo progenitor` into `out`.
fn run_progenitor(spec: &Path, out: &Path) -> anyhow::Result<Duration> {
    let _ = std::fs::remove_dir_all(out);
    timed(
        Command::new("cargo")
            .args(["progenitor", "-i"])
            .arg(spec)
            .arg("-o")
            .arg(out)
            .args(["-n", "progenitor-bench", "-v", "0.1.0"]),
    )
}

/// `openapi-generator-cli generate -g rust` into `out`.
fn run_openapi_generator(spec: &Path, out: &Path) -> anyhow::Result<Duration> {
    let _ = std::fs::remove_dir_all(out);
    timed(
        Command::new("openapi-generator-cli")
            .args(["generate", "-g", "rust", "--skip-validate-spec", "-i"])
            .arg(spec)
            .arg("-o")
            .arg(out),
    )
}
