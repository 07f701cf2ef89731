//! Quickstart: list the first page of Timekit bookings.
//!
//! Configuration (environment variables):
//! - `TIMEKIT_BASE_URL` (default `https://api.timekit.io/v2`)
//! - either `TIMEKIT_API_KEY`: the app's API key (sent as Basic `:key`),
//! - or `TIMEKIT_EMAIL`, `TIMEKIT_PERSONAL_KEY` and `TIMEKIT_APP` (the app slug): the app
//!   token is then fetched once from `GET /app?include=app_token`.
//! - `REDIS_URL` (optional, needs the `redis` feature): share tokens and the rate budget with
//!   other processes through this Redis
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
        Some(key) => client_with(base_url, client_runtime::auth::timekit::AppKey::new(key)).await?,
        None => {
            let hint = " (or set TIMEKIT_API_KEY)";
            let email = required("TIMEKIT_EMAIL").map_err(|e| e + hint)?;
            let personal_key = required("TIMEKIT_PERSONAL_KEY").map_err(|e| e + hint)?;
            let app = required("TIMEKIT_APP").map_err(|e| e + hint)?;
            let auth =
                client_runtime::auth::timekit::AppTokenBootstrap::new(base_url.clone(), email, personal_key, app);
            client_with(base_url, auth).await?
        }
    };

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

/// The client over `base_url` with `auth`; when `REDIS_URL` is set, its tokens and rate budget
/// are shared through that Redis with every other process that runs this (see the README's
/// "Running several replicas").
async fn client_with(
    base_url: String,
    auth: impl client_runtime::auth::Authenticator + 'static,
) -> Result<Client, String> {
    let mut builder = Client::builder(base_url);
    if let Some(redis_url) = std::env::var("REDIS_URL").ok().filter(|v| !v.trim().is_empty()) {
        builder = shared_through(builder, &redis_url).await?;
    }
    builder
        .auth(auth)
        .build()
        .map(Client::from_api_client)
        .map_err(|e| format!("cannot set up the client: {e}"))
}

#[cfg(feature = "redis")]
async fn shared_through(builder: timekit_client::ApiClientBuilder, redis_url: &str) -> Result<timekit_client::ApiClientBuilder, String> {
    let redis = timekit_client::shared::RedisShared::connect(redis_url)
        .await
        .map_err(|e| format!("REDIS_URL: {e}"))?;
    Ok(builder.redis(&redis))
}

#[cfg(not(feature = "redis"))]
async fn shared_through(_: timekit_client::ApiClientBuilder, _: &str) -> Result<timekit_client::ApiClientBuilder, String> {
    Err("REDIS_URL is set, but this example was built without the `redis` feature \
         (cargo run --features redis --example quickstart)"
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
