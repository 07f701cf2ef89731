//! `cargo xtask fetch-spec NAME`: downloads a vendor's published spec (the crate entry's
//! `fetch-url` in specs/generators.toml, or `--url`) and replaces the spec file with it.
//!
//! The download must parse as an OpenAPI document (the same parser `generate` uses) before
//! anything is written. It goes to a temporary file in the spec's folder that is then renamed
//! over the spec, so a failed download, an error status or an invalid document leaves the old
//! file exactly as it was. The bytes are kept as served (a JSON document is valid YAML, so a
//! `.yaml` spec file may hold the vendor's JSON); run `cargo xtask generate` afterwards.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::config;

/// How long the whole download may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Arguments of `cargo xtask fetch-spec`.
#[derive(clap::Args)]
pub struct Args {
    /// The crate entry's `name` in generators.toml (e.g. `timeneye-client`), or its spec's file
    /// stem (e.g. `timeneye`).
    name: String,
    /// Download from this URL instead of the entry's `fetch-url`.
    #[arg(long)]
    url: Option<String>,
    /// The specs folder holding generators.toml (default: the workspace's specs/).
    #[arg(long)]
    specs: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let specs_dir = args
        .specs
        .clone()
        .unwrap_or_else(|| crate::workspace_root().join("specs"));
    let config = config::load(&specs_dir)?;
    let entry = config
        .crates
        .iter()
        .find(|c| c.name == args.name)
        .or_else(|| {
            config
                .crates
                .iter()
                .find(|c| c.spec.file_stem().is_some_and(|s| s == args.name.as_str()))
        })
        .with_context(|| {
            let names: Vec<&str> = config.crates.iter().map(|c| c.name.as_str()).collect();
            format!(
                "no crate `{}` in {} (known: {})",
                args.name,
                specs_dir.join("generators.toml").display(),
                names.join(", ")
            )
        })?;
    let url = match (&args.url, &entry.fetch_url) {
        (Some(url), _) | (None, Some(url)) => url.clone(),
        (None, None) => bail!(
            "crate `{}` has no `fetch-url` in {}; pass --url",
            entry.name,
            specs_dir.join("generators.toml").display()
        ),
    };
    let target = specs_dir.join(&entry.spec);

    let bytes = download(&url)?;
    if let Err(diagnostics) = codegen::parse::parse_bytes(&target, &bytes) {
        let first = diagnostics
            .first()
            .map_or_else(|| "no details".to_owned(), ToString::to_string);
        bail!(
            "the document at {url} is not a usable OpenAPI description ({} problem(s); first: {first}); {} was left unchanged",
            diagnostics.len(),
            target.display()
        );
    }
    replace(&target, &bytes)?;
    println!(
        "{}: wrote {} ({} bytes from {url}); now run `cargo xtask generate`",
        entry.name,
        target.display(),
        bytes.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The body of a successful GET of `url`.
fn download(url: &str) -> anyhow::Result<Vec<u8>> {
    let client = reqwest::blocking::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("xtask-fetch-spec/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("setting up HTTP")?;
    let response = client
        .get(url)
        .header("accept", "application/json, application/yaml;q=0.9, */*;q=0.5")
        .send()
        .map_err(|e| anyhow::anyhow!("downloading {url} failed: {}", root_cause(&e)))?;
    let status = response.status();
    if !status.is_success() {
        bail!("downloading {url} failed: the server answered {status}");
    }
    let bytes = response
        .bytes()
        .map_err(|e| anyhow::anyhow!("reading the download from {url} failed: {}", root_cause(&e)))?;
    Ok(bytes.to_vec())
}

/// Writes `bytes` to a temporary file beside `target` and renames it over `target`.
fn replace(target: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "spec".to_owned());
    let temp = dir.join(format!(".{file_name}.fetch-{}.tmp", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, target)
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(error).with_context(|| format!("replacing {}", target.display()));
    }
    Ok(())
}

/// The innermost error message (e.g. "Connection refused") rather than reqwest's outer one.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    let inner = current.to_string();
    let outer = error.to_string();
    if inner == outer {
        outer
    } else {
        format!("{outer}: {inner}")
    }
}
