//! The scenarios: each starts worker processes against the suite's Redis and a local
//! wiremock server playing the vendor, and checks what the server saw.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use client_runtime::auth::timify::AppToken;
use client_runtime::auth::{Authenticator, Credentials};
use client_runtime::shared::{OnRedisFailure, RedisShared};
use client_runtime::token::{Token, TokenStore};
use client_runtime::{ApiRequest, AuthError};
use http::Method;
use serde_json::json;
use tokio::process::{Child, Command};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::worker::ROLE;
use crate::Ctx;

/// Starts one worker process playing `role`.
fn spawn(ctx: &Ctx, role: &str, env: &[(&str, String)]) -> Result<Child, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = Command::new(exe);
    command
        .env(ROLE, role)
        .env("REDIS_URL", &ctx.redis_url)
        .env("PREFIX", &ctx.prefix)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    command.spawn().map_err(|e| format!("cannot start a worker: {e}"))
}

/// Waits for a worker and returns its stdout lines; a failed worker is an error.
async fn lines(child: Child) -> Result<Vec<String>, String> {
    let output = tokio::time::timeout(Duration::from_secs(45), child.wait_with_output())
        .await
        .map_err(|_| "a worker did not finish within 45 s".to_owned())?
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!(
            "a worker failed ({}): {stdout} {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(stdout.lines().map(str::to_owned).collect())
}

/// Starts `count` workers at once and gathers all their lines.
async fn run_workers(ctx: &Ctx, count: usize, role: &str, env: &[(&str, String)]) -> Result<Vec<String>, String> {
    let children = (0..count)
        .map(|_| spawn(ctx, role, env))
        .collect::<Result<Vec<_>, _>>()?;
    let mut all = Vec::new();
    for child in children {
        all.extend(lines(child).await?);
    }
    Ok(all)
}

async fn shared(ctx: &Ctx) -> Result<RedisShared, String> {
    Ok(RedisShared::connect(&ctx.redis_url)
        .await
        .map_err(|e| e.to_string())?
        .key_prefix(ctx.prefix.clone()))
}

fn hits(requests: &[Request], wanted: &str) -> usize {
    requests.iter().filter(|r| r.url.path() == wanted).count()
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

fn check(condition: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(message())
    }
}

/// A token that expired a minute ago, with a refresh token.
fn expired(access: &str, refresh: &str) -> Token {
    let issued = SystemTime::now() - Duration::from_secs(3600);
    Token::new(access, issued)
        .with_refresh_token(refresh)
        .with_expires_at(Some(SystemTime::now() - Duration::from_secs(60)))
}

/// The token lines (`token <value> ...`) of the workers' output.
fn tokens(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix("token "))
        .map(|l| l.split(' ').next().unwrap_or_default().to_owned())
        .collect()
}

pub async fn expired_token(ctx: Ctx) -> Result<(), String> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/refreshtoken"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "accessToken": "access-1", "refreshToken": "refresh-1", "expires": 7200 }))
                .set_delay(Duration::from_millis(500)),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "accessToken": "wrong", "expires": 7200 })))
        .mount(&server)
        .await;
    // Every replica finds the same expired token in Redis.
    let store = shared(&ctx).await?.token_store();
    store
        .save("timify:app-1", &expired("access-0", "refresh-0"))
        .await
        .map_err(|e| e.0)?;
    let lines = run_workers(
        &ctx,
        4,
        "timify",
        &[("TOKEN_URL", server.uri()), ("TASKS", "50".into())],
    )
    .await?;
    let tokens = tokens(&lines);
    check(tokens.len() == 200 && tokens.iter().all(|t| t == "access-1"), || {
        format!("every task of every process should get access-1: {tokens:?}")
    })?;
    let requests = received(&server).await;
    check(hits(&requests, "/v1/auth/refreshtoken") == 1, || {
        format!("{} refresh requests, not 1", hits(&requests, "/v1/auth/refreshtoken"))
    })?;
    check(hits(&requests, "/v1/auth/token") == 0, || {
        "a new token was requested".to_owned()
    })?;
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).map_err(|e| e.to_string())?;
    check(body == json!({ "refreshtoken": "refresh-0" }), || {
        format!("refresh body {body}")
    })?;
    // What Redis holds: the new access token with its rotated refresh token.
    let stored = store
        .load("timify:app-1")
        .await
        .map_err(|e| e.0)?
        .ok_or("nothing stored")?;
    use secrecy::ExposeSecret;
    check(
        stored.access_token().expose_secret() == "access-1"
            && stored.refresh_token().map(|r| r.expose_secret()) == Some("refresh-1"),
        || "Redis does not hold access-1 with refresh-1".to_owned(),
    )
}

