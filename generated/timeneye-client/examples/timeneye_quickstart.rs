//! Quickstart: list the first page of Timeneye time entries with a personal access token, then
//! walk every page of them. (Timeneye's spec has no call that shows one record by id, so there is
//! no 404 to tell apart here; see the other quickstarts for that.)
//!
//! Configuration (environment variables):
//! - `TIMENEYE_BASE_URL` (default `https://api.timeneye.com/api/v1`)
//! - `TIMENEYE_TOKEN`: a personal access token from Timeneye's developer page
//! - `REDIS_URL` (optional, needs the `redis` feature): share tokens and the rate budget with
//!   other processes through this Redis
//!
//! Prints how many entries the first page holds, the total and how many the walk over every
//! page found, and exits 0; on any failure prints one line to stderr and exits 1.

use std::process::ExitCode;
use std::time::Duration;

use timeneye_client::prelude::*;
use timeneye_client::types::Entry;
use timeneye_client::{Client, ClientBuilder};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {}", one_line(&message));
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let base_url = optional("TIMENEYE_BASE_URL", timeneye_client::DEFAULT_BASE_URL);
    let token = required("TIMENEYE_TOKEN")?;

    let builder = Client::builder()
        .base_url(base_url)
        .personal_access_token(token)
        .timeout(Duration::from_secs(20));
    let client = build(builder).await?;
    let page = client
        .entries()
        .list()
        .page(1)
        // A per-call override: this call gives up after 10 s, whatever the client's timeout.
        .timeout(Duration::from_secs(10))
        .await
        .map_err(|e| format!("listing entries failed: {e}"))?
        .into_inner();
    let count = page.data.as_ref().map_or(0, Vec::len);
    let total = page
        .meta
        .as_ref()
        .and_then(|m| m.total)
        .map_or_else(|| "unknown".to_owned(), |t| t.to_string());
    println!("entries on page 1: {count}");
    println!("total entries: {total}");

    // Every entry of every page: the stream asks for the next page when this one is used up.
    let entries: Vec<Entry> = client
        .entries()
        .list()
        .stream()
        .try_collect()
        .await
        .map_err(|e| format!("walking the entries failed: {e}"))?;
    println!("entries in all pages: {}", entries.len());
    Ok(())
}

/// The client; when `REDIS_URL` is set, its tokens and rate budget are shared through that
/// Redis with every other process that runs this (see the README's "Running several replicas").
async fn build(mut builder: ClientBuilder) -> Result<Client, String> {
    if let Some(redis_url) = present("REDIS_URL") {
        builder = with_redis(builder, &redis_url).await?;
    }
    builder.build().map_err(|e| format!("cannot set up the client: {e}"))
}

#[cfg(feature = "redis")]
async fn with_redis(builder: ClientBuilder, redis_url: &str) -> Result<ClientBuilder, String> {
    builder.redis_url(redis_url).await.map_err(|e| format!("REDIS_URL: {e}"))
}

#[cfg(not(feature = "redis"))]
async fn with_redis(_: ClientBuilder, _: &str) -> Result<ClientBuilder, String> {
    Err("REDIS_URL is set, but this example was built without the `redis` feature \
         (cargo run --features redis --example timeneye_quickstart)"
        .to_owned())
}

/// The variable's value when it is set and not empty.
fn present(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The variable's value; an error naming it when it is unset or empty.
fn required(name: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(format!("missing environment variable {name}")),
    }
}

/// The variable's value, or `default` when it is unset or empty.
fn optional(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// `message` on one line (server messages may contain line breaks).
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
