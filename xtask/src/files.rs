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
///
/// A crate is never left half-written: when anything changed, the whole file set is written
/// to a staging folder beside `dir` and swapped in only once complete, so a failure (a full
/// disk, a file name the file system refuses) leaves the previous crate as it was.
pub fn sync(dir: &Path, files: &[codegen::GeneratedFile], check: bool) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::default();
    for file in files {
        let path = dir.join(&file.path);
        let current = std::fs::read_to_string(&path).ok();
        // Compare with normalised newlines so a checkout with CRLF endings is not "stale".
        if current.as_deref().map(|c| c.replace("\r\n", "\n")) != Some(file.contents.clone()) {
            outcome.changed.push(path);
        }
    }
    let expected: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.path)).collect();
    outcome.stale = list_files(dir)
        .into_iter()
        .filter(|existing| !expected.contains(existing))
        .collect();
    let unchanged = outcome.changed.is_empty() && outcome.stale.is_empty();
    if !check && !unchanged {
        replace_dir(dir, files)?;
    }
    Ok(outcome)
}

/// Replaces `dir` with a folder holding exactly `files`, written completely before the swap.
fn replace_dir(dir: &Path, files: &[codegen::GeneratedFile]) -> anyhow::Result<()> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let written = write_all(&staging, files);
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
        return written;
    }
    if dir.exists() {
        let _ = std::fs::remove_dir_all(&old);
        if let Err(e) = std::fs::rename(dir, &old) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e).with_context(|| format!("moving {} aside", dir.display()));
        }
    }
    if let Err(e) = std::fs::rename(&staging, dir) {
        // Put the previous crate back.
        let _ = std::fs::rename(&old, dir);
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e).with_context(|| format!("moving the new crate into {}", dir.display()));
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
    }
    Ok(())
}

/// Writes every file under `dir`.
fn write_all(dir: &Path, files: &[codegen::GeneratedFile]) -> anyhow::Result<()> {
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, &file.contents).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
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

    fn file(path: &str, contents: &str) -> codegen::GeneratedFile {
        codegen::GeneratedFile {
            path: path.to_owned(),
            contents: contents.to_owned(),
        }
    }

    #[test]
    fn a_failed_write_leaves_the_previous_crate_untouched() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("xtask-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = [file("Cargo.toml", "one"), file("src/lib.rs", "one")];
        sync(&dir, &first, false)?;
        // A file name no file system takes (far over 255 bytes) fails the write midway.
        let long = format!("src/{}.rs", "x".repeat(300));
        let second = [file("Cargo.toml", "two"), file(&long, "two"), file("src/lib.rs", "two")];
        assert!(sync(&dir, &second, false).is_err());
        assert_eq!(std::fs::read_to_string(dir.join("Cargo.toml"))?, "one");
        assert_eq!(std::fs::read_to_string(dir.join("src/lib.rs"))?, "one");
        assert_eq!(list_files(&dir).len(), 2);
        // A successful write replaces the set, leftovers included, and leaves no staging folder.
        let third = [file("Cargo.toml", "three")];
        let outcome = sync(&dir, &third, false)?;
        assert_eq!(outcome.stale, [dir.join("src/lib.rs")]);
        assert_eq!(list_files(&dir), [dir.join("Cargo.toml")]);
        let parent = dir.parent().unwrap_or(Path::new("."));
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let leftovers: Vec<PathBuf> = std::fs::read_dir(parent)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().contains(&format!(".{name}.")))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

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