pub async fn bookingtime_organizations(ctx: Ctx) -> Result<(), String> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(|r: &Request| {
            let form: std::collections::HashMap<String, String> =
                url::form_urlencoded::parse(&r.body).into_owned().collect();
            let body = if form.get("grant_type").map(String::as_str) == Some("client_credentials") {
                json!({ "refresh_token": "rt", "token_type": "Bearer", "expires_in": 2592000 })
            } else {
                let organization = form.get("organization_id").cloned().unwrap_or_default();
                json!({ "access_token": format!("at-{organization}"), "token_type": "Bearer", "expires_in": 300 })
            };
            ResponseTemplate::new(200)
                .set_body_json(body)
                .set_delay(Duration::from_millis(300))
        })
        .mount(&server)
        .await;
    let lines = run_workers(
        &ctx,
        4,
        "bookingtime",
        &[("TOKEN_URL", server.uri()), ("TASKS", "40".into())],
    )
    .await?;
    let seen: Vec<&String> = lines.iter().filter(|l| l.starts_with("token ")).collect();
    check(seen.len() == 160, || format!("{} tokens, not 160", seen.len()))?;
    check(
        seen.iter()
            .all(|l| l.as_str() == "token org-a Bearer at-org-a" || l.as_str() == "token org-b Bearer at-org-b"),
        || format!("a task got another organization's token: {seen:?}"),
    )?;
    let requests = received(&server).await;
    let grant_types: Vec<String> = requests
        .iter()
        .map(|r| {
            let form: std::collections::HashMap<String, String> =
                url::form_urlencoded::parse(&r.body).into_owned().collect();
            format!(
                "{}:{}",
                form.get("grant_type").cloned().unwrap_or_default(),
                form.get("organization_id").cloned().unwrap_or_default()
            )
        })
        .collect();
    let mut sorted = grant_types.clone();
    sorted.sort();
    check(
        sorted == ["client_credentials:", "refresh_token:org-a", "refresh_token:org-b"],
        || format!("one grant and one exchange per organization expected, the server saw {grant_types:?}"),
    )
}

