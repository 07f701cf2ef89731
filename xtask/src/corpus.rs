//! `cargo xtask corpus DIR`: generate a crate for every spec in a folder and `cargo check` it.
//!
//! Every spec becomes a member of one scratch workspace (default `target/corpus/ws`) with one
//! shared target dir (`target/corpus/target`), a copy of the main `Cargo.lock` and a path
//! dependency on `runtime/`, so nothing is fetched and dependency versions match the main
//! workspace. Each crate is then checked on its own (`cargo check --offline -p NAME`) so a
//! failure is attributed to its spec. A compile warning in generated code counts as a
//! failure. One row per spec is printed, then `N passed, N failed`; the exit code is
//! non-zero when any spec failed.
//!
//! With `--conformance` (and as `cargo xtask conformance`), each crate also gets a harness
//! crate beside it that decodes every example of its spec (see `conformance/`); the harness
//! is built instead of the plain check (the build reports the generated crate's errors and
//! warnings the same way), run, and a second table gives the verdicts. Any example the
//! generator is to blame for fails the spec.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::conformance;

/// Arguments of `cargo xtask corpus`.
#[derive(clap::Args)]
pub struct Args {
    /// The folder of specs (`*.json`, `*.yaml`, `*.yml`; not searched recursively), or one spec.
    dir: PathBuf,
    /// When DIR does not exist, say so and succeed (for CI, where the corpus is optional).
    #[arg(long)]
    if_present: bool,
    /// Only specs whose file stem contains one of these (comma-separated).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Generate only; skip `cargo check`.
    #[arg(long)]
    no_check: bool,
    /// The scratch folder (default: target/corpus under the workspace root).
    #[arg(long)]
    scratch: Option<PathBuf>,
    /// Print every generator warning (and, with --conformance, every example that is not ok).
    #[arg(long, short)]
    verbose: bool,
    /// Also check every example of each spec against its generated type (see `cargo xtask conformance`).
    #[arg(long)]
    conformance: bool,
    /// With --conformance: print the verdicts as JSON on stdout (the tables go to stderr).
    #[arg(long, requires = "conformance")]
    json: bool,
    #[command(flatten)]
    checks: CheckArgs,
    #[command(flatten)]
    limits: crate::generate::LimitArgs,
}

/// What the conformance check takes besides the documents' own examples.
#[derive(clap::Args, Clone, Debug)]
pub struct CheckArgs {
    /// A manifest mapping fixture files to places in the specs (see `conformance/fixtures.rs`);
    /// each fixture is checked as an example of its spec.
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// The seed of the generated instances (the same seed gives the same instances).
    #[arg(long, default_value_t = conformance::instances::DEFAULT_SEED)]
    seed: u64,
    /// Check only examples and fixtures, no generated instances.
    #[arg(long)]
    no_instances: bool,
    /// Fail a spec when a generated instance is the generator's fault, as an example does.
    /// Off by default, so a user's spec can report what instances find without failing; CI
    /// passes it (the corpus and the vendor specs are at zero, BENCHMARKS.md, Conformance).
    #[arg(long)]
    strict_instances: bool,
}

/// Arguments of `cargo xtask conformance`.
#[derive(clap::Args)]
pub struct ConformanceArgs {
    /// One spec, or a folder of specs (`*.json`, `*.yaml`, `*.yml`; not searched recursively).
    path: PathBuf,
    /// Print the verdicts as JSON on stdout (the tables go to stderr).
    #[arg(long)]
    json: bool,
    /// Only specs whose file stem contains one of these (comma-separated).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// The scratch folder (default: target/corpus under the workspace root).
    #[arg(long)]
    scratch: Option<PathBuf>,
    /// Print every generator warning and every example that is not ok.
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    checks: CheckArgs,
    #[command(flatten)]
    limits: crate::generate::LimitArgs,
}

/// Runs `cargo xtask conformance`: the corpus run with `--conformance`.
pub fn run_conformance(args: &ConformanceArgs) -> anyhow::Result<ExitCode> {
    run(&Args {
        dir: args.path.clone(),
        if_present: false,
        only: args.only.clone(),
        no_check: false,
        scratch: args.scratch.clone(),
        verbose: args.verbose,
        conformance: true,
        json: args.json,
        checks: args.checks.clone(),
        limits: args.limits.clone(),
    })
}

