//! Memory a hostile server can make the client spend, measured with a counting allocator:
//! what the runtime builds from a body must stay near the body's own size, whatever its shape.
//!
//! Its own test binary, since the allocator counts the whole process; the tests take turns.

mod alloc;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Mutex;

use bytes::Bytes;
use client_runtime::pagination::paginate;
use client_runtime::{ApiClient, ApiRequest, Error, ErrorKind, Page, PageRequest, Pages, RawResponse, ResponseValue};
use futures::TryStreamExt;
use http::{HeaderMap, Method, StatusCode};
use serde::Deserialize;

use alloc::peak_above;

/// One measurement at a time: the allocator counts every thread.
static TURN: Mutex<()> = Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

const MIB: usize = 1024 * 1024;

#[derive(Debug, Deserialize)]
struct Record {
    #[allow(dead_code)]
    id: String,
}

#[test]
fn a_deeply_nested_member_no_type_declares_costs_no_memory_per_level() {
    let _turn = turn();
    // serde_json skips an undeclared member without a depth limit, then fails on `id`: the
    // error's path is found by scanning the text up to there, through two million levels.
    let depth = 2_000_000;
    let body = format!(r#"{{"extra":{}{},"id":1}}"#, "[".repeat(depth), "]".repeat(depth));
    let body = Bytes::from(body);
    // Two million brackets are over the default value limit; lifted, the text is decoded.
    let response =
        RawResponse::new(StatusCode::OK, HeaderMap::new(), body.clone(), [].into()).with_max_json_values(None);
    let (result, peak) = peak_above(|| response.json::<Record, ()>());
    let error = result.unwrap_err();
    let ErrorKind::Decode(decode) = error.kind() else {
        panic!("expected a decode error, got {error}");
    };
    assert_eq!(decode.path, "id");
    assert!(decode.message.contains("expected a string"), "{}", decode.message);
    assert_eq!(decode.body.len(), body.len(), "the raw body is kept whole");
    // serde_json's own skipping keeps one byte per level; nothing may keep more.
    assert!(
        peak < body.len() + MIB,
        "decoding a {} byte body peaked at {peak} bytes",
        body.len()
    );
}

#[test]
fn a_huge_error_body_is_kept_without_reading_it_as_a_json_tree() {
    let _turn = turn();
    // Two bytes a value: as `serde_json::Value`s (32 bytes each) this would be 16 times the body.
    let values = 4 * MIB;
    let mut text = String::with_capacity(values * 2 + 1);
    text.push('[');
    for _ in 0..values {
        text.push_str("0,");
    }
    text.pop();
    text.push(']');
    let body = Bytes::from(text);
    let response = RawResponse::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        HeaderMap::new(),
        body.clone(),
        [].into(),
    );
    let (error, peak) = peak_above(|| response.unexpected::<()>());
    let ErrorKind::Status(status) = error.kind() else {
        panic!("expected a status error, got {error}");
    };
    assert_eq!(status.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(status.body.len(), body.len(), "the raw body is kept whole");
    assert_eq!(status.message, None);
    assert!(
        peak < MIB,
        "an error over a {} byte body peaked at {peak} bytes",
        body.len()
    );

    // A small error body still gives its message.
    let small = RawResponse::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        HeaderMap::new(),
        Bytes::from_static(br#"{"message":"database down"}"#),
        [].into(),
    );
    let error = small.unexpected::<()>();
    assert!(error.to_string().contains("database down"), "{error}");
}

/// Pages `0..pages` of `GET /items`, each naming the next by a URL padded to `pad` bytes, on a
/// plain TCP server (the URLs are longer than wiremock's server accepts).
fn padded_url_server(pages: usize, pad: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let padding = "x".repeat(pad);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut buffer = [0u8; 16 * 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head);
            let page: usize = head
                .split_once("cursor=")
                .and_then(|(_, rest)| rest.split(['&', ' ']).next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let next = if page + 1 < pages {
                format!(r#""/items?cursor={}&pad={padding}""#, page + 1)
            } else {
                "null".to_owned()
            };
            let body = format!(r#"{{"data":[{page}],"next_page_url":{next}}}"#);
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    format!("http://{address}")
}

#[derive(Deserialize)]
struct LinkedPage {
    data: Vec<u64>,
    next_page_url: Option<String>,
}

fn first_page(_: &PageRequest) -> Result<ApiRequest, Error> {
    Ok(ApiRequest::new(Method::GET, "/items"))
}

fn decode(response: RawResponse) -> Result<ResponseValue<LinkedPage>, Error> {
    response.json()
}

fn linked(page: LinkedPage) -> Page<u64> {
    Page::new(page.data).next_url(page.next_page_url)
}

#[test]
fn a_walk_does_not_keep_the_next_page_urls_it_followed() {
    let _turn = turn();
    // `http::Uri` takes at most 64 KiB, so that is as long as a followed URL gets.
    let (pages, pad) = (200, 60 * 1024);
    let base = padded_url_server(pages, pad);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = ApiClient::builder(base).build().unwrap();
    let (items, peak) = peak_above(|| {
        runtime.block_on(async {
            paginate(&client, Pages::NextUrl, first_page, decode, linked)
                .try_collect::<Vec<u64>>()
                .await
        })
    });
    let items = items.unwrap();
    assert_eq!(items, (0..pages as u64).collect::<Vec<_>>());
    // Each page's URL is needed while it is fetched; the 12 MB of all of them are not.
    assert!(
        peak < 4 * MIB,
        "a walk over {pages} URLs of {pad} bytes peaked at {peak} bytes"
    );
}

/// A page as the generated types decode it: unknown members kept in a flattened map.
#[derive(Debug, Deserialize)]
struct OpenPage {
    #[allow(dead_code)]
    data: Option<Vec<OpenItem>>,
    #[serde(flatten)]
    #[allow(dead_code)]
    additional_properties: std::collections::BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct OpenItem {
    #[allow(dead_code)]
    name: Option<String>,
    #[serde(flatten)]
    #[allow(dead_code)]
    additional_properties: std::collections::BTreeMap<String, serde_json::Value>,
}

#[test]
fn a_body_of_tiny_values_is_refused_before_its_decode_takes_memory() {
    let _turn = turn();
    // Within the default byte limit by far, but four million values: 150 bytes each decoded.
    for (member, unit) in [("extra", "0,"), ("data", "{},")] {
        let values = 4 * MIB;
        let mut text = format!(r#"{{"{member}":["#);
        for _ in 0..values {
            text.push_str(unit);
        }
        text.pop();
        text.push_str("]}");
        let body = Bytes::from(text);
        let response = RawResponse::new(StatusCode::OK, HeaderMap::new(), body.clone(), [].into());
        let (result, peak) = peak_above(|| response.json::<OpenPage, ()>().map(|_| ()));
        let error = result.unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::TooManyJsonValues { .. }),
            "{member}: {error}"
        );
        assert!(
            peak < MIB,
            "{member}: decoding a {} byte body peaked at {peak} bytes",
            body.len()
        );
    }
}

#[test]
fn reading_a_webhooks_event_name_does_not_build_its_body() {
    let _turn = turn();
    let values = 2 * MIB;
    let mut text = String::with_capacity(values * 2 + 64);
    text.push_str(r#"{"data":["#);
    for _ in 0..values {
        text.push_str("0,");
    }
    text.pop();
    text.push_str(r#"],"type":"booking.created"}"#);
    let (name, peak) = peak_above(|| client_runtime::webhook::event_name_in_body(text.as_bytes(), "type"));
    assert_eq!(name.unwrap(), "booking.created");
    assert!(
        peak < MIB,
        "reading the name of a {} byte body peaked at {peak} bytes",
        text.len()
    );
}
