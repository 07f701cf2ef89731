//! `cargo xtask fetch-spec` against a tiny local HTTP server, on a temporary copy of a specs
//! folder: a good download replaces the spec; an error status, an unreachable server and a
//! document that is not OpenAPI each leave the old file byte-identical and exit non-zero.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread::JoinHandle;

const OLD_SPEC: &str = "openapi: 3.0.3\ninfo:\n  title: Demo\n  version: '1'\npaths: {}\n";
const NEW_SPEC: &str = r#"{"openapi":"3.0.3","info":{"title":"Demo","version":"2"},"paths":{"/things":{"get":{"operationId":"listThings","responses":{"200":{"description":"ok"}}}}}}"#;

/// A specs folder in the system temp dir with one crate whose spec is `demo.yaml`.
fn specs_dir(test: &str, fetch_url: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-fetch-spec-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("generators.toml"),
        format!(
            "[[crate]]\nname = \"demo-client\"\nspec = \"demo.yaml\"\nversion = \"0.1.0\"\nfetch-url = \"{fetch_url}\"\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("demo.yaml"), OLD_SPEC).unwrap();
    dir
}

/// Serves one HTTP response on a free loopback port; the thread returns the request's head.
fn serve_once(status: &str, body: &str) -> (u16, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if stream.read(&mut byte).unwrap() == 0 {
                break;
            }
            head.push(byte[0]);
        }
        stream.write_all(response.as_bytes()).unwrap();
        String::from_utf8_lossy(&head).into_owned()
    });
    (port, handle)
}

fn fetch(specs: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("fetch-spec")
        .arg("demo-client")
        .arg("--specs")
        .arg(specs)
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Non-zero exit, the old spec untouched, no temporary file left, `expected` in the message.
fn assert_failed_and_untouched(output: &Output, specs: &Path, expected: &str) {
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(output));
    let message = stderr(output);
    assert!(message.starts_with("error: "), "stderr: {message}");
    assert!(message.contains(expected), "stderr {message:?} lacks {expected:?}");
    assert!(!message.contains("panicked"), "stderr: {message}");
    assert_eq!(std::fs::read(specs.join("demo.yaml")).unwrap(), OLD_SPEC.as_bytes());
    let mut names: Vec<String> = std::fs::read_dir(specs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["demo.yaml", "generators.toml"]);
    std::fs::remove_dir_all(specs).unwrap();
}

#[test]
fn a_good_download_from_the_configured_url_replaces_the_spec() {
    let (port, server) = serve_once("200 OK", NEW_SPEC);
    let specs = specs_dir("good", &format!("http://127.0.0.1:{port}/api/v1/openapi.json"));

    let output = fetch(&specs, &[]);

    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let head = server.join().unwrap();
    assert!(
        head.starts_with("GET /api/v1/openapi.json HTTP/1.1\r\n"),
        "request: {head}"
    );
    assert_eq!(std::fs::read_to_string(specs.join("demo.yaml")).unwrap(), NEW_SPEC);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("demo-client: wrote"), "stdout: {stdout}");
    std::fs::remove_dir_all(&specs).unwrap();
}

#[test]
fn url_overrides_the_configured_one() {
    let (port, server) = serve_once("200 OK", NEW_SPEC);
    // The configured URL points nowhere useful; --url wins.
    let specs = specs_dir("override", "http://127.0.0.1:9/never.json");

    let url = format!("http://127.0.0.1:{port}/elsewhere.json");
    let output = fetch(&specs, &["--url", &url]);

    assert!(output.status.success(), "stderr: {}", stderr(&output));
    assert!(server.join().unwrap().starts_with("GET /elsewhere.json HTTP/1.1\r\n"));
    assert_eq!(std::fs::read_to_string(specs.join("demo.yaml")).unwrap(), NEW_SPEC);
    std::fs::remove_dir_all(&specs).unwrap();
}

#[test]
fn a_server_error_leaves_the_spec_untouched() {
    let (port, server) = serve_once("500 Internal Server Error", r#"{"message":"boom"}"#);
    let url = format!("http://127.0.0.1:{port}/openapi.json");
    let specs = specs_dir("status500", &url);

    let output = fetch(&specs, &[]);

    server.join().unwrap();
    assert_failed_and_untouched(
        &output,
        &specs,
        &format!("downloading {url} failed: the server answered 500 Internal Server Error"),
    );
}

#[test]
fn an_unreachable_server_leaves_the_spec_untouched() {
    // A port that was free a moment ago: nothing listens there now.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/openapi.json");
    let specs = specs_dir("unreachable", &url);

    let output = fetch(&specs, &[]);

    assert_failed_and_untouched(&output, &specs, &format!("downloading {url} failed"));
    assert!(
        stderr(&output).to_lowercase().contains("connect"),
        "stderr: {}",
        stderr(&output)
    );
}

#[test]
fn a_document_that_is_not_openapi_leaves_the_spec_untouched() {
    let (port, server) = serve_once("200 OK", r#"{"hello":"this is not a spec"}"#);
    let url = format!("http://127.0.0.1:{port}/openapi.json");
    let specs = specs_dir("invalid", &url);

    let output = fetch(&specs, &[]);

    server.join().unwrap();
    assert_failed_and_untouched(
        &output,
        &specs,
        &format!("the document at {url} is not a usable OpenAPI description"),
    );
    assert!(stderr(&output).contains("was left unchanged"));
}

#[test]
fn an_unknown_crate_is_named_in_the_error() {
    let specs = specs_dir("unknown", "http://127.0.0.1:9/openapi.json");
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["fetch-spec", "nope-client", "--specs"])
        .arg(&specs)
        .output()
        .unwrap();
    assert_failed_and_untouched(&output, &specs, "no crate `nope-client`");
    // Not reached on failure; keeps the folder when an assertion above fails.
}
