//! Resilience against local mock servers: retries, rate limits, timeouts, pagination.

mod body_limits;
mod common;
mod hostile_values;
mod misbehaving_server;
mod pagination;
mod rate_limits;
mod retries;
mod soak;
mod timeouts;
mod tracing_events;
