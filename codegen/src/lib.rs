//! OpenAPI documents in, Rust client crates out.
