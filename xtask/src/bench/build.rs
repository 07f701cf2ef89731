//! `cargo xtask bench --build`: what building a generated crate costs a user, ours beside the
//! other generators', in one run on one machine.
//!
//! For each spec: our crate with every tag (default features) and with one tag
//! (`--no-default-features --features <tag>`), openapi-generator's `-g rust` crate and
//! progenitor's, each where the tool can generate it. Each row gives the time of `cargo build`
//! of the crate alone (debug, `CARGO_INCREMENTAL=0` as for a dependency, its dependencies built
//! first and not timed), its CPU time (user + system: on a shared machine, steadier than wall
//! time), the peak memory of that build (the largest process, i.e. rustc, from
//! `/usr/bin/time -v`), the peak of all its rustc processes' memory together (sampled from
//! `/proc` every 100 ms: a crate with a types crate runs two at once), lines of Rust and
//! `pub struct`/`pub enum` items, and our figures as a ratio of openapi-generator's and
//! progenitor's.
//!
//! A crate that does not compile says so, with its error count, and its figures are what rustc
//! spent until it stopped (parsing, expansion and type checking; no borrow checking or code
//! generation): less than its build would cost, so our ratio against it is an upper bound.
//! `--baseline DIR` adds the same two rows for crates generated earlier (`DIR/<spec stem>`),
//! for before/after comparisons. The load average is printed with each spec: on a shared
//! machine the times are only comparable within one run.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use super::{run_openapi_generator, run_progenitor, secs, stem};

/// Which external generators are installed.
pub struct Tools {
    /// `cargo progenitor` runs.
    pub progenitor: bool,
    /// `openapi-generator-cli` runs.
    pub openapi_generator: bool,
}

/// Time and peak memory of one build of a crate.
struct Cost {
    time: Duration,
    /// User + system CPU seconds of the build (rustc's), when `/usr/bin/time` is there: less
    /// sensitive than wall time to other work on a shared machine.
    cpu: Option<f64>,
    /// Kilobytes, when `/usr/bin/time` is there to tell.
    peak_kb: Option<u64>,
    /// The highest sum of the resident memory of every rustc process of the crate at once
    /// (kilobytes, sampled): differs from `peak_kb` when a types crate and its client crate
    /// compile at the same time.
    summed_peak_kb: u64,
    /// Why the build failed (error count and the first), if it did: the figures are then what
    /// rustc spent until it gave up, less than a build of a compiling crate would.
    failed: Option<String>,
}

/// One line of the table: a crate (and feature set) and what building it cost.
struct Row {
    label: String,
    cost: Result<Cost, String>,
    lines: usize,
    items: usize,
}

/// Builds and compares the crates of every spec; one table per spec.
pub fn run(
    root: &Path,
    specs: &[std::path::PathBuf],
    scratch: &Path,
    tools: &Tools,
    tag: Option<&str>,
    baseline: Option<&Path>,
) -> anyhow::Result<()> {
    for spec in specs {
        if !spec.is_file() {
            println!("{}: not found; skipped", spec.display());
            continue;
        }
        let name = stem(spec);
        println!(
            "\n{name}: cargo build of the generated crate alone (debug, CARGO_INCREMENTAL=0, dependencies built first); load average {}",
            load_average()
        );
        let dir = generate_ours(root, spec, scratch)?;
        let mut rows = ours("ours", &dir, &scratch.join("target-ours"), tag);
        if let Some(before) = baseline.map(|b| b.join(&name)).filter(|d| d.is_dir()) {
            let before = before.canonicalize().unwrap_or(before);
            rows.extend(ours("before", &before, &scratch.join("target-ours"), tag));
        }
        if tools.openapi_generator {
            let dir = scratch.join("openapi-generator").join(&name);
            rows.push(theirs(
                "openapi-generator",
                &dir,
                run_openapi_generator(spec, &dir),
                "openapi",
                &scratch.join("target-openapi-generator"),
            ));
        }
        if tools.progenitor {
            let dir = scratch.join("progenitor").join(&name);
            rows.push(theirs(
                "progenitor",
                &dir,
                run_progenitor(spec, &dir),
                "progenitor-bench",
                &scratch.join("target-progenitor"),
            ));
        }
        print_table(&rows);
    }
    Ok(())
}

