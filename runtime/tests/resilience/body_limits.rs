//! Response bodies are read within a limit: an endless chunked body ends in a typed error
//! with bounded memory; large bodies can still be read piecewise or with the limit lifted.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use client_runtime::{ApiClient, ApiRequest, AuthError, Error, ErrorKind, DEFAULT_MAX_RESPONSE_BYTES};
use http::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::hits;

const MIB: u64 = 1024 * 1024;
/// The endless server gives up after this much, so even a broken client cannot make the
/// test loop for ever.
const SERVER_CAP: u64 = 1024 * MIB;

/// A loopback server answering every request with a `200` whose chunked body never ends
/// (until `SERVER_CAP`); returns its base URL and the count of bytes it managed to send.
async fn endless_server() -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let mut chunk = b"10000\r\n".to_vec();
                chunk.extend(std::iter::repeat(b' ').take(0x10000));
                chunk.extend_from_slice(b"\r\n");
                while counter.load(Ordering::SeqCst) < SERVER_CAP {
                    if socket.write_all(&chunk).await.is_err() {
                        return;
                    }
                    counter.fetch_add(0x10000, Ordering::SeqCst);
                }
            });
        }
    });
    (url, sent)
}

#[tokio::test]
async fn an_endless_body_ends_at_the_limit_with_a_typed_error() {
    let (url, sent) = endless_server().await;
    let client = ApiClient::builder(url).max_response_bytes(Some(MIB)).build().unwrap();
    let err = client
        .send::<()>(ApiRequest::new(Method::GET, "/export"))
        .await
        .unwrap_err();
    match err.kind() {
        ErrorKind::ResponseTooLarge { status, limit } => {
            assert_eq!(*status, 200);
            assert_eq!(*limit, MIB);
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    assert!(err.to_string().contains("1048576 bytes"), "{err}");
    // The client stopped reading long before the server's own cap.
    assert!(sent.load(Ordering::SeqCst) < SERVER_CAP);
}

#[tokio::test]
async fn an_endless_body_can_be_read_piecewise_past_the_limit() {
    let (url, _) = endless_server().await;
    let client = ApiClient::builder(url).max_response_bytes(Some(MIB)).build().unwrap();
    let mut response = client
        .send_streaming::<()>(ApiRequest::new(Method::GET, "/export"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut read = 0u64;
    while read < 4 * MIB {
        let chunk = response.chunk().await.unwrap().expect("the body goes on");
        read += chunk.len() as u64;
    }
}

fn body_of(bytes: u64) -> String {
    " ".repeat(bytes as usize)
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_string(body_of(2 * MIB)))
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri())
        .max_response_bytes(Some(MIB))
        .build()
        .unwrap();
    let err = client
        .send::<()>(ApiRequest::new(Method::GET, "/items"))
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::ResponseTooLarge { status, limit } if *status == 503 && *limit == MIB),
        "{err:?}"
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(hits(&server, "/items").await, 1);
}

#[tokio::test]
async fn the_limit_is_32_mib_by_default_and_can_be_lifted_for_one_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(body_of(2 * MIB)))
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    assert_eq!(client.max_response_bytes(), Some(DEFAULT_MAX_RESPONSE_BYTES));
    assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 32 * MIB);
    let request = || ApiRequest::new(Method::GET, "/items");
    assert_eq!(client.send::<()>(request()).await.unwrap().body().len() as u64, 2 * MIB);

    let small = client.with_max_response_bytes(Some(MIB));
    assert!(matches!(
        small.send::<()>(request()).await.map_err(Error::into_kind),
        Err(ErrorKind::ResponseTooLarge { .. })
    ));
    let unlimited = small.with_max_response_bytes(None);
    assert_eq!(
        unlimited.send::<()>(request()).await.unwrap().body().len() as u64,
        2 * MIB
    );
    // The original client keeps its own limit.
    assert_eq!(client.max_response_bytes(), Some(DEFAULT_MAX_RESPONSE_BYTES));
}

#[tokio::test]
async fn a_huge_token_answer_is_a_bad_token_response() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string(body_of(2 * MIB)))
        .mount(&server)
        .await;
    let auth = client_runtime::auth::timify::AppToken::new(server.uri(), "app", "secret");
    let client = ApiClient::builder(server.uri()).auth(auth).build().unwrap();
    let err = client
        .send::<()>(ApiRequest::new(Method::GET, "/items"))
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Auth(AuthError::BadTokenResponse(m)) if m.contains("1048576 bytes")),
        "{err:?}"
    );
}

/// `{"data":[0,0,...]}` with `values` zeros: two bytes a value.
fn zeros(values: usize) -> String {
    let mut text = String::with_capacity(values * 2 + 16);
    text.push_str(r#"{"data":["#);
    for _ in 0..values {
        text.push_str("0,");
    }
    text.pop();
    text.push_str("]}");
    text
}

#[derive(Debug, serde::Deserialize)]
struct Export {
    data: Vec<u8>,
}

#[tokio::test]
async fn a_body_of_more_json_values_than_the_limit_is_not_decoded() {
    let server = MockServer::start().await;
    let body = zeros(1_100_000);
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    // 2.2 MB is well within the byte limit; its million values are not.
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let response = client
        .send::<()>(ApiRequest::new(Method::GET, "/export"))
        .await
        .unwrap();
    let err = response.json::<Export, ()>().unwrap_err();
    match err.kind() {
        ErrorKind::TooManyJsonValues { status, limit } => {
            assert_eq!(*status, 200);
            assert_eq!(*limit, client_runtime::DEFAULT_MAX_JSON_VALUES);
        }
        other => panic!("expected TooManyJsonValues, got {other:?}"),
    }
    assert!(err.to_string().contains("max_json_values"), "{err}");

    // Lifted for one call, the same body decodes.
    let response = client
        .with_max_json_values(None)
        .send::<()>(ApiRequest::new(Method::GET, "/export"))
        .await
        .unwrap();
    assert_eq!(response.json::<Export, ()>().unwrap().data.len(), 1_100_000);
    // A client's own limit applies to every call it makes.
    let strict = ApiClient::builder(server.uri())
        .max_json_values(Some(10))
        .build()
        .unwrap();
    let response = strict
        .send::<()>(ApiRequest::new(Method::GET, "/export"))
        .await
        .unwrap();
    assert!(matches!(
        response.json::<Export, ()>().unwrap_err().kind(),
        ErrorKind::TooManyJsonValues { limit: 10, .. }
    ));
}