/// What happened to one spec.
struct Row {
    /// The spec's file stem.
    name: String,
    /// The generated package name.
    package: String,
    /// Operations generated (0 when generation failed).
    operations: usize,
    /// Types generated.
    types: usize,
    /// Generator warnings (fallbacks).
    warnings: usize,
    /// Parse + generate time.
    generate: Duration,
    /// `cargo check` time, when it ran.
    check: Option<Duration>,
    /// `None` while all is well, else what went wrong first.
    failure: Option<String>,
    /// With --conformance: the spec's examples and their verdicts, and the harness's cases file.
    conformance: Option<(conformance::Plan, PathBuf)>,
}

/// Runs the command, on a stack deep enough for the nesting limit (see
/// [`codegen::parse::on_stack_for`]).
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    codegen::parse::on_stack_for(&args.limits.limits(), || run_here(args)).context("starting the generator's thread")?
}

fn run_here(args: &Args) -> anyhow::Result<ExitCode> {
    if !args.dir.exists() {
        if args.if_present {
            println!(
                "corpus: {} does not exist or is not a folder; nothing to do (--if-present)",
                args.dir.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        bail!(
            "{} does not exist or is not a folder (pass --if-present to skip a missing corpus)",
            args.dir.display()
        );
    }
    let specs = list_specs(&args.dir, &args.only)?;
    if specs.is_empty() {
        bail!("no *.json, *.yaml or *.yml files in {}", args.dir.display());
    }
    let root = crate::workspace_root();
    let scratch = args
        .scratch
        .clone()
        .unwrap_or_else(|| root.join("target").join("corpus"));
    // Absolute: cargo runs inside the workspace, and the harness binary is found from here.
    let scratch = std::path::absolute(&scratch).with_context(|| format!("resolving {}", scratch.display()))?;
    let ws = scratch.join("ws");
    let target = scratch.join("target");
    std::fs::create_dir_all(&ws).with_context(|| format!("creating {}", ws.display()))?;
    let ws = ws
        .canonicalize()
        .with_context(|| format!("resolving {}", ws.display()))?;

    let started = Instant::now();
    let fixtures = match &args.checks.fixtures {
        Some(manifest) => conformance::fixtures::read(manifest)?,
        None => Vec::new(),
    };
    let checks = args.conformance.then_some(Checks {
        fixtures: &fixtures,
        seed: (!args.checks.no_instances).then_some(args.checks.seed),
        strict_instances: args.checks.strict_instances,
    });
    let limits = args.limits.limits();
    let mut rows = Vec::new();
    for spec in &specs {
        rows.push(generate_one(spec, &ws, args.verbose, checks.as_ref(), &limits)?);
    }
    write_workspace(&root, &ws, &rows)?;
    if !args.no_check {
        warm_dependencies(&ws, &target)?;
        let strict = checks.as_ref().is_some_and(|c| c.strict_instances);
        for row in rows.iter_mut().filter(|r| r.failure.is_none()) {
            check_one(row, &ws, &target)?;
            if row.failure.is_none() {
                conformance_one(row, &target, args.verbose, strict)?;
            }
        }
    }

    // With --json, stdout carries the JSON document only.
    let print = |line: String| {
        if args.json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    print(String::new());
    print(format!(
        "{:<26} {:>6} {:>6} {:>6} {:>9} {:>9}  result",
        "spec", "ops", "types", "warns", "gen", "check"
    ));
    for row in &rows {
        let check = row.check.map(secs).unwrap_or_else(|| "-".to_owned());
        let result = row.failure.as_deref().unwrap_or("ok");
        print(format!(
            "{:<26} {:>6} {:>6} {:>6} {:>9} {:>9}  {result}",
            row.name,
            row.operations,
            row.types,
            row.warnings,
            secs(row.generate),
            check
        ));
    }
    if args.conformance {
        let plans: Vec<(&str, &conformance::Plan)> = rows
            .iter()
            .filter_map(|r| Some((r.name.as_str(), &r.conformance.as_ref()?.0)))
            .collect();
        let totals: Vec<(&str, conformance::Totals)> = plans.iter().map(|(n, p)| (*n, p.totals())).collect();
        print(String::new());
        print(format!(
            "conformance of examples (the documents' and the fixtures'):\n{}",
            conformance::table(&totals).trim_end()
        ));
        if checks.is_some_and(|c| c.seed.is_some()) {
            let totals: Vec<(&str, conformance::Totals)> =
                plans.iter().map(|(n, p)| (*n, p.instance_totals())).collect();
            print(String::new());
            print(format!(
                "conformance of generated instances (seed {}; spec-invalid: an instance the generator of instances could not make valid):\n{}",
                args.checks.seed,
                conformance::table(&totals).trim_end()
            ));
        }
        if args.json {
            println!("{}", conformance::json_report(&plans));
        }
    }
    let failed = rows.iter().filter(|r| r.failure.is_some()).count();
    print(format!("corpus: {} specs in {}", rows.len(), secs(started.elapsed())));
    // Alone on its line, so test-result readers (CI) see the plain closing line.
    print(format!("{} passed, {failed} failed", rows.len() - failed));
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Seconds with two decimals.
fn secs(d: Duration) -> String {
    format!("{:.2}s", d.as_secs_f64())
}

/// The spec files in `dir` (or `dir` itself when it is a file), sorted by name, filtered by `only`.
fn list_specs(dir: &Path, only: &[String]) -> anyhow::Result<Vec<PathBuf>> {
    if dir.is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut specs = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if !path.is_file() || !matches!(ext, "json" | "yaml" | "yml") {
            continue;
        }
        let stem = stem(&path);
        if only.is_empty() || only.iter().any(|o| stem.contains(o.as_str())) {
            specs.push(path);
        }
    }
    specs.sort();
    Ok(specs)
}

/// A file's stem as a string.
fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// With --conformance: what to check besides the document's examples.
struct Checks<'a> {
    /// The fixture manifest's lines.
    fixtures: &'a [conformance::fixtures::Entry],
    /// The seed of the generated instances; `None` for none.
    seed: Option<u64>,
    /// Whether an instance the generator is to blame for fails the spec.
    strict_instances: bool,
}

/// Generates the crate for one spec into `ws/<package>`, replacing what was there.
fn generate_one(
    spec: &Path,
    ws: &Path,
    verbose: bool,
    checks: Option<&Checks<'_>>,
    limits: &codegen::parse::Limits,
) -> anyhow::Result<Row> {
    let name = stem(spec);
    let slug = codegen::naming::snake(&name).replace('_', "-");
    let package = format!("corpus-{}", slug.trim_matches('-'));
    let out = ws.join(&package);
    let settings = crate::generate::one_off_settings(spec, &package, &out, false);
    let mut row = Row {
        name,
        package,
        operations: 0,
        types: 0,
        warnings: 0,
        generate: Duration::ZERO,
        check: None,
        failure: None,
        conformance: None,
    };
    let start = Instant::now();
    // A panic is a generator bug; report it against this spec and go on with the others.
    let result = std::panic::catch_unwind(|| {
        codegen::parse::parse_file_with(spec, limits)
            .and_then(|parsed| codegen::generate(&parsed, &settings).map(|generated| (parsed.document, generated)))
    });
    row.generate = start.elapsed();
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("removing {}", out.display()))?;
    }
    match result {
        Ok(Ok((document, generated))) => {
            row.operations = generated.operations;
            row.types = generated.types;
            row.warnings = generated.warnings.len();
            if verbose {
                for warning in &generated.warnings {
                    eprintln!("{}: warning: {warning}", row.name);
                }
            }
            crate::files::sync(&out, &generated.files, false)?;
            let harness = ws.join(conformance::harness::package_name(&row.package));
            if harness.exists() {
                std::fs::remove_dir_all(&harness).with_context(|| format!("removing {}", harness.display()))?;
            }
            if let Some(checks) = checks {
                let mut extra = conformance::fixtures::examples(checks.fixtures, &row.name, &document)?;
                if let Some(seed) = checks.seed {
                    extra.extend(conformance::instances::examples(&document, seed));
                }
                let plan = conformance::Plan::new(document, &generated.type_places(), extra)
                    .with_context(|| format!("preparing the conformance check of {}", row.name))?;
                let cases = plan.write_harness(ws, &row.package)?;
                row.conformance = Some((plan, cases));
            }
        }
        Ok(Err(errors)) => {
            let first = errors.first().map(|e| e.to_string()).unwrap_or_default();
            row.failure = Some(format!("generation failed ({} errors): {first}", errors.len()));
        }
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            row.failure = Some(format!("generator panicked: {message}"));
        }
    }
    eprintln!(
        "{}: generated in {} ({})",
        row.name,
        secs(row.generate),
        row.failure.as_deref().unwrap_or("ok")
    );
    Ok(row)
}

