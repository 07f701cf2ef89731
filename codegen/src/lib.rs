//! OpenAPI documents in, Rust client crates out.
//!
//! The pipeline runs one way: [`parse`] reads bytes into a normalised JSON document and the
//! openapiv3 model; `ir` lowers that into plain data with every name resolved; `emit` turns
//! the IR into tokens; prettyplease formats them. Only the first two stages see openapiv3.

pub mod diagnostic;

pub use diagnostic::{Diagnostic, Location};
