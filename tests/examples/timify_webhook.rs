//! Receiving TIMIFY webhooks with axum: check the header and secret chosen when the webhook
//! was configured in TIMIFY's Developer Platform (TIMIFY signs nothing), then parse the body
//! into the event the URL was registered for.
//!
//! Run with `TIMIFY_WEBHOOK_SECRET=... cargo run -p workspace-tests --example timify_webhook`
//! (`TIMIFY_WEBHOOK_HEADER` defaults to `x-webhook-secret`, `LISTEN` to `127.0.0.1:3000`) and
//! register one URL per event family, e.g. `http://<this host>:3000/timify/events`. Serve it
//! over HTTPS in production: the secret travels in clear in every delivery.

use std::process::ExitCode;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::routing::post;
use axum::Router;
use client_runtime::webhook::{SharedSecretHeader, Verifier};
use timify_client::webhook_events::WebhookEvent;

/// Verifies, then parses the event named by the URL's last segment (one of
/// `WebhookEvent::EVENTS`).
async fn receive(
    State(verifier): State<Arc<SharedSecretHeader>>,
    Path(event): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if let Err(error) = verifier.verify(&headers, &body) {
        eprintln!("rejected delivery: {error}");
        return StatusCode::UNAUTHORIZED;
    }
    match WebhookEvent::parse(&event, &body) {
        Ok(WebhookEvent::Events(payload)) => {
            let fields: Vec<&String> = payload.keys().collect();
            println!("appointment delivery with fields {fields:?}");
        }
        Ok(other) => println!("{} delivery", other.event()),
        Err(error) => {
            eprintln!("unreadable delivery: {error}");
            return StatusCode::UNPROCESSABLE_ENTITY;
        }
    }
    StatusCode::OK
}

#[tokio::main]
async fn main() -> ExitCode {
    let Ok(secret) = std::env::var("TIMIFY_WEBHOOK_SECRET") else {
        eprintln!("error: set TIMIFY_WEBHOOK_SECRET to the secret configured for the webhook");
        return ExitCode::FAILURE;
    };
    let header = std::env::var("TIMIFY_WEBHOOK_HEADER").unwrap_or_else(|_| "x-webhook-secret".to_owned());
    let Ok(header) = HeaderName::try_from(header.to_ascii_lowercase()) else {
        eprintln!("error: TIMIFY_WEBHOOK_HEADER is not a valid header name");
        return ExitCode::FAILURE;
    };
    let address = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let app = Router::new()
        .route("/timify/{event}", post(receive))
        .with_state(Arc::new(SharedSecretHeader::new(header, secret)));
    let listener = match tokio::net::TcpListener::bind(&address).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot listen on {address}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{address}/timify/<event>");
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