/// Generates our crate for `spec` into the scratch folder; returns its folder.
fn generate_ours(root: &Path, spec: &Path, scratch: &Path) -> anyhow::Result<std::path::PathBuf> {
    let dir = scratch.join("ours").join(stem(spec));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir.canonicalize().unwrap_or(dir);
    let settings = crate::generate::one_off_settings(spec, "bench-client", &dir, true);
    let generated = codegen::parse::parse_file(spec)
        .and_then(|p| codegen::generate(&p, &settings))
        .map_err(|errors| anyhow::anyhow!("{}", errors.first().map(|e| e.to_string()).unwrap_or_default()))?;
    crate::files::sync(&dir, &generated.files, false)?;
    let lock = dir.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(root.join("Cargo.lock"), &lock).with_context(|| format!("writing {}", lock.display()))?;
    }
    Ok(dir)
}

/// Builds one of our crates (`label`: ours, or a baseline) with every tag and with one.
fn ours(label: &str, dir: &Path, target: &Path, tag: Option<&str>) -> Vec<Row> {
    let (lines, items) = count_rust(dir);
    let mut rows = vec![Row {
        label: format!("{label}, every tag"),
        cost: build_crate(dir, target, &[]).map_err(|e| format!("{e:#}")),
        lines,
        items,
    }];
    // A user of one part of a large API turns the other tags off.
    if let Some(feature) = tag.map(str::to_owned).or_else(|| first_default_feature(dir)) {
        let args = ["--no-default-features", "--features", feature.as_str()];
        rows.push(Row {
            label: format!("{label}, only `{feature}`"),
            cost: build_crate(dir, target, &args).map_err(|e| format!("{e:#}")),
            lines,
            items,
        });
    }
    rows
}

/// Builds another generator's crate in `dir`, if `generated` says it could make one.
fn theirs(label: &str, dir: &Path, generated: anyhow::Result<Duration>, package: &str, target: &Path) -> Row {
    let cost = match generated.and_then(|_| isolate(dir)) {
        Ok(()) => build_crate(dir, target, &[]).map_err(|e| format!("{package}: {e:#}")),
        Err(error) => Err(format!("generation failed: {error:#}")),
    };
    let (lines, items) = count_rust(dir);
    Row {
        label: label.to_owned(),
        cost,
        lines,
        items,
    }
}

/// Keeps a generated crate out of any enclosing workspace, as ours is (`standalone`).
fn isolate(dir: &Path) -> anyhow::Result<()> {
    let manifest = dir.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    if !text.contains("\n[workspace]") {
        text.push_str("\n[workspace]\n");
        std::fs::write(&manifest, text).with_context(|| format!("writing {}", manifest.display()))?;
    }
    Ok(())
}

