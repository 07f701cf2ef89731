//! Quickstart: list the first page of Timeneye time entries with a personal access token.
//!
//! Configuration (environment variables):
//! - `TIMENEYE_BASE_URL` (default `https://api.timeneye.com/api/v1`)
//! - `TIMENEYE_TOKEN`: a personal access token from Timeneye's developer page
//!
//! Prints how many entries the first page holds and the total, and exits 0; on any failure
//! prints one line to stderr and exits 1.

use std::process::ExitCode;

use timeneye_client::entries::EntriesListParams;
use timeneye_client::Client;

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

    let client = Client::with_personal_access_token(base_url, token)
        .map_err(|e| format!("cannot set up the client: {e}"))?;
    let params = EntriesListParams {
        page: Some(1),
        ..Default::default()
    };
    let page = client
        .entries()
        .entries_list(params)
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
    Ok(())
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
