//! Quickstart: list the first page of Timekit bookings, walk every page of them, then show one
//! booking, telling a missing one by its 404.
//!
//! Configuration (environment variables):
//! - `TIMEKIT_BASE_URL` (default `https://api.timekit.io/v2`)
//! - either `TIMEKIT_API_KEY`: the app's API key (sent as Basic `:key`),
//! - or `TIMEKIT_EMAIL`, `TIMEKIT_PERSONAL_KEY` and `TIMEKIT_APP` (the app slug): the app
//!   token is then fetched once from `GET /app?include=app_token`.
//! - `TIMEKIT_BOOKING_ID` (optional): the booking to show (default: the first one listed)
//! - `REDIS_URL` (optional, needs the `redis` feature): share tokens and the rate budget with
//!   other processes through this Redis
//!
//! Prints how many bookings the first page holds, the total, how many the walk over every page
//! found and the shown booking's state (or that there is none), and exits 0; on any failure
//! prints one line to stderr and exits 1.

use std::process::ExitCode;
use std::time::Duration;

use timekit_client::prelude::*;
use timekit_client::types::Booking;
use timekit_client::{Client, ClientBuilder};

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
    let base_url = optional("TIMEKIT_BASE_URL", timekit_client::DEFAULT_BASE_URL);
    let builder = Client::builder()
        .base_url(base_url)
        .timeout(Duration::from_secs(20));
    let builder = match present("TIMEKIT_API_KEY") {
        Some(key) => builder.app_key(key),
        None => {
            let hint = " (or set TIMEKIT_API_KEY)";
            let email = required("TIMEKIT_EMAIL").map_err(|e| e + hint)?;
            let personal_key = required("TIMEKIT_PERSONAL_KEY").map_err(|e| e + hint)?;
            let app = required("TIMEKIT_APP").map_err(|e| e + hint)?;
            builder.personal_credentials(email, personal_key, app)
        }
    };
    let client = build(builder).await?;

    let page = client
        .bookings()
        .list()
        .page(1)
        // A per-call override: this call gives up after 10 s, whatever the client's timeout.
        .timeout(Duration::from_secs(10))
        .await
        .map_err(|e| format!("listing bookings failed: {e}"))?
        .into_inner();
    let count = page.data.as_ref().map_or(0, Vec::len);
    let total = page
        .total
        .map_or_else(|| "unknown".to_owned(), |t| t.to_string());
    println!("bookings on page 1: {count}");
    println!("total bookings: {total}");

    // Every booking of every page: the stream follows the next-page URL when this page is used up.
    let bookings: Vec<Booking> = client
        .bookings()
        .list()
        .stream()
        .try_collect()
        .await
        .map_err(|e| format!("walking the bookings failed: {e}"))?;
    println!("bookings in all pages: {}", bookings.len());

    // A missing record is an answer, not a failure: a 404 says there is no such booking.
    let Some(id) = present("TIMEKIT_BOOKING_ID").or_else(|| bookings.first().map(|b| b.id.clone())) else {
        return Ok(());
    };
    match client.bookings().get(&id).await {
        Ok(found) => println!("booking {id}: {}", found.into_content().into_inner().state.as_str()),
        Err(e) if e.status().is_some_and(|status| status == 404) => println!("booking {id}: none"),
        Err(e) => return Err(format!("showing booking {id} failed: {e}")),
    }
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
         (cargo run --features redis --example timekit_quickstart)"
        .to_owned())
}

/// The variable's value when it is set and not empty.
fn present(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The variable's value; an error naming it when it is unset or empty.
fn required(name: &str) -> Result<String, String> {
    present(name).ok_or_else(|| format!("missing environment variable {name}"))
}

/// The variable's value, or `default` when it is unset or empty.
fn optional(name: &str, default: &str) -> String {
    present(name).unwrap_or_else(|| default.to_owned())
}

/// `message` on one line (server messages may contain line breaks).
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