pub async fn killed_holder(ctx: Ctx) -> Result<(), String> {
    let server = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(move |_: &Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            // The first request (the holder's) hangs until the holder is killed.
            let delay = if n == 1 {
                Duration::from_secs(20)
            } else {
                Duration::ZERO
            };
            ResponseTemplate::new(200)
                .set_body_json(json!({ "accessToken": format!("access-{n}"), "expires": 7200 }))
                .set_delay(delay)
        })
        .mount(&server)
        .await;
    let lease_ttl = Duration::from_millis(2000);
    let env = [
        ("TOKEN_URL", server.uri()),
        ("TASKS", "10".to_owned()),
        ("LEASE_TTL_MS", lease_ttl.as_millis().to_string()),
    ];
    let mut holder = spawn(&ctx, "timify", &env)?;
    let wait_for_holder = Instant::now();
    while calls.load(Ordering::SeqCst) == 0 {
        if wait_for_holder.elapsed() > Duration::from_secs(20) {
            return Err("the first worker never asked for a token".to_owned());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // SIGKILL: no chance to release the lease.
    holder.start_kill().map_err(|e| e.to_string())?;
    let _ = holder.wait().await;
    let killed = Instant::now();
    let lines = run_workers(&ctx, 3, "timify", &env).await?;
    let waited = killed.elapsed();
    let tokens = tokens(&lines);
    check(tokens.len() == 30 && tokens.iter().all(|t| t == "access-2"), || {
        format!("the others should all get access-2: {tokens:?}")
    })?;
    check(calls.load(Ordering::SeqCst) == 2, || {
        format!(
            "{} token requests, not 2 (the killed one and one more)",
            calls.load(Ordering::SeqCst)
        )
    })?;
    // Lease TTL + one (instant) fetch, plus starting three processes on a loaded machine.
    let bound = lease_ttl + Duration::from_secs(3);
    check(waited <= bound, || {
        format!("the others waited {waited:?}, more than {bound:?}")
    })
}

pub async fn rotating_refresh(ctx: Ctx) -> Result<(), String> {
    let server = MockServer::start().await;
    // The valid refresh token, and how often a stale one was presented.
    let state = Arc::new(Mutex::new((String::from("refresh-0"), 0usize)));
    let stale = Arc::new(AtomicUsize::new(0));
    let (state_in, stale_in) = (state.clone(), stale.clone());
    Mock::given(method("POST"))
        .and(path("/v1/auth/refreshtoken"))
        .respond_with(move |r: &Request| {
            let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
            let sent = body["refreshtoken"].as_str().unwrap_or_default().to_owned();
            let mut state = state_in.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if sent != state.0 {
                stale_in.fetch_add(1, Ordering::SeqCst);
                return ResponseTemplate::new(400).set_body_json(json!({ "error": "invalid_grant" }));
            }
            state.1 += 1;
            state.0 = format!("refresh-{}", state.1);
            // Six seconds: renewed three seconds early (half the lifetime), so every
            // three seconds the fleet rotates the refresh token.
            ResponseTemplate::new(200)
                .set_body_json(
                    json!({ "accessToken": format!("access-{}", state.1), "refreshToken": state.0, "expires": 6 }),
                )
                .set_delay(Duration::from_millis(100))
        })
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "accessToken": "by-credentials", "expires": 7200 })),
        )
        .mount(&server)
        .await;
    let store = shared(&ctx).await?.token_store();
    store
        .save("timify:app-1", &expired("access-0", "refresh-0"))
        .await
        .map_err(|e| e.0)?;
    let env = [
        ("TOKEN_URL", server.uri()),
        ("TASKS", "20".to_owned()),
        ("DURATION_MS", "8000".to_owned()),
    ];
    let lines = run_workers(&ctx, 4, "timify", &env).await?;
    let rotations = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).1;
    check(stale.load(Ordering::SeqCst) == 0, || {
        format!("{} refreshes used a stale refresh token", stale.load(Ordering::SeqCst))
    })?;
    check(rotations >= 2, || format!("only {rotations} rotations in 8 s"))?;
    let requests = received(&server).await;
    check(hits(&requests, "/v1/auth/token") == 0, || {
        "a refresh failed over to the credentials".to_owned()
    })?;
    check(tokens(&lines).iter().all(|t| t.starts_with("access-")), || {
        "an unexpected token".to_owned()
    })
}

/// An API server that records when each `/ping` arrived; `respond(n)` answers the n-th.
async fn ping_server(
    respond: impl Fn(usize) -> ResponseTemplate + Send + Sync + 'static,
) -> (MockServer, Arc<Mutex<Vec<Instant>>>) {
    let server = MockServer::start().await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let log = arrivals.clone();
    Mock::given(method("GET"))
        .and(path("/ping"))
        .respond_with(move |_: &Request| {
            let mut log = log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            log.push(Instant::now());
            respond(log.len())
        })
        .mount(&server)
        .await;
    (server, arrivals)
}

pub async fn rate_budget(ctx: Ctx) -> Result<(), String> {
    let (server, arrivals) = ping_server(|_| ResponseTemplate::new(200)).await;
    let (requests, period) = (20usize, Duration::from_secs(2));
    let env = [
        ("API_URL", server.uri()),
        ("TASKS", "8".to_owned()),
        ("DURATION_MS", "5000".to_owned()),
        ("REQUESTS", requests.to_string()),
        ("PERIOD_MS", period.as_millis().to_string()),
    ];
    run_workers(&ctx, 4, "traffic", &env).await?;
    let times: Vec<Instant> = arrivals
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    // The budget is counted on Redis's clock when a request is let through; the server sees
    // it a little later. Windows 100 ms shorter than the period absorb that delivery spread.
    let window = period - Duration::from_millis(100);
    let worst = times
        .iter()
        .map(|start| times.iter().filter(|t| **t >= *start && **t - *start < window).count())
        .max()
        .unwrap_or(0);
    check(worst <= requests, || {
        format!("{worst} requests reached the server within {window:?}; the budget is {requests}")
    })?;
    // Three windows in five seconds: the budget is used, not just respected.
    check(times.len() >= 2 * requests, || {
        format!(
            "only {} requests in 5 s; the budget allows {}",
            times.len(),
            3 * requests
        )
    })
}

