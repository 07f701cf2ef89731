//! OpenAPI documents in, Rust client crates out.
//!
//! The pipeline runs one way: [`parse`] reads bytes into a normalised JSON document and the
//! openapiv3 model; [`ir`] lowers that into plain data with every name resolved; [`emit`]
//! turns the IR into tokens, which syn checks and prettyplease formats. Only `parse` and
//! `ir` see openapiv3. [`generate()`] runs the stages after parsing.

mod bundle;
pub mod diagnostic;
pub mod emit;
mod generate;
pub mod ir;
pub mod naming;
mod normalise;
pub mod parse;
mod source;

pub use diagnostic::{Diagnostic, Location};
pub use emit::GeneratedFile;
pub use generate::{generate, CrateSettings, GeneratedCrate, TypePlace};
