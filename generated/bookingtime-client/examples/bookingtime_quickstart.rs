//! Quickstart: show a bookingtime organization, count its customers, then look up a customer
//! John Doe by your own id and add him when the API answers 404.
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
//! and name, how many customers it has and John Doe's customer id, and exits 0; on any failure
//! prints one line to stderr and exits 1.

use std::process::ExitCode;
use std::time::Duration;

use bookingtime_client::prelude::*;
use bookingtime_client::types::{Customer, CustomerInput};
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
        // A per-call override: this call gives up after 10 s, whatever the client's timeout.
        .timeout(Duration::from_secs(10))
        .await
        .map_err(|e| format!("showing organization {organization_id} failed: {e}"))?
        .into_content()
        .into_inner();
    println!("organization id: {}", organization.id);
    println!(
        "organization name: {}",
        organization.name.as_deref().unwrap_or("(none)")
    );

    // Every customer of every page: the stream asks for the next page when this one is used up.
    let customers: Vec<Customer> = client
        .customer()
        .index(&organization_id)
        .stream()
        .try_collect()
        .await
        .map_err(|e| format!("listing customers failed: {e}"))?;
    println!("customers: {}", customers.len());

    // A missing record is an answer, not a failure: John Doe is added when the lookup by your
    // own id (`customId`) answers 404.
    let customer = match client.customer().identify(&organization_id, JOHN_DOE).await {
        Ok(found) => found.into_content().into_inner(),
        Err(e) if e.status().is_some_and(|status| status == 404) => {
            let input = CustomerInput {
                custom_id: Some(JOHN_DOE.to_owned()),
                first_name: Some("John".to_owned()),
                last_name: Some("Doe".to_owned()),
                ..Default::default()
            };
            client
                .customer()
                .add(&organization_id, &input)
                .await
                .map_err(|e| format!("adding customer John Doe failed: {e}"))?
                .into_content()
                .into_inner()
        }
        Err(e) => return Err(format!("looking up customer John Doe failed: {e}")),
    };
    println!("customer id: {}", customer.id);
    Ok(())
}

/// John Doe's id in your own system, kept by bookingtime as the customer's `customId`.
const JOHN_DOE: &str = "quickstart-john-doe";

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
