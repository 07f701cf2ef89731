//! Receiving Timekit webhooks with axum: check `x-timekit-signature` (hex HMAC-SHA256 of the
//! raw body, keyed with the app's `webhook_secret`), then parse the booking it carries.
//!
//! Run with `TIMEKIT_WEBHOOK_SECRET=... cargo run -p workspace-tests --example timekit_webhook`
//! and register `http://<this host>:3000/timekit` as the webhook URL (`LISTEN` changes the
//! address). The handler needs the raw body: take `Bytes`, not `Json`, or the signature
//! cannot be checked.

use std::process::ExitCode;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use client_runtime::webhook::{HmacSha256Hex, Verifier};
use timekit_client::webhook_events::WebhookEvent;

/// Verifies, then parses; answers 401 for a bad signature and 422 for an unreadable body so
/// Timekit's delivery log shows which it was.
async fn receive(State(verifier): State<Arc<HmacSha256Hex>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if let Err(error) = verifier.verify(&headers, &body) {
        eprintln!("rejected delivery: {error}");
        return StatusCode::UNAUTHORIZED;
    }
    // Timekit names no event in a header; every payload carries its booking graph.
    match WebhookEvent::from_body(&body) {
        Ok(WebhookEvent::InstantBooking(booking)) => {
            println!("instant booking {} is now {}", booking.id, booking.state);
        }
        Ok(WebhookEvent::ConfirmDeclineBooking(booking)) => {
            println!("booking {} awaiting confirmation is now {}", booking.id, booking.state);
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
    let Ok(secret) = std::env::var("TIMEKIT_WEBHOOK_SECRET") else {
        eprintln!("error: set TIMEKIT_WEBHOOK_SECRET to the app's webhook_secret");
        return ExitCode::FAILURE;
    };
    let address = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let app = Router::new()
        .route("/timekit", post(receive))
        .with_state(Arc::new(HmacSha256Hex::timekit(secret)));
    let listener = match tokio::net::TcpListener::bind(&address).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot listen on {address}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{address}/timekit");
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
