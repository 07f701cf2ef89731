//! Soak run: many requests from many tasks through one client against a local server, with
//! tokens that expire every few seconds and a 429 now and then. Prints errors, token requests
//! against expiries, and resident memory after warm-up and at the end (figures in
//! BENCHMARKS.md). Exits non-zero when a call failed or a token was fetched more than once
//! per renewal.
//!
//! `cargo run --release -p client-runtime --example soak -- [requests] [tasks]`
//! (defaults: 100000 requests, 64 tasks).
//!
//! The server runs in a child process (this program with `--serve`): wiremock keeps every
//! request it matched, which would otherwise count against the client's memory.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use client_runtime::auth::timify::AppToken;
use client_runtime::{ApiClient, ApiRequest};
use http::Method;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Token lifetime the server grants; the client renews at half of it (margin capped).
const LIFETIME: Duration = Duration::from_secs(6);
/// One API answer in this many is a 429 with `Retry-After: 0`.
const RATE_LIMITED_EVERY: usize = 1000;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// The server process: token endpoint, API, and `/stats` with the token count.
async fn serve() {
    let server = MockServer::builder().disable_request_recording().start().await;
    // Issue times of the tokens handed out, by number; the API refuses a token past its life.
    let issued: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let tokens = issued.clone();
    Mock::given(method("POST"))
        .and(path("/v1/auth/token"))
        .respond_with(move |_: &Request| {
            let mut tokens = tokens.lock().unwrap();
            tokens.push(Instant::now());
            ResponseTemplate::new(200).set_body_json(json!({
                "accessToken": format!("tok-{}", tokens.len()), "expires": LIFETIME.as_secs()
            }))
        })
        .mount(&server)
        .await;
    let tokens = issued.clone();
    let answered = Arc::new(AtomicUsize::new(0));
    let count = answered.clone();
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .respond_with(move |request: &Request| {
            let n = count.fetch_add(1, Ordering::Relaxed);
            let number: Option<usize> = request
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("tok-"))
                .and_then(|v| v.parse().ok());
            let alive = number
                .and_then(|n| tokens.lock().unwrap().get(n - 1).copied())
                .is_some_and(|at| at.elapsed() <= LIFETIME);
            if !alive {
                ResponseTemplate::new(401)
            } else if n % RATE_LIMITED_EVERY == RATE_LIMITED_EVERY - 1 {
                ResponseTemplate::new(429).insert_header("retry-after", "0")
            } else {
                ResponseTemplate::new(200).set_body_json(json!({ "data": [{ "id": n }] }))
            }
        })
        .mount(&server)
        .await;
    let stats = issued.clone();
    let answers = answered.clone();
    Mock::given(method("GET"))
        .and(path("/stats"))
        .respond_with(move |_: &Request| {
            ResponseTemplate::new(200).set_body_json(json!({
                "token_requests": stats.lock().unwrap().len(),
                "answers": answers.load(Ordering::Relaxed),
            }))
        })
        .mount(&server)
        .await;
    println!("{}", server.uri());
    // Serve until the client process ends this one.
    std::future::pending::<()>().await;
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("--serve") {
        return serve().await;
    }
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let tasks: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(64);
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .arg("--serve")
        .stdout(Stdio::piped())
        .spawn()
        .expect("server process");
    let mut uri = String::new();
    BufReader::new(child.stdout.take().expect("server stdout"))
        .read_line(&mut uri)
        .expect("server address");
    let uri = uri.trim().to_owned();

    let client = ApiClient::builder(uri.as_str())
        .auth(AppToken::new(uri.as_str(), "app", "secret"))
        .build()
        .expect("client");
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let warm_up = requests / 10;
    let warm_rss = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers = (0..tasks).map(|_| {
        let (client, next, errors, warm_rss) = (client.clone(), next.clone(), errors.clone(), warm_rss.clone());
        tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                if i == warm_up {
                    warm_rss.store(rss_kib() as usize, Ordering::Relaxed);
                }
                let result = client
                    .send::<std::convert::Infallible>(ApiRequest::new(Method::GET, "/v1/companies"))
                    .await
                    .and_then(|r| r.json::<serde_json::Value, std::convert::Infallible>());
                if let Err(e) = result {
                    if errors.fetch_add(1, Ordering::Relaxed) < 5 {
                        eprintln!("error: {e}");
                    }
                }
            }
        })
    });
    futures::future::join_all(workers).await;
    let elapsed = started.elapsed();
    let end_rss = rss_kib();
    let stats: serde_json::Value = reqwest::get(format!("{uri}/stats"))
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats body");
    let _ = child.kill();
    let _ = child.wait();
    let token_requests = stats["token_requests"].as_u64().unwrap_or(0) as usize;
    // Renewal at half the lifetime: one token at the start, then one per half-lifetime.
    let renewals = (elapsed.as_secs_f64() / (LIFETIME.as_secs_f64() / 2.0)).floor() as usize + 1;
    let errors = errors.load(Ordering::Relaxed);
    let warm = warm_rss.load(Ordering::Relaxed) as u64;
    println!(
        "requests         {requests} from {tasks} tasks in {:.1} s ({:.0}/s)",
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64()
    );
    println!("server answers   {} (incl. 429 retries)", stats["answers"]);
    println!("errors           {errors}");
    println!("token requests   {token_requests} (renewal periods elapsed: {renewals})");
    println!("rss after warmup {:.1} MiB", warm as f64 / 1024.0);
    println!(
        "rss at end       {:.1} MiB (delta {:+.1} MiB)",
        end_rss as f64 / 1024.0,
        (end_rss as f64 - warm as f64) / 1024.0
    );
    if errors > 0 || token_requests > renewals + 1 {
        std::process::exit(1);
    }
}
