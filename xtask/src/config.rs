//! `specs/generators.toml`: which spec becomes which crate.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// The whole config file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// One entry per generated crate.
    #[serde(rename = "crate")]
    pub crates: Vec<CrateEntry>,
}

/// One generated crate.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CrateEntry {
    /// Package name; the crate goes to `generated/<name>/`.
    pub name: String,
    /// Spec file, relative to `specs/`.
    pub spec: PathBuf,
    /// Crate version.
    pub version: String,
    /// Folder of example files, relative to `specs/`.
    pub examples: Option<PathBuf>,
    /// Where the vendor publishes its spec.
    pub fetch_url: Option<String>,
}

/// Reads and checks the config.
pub fn load(specs_dir: &Path) -> anyhow::Result<Config> {
    let path = specs_dir.join("generators.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let config: Config = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut names: Vec<&str> = config.crates.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        anyhow::bail!("{}: crate `{}` is listed twice", path.display(), pair[0]);
    }
    Ok(config)
}
