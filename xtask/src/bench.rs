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
//! * with `--build`, for the first spec: `cargo build` time, peak memory (via
//!   `/usr/bin/time -v`, when present) and lines of our crate and of progenitor's.
//!
//! The minimum of `--runs` runs is reported for the in-process timings.

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
    /// Also build the first spec's crate (ours and progenitor's) and compare time, memory, lines.
    #[arg(long)]
    build: bool,
    /// Scratch folder (default: target/bench under the workspace root).
    #[arg(long)]
    scratch: Option<PathBuf>,
}

/// The default specs, relative to the corpus folder.
const DEFAULT_SPECS: [&str; 4] = ["oxide-nexus.json", "stripe.yaml", "openai.json", "box.json"];

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let root = crate::workspace_root();
    let specs = if args.specs.is_empty() {
        let corpus = root.join("..").join("shared").join("corpus");
        DEFAULT_SPECS.iter().map(|s| corpus.join(s)).collect()
    } else {
        args.specs.clone()
    };
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
    println!(
        "{:<16} {:>9} {:>9} {:>9} {:>8} {:>11} {:>8} {:>11} {:>8}",
        "spec", "size", "parse", "generate", "gen/par", "progenitor", "x ours", "openapi-gen", "x ours"
    );
    for spec in &specs {
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
    if args.build {
        if let Some(spec) = specs.first() {
            build_comparison(&root, spec, &scratch, progenitor)?;
        }
    }
    Ok(ExitCode::SUCCESS)
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

/// Lines of `*.rs` files below `dir`.
fn rust_lines(dir: &Path) -> usize {
    crate::files::list_files(dir)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.lines().count())
        .sum()
}

/// Builds the crate in `dir` with its own target dir (dependencies first, untimed), then
/// times building the crate itself; returns (time, peak KB if known).
fn build_crate(dir: &Path, package: &str, target: &Path, extra: &[&str]) -> anyhow::Result<(Duration, Option<u64>)> {
    let cargo = |timed_with_time: bool| {
        let mut command = if timed_with_time {
            let mut c = Command::new("/usr/bin/time");
            c.args(["-v", "cargo"]);
            c
        } else {
            Command::new("cargo")
        };
        command
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", target)
            .args(["build", "--quiet"])
            .args(extra);
        command
    };
    // Dependencies first: everything but the crate itself.
    let status = cargo(false).args(["--lib"]).status().context("running cargo build")?;
    if !status.success() {
        bail!("cargo build in {} failed", dir.display());
    }
    // Touch the crate so only it rebuilds.
    let lib = dir.join("src").join("lib.rs");
    let contents = std::fs::read(&lib).with_context(|| format!("reading {}", lib.display()))?;
    std::fs::write(&lib, contents).with_context(|| format!("writing {}", lib.display()))?;
    let _ = Command::new("cargo")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .args(["clean", "--offline", "-p", package])
        .status();
    let with_time = Path::new("/usr/bin/time").exists();
    let start = Instant::now();
    let output = cargo(with_time)
        .args(["--lib"])
        .output()
        .context("running cargo build")?;
    let elapsed = start.elapsed();
    if !output.status.success() {
        bail!(
            "cargo build in {} failed:\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let peak = String::from_utf8_lossy(&output.stderr).lines().find_map(|l| {
        l.trim()
            .strip_prefix("Maximum resident set size (kbytes):")
            .and_then(|v| v.trim().parse().ok())
    });
    Ok((elapsed, peak))
}

/// Generates the spec's crate (ours and, if present, progenitor's), builds each and prints
/// build time, peak memory and lines.
/// The first of the generated crate's default features (one per tag), if it has any.
fn first_default_feature(dir: &Path) -> Option<String> {
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let line = manifest.lines().find(|l| l.starts_with("default = ["))?;
    line.split('"').nth(1).map(str::to_owned)
}

fn build_comparison(root: &Path, spec: &Path, scratch: &Path, progenitor: bool) -> anyhow::Result<()> {
    let name = stem(spec);
    let ours = scratch.join("ours").join(&name);
    std::fs::create_dir_all(&ours).with_context(|| format!("creating {}", ours.display()))?;
    let ours = ours.canonicalize().unwrap_or(ours);
    let package = "bench-client";
    let generated = codegen::parse::parse_file(spec)
        .and_then(|p| codegen::generate(&p, &crate::generate::one_off_settings(spec, package, &ours, true)))
        .map_err(|errors| anyhow::anyhow!("{}", errors.first().map(|e| e.to_string()).unwrap_or_default()))?;
    crate::files::sync(&ours, &generated.files, false)?;
    let lock = ours.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(root.join("Cargo.lock"), &lock).with_context(|| format!("writing {}", lock.display()))?;
    }
    let show = |label: &str, dir: &Path, build: anyhow::Result<(Duration, Option<u64>)>| match build {
        Ok((time, peak)) => println!(
            "{label:<22} build {:>9}  peak {:>9}  lines {:>7}",
            secs(time),
            peak.map(|kb| format!("{} MB", kb / 1024))
                .unwrap_or_else(|| "?".to_owned()),
            rust_lines(dir)
        ),
        Err(error) => println!("{label:<12} build failed: {error:#}"),
    };
    println!("\n{name}: cargo build of the generated crate alone (dependencies built first)");
    show(
        "ours",
        &ours,
        build_crate(&ours, package, &scratch.join("target-ours"), &[]),
    );
    // Users of a large API can compile only the tags they call: one tag on, as a user would.
    if let Some(feature) = first_default_feature(&ours) {
        let label = format!("ours, only `{feature}`");
        let args = ["--no-default-features", "--features", feature.as_str()];
        show(
            &label,
            &ours,
            build_crate(&ours, package, &scratch.join("target-ours"), &args),
        );
    }
    if progenitor {
        let theirs = scratch.join("progenitor").join(&name);
        match run_progenitor(spec, &theirs) {
            Ok(_) => {
                // Keep progenitor's crate out of any enclosing workspace, as ours is.
                let manifest = theirs.join("Cargo.toml");
                let mut text = std::fs::read_to_string(&manifest).unwrap_or_default();
                text.push_str("\n[workspace]\n");
                std::fs::write(&manifest, text).with_context(|| format!("writing {}", manifest.display()))?;
                show(
                    "progenitor",
                    &theirs,
                    build_crate(&theirs, "progenitor-bench", &scratch.join("target-progenitor"), &[]),
                )
            }
            Err(error) => println!("progenitor   generation failed: {error:#}"),
        }
    }
    Ok(())
}