/// Writes the scratch workspace's `Cargo.toml` (members: the generated crates) and copies
/// the main `Cargo.lock`.
fn write_workspace(root: &Path, ws: &Path, rows: &[Row]) -> anyhow::Result<()> {
    let mut manifest = String::from("# Written by `cargo xtask corpus`.\n[workspace]\nresolver = \"2\"\nmembers = [\n");
    for row in rows.iter().filter(|r| r.failure.is_none()) {
        manifest.push_str(&format!("    \"{}\",\n", row.package));
        if row.conformance.is_some() {
            let harness = conformance::harness::package_name(&row.package);
            manifest.push_str(&format!("    \"{harness}\",\n"));
        }
    }
    manifest.push_str("]\n");
    let path = ws.join("Cargo.toml");
    std::fs::write(&path, manifest).with_context(|| format!("writing {}", path.display()))?;
    // Copied afresh each run so versions follow the main workspace's lock.
    let lock = ws.join("Cargo.lock");
    std::fs::copy(root.join("Cargo.lock"), &lock).with_context(|| format!("writing {}", lock.display()))?;
    Ok(())
}

/// A `cargo` subcommand (`check`, `build`) in the scratch workspace with the shared target dir.
fn cargo(ws: &Path, target: &Path, subcommand: &str) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", target)
        // The harnesses are built, not only checked: without debug info they link in a
        // fraction of the time, and nothing here is ever debugged.
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env_remove("RUSTFLAGS")
        .args([subcommand, "--offline", "--message-format", "short"]);
    command
}

