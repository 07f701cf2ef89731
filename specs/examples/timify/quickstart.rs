//! Quickstart: get a Timify app token and show one company.
//!
//! Configuration (environment variables):
//! - `TIMIFY_BASE_URL` (default `https://api.timify.com`)
//! - `TIMIFY_APP_ID`, `TIMIFY_APP_SECRET`: the app's credentials from the Developer Platform
//! - `TIMIFY_COMPANY_ID`: the company (24-hex id) the app is installed on
//!
//! Prints the company's id and name and exits 0; on any failure prints one line to stderr and
//! exits 1.

use std::process::ExitCode;

use timify_client::companies::CompaniesListParams;
use timify_client::Client;

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
    let base_url = optional("TIMIFY_BASE_URL", timify_client::DEFAULT_BASE_URL);
    let app_id = required("TIMIFY_APP_ID")?;
    let app_secret = required("TIMIFY_APP_SECRET")?;
    let company_id = required("TIMIFY_COMPANY_ID")?;

    let client = Client::with_app_credentials(base_url, app_id, app_secret)
        .map_err(|e| format!("cannot set up the client: {e}"))?;
    let params = CompaniesListParams {
        company_id: Some(company_id.clone()),
        ..Default::default()
    };
    let companies = client
        .companies()
        .companies_list(params)
        .await
        .map_err(|e| format!("fetching company {company_id} failed: {e}"))?
        .into_inner();
    let company = companies
        .data
        .unwrap_or_default()
        .into_iter()
        .next()
        .ok_or_else(|| format!("the server returned no company for id {company_id}"))?;
    println!("company id: {}", company.id.as_deref().unwrap_or("(none)"));
    println!("company name: {}", company.name.as_deref().unwrap_or("(none)"));
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
