//! Tokens and rate budget shared through a REAL Redis by several OS processes.
//!
//! A custom harness (`harness = false`): the binary is both the test runner and, started
//! again with `REDIS_SUITE_WORKER` set, each replica (see `worker.rs`). It starts its own
//! `redis-server` on a free loopback port with a temporary directory and stops it at the
//! end. Without `redis-server` on the `PATH` the suite is skipped with a printed reason,
//! except in CI (`CI=true`), where that is a failure: `.ci/run` installs the package.

mod scenarios;
mod server;
mod worker;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::time::{Duration, Instant};

type Scenario = fn(Ctx) -> Pin<Box<dyn Future<Output = Result<(), String>>>>;

/// What every scenario gets: the shared Redis and a key prefix of its own.
#[derive(Clone)]
pub struct Ctx {
    pub redis_url: String,
    pub redis_binary: std::path::PathBuf,
    pub prefix: String,
}

fn main() -> ExitCode {
    if let Ok(role) = std::env::var(worker::ROLE) {
        return worker::run(&role);
    }
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let scenarios: &[(&str, Scenario)] = &[
        ("expired_token_across_four_processes_makes_one_token_request", |c| {
            Box::pin(scenarios::expired_token(c))
        }),
        ("bookingtime_two_organizations_make_one_exchange_each", |c| {
            Box::pin(scenarios::bookingtime_organizations(c))
        }),
        ("a_killed_lease_holder_delays_the_others_at_most_the_lease_ttl", |c| {
            Box::pin(scenarios::killed_holder(c))
        }),
        ("rotating_refresh_tokens_are_never_used_stale", |c| {
            Box::pin(scenarios::rotating_refresh(c))
        }),
        ("four_processes_stay_within_one_rate_budget", |c| {
            Box::pin(scenarios::rate_budget(c))
        }),
        ("one_429_pauses_every_process", |c| Box::pin(scenarios::pause_on_429(c))),
        ("redis_stopped_mid_run_falls_back_or_fails_within_the_timeout", |c| {
            Box::pin(scenarios::redis_stopped(c))
        }),
    ];
    let selected: Vec<_> = scenarios
        .iter()
        .filter(|(name, _)| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str())))
        .collect();
    let Some(binary) = server::find_redis_server() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            println!("redis-server not found on PATH, and CI=true: `.ci/run` must install it");
            return ExitCode::FAILURE;
        }
        println!(
            "skipping the {} Redis scenarios: redis-server not found on PATH (install the Debian package `redis-server`)",
            selected.len()
        );
        println!("0 passed, 0 failed, {} skipped", selected.len());
        return ExitCode::SUCCESS;
    };
    let server = match server::RedisServer::start(&binary) {
        Ok(server) => server,
        Err(e) => {
            println!("cannot start redis-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            println!("no tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("\nrunning {} Redis scenarios against {}", selected.len(), server.url());
    let (mut passed, mut failed) = (0, 0);
    for (name, scenario) in selected {
        let ctx = Ctx {
            redis_url: server.url(),
            redis_binary: binary.clone(),
            prefix: format!("test-{}-{name}", std::process::id()),
        };
        let started = Instant::now();
        // Every scenario is bounded; a hang is a failure, not a stuck CI run.
        let outcome = runtime.block_on(async { tokio::time::timeout(Duration::from_secs(60), scenario(ctx)).await });
        let elapsed = started.elapsed().as_secs_f64();
        match outcome {
            Ok(Ok(())) => {
                passed += 1;
                println!("test {name} ... ok ({elapsed:.1} s)");
            }
            Ok(Err(message)) => {
                failed += 1;
                println!("test {name} ... FAILED ({elapsed:.1} s)\n    {message}");
            }
            Err(_) => {
                failed += 1;
                println!("test {name} ... FAILED: did not finish within 60 s");
            }
        }
    }
    drop(server);
    println!("\n{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
