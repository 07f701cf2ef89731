//! Quickstart: get a Timify app token, show one company, walk every page of its appointments,
//! then show one appointment, telling a missing one by its 404.
//!
//! Configuration (environment variables):
//! - `TIMIFY_BASE_URL` (default `https://api.timify.com`)
//! - `TIMIFY_APP_ID`, `TIMIFY_APP_SECRET`: the app's credentials from the Developer Platform
//! - `TIMIFY_COMPANY_ID`: the company (24-hex id) the app is installed on
//! - `TIMIFY_APPOINTMENT_ID` (optional): the appointment to show (default: the first one listed)
//! - `REDIS_URL` (optional, needs the `redis` feature): share tokens and the rate budget with
//!   other processes through this Redis
//!
//! Prints the company's id and name, how many appointments it has and the shown appointment's
//! title (or that there is none), and exits 0; on any failure prints one line to stderr and
//! exits 1.

use std::process::ExitCode;
use std::time::Duration;

use timify_client::prelude::*;
use timify_client::types::Appointment;
use timify_client::{Client, ClientBuilder};

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

    let builder = Client::builder()
        .base_url(base_url)
        .app_credentials(app_id, app_secret)
        .timeout(Duration::from_secs(20));
    let client = build(builder).await?;
    let companies = client
        .companies()
        .list()
        .company_id(&company_id)
        // A per-call override: this call gives up after 10 s, whatever the client's timeout.
        .timeout(Duration::from_secs(10))
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

    // Every appointment of every page: the stream asks for the next page when this one is used up.
    let appointments: Vec<Appointment> = client
        .appointments()
        .list()
        .company_id(&company_id)
        .stream()
        .try_collect()
        .await
        .map_err(|e| format!("listing appointments failed: {e}"))?;
    println!("appointments: {}", appointments.len());

    // A missing record is an answer, not a failure: a 404 says there is no such appointment.
    let Some(id) = present("TIMIFY_APPOINTMENT_ID").or_else(|| appointments.first().map(|a| a.id.clone())) else {
        return Ok(());
    };
    match client.appointments().get(&id).company_id(&company_id).await {
        Ok(found) => {
            let appointment = found.into_content().into_inner();
            println!("appointment {id}: {}", appointment.title.as_deref().unwrap_or("(untitled)"));
        }
        Err(e) if e.status().is_some_and(|status| status == 404) => println!("appointment {id}: none"),
        Err(e) => return Err(format!("showing appointment {id} failed: {e}")),
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
         (cargo run --features redis --example timify_quickstart)"
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
