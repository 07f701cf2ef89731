//! Maintainers' commands: `cargo xtask generate` (and `--check`), `fetch-spec`, `corpus`, `bench`,
//! `conformance`.
//!
//! Thin by design: each subcommand is a module that reads arguments and files and calls the
//! codegen library.

mod bench;
mod config;
mod conformance;
mod corpus;
mod fetch_spec;
mod files;
mod generate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Generation allocates and frees millions of small token trees; glibc's allocator took about a
/// third of generation time in profiles, mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Maintainers' commands for the generated API clients.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate every crate under generated/ from specs/generators.toml, or one crate from --spec.
    Generate(generate::Args),
    /// Download a vendor's published spec (its `fetch-url`, or --url) and replace the spec file.
    FetchSpec(fetch_spec::Args),
    /// Generate and `cargo check` a crate for every spec in a folder; one result row per spec.
    Corpus(corpus::Args),
    /// Time generation against parsing and other generators (build xtask with --release).
    Bench(bench::Args),
    /// Check every example of a spec (or a folder of specs) against its generated type: valid
    /// per a JSON Schema validator, decodes, re-encodes to the same JSON.
    Conformance(corpus::ConformanceArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate(args) => generate::run(&args),
        Command::FetchSpec(args) => fetch_spec::run(&args),
        Command::Corpus(args) => corpus::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Conformance(args) => corpus::run_conformance(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of xtask/).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
