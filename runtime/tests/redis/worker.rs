//! The worker side: this same test binary, started again with `REDIS_SUITE_WORKER` set, plays
//! one replica of an application (one OS process, many tasks) against the shared Redis.

use std::sync::Arc;
use std::time::{Duration, Instant};

use client_runtime::auth::bookingtime::ClientCredentials;
use client_runtime::auth::timify::AppToken;
use client_runtime::auth::{Authenticator, Credentials};
use client_runtime::shared::RedisShared;
use client_runtime::{ApiClient, ApiRequest};
use http::Method;

/// The environment variable that makes this binary a worker, naming its role.
pub const ROLE: &str = "REDIS_SUITE_WORKER";

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

fn number(name: &str, default: u64) -> u64 {
    var(name).parse().unwrap_or(default)
}

/// Runs the worker named by `role`; its stdout lines are what the scenario reads.
pub fn run(role: &str) -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            println!("error no runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(work(role)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            println!("error {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn work(role: &str) -> Result<(), String> {
    let shared = RedisShared::connect(&var("REDIS_URL"))
        .await
        .map_err(|e| e.to_string())?
        .key_prefix(var("PREFIX"))
        .lease_ttl(Duration::from_millis(number("LEASE_TTL_MS", 10_000)));
    let tasks = number("TASKS", 20);
    let duration = Duration::from_millis(number("DURATION_MS", 0));
    let started = Instant::now();
    match role {
        "timify" => {
            let auth = Arc::new(AppToken::new(var("TOKEN_URL"), "app-1", "s").token_store(shared.token_store()));
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    let auth = auth.clone();
                    tokio::spawn(async move {
                        let request = ApiRequest::new(Method::GET, "/v1/companies");
                        let mut seen = Vec::new();
                        loop {
                            let mut credentials = Credentials::default();
                            auth.authorize(&request, &mut credentials)
                                .await
                                .map_err(|e| e.to_string())?;
                            let value = credentials.headers()["authorization"]
                                .to_str()
                                .unwrap_or_default()
                                .to_owned();
                            if seen.last() != Some(&value) {
                                seen.push(value);
                            }
                            if started.elapsed() >= duration {
                                return Ok::<_, String>(seen);
                            }
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    })
                })
                .collect();
            for handle in handles {
                let seen = handle.await.map_err(|e| e.to_string())??;
                for token in seen {
                    println!("token {token} {}", started.elapsed().as_millis());
                }
            }
        }
        "bookingtime" => {
            let auth =
                Arc::new(ClientCredentials::new(var("TOKEN_URL"), "client-1", "s").token_store(shared.token_store()));
            let handles: Vec<_> = (0..tasks)
                .map(|n| {
                    let auth = auth.clone();
                    tokio::spawn(async move {
                        let organization = if n % 2 == 0 { "org-a" } else { "org-b" };
                        let request = ApiRequest::new(Method::GET, "/organization/{organizationId}/show")
                            .path_param("organizationId", organization);
                        let mut credentials = Credentials::default();
                        auth.authorize(&request, &mut credentials)
                            .await
                            .map_err(|e| e.to_string())?;
                        let value = credentials.headers()["authorization"]
                            .to_str()
                            .unwrap_or_default()
                            .to_owned();
                        Ok::<_, String>(format!("{organization} {value}"))
                    })
                })
                .collect();
            for handle in handles {
                println!("token {}", handle.await.map_err(|e| e.to_string())??);
            }
        }
        "traffic" => {
            let client = ApiClient::builder(var("API_URL"))
                .rate_limit(
                    number("REQUESTS", 20) as u32,
                    Duration::from_millis(number("PERIOD_MS", 2000)),
                )
                .redis(&shared)
                .rate_budget_name("scenario")
                .build()
                .map_err(|e| e.to_string())?;
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    let client = client.clone();
                    tokio::spawn(async move {
                        let mut sent = 0u64;
                        while started.elapsed() < duration {
                            client
                                .send::<()>(ApiRequest::new(Method::GET, "/ping"))
                                .await
                                .map_err(|e| e.to_string())?;
                            sent += 1;
                        }
                        Ok::<_, String>(sent)
                    })
                })
                .collect();
            let mut sent = 0;
            for handle in handles {
                sent += handle.await.map_err(|e| e.to_string())??;
            }
            println!("sent {sent}");
        }
        other => return Err(format!("unknown worker role `{other}`")),
    }
    Ok(())
}
