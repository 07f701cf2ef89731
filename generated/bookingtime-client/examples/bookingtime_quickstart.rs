//! Quickstart: show a bookingtime organization, then add a customer John Doe to it.
//!
//! Configuration (environment variables):
//! - `BOOKINGTIME_API_URL` (default `https://api.bookingtime.com/app/v3`)
//! - `BOOKINGTIME_AUTH_URL` (default `https://auth.bookingtime.com`)
//! - `BOOKINGTIME_CLIENT_ID`, `BOOKINGTIME_CLIENT_SECRET`: the App API credentials
//! - `BOOKINGTIME_ORGANIZATION_ID`: the organization to act for
//! - `BOOKINGTIME_LOCALE` (default `en`): language of the server's messages
//! - `REDIS_URL` (optional, needs the `redis` feature): share tokens and the rate budget with
//!   other processes through this Redis
//!
//! Requests go to `{BOOKINGTIME_API_URL}/{BOOKINGTIME_LOCALE}`. Prints the organization's id
//! and name and the new customer's id and exits 0; on any failure prints one line to stderr
//! and exits 1.

use std::process::ExitCode;
use std::time::Duration;

use bookingtime_client::types::CustomerInput;
use bookingtime_client::{Client, ClientBuilder};

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
    let api_url = optional("BOOKINGTIME_API_URL", "https://api.bookingtime.com/app/v3");
    let auth_url = optional("BOOKINGTIME_AUTH_URL", "https://auth.bookingtime.com");
    let client_id = required("BOOKINGTIME_CLIENT_ID")?;
    let client_secret = required("BOOKINGTIME_CLIENT_SECRET")?;
    let organization_id = required("BOOKINGTIME_ORGANIZATION_ID")?;
    let locale = optional("BOOKINGTIME_LOCALE", "en");
    let base_url = format!("{}/{}", api_url.trim_end_matches('/'), locale);

    let builder = Client::builder()
        .base_url(base_url)
        .auth_url(auth_url)
        .client_credentials(client_id, client_secret)
        .timeout(Duration::from_secs(20));
    let client = build(builder).await?;

    let organization = client
        .organization()
        .show(&organization_id)
        .await
        .map_err(|e| format!("showing organization {organization_id} failed: {e}"))?
        .into_content()
        .into_inner();
    println!("organization id: {}", organization.id);
    println!(
        "organization name: {}",
        organization.name.as_deref().unwrap_or("(none)")
    );

    let input = CustomerInput {
        first_name: Some("John".to_owned()),
        last_name: Some("Doe".to_owned()),
        ..Default::default()
    };
    let customer = client
        .customer()
        .add(&organization_id, &input)
        .await
        .map_err(|e| format!("adding customer John Doe failed: {e}"))?
        .into_content()
        .into_inner();
    println!("customer id: {}", customer.id);
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
         (cargo run --features redis --example bookingtime_quickstart)"
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
