//! Overhead of the runtime: one GET through `ApiClient` (retry policy, rate-limit headers,
//! body limit, redaction, JSON decode) against the same call made with bare reqwest, both
//! against one local server (a child process: this program with `--serve`). Runs the two in
//! back-to-back pairs of rounds, alternating which goes first, and prints the median
//! per-call time of each and the median of the per-pair ratios (figures in BENCHMARKS.md).
//!
//! `cargo run --release -p client-runtime --example overhead -- [calls per round] [rounds]`
//! (defaults: 2000 calls, 31 rounds).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use client_runtime::{ApiClient, ApiRequest};
use http::Method;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

type Infallible = std::convert::Infallible;

fn median<T: PartialOrd + Copy>(mut values: Vec<T>) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    values[values.len() / 2]
}

/// The server process: one JSON answer for every GET.
async fn serve() {
    let server = MockServer::builder().disable_request_recording().start().await;
    let body = json!({ "data": [{ "id": 1, "name": "Ada" }, { "id": 2, "name": "Grace" }], "total": 2 });
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-limit", "500")
                .insert_header("x-ratelimit-remaining", "499")
                .set_body_json(body),
        )
        .mount(&server)
        .await;
    println!("{}", server.uri());
    std::future::pending::<()>().await;
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("--serve") {
        return serve().await;
    }
    let calls: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(31);
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

    let runtime = ApiClient::builder(uri.as_str()).build().expect("client");
    let bare = reqwest::Client::builder()
        .connect_timeout(client_runtime::DEFAULT_CONNECT_TIMEOUT)
        .timeout(client_runtime::DEFAULT_REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest");
    let url = format!("{uri}/v1/companies");

    let through_runtime = || async {
        let response = runtime
            .send::<Infallible>(ApiRequest::new(Method::GET, "/v1/companies"))
            .await
            .expect("runtime call");
        response.json::<serde_json::Value, Infallible>().expect("decode");
    };
    let with_reqwest = || async {
        let response = bare.get(url.as_str()).send().await.expect("reqwest call");
        let bytes = response.bytes().await.expect("body");
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("decode");
    };

    // Warm up connections and allocators.
    for _ in 0..calls {
        through_runtime().await;
        with_reqwest().await;
    }
    let (mut runtime_rounds, mut reqwest_rounds) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        // Alternate which goes first, so drift on a shared machine hits both alike.
        for first in [round % 2 == 0, round % 2 != 0] {
            let started = Instant::now();
            for _ in 0..calls {
                if first {
                    through_runtime().await;
                } else {
                    with_reqwest().await;
                }
            }
            let per_call = started.elapsed() / calls;
            if first {
                runtime_rounds.push(per_call);
            } else {
                reqwest_rounds.push(per_call);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let ratios: Vec<f64> = runtime_rounds
        .iter()
        .zip(&reqwest_rounds)
        .map(|(r, q)| r.as_secs_f64() / q.as_secs_f64())
        .collect();
    let (runtime, reqwest) = (median(runtime_rounds), median(reqwest_rounds));
    println!("calls            {calls} x {rounds} rounds each, sequential, one local server");
    println!(
        "bare reqwest     {:.1} us per call (median round)",
        reqwest.as_secs_f64() * 1e6
    );
    println!(
        "client-runtime   {:.1} us per call (median round)",
        runtime.as_secs_f64() * 1e6
    );
    println!("ratio            {:.3} (median of per-pair ratios)", median(ratios));
}