/// Builds the crate in `dir` twice: first with an empty `lib.rs` (and an empty one in its
/// types crate, if it has one), which builds every dependency (untimed), then with the real
/// ones, timed, so only the generated crate (or crates) is measured.
fn build_crate(dir: &Path, target: &Path, extra: &[&str]) -> anyhow::Result<Cost> {
    let libs: Vec<std::path::PathBuf> = [dir.join("src"), dir.join("types").join("src")]
        .into_iter()
        .map(|src| src.join("lib.rs"))
        .filter(|lib| lib.is_file())
        .collect();
    let mut contents = Vec::with_capacity(libs.len());
    for lib in &libs {
        contents.push(std::fs::read(lib).with_context(|| format!("reading {}", lib.display()))?);
        std::fs::write(lib, b"").with_context(|| format!("writing {}", lib.display()))?;
    }
    let dependencies = cargo_build(dir, target, extra, false).output();
    // Restore the real files whatever happened; their new mtime makes cargo rebuild the crates.
    for (lib, contents) in libs.iter().zip(&contents) {
        std::fs::write(lib, contents).with_context(|| format!("writing {}", lib.display()))?;
    }
    let dependencies = dependencies.context("running cargo build")?;
    if !dependencies.status.success() {
        bail!("building the dependencies failed:\n{}", tail(&dependencies.stderr));
    }
    let with_time = Path::new("/usr/bin/time").exists();
    let start = Instant::now();
    let child = cargo_build(dir, target, extra, with_time)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running cargo build")?;
    let sampler = RssSampler::start(dir);
    let output = child.wait_with_output().context("running cargo build")?;
    let time = start.elapsed();
    let summed_peak_kb = sampler.stop();
    // A crate that does not compile still cost what rustc spent until it stopped (type errors
    // stop it after type checking, before code generation): a lower bound of its build.
    let failed = (!output.status.success()).then(|| summarise(&output.stderr));
    let report = String::from_utf8_lossy(&output.stderr);
    let field = |name: &str| -> Option<f64> {
        report
            .lines()
            .find_map(|l| l.trim().strip_prefix(name).and_then(|v| v.trim().parse().ok()))
    };
    let peak_kb = field("Maximum resident set size (kbytes):").map(|kb| kb as u64);
    let cpu = field("User time (seconds):")
        .zip(field("System time (seconds):"))
        .map(|(u, s)| u + s);
    Ok(Cost {
        time,
        cpu,
        peak_kb,
        summed_peak_kb,
        failed,
    })
}

/// Samples, every 100 ms, the resident memory of all rustc processes compiling files under a
/// folder at once: what a split crate's two processes need together when they overlap.
struct RssSampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl RssSampler {
    fn start(dir: &Path) -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let needle = dir.to_string_lossy().into_owned();
        let thread = std::thread::spawn(move || {
            let mut peak = 0;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(rustc_rss_kb(&needle));
                std::thread::sleep(Duration::from_millis(100));
            }
            peak
        });
        Self { stop, thread }
    }

    /// The highest sum seen, in kilobytes (0 where `/proc` is not there).
    fn stop(self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap_or(0)
    }
}

/// The summed resident memory (kB) of the rustc processes working on `needle`: cargo gives a
/// workspace member's sources relative to its folder, so the process's working directory counts as
/// well as its command line.
fn rustc_rss_kb(needle: &str) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut sum = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(cmdline) = std::fs::read(path.join("cmdline")) else {
            continue;
        };
        let mut args = cmdline.split(|&b| b == 0);
        let is_rustc = args.next().is_some_and(|a| a.ends_with(b"rustc"));
        let in_dir = std::fs::read_link(path.join("cwd")).is_ok_and(|cwd| cwd.starts_with(needle));
        if !is_rustc || !(in_dir || String::from_utf8_lossy(&cmdline).contains(needle)) {
            continue;
        }
        let status = std::fs::read_to_string(path.join("status")).unwrap_or_default();
        sum += status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
    }
    sum
}

/// `cargo build --lib` of the crate in `dir`, under `/usr/bin/time -v` if `timed`.
fn cargo_build(dir: &Path, target: &Path, extra: &[&str], timed: bool) -> Command {
    let mut command = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-v", "cargo"]);
        c
    } else {
        Command::new("cargo")
    };
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .args(["build", "--quiet", "--lib"])
        .args(extra);
    command
}

/// How many errors rustc reported, and the first.
fn summarise(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("error") && !l.starts_with("error: could not compile"))
        .collect();
    match errors.first() {
        Some(first) => format!("{} errors, the first: {first}", errors.len()),
        None => tail(stderr),
    }
}

