//! Helpers shared by the workspace-level tests: fixtures, request logs of the mock servers,
//! and building and running the generated crates' `quickstart` examples.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock, PoisonError};

/// The workspace root (the parent of tests/).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// The text of `tests/data/<relative>`; panics (this is test code) when it is missing.
pub fn fixture(relative: &str) -> String {
    let path = workspace_root().join("tests/data").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading fixture {}: {e}", path.display()))
}

/// `tests/data/<relative>` parsed as JSON.
pub fn fixture_json(relative: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(relative)).unwrap_or_else(|e| panic!("fixture {relative} is not JSON: {e}"))
}

/// The path of package `package`'s quickstart example (`<vendor>_quickstart`), built once per test process with the
/// same cargo and target dir as the tests (a build lock held by another build just waits).
pub fn quickstart_binary(package: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    // Holding the lock while building keeps two tests of one file from building twice.
    let mut built = built.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(path) = built.get(package) {
        return path.clone();
    }
    let example = format!("{}_quickstart", package.trim_end_matches("-client").replace('-', "_"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "build",
            "--quiet",
            "-p",
            package,
            "--example",
            &example,
            "--message-format=json",
        ])
        .output()
        .expect("running cargo build");
    assert!(
        output.status.success(),
        "building {package}'s quickstart failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The executable path is unique per package (examples of several crates share a name).
    let stdout = String::from_utf8_lossy(&output.stdout);
    let path = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == example.as_str())
        .filter(|msg| {
            msg["package_id"].as_str().is_some_and(|id| {
                id.contains(&format!("/{package}"))
                    || id.contains(&format!("{package}@"))
                    || id.starts_with(&format!("{package} "))
            })
        })
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo did not report the quickstart executable of {package}"));
    built.insert(package.to_owned(), path.clone());
    path
}

/// Runs `binary` with exactly the environment variables `env` (plus `PATH`), so settings of
/// the machine running the tests cannot leak in.
pub fn run_with_env(binary: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(binary);
    command.env_clear();
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("running the quickstart example")
}

/// Asserts a failed run: non-zero exit, exactly one line on stderr that starts with
/// `error: ` and contains `expected`, and nothing that looks like a panic.
pub fn assert_one_line_failure(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "expected a failure, got success; stderr: {stderr}"
    );
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "panic output: {stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "panic output: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr, got: {stderr:?}");
    assert!(lines[0].starts_with("error: "), "stderr: {stderr}");
    assert!(lines[0].contains(expected), "stderr {stderr:?} lacks {expected:?}");
}

/// `METHOD path?query` of a request, the form the tests compare request logs in.
pub fn request_line(method: &str, url: &str) -> String {
    // Drop scheme and authority: the mock server's port changes from run to run.
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    format!("{method} {path}")
}

/// One request as a mock server saw it, in the parts the tests assert on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `METHOD /path?query`.
    pub line: String,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body as text.
    pub body: String,
}

/// Every request `server` received, in order.
pub async fn seen(server: &wiremock::MockServer) -> Vec<Seen> {
    let header = |request: &wiremock::Request, name: &str| {
        request
            .headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|request| Seen {
            line: request_line(request.method.as_str(), request.url.as_str()),
            authorization: header(request, "authorization"),
            content_type: header(request, "content-type"),
            body: String::from_utf8_lossy(&request.body).into_owned(),
        })
        .collect()
}

/// The `line`s of [`seen`] requests.
pub async fn seen_lines(server: &wiremock::MockServer) -> Vec<String> {
    seen(server).await.into_iter().map(|s| s.line).collect()
}

/// The `Authorization` value `Basic base64(user:password)`, computed here without a
/// dependency so the runtime's own encoding is not what the tests compare against.
pub fn basic_auth(user: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}