/// Checks the runtime once so dependency build time is not charged to the first spec.
fn warm_dependencies(ws: &Path, target: &Path) -> anyhow::Result<()> {
    let start = Instant::now();
    // Resolve and download once: the copied lock may lack crates the generated crates use
    // (uuid, chrono), and a fresh machine's cache has none of them. The checks run offline.
    let fetched = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(ws)
        .args(["fetch", "--quiet"])
        .output()
        .context("running cargo fetch")?;
    if !fetched.status.success() {
        bail!(
            "fetching the scratch workspace's dependencies failed:\n{}",
            String::from_utf8_lossy(&fetched.stderr)
        );
    }
    let output = cargo(ws, target, "check")
        .args(["-p", "client-runtime"])
        .output()
        .context("running cargo")?;
    if !output.status.success() {
        bail!(
            "checking client-runtime in the scratch workspace failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    eprintln!("dependencies checked in {}", secs(start.elapsed()));
    Ok(())
}

/// Checks one generated crate and records its time and first error or warning. With a
/// conformance harness, builds the harness instead, which compiles the crate as well.
fn check_one(row: &mut Row, ws: &Path, target: &Path) -> anyhow::Result<()> {
    let start = Instant::now();
    let (subcommand, package) = match &row.conformance {
        Some(_) => ("build", conformance::harness::package_name(&row.package)),
        None => ("check", row.package.clone()),
    };
    let output = cargo(ws, target, subcommand)
        .args(["-p", &package])
        .output()
        .context("running cargo")?;
    row.check = Some(start.elapsed());
    let stderr = String::from_utf8_lossy(&output.stderr);
    row.failure = first_problem(&stderr, output.status.success());
    eprintln!(
        "{}: checked in {} ({})",
        row.name,
        secs(start.elapsed()),
        row.failure.as_deref().unwrap_or("ok")
    );
    Ok(())
}

/// The first error or warning in cargo's short-format output, if any.
fn first_problem(stderr: &str, success: bool) -> Option<String> {
    let located = |line: &str| {
        let line = line.trim_start();
        // `path:line:col: error[E0308]: ...` or `path:line:col: warning: ...`.
        let mut parts = line.splitn(4, ':');
        let (Some(_), Some(l), Some(c), Some(rest)) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        l.chars().all(|ch| ch.is_ascii_digit())
            && c.chars().all(|ch| ch.is_ascii_digit())
            && (rest.starts_with(" error") || rest.starts_with(" warning"))
    };
    let lines: Vec<&str> = stderr.lines().collect();
    let count = lines.iter().filter(|l| located(l)).count();
    if let Some(first) = lines.iter().find(|l| located(l)) {
        return Some(format!("{} (of {count})", first.trim()));
    }
    if let Some(first) = lines
        .iter()
        .find(|l| l.starts_with("error") || (l.starts_with("warning") && !l.contains("generated")))
    {
        return Some(first.trim().to_owned());
    }
    if success {
        None
    } else {
        Some("cargo check failed".to_owned())
    }
}

/// Runs the built harness of one spec and fails the spec if the generator is to blame for
/// any example.
fn conformance_one(row: &mut Row, target: &Path, verbose: bool, strict_instances: bool) -> anyhow::Result<()> {
    let Some((plan, cases)) = &mut row.conformance else {
        return Ok(());
    };
    let start = Instant::now();
    if let Err(error) = plan.run_harness(target, &row.package, cases) {
        row.failure = Some(format!("conformance harness: {error:#}"));
        return Ok(());
    }
    for problem in plan.problems(verbose) {
        eprintln!("{}: {problem}", row.name);
    }
    let totals = plan.totals();
    if totals.generator_fault > 0 {
        row.failure = Some(format!(
            "{} of {} examples fail to decode or round-trip (generator's fault)",
            totals.generator_fault, totals.examples
        ));
    }
    let instances = plan.instance_totals();
    if strict_instances && instances.generator_fault > 0 {
        row.failure = Some(format!(
            "{} of {} examples and {} of {} generated instances fail to decode or round-trip (generator's fault)",
            totals.generator_fault, totals.examples, instances.generator_fault, instances.examples
        ));
    }
    eprintln!(
        "{}: {} examples checked in {} ({} ok, {} spec-invalid, {} generator's fault, {} skipped); \
         {} instances ({} ok, {} invalid, {} generator's fault, {} skipped)",
        row.name,
        totals.examples,
        secs(start.elapsed()),
        totals.ok,
        totals.spec_invalid,
        totals.generator_fault,
        totals.skipped,
        instances.examples,
        instances.ok,
        instances.spec_invalid,
        instances.generator_fault,
        instances.skipped
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generates the self-test spec as `package` in a scratch workspace, lets `tweak` edit the
    /// generated `types.rs` (a simulated generator bug), builds and runs the harness, and
    /// returns each example's location and verdict label.
    fn run_selftest(package: &str, tweak: impl Fn(String) -> String) -> Vec<(String, String)> {
        let spec = crate::workspace_root().join("xtask/tests/data/conformance-selftest.yaml");
        run_conformance(&spec, &[], package, tweak)
    }

    /// Runs the check on `spec` (with the `fixtures`) as `package`; see [`run_selftest`].
    fn run_conformance(
        spec: &Path,
        fixtures: &[conformance::fixtures::Entry],
        package: &str,
        tweak: impl Fn(String) -> String,
    ) -> Vec<(String, String)> {
        let root = crate::workspace_root();
        let ws = root.join("target/conformance-selftest").join(package);
        // The corpus's target dir: dependencies built once serve both.
        let target = root.join("target/corpus/target");
        // A fresh workspace each run: the crate is renamed in it below.
        if ws.exists() {
            std::fs::remove_dir_all(&ws).expect("old scratch workspace removed");
        }
        std::fs::create_dir_all(&ws).expect("scratch workspace");
        let ws = ws.canonicalize().expect("scratch workspace path");
        let checks = Checks {
            fixtures,
            seed: None,
            strict_instances: true,
        };
        let mut row =
            generate_one(spec, &ws, false, Some(&checks), &codegen::parse::Limits::default()).expect("generation");
        assert_eq!(row.failure, None);
        let generated = ws.join(&row.package);
        let old_harness = ws.join(conformance::harness::package_name(&row.package));
        row.package = package.to_owned();
        let types = generated.join("src/types.rs");
        let text = std::fs::read_to_string(&types).expect("types.rs");
        std::fs::write(&types, tweak(text)).expect("types.rs written");
        // The package takes the test's name so the two runs' binaries do not collide.
        let manifest = generated.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).expect("Cargo.toml");
        let renamed = text.replace(
            &format!(
                "name = \"{}\"",
                generated.file_name().and_then(|n| n.to_str()).unwrap_or_default()
            ),
            &format!("name = \"{package}\""),
        );
        std::fs::write(&manifest, renamed).expect("Cargo.toml written");
        std::fs::rename(&generated, ws.join(package)).expect("renamed crate");
        std::fs::remove_dir_all(&old_harness).expect("old harness removed");
        let (plan, _) = row.conformance.take().expect("a conformance plan");
        let cases = plan.write_harness(&ws, package).expect("harness written");
        row.conformance = Some((plan, cases));
        write_workspace(&root, &ws, std::slice::from_ref(&row)).expect("workspace");
        warm_dependencies(&ws, &target).expect("dependencies");
        check_one(&mut row, &ws, &target).expect("build");
        assert_eq!(row.failure, None, "the harness builds warning-free");
        conformance_one(&mut row, &target, false, true).expect("harness run");
        let (plan, _) = row.conformance.as_ref().expect("plan");
        plan.examples
            .iter()
            .zip(&plan.verdicts)
            .map(|(example, verdict)| {
                let name = example.location.rsplit('/').next().unwrap_or_default().to_owned();
                (name, verdict.as_ref().map_or("pending", |v| v.label()).to_owned())
            })
            .collect()
    }

    #[test]
    fn untagged_unions_decode_into_the_alternative_that_declares_every_member_inside() {
        let root = crate::workspace_root();
        let spec = root.join("codegen/tests/fixtures/untagged-structs.yaml");
        let manifest = root.join("xtask/tests/data/untagged/examples.tsv");
        let fixtures = conformance::fixtures::read(&manifest).expect("manifest");
        let verdicts = run_conformance(&spec, &fixtures, "untagged-structs-decode", |types| types);
        // Each alternative keeps what its example carries: `value.previous`, `action.result`
        // and the single filters' `field` survive the round trip.
        let fixture_verdicts: Vec<(String, String)> = verdicts
            .into_iter()
            .filter(|(name, _)| name.ends_with(".json"))
            .collect();
        assert_eq!(
            fixture_verdicts,
            labels(&[
                ("updated-by-workflow.json", "ok"),
                ("updated-by-admin.json", "ok"),
                ("action-finished.json", "ok"),
                ("single-filters.json", "ok"),
                ("nested-filters.json", "ok"),
            ])
        );
    }

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn a_wrong_example_is_spec_invalid_and_a_broken_type_is_the_generators_fault() {
        let faithful = run_selftest("selftest-faithful", |types| types);
        assert_eq!(
            faithful,
            labels(&[("complete", "ok"), ("without_tag", "ok"), ("wrong", "spec-invalid")])
        );

        // A generator bug: the optional `tag` made required in the generated type only.
        let optional = "#[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub tag: Option<String>,";
        let broken = run_selftest("selftest-broken", |types| {
            assert!(types.contains(optional), "the fixture's field is as expected:\n{types}");
            types.replace(optional, "pub tag: String,")
        });
        assert_eq!(
            broken,
            labels(&[
                ("complete", "ok"),
                ("without_tag", "decode-fail"),
                ("wrong", "spec-invalid")
            ])
        );
    }
}