pub async fn pause_on_429(ctx: Ctx) -> Result<(), String> {
    const LIMITED: usize = 40;
    let (server, arrivals) = ping_server(|n| {
        if n == LIMITED {
            ResponseTemplate::new(429).insert_header("retry-after", "2")
        } else {
            ResponseTemplate::new(200).set_delay(Duration::from_millis(5))
        }
    })
    .await;
    let env = [
        ("API_URL", server.uri()),
        ("TASKS", "4".to_owned()),
        ("DURATION_MS", "4500".to_owned()),
        ("REQUESTS", "1000".to_owned()),
        ("PERIOD_MS", "1000".to_owned()),
    ];
    run_workers(&ctx, 4, "traffic", &env).await?;
    let times: Vec<Instant> = arrivals
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let limited_at = *times.get(LIMITED - 1).ok_or("the 429 was never sent")?;
    // Requests already let through when the 429 arrived may still land just after it.
    let quiet_from = limited_at + Duration::from_millis(250);
    let quiet_until = limited_at + Duration::from_millis(1900);
    let during: Vec<_> = times
        .iter()
        .filter(|t| **t > quiet_from && **t < quiet_until)
        .map(|t| t.duration_since(limited_at))
        .collect();
    check(during.is_empty(), || {
        let first: Vec<_> = during.iter().take(5).collect();
        format!(
            "{} requests arrived during the 2 s pause, the first at {first:?} after the 429",
            during.len()
        )
    })?;
    check(times.iter().any(|t| *t > limited_at + Duration::from_secs(2)), || {
        "nobody resumed after the pause".to_owned()
    })
}

pub async fn redis_stopped(ctx: Ctx) -> Result<(), String> {
    let server = MockServer::start().await;
    let counter = Arc::new(AtomicUsize::new(0));
    let calls = counter.clone();
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(move |_: &Request| {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(json!({ "accessToken": format!("access-{n}"), "expires": 7200 }))
        })
        .mount(&server)
        .await;
    // A Redis of its own, to stop.
    let mut redis = crate::server::RedisServer::start(&ctx.redis_binary)?;
    let timeout = Duration::from_millis(300);
    let connect = |on_failure| {
        let url = redis.url();
        let prefix = ctx.prefix.clone();
        async move {
            RedisShared::connect(&url)
                .await
                .map(|s| s.key_prefix(prefix).timeout(timeout).on_failure(on_failure))
                .map_err(|e| e.to_string())
        }
    };
    let falls_back = connect(OnRedisFailure::FallBackToLocal).await?;
    let fails = connect(OnRedisFailure::Fail).await?;
    let request = ApiRequest::new(Method::GET, "/v1/companies");
    let warm = AppToken::new(server.uri(), "app-warm", "s").token_store(falls_back.token_store());
    warm.authorize(&request, &mut Credentials::default())
        .await
        .map_err(|e| format!("with Redis up: {e}"))?;
    let limiter = falls_back.rate_budget("stopped", 100, Duration::from_secs(1));
    limiter.acquire().await;

    redis.stop();

    // Fallback: a fresh token is used as it is, a missing one is fetched by this process.
    let started = Instant::now();
    warm.authorize(&request, &mut Credentials::default())
        .await
        .map_err(|e| format!("a fresh token with Redis down: {e}"))?;
    let cold = AppToken::new(server.uri(), "app-cold", "s").token_store(falls_back.token_store());
    let mut credentials = Credentials::default();
    cold.authorize(&request, &mut credentials)
        .await
        .map_err(|e| format!("falling back should fetch locally: {e}"))?;
    check(credentials.headers()["authorization"] == "access-2", || {
        "the fallback did not fetch its own token".to_owned()
    })?;
    limiter.acquire().await;
    let fallback_took = started.elapsed();
    // Five Redis calls at most, each bounded by the timeout.
    check(fallback_took < timeout * 6, || {
        format!("falling back took {fallback_took:?}")
    })?;

    // Fail: a typed error naming Redis, within the timeout too.
    let started = Instant::now();
    let strict = AppToken::new(server.uri(), "app-strict", "s").token_store(fails.token_store());
    let error = strict
        .authorize(&request, &mut Credentials::default())
        .await
        .err()
        .ok_or("with OnRedisFailure::Fail and Redis down, authorize should fail")?;
    let failed_in = started.elapsed();
    check(
        matches!(&error, AuthError::TokenStore(m) if m.contains("Redis")),
        || format!("expected AuthError::TokenStore naming Redis, got {error:?}"),
    )?;
    check(failed_in < timeout * 3, || format!("failing took {failed_in:?}"))?;
    check(counter.load(Ordering::SeqCst) == 2, || {
        "the strict client fetched a token".to_owned()
    })
}