/// The last lines of a command's stderr, for an error message.
fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// The first of the generated crate's default features (one per tag), if it has any.
fn first_default_feature(dir: &Path) -> Option<String> {
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let line = manifest.lines().find(|l| l.starts_with("default = ["))?;
    // A crate without tags has only these (stripe): there is no one-tag build to take.
    let not_tags = [
        codegen::emit::features::UNREFERENCED_FEATURE,
        codegen::emit::features::SERIALIZE_FEATURE,
    ];
    line.split('"')
        .skip(1)
        .step_by(2)
        .find(|name| !not_tags.contains(name))
        .map(str::to_owned)
}

/// Lines of `*.rs` files below `dir`, and how many of them open a `pub struct` or `pub enum`.
fn count_rust(dir: &Path) -> (usize, usize) {
    let mut lines = 0;
    let mut items = 0;
    for path in crate::files::list_files(dir) {
        if !path.extension().is_some_and(|e| e == "rs") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for line in text.lines() {
            lines += 1;
            let line = line.trim_start();
            if line.starts_with("pub struct ") || line.starts_with("pub enum ") {
                items += 1;
            }
        }
    }
    (lines, items)
}

/// The 1-minute load average, or `?`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// Prints the rows, each of ours with its time and memory as a ratio of each other
/// generator's that built.
fn print_table(rows: &[Row]) {
    let others: Vec<(&str, &Cost)> = rows
        .iter()
        .filter(|r| !r.label.starts_with("ours") && !r.label.starts_with("before"))
        .filter_map(|r| Some((r.label.as_str(), r.cost.as_ref().ok()?)))
        .collect();
    let mut header = format!(
        "{:<28} {:>9} {:>8} {:>9} {:>9} {:>8} {:>6}",
        "crate", "build", "cpu", "peak", "all rustc", "lines", "types"
    );
    for (label, _) in &others {
        header.push_str(&format!("  {:>22}", format!("time, cpu, mem / {}", short(label))));
    }
    println!("{header}");
    for row in rows {
        let cost = match &row.cost {
            Ok(cost) => cost,
            Err(error) => {
                let first = error.lines().next().unwrap_or_default();
                println!("{:<28} {first}", row.label);
                continue;
            }
        };
        let mut line = format!(
            "{:<28} {:>9} {:>8} {:>9} {:>9} {:>8} {:>6}",
            row.label,
            secs(cost.time),
            cost.cpu.map(|c| format!("{c:.1}s")).unwrap_or_else(|| "?".to_owned()),
            cost.peak_kb
                .map(|kb| format!("{} MB", kb / 1024))
                .unwrap_or_else(|| "?".to_owned()),
            format!("{} MB", cost.summed_peak_kb / 1024),
            row.lines,
            row.items
        );
        if row.label.starts_with("ours") || row.label.starts_with("before") {
            for (_, other) in &others {
                let time = cost.time.as_secs_f64() / other.time.as_secs_f64().max(1e-9);
                let memory = match (cost.peak_kb, other.peak_kb) {
                    (Some(a), Some(b)) if b > 0 => format!("{:.2}", a as f64 / b as f64),
                    _ => "?".to_owned(),
                };
                let cpu = match (cost.cpu, other.cpu) {
                    (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
                    _ => "?".to_owned(),
                };
                line.push_str(&format!("  {:>22}", format!("{time:.2}, {cpu}, {memory}")));
            }
        }
        if let Some(failure) = &cost.failed {
            line.push_str(&format!("  does not compile ({failure}): figures until rustc stopped"));
        }
        println!("{line}");
    }
    if others.iter().any(|(_, c)| c.failed.is_some()) {
        println!("(a ratio against a crate that does not compile is an upper bound: that build stopped before code generation)");
    }
}

/// A short column name for a generator.
fn short(label: &str) -> &str {
    match label {
        "openapi-generator" => "oag",
        "progenitor" => "prog",
        other => other,
    }
}
