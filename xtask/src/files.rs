//! Writing generated files, or checking them against what is on disk.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// What writing or checking one crate found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Files that were (re)written, or that differ in check mode.
    pub changed: Vec<PathBuf>,
    /// Files on disk that the generator no longer produces.
    pub stale: Vec<PathBuf>,
}

/// Writes `files` under `dir` (or, when `check`, compares them), and finds leftovers.
pub fn sync(dir: &Path, files: &[codegen::GeneratedFile], check: bool) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::default();
    for file in files {
        let path = dir.join(&file.path);
        let current = std::fs::read_to_string(&path).ok();
        // Compare with normalised newlines so a checkout with CRLF endings is not "stale".
        if current.as_deref().map(|c| c.replace("\r\n", "\n")) == Some(file.contents.clone()) {
            continue;
        }
        outcome.changed.push(path.clone());
        if !check {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
            }
            std::fs::write(&path, &file.contents).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    let expected: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.path)).collect();
    for existing in list_files(dir) {
        if !expected.contains(&existing) {
            if !check {
                std::fs::remove_file(&existing).with_context(|| format!("removing {}", existing.display()))?;
            }
            outcome.stale.push(existing);
        }
    }
    Ok(outcome)
}

/// Every file below `dir`, sorted; an absent folder has none.
pub fn list_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The relative path from directory `from` to `to` (both absolute).
pub fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_then_descend() {
        assert_eq!(
            relative_path(Path::new("/w/generated/x"), Path::new("/w/runtime")),
            PathBuf::from("../../runtime")
        );
        assert_eq!(
            relative_path(Path::new("/tmp/out"), Path::new("/w/runtime")),
            PathBuf::from("../../w/runtime")
        );
    }
}
