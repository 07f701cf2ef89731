//! The types crate: a big API's data types as a crate of their own beside the client crate.
//!
//! One rustc process compiling every type and every operation of a big API holds all of it at
//! once: stripe's crate (2,012 types, 587 operations) peaked at 4.5 GB and 93 s of CPU on the
//! idle 2-core machine. With the types in their own crate (`<name>-types`, in the folder
//! `types/` of the client crate, which depends on it by path), two rustc processes share the
//! work: the types crate's type checking and serde expansion, then the client crate, which
//! cargo starts as soon as the types crate's metadata is written, while the types crate is
//! still generating code (pipelining), so on two cores they overlap. Measured on stripe:
//! BENCHMARKS.md, "Building big generated crates".
//!
//! The client crate re-exports the types crate as `types`, so `crate::types::X` and
//! `<crate>::types::X` name the same items either way. Its features forward to the types
//! crate's (one per tag, `unreferenced-types`, `serialize-responses`), so a one-tag build
//! still compiles only that tag's types.
//!
//! Small APIs stay one crate: below [`SPLIT_AT_TYPES`] the second crate's own fixed costs
//! (another rustc start, its metadata written and read back) are not paid back.

use crate::ir::model::Ir;

/// From this many types on, the types get a crate of their own. Measured to pay on stripe
/// (2,012 types) and openai (2,529); oxide-nexus (317) and the vendor crates (at most 263) stay
/// one crate, where one rustc process needs well under a gigabyte. Between the two the split
/// was not measured: 1,500 keeps every crate under a gigabyte-class build a single crate.
pub const SPLIT_AT_TYPES: usize = 1_500;

/// Whether the crate's types go into a types crate of their own.
pub fn enabled(ir: &Ir) -> bool {
    ir.types.len() >= SPLIT_AT_TYPES
}

/// The types crate's folder, relative to the client crate.
pub const FOLDER: &str = "types";

/// The types crate's package name, from the client crate's.
pub fn package_name(client: &str) -> String {
    format!("{client}-types")
}

/// The path to the runtime as the types crate (one folder down) writes it.
pub fn runtime_path(client_runtime_path: &str) -> String {
    if std::path::Path::new(client_runtime_path).is_absolute() {
        client_runtime_path.to_owned()
    } else {
        format!("../{client_runtime_path}")
    }
}
