//! What sharing tokens and the rate budget through Redis adds to one request.
//!
//! `cargo bench -p client-runtime --features redis --bench shared_state` starts its own
//! `redis-server` (like the Redis test suite) and prints, for each case, the time per
//! `authorize` (or limiter `acquire`) and the Redis commands it caused per call, counted with
//! `INFO stats` on the server. No HTTP: the token is already in place, which is the common
//! case this measures (a fresh token).

// The Redis suite's own server helper; the bench needs only part of it.
#[allow(dead_code)]
#[path = "../tests/redis/server.rs"]
mod server;

use std::time::{Duration, Instant, SystemTime};

use client_runtime::auth::timify::AppToken;
use client_runtime::auth::{Authenticator, Credentials};
use client_runtime::shared::RedisShared;
use client_runtime::token::{Token, TokenStore};
use client_runtime::{ApiRequest, RateLimiter};
use http::Method;

const CALLS: u32 = 20_000;

fn main() {
    let Some(binary) = server::find_redis_server() else {
        println!("shared_state: redis-server not found on PATH; nothing measured");
        return;
    };
    let server = match server::RedisServer::start(&binary) {
        Ok(server) => server,
        Err(e) => {
            println!("shared_state: {e}");
            return;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            println!("shared_state: no runtime: {e}");
            return;
        }
    };
    if let Err(e) = runtime.block_on(measure(&server.url())) {
        println!("shared_state: {e}");
    }
}

async fn measure(url: &str) -> Result<(), String> {
    let redis = RedisShared::connect(url)
        .await
        .map_err(|e| e.to_string())?
        .key_prefix("bench");
    let mut counter = redis::Client::open(url)
        .map_err(|e| e.to_string())?
        .get_multiplexed_async_connection()
        .await
        .map_err(|e| e.to_string())?;
    let fresh = || Token::new("access", SystemTime::now()).expires_in(Duration::from_secs(7200));
    let request = ApiRequest::new(Method::GET, "/v1/companies");
    println!("shared_state: {CALLS} calls per case; Redis on loopback");
    println!("{:<58} {:>10} {:>16}", "case", "per call", "Redis cmds/call");

    // Baseline: the default in-memory store.
    let memory = AppToken::new("http://127.0.0.1:9", "bench-app", "s");
    memory
        .token_cache()
        .store()
        .save("timify:bench-app", &fresh())
        .await
        .map_err(|e| e.0)?;
    let (per_call, _) = time(&mut counter, CALLS, || authorize(&memory, &request)).await?;
    report("token fresh, in-memory store (baseline)", per_call, 0.0);

    // Shared store, token fresh in this process's copy: no round trip.
    let store = redis.token_store();
    store.save("timify:bench-app", &fresh()).await.map_err(|e| e.0)?;
    let shared = AppToken::new("http://127.0.0.1:9", "bench-app", "s").token_store(store.clone());
    authorize(&shared, &request).await?;
    let (per_call, cmds) = time(&mut counter, CALLS, || authorize(&shared, &request)).await?;
    report("token fresh, Redis store, in-process copy fresh", per_call, cmds);

    // A process that has no copy yet (e.g. just started): one GET.
    let cold_calls = CALLS / 10;
    let (per_call, cmds) = time(&mut counter, cold_calls, || async {
        let cold = AppToken::new("http://127.0.0.1:9", "bench-app", "s").token_store(store.clone());
        authorize(&cold, &request).await
    })
    .await?;
    report("token fresh in Redis, no in-process copy (new process)", per_call, cmds);

    // Rate budget: local token bucket vs the shared sliding window.
    let local = RateLimiter::new(u32::MAX, Duration::from_secs(1));
    let (per_call, _) = time(&mut counter, CALLS, || async {
        local.acquire().await;
        Ok(())
    })
    .await?;
    report("rate limit, local token bucket", per_call, 0.0);
    let budget = redis.rate_budget("bench", u32::MAX, Duration::from_millis(100));
    let (per_call, cmds) = time(&mut counter, CALLS, || async {
        budget.acquire().await;
        Ok(())
    })
    .await?;
    report("rate limit, shared budget in Redis", per_call, cmds);
    Ok(())
}

async fn authorize(auth: &AppToken, request: &ApiRequest) -> Result<(), String> {
    let mut credentials = Credentials::default();
    auth.authorize(request, &mut credentials)
        .await
        .map_err(|e| e.to_string())
}

/// Runs `call` `calls` times; the mean time per call and the Redis commands per call.
async fn time<F, Fut>(
    counter: &mut redis::aio::MultiplexedConnection,
    calls: u32,
    mut call: F,
) -> Result<(Duration, f64), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let before = commands(counter).await?;
    let started = Instant::now();
    for _ in 0..calls {
        call().await?;
    }
    let elapsed = started.elapsed();
    // The INFO call itself is one command.
    let during = commands(counter).await?.saturating_sub(before + 1);
    Ok((elapsed / calls, during as f64 / f64::from(calls)))
}

/// `total_commands_processed` from `INFO stats`.
async fn commands(conn: &mut redis::aio::MultiplexedConnection) -> Result<u64, String> {
    let info: String = redis::cmd("INFO")
        .arg("stats")
        .query_async(conn)
        .await
        .map_err(|e| e.to_string())?;
    info.lines()
        .find_map(|l| l.strip_prefix("total_commands_processed:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| "INFO stats has no total_commands_processed".to_owned())
}

fn report(case: &str, per_call: Duration, commands: f64) {
    println!("{case:<58} {:>8.2} µs {commands:>16.2}", per_call.as_secs_f64() * 1e6);
}
