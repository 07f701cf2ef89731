//! `cargo xtask bench --whole-process`: generation as a user meets it, process start to exit.
//!
//! Each round runs, one after the other (interleaved, so load changes hit every tool alike):
//! this xtask binary's own `generate --spec SPEC --out DIR`, `cargo progenitor` (cargo's own
//! start-up included: that is what a user runs) and, in the first `--slow-runs` rounds,
//! `openapi-generator-cli generate -g rust`. Every output folder is removed before its run and
//! outside the timing, so each run writes a whole crate. Wall time comes from the clock; CPU
//! time (user and system, the tool's child processes included) from `getrusage` of the
//! children this process has waited for, which stays meaningful on a loaded machine where
//! wall time is mostly queueing. The load average is printed before and after.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// What one run of one tool cost.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: Duration,
    user: Duration,
    system: Duration,
}

/// One tool's runs.
struct Tool {
    name: &'static str,
    /// Builds the command that writes into the given folder.
    command: Box<dyn Fn(&Path) -> Command>,
    /// The first this many rounds run this tool.
    runs: u32,
    samples: Vec<Sample>,
    failure: Option<String>,
}

/// Times the whole process of each generator on `spec`, `runs` rounds (`slow_runs` for
/// openapi-generator), and prints one row per tool.
pub fn run(
    spec: &Path,
    scratch: &Path,
    runs: u32,
    slow_runs: u32,
    progenitor: bool,
    openapi_generator: bool,
) -> anyhow::Result<()> {
    let ours = std::env::current_exe().context("finding this xtask binary")?;
    if cfg!(debug_assertions) {
        println!("note: this xtask is a debug build, so `ours` is too: use `cargo run --release -p xtask -- bench --whole-process`");
    }
    let spec = spec.to_path_buf();
    let mut tools = vec![Tool {
        name: "ours (xtask generate)",
        command: Box::new({
            let spec = spec.clone();
            move |out| {
                let mut command = Command::new(&ours);
                command.arg("generate").arg("--spec").arg(&spec).arg("--out").arg(out);
                command
            }
        }),
        runs,
        samples: Vec::new(),
        failure: None,
    }];
    if progenitor {
        let spec = spec.clone();
        tools.push(Tool {
            name: "progenitor (cargo progenitor)",
            command: Box::new(move |out| {
                let mut command = Command::new("cargo");
                command.args(["progenitor", "-i"]).arg(&spec).arg("-o").arg(out).args([
                    "-n",
                    "progenitor-bench",
                    "-v",
                    "0.1.0",
                ]);
                command
            }),
            runs,
            samples: Vec::new(),
            failure: None,
        });
    }
    if openapi_generator {
        let spec = spec.clone();
        tools.push(Tool {
            name: "openapi-generator (rust)",
            command: Box::new(move |out| {
                let mut command = Command::new("openapi-generator-cli");
                command
                    .args(["generate", "-g", "rust", "--skip-validate-spec", "-i"])
                    .arg(&spec)
                    .arg("-o")
                    .arg(out);
                command
            }),
            runs: slow_runs.min(runs),
            samples: Vec::new(),
            failure: None,
        });
    }
    let load_before = load_average();
    for round in 0..runs.max(1) {
        for (index, tool) in tools.iter_mut().enumerate() {
            if round >= tool.runs || tool.failure.is_some() {
                continue;
            }
            let out = scratch.join("whole").join(index.to_string());
            if out.exists() {
                std::fs::remove_dir_all(&out).with_context(|| format!("removing {}", out.display()))?;
            }
            match measure(&mut (tool.command)(&out)) {
                Ok(sample) => tool.samples.push(sample),
                Err(error) => tool.failure = Some(format!("{error:#}")),
            }
        }
    }
    let load_after = load_average();
    print_table(&spec, &tools, &load_before, &load_after);
    Ok(())
}

/// Runs `command` to its end and measures it; a failure carries the first line of stderr.
fn measure(command: &mut Command) -> anyhow::Result<Sample> {
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    let before = children_cpu()?;
    let start = Instant::now();
    let output = command.output().context("starting the generator")?;
    let wall = start.elapsed();
    let after = children_cpu()?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        bail!("{first}");
    }
    Ok(Sample {
        wall,
        user: after.0.saturating_sub(before.0),
        system: after.1.saturating_sub(before.1),
    })
}

/// The user and system CPU time of every child process waited for so far (theirs included).
#[cfg(unix)]
fn children_cpu() -> anyhow::Result<(Duration, Duration)> {
    // SAFETY: getrusage only writes the struct it is given, which is sized for it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above; RUSAGE_CHILDREN is a valid `who`.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        bail!("getrusage failed: {}", std::io::Error::last_os_error());
    }
    let time = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    Ok((time(usage.ru_utime), time(usage.ru_stime)))
}

/// Elsewhere CPU time is not measured (zero).
#[cfg(not(unix))]
fn children_cpu() -> anyhow::Result<(Duration, Duration)> {
    Ok((Duration::ZERO, Duration::ZERO))
}

/// The first three fields of /proc/loadavg, or a dash where there is none.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "-".to_owned())
}

/// The median of some durations (the lower middle one for an even count).
fn median(mut values: Vec<Duration>) -> Option<Duration> {
    values.sort();
    values.get(values.len().saturating_sub(1) / 2).copied()
}

/// Prints one row per tool and the ratios to ours.
fn print_table(spec: &Path, tools: &[Tool], load_before: &str, load_after: &str) {
    println!(
        "whole process on {} (load average before: {load_before}; after: {load_after})",
        spec.display()
    );
    println!(
        "{:<30} {:>5} {:>9} {:>11} {:>10} {:>11} {:>10} {:>12} {:>11}",
        "tool",
        "runs",
        "wall min",
        "wall median",
        "CPU median",
        "user median",
        "sys median",
        "x ours wall",
        "x ours CPU"
    );
    let figures = |tool: &Tool| {
        let wall: Vec<Duration> = tool.samples.iter().map(|s| s.wall).collect();
        let cpu: Vec<Duration> = tool.samples.iter().map(|s| s.user + s.system).collect();
        (
            wall.iter().min().copied(),
            median(wall),
            median(cpu),
            median(tool.samples.iter().map(|s| s.user).collect()),
            median(tool.samples.iter().map(|s| s.system).collect()),
        )
    };
    let ours = tools.first().map(figures);
    for tool in tools {
        if let Some(failure) = &tool.failure {
            println!("{:<30} failed: {failure}", tool.name);
            continue;
        }
        let (min, wall, cpu, user, system) = figures(tool);
        let ratio = |value: Option<Duration>, base: Option<Duration>| match (value, base) {
            (Some(v), Some(b)) if !b.is_zero() => format!("{:.1}x", v.as_secs_f64() / b.as_secs_f64()),
            _ => "-".to_owned(),
        };
        let (wall_x, cpu_x) = match ours {
            Some((_, our_wall, our_cpu, _, _)) => (ratio(wall, our_wall), ratio(cpu, our_cpu)),
            None => ("-".to_owned(), "-".to_owned()),
        };
        let show = |d: Option<Duration>| d.map_or_else(|| "-".to_owned(), |d| format!("{:.3}s", d.as_secs_f64()));
        println!(
            "{:<30} {:>5} {:>9} {:>11} {:>10} {:>11} {:>10} {:>12} {:>11}",
            tool.name,
            tool.samples.len(),
            show(min),
            show(wall),
            show(cpu),
            show(user),
            show(system),
            wall_x,
            cpu_x
        );
    }
}
