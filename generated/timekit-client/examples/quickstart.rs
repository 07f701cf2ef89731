//! Quickstart: list the first page of Timekit bookings.
//!
//! Configuration (environment variables):
//! - `TIMEKIT_BASE_URL` (default `https://api.timekit.io/v2`)
//! - either `TIMEKIT_API_KEY`: the app's API key (sent as Basic `:key`),
//! - or `TIMEKIT_EMAIL`, `TIMEKIT_PERSONAL_KEY` and `TIMEKIT_APP` (the app slug): the app
//!   token is then fetched once from `GET /app?include=app_token`.
//!
//! Prints how many bookings the first page holds and the total, and exits 0; on any failure
//! prints one line to stderr and exits 1.

use std::process::ExitCode;

use timekit_client::bookings::GetBookingsParams;
use timekit_client::Client;

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
    let client = match present("TIMEKIT_API_KEY") {
        Some(key) => Client::with_app_key(base_url, key),
        None => {
            let hint = " (or set TIMEKIT_API_KEY)";
            let email = required("TIMEKIT_EMAIL").map_err(|e| e + hint)?;
            let personal_key = required("TIMEKIT_PERSONAL_KEY").map_err(|e| e + hint)?;
            let app = required("TIMEKIT_APP").map_err(|e| e + hint)?;
            Client::with_personal_credentials(base_url, email, personal_key, app)
        }
    }
    .map_err(|e| format!("cannot set up the client: {e}"))?;

    let params = GetBookingsParams {
        page: Some(1),
        ..Default::default()
    };
    let page = client
        .bookings()
        .get_bookings(params)
        .await
        .map_err(|e| format!("listing bookings failed: {e}"))?
        .into_inner();
    let count = page.data.as_ref().map_or(0, Vec::len);
    let total = page
        .total
        .map_or_else(|| "unknown".to_owned(), |t| t.to_string());
    println!("bookings on page 1: {count}");
    println!("total bookings: {total}");
    Ok(())
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
