//! Timeouts are typed errors that say which limit ran out.

use std::time::Duration;

use client_runtime::{ApiClient, ApiRequest, RetryPolicy, TimeoutKind};
use http::Method;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{builder, RecordingSleeper};

async fn slow_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_slow_answer_is_a_request_timeout() {
    let server = slow_server().await;
    let client = ApiClient::builder(server.uri())
        .request_timeout(Duration::from_millis(100))
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = client
        .send::<()>(ApiRequest::new(Method::GET, "/slow"))
        .await
        .unwrap_err();
    assert!(error.is_timeout());
    assert_eq!(error.timeout_kind(), Some(TimeoutKind::Request));
    assert!(error.to_string().contains("request timeout"), "{error}");
}

#[tokio::test]
async fn timeouts_on_every_attempt_are_a_deadline() {
    let server = slow_server().await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper)
        .request_timeout(Duration::from_millis(50))
        .retry(RetryPolicy::new().max_attempts(2))
        .build()
        .unwrap();
    let error = client
        .send::<()>(ApiRequest::new(Method::GET, "/slow"))
        .await
        .unwrap_err();
    assert_eq!(error.timeout_kind(), Some(TimeoutKind::Deadline));
    assert_eq!(sleeper.waits().len(), 1);
}

/// A loopback listener whose accept queue is full: the kernel drops further SYNs, so a
/// connection attempt hangs in connect, as it does to a host that does not answer.
fn unanswering_listener() -> (socket2::Socket, Vec<std::net::TcpStream>, std::net::SocketAddr) {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener
        .bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    listener.listen(0).unwrap();
    let address = listener.local_addr().unwrap().as_socket().unwrap();
    // Fill the queue (never accepted); a few extra in case the kernel allows more than one.
    let mut fillers = Vec::new();
    for _ in 0..4 {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        socket.set_nonblocking(true).unwrap();
        let _ = socket.connect(&address.into());
        fillers.push(std::net::TcpStream::from(socket));
    }
    (listener, fillers, address)
}

#[tokio::test]
async fn a_server_that_never_accepts_is_a_connect_timeout() {
    let (_listener, _fillers, address) = unanswering_listener();
    // Let the fillers' handshakes complete so the queue is really full.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let client = ApiClient::builder(format!("http://{address}"))
        .connect_timeout(Duration::from_millis(200))
        .request_timeout(Duration::from_secs(10))
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let error = client
        .send::<()>(ApiRequest::new(Method::GET, "/anything"))
        .await
        .unwrap_err();
    assert_eq!(error.timeout_kind(), Some(TimeoutKind::Connect), "{error:?}");
    assert!(error.is_timeout());
    // The connect limit, not the request limit, ended it.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_client_given_without_a_timeout_still_times_out() {
    let server = slow_server().await;
    // reqwest's own default client has no timeout at all: the server's stall would be ours.
    let client = ApiClient::builder(server.uri())
        .http_client(reqwest::Client::new())
        .request_timeout(Duration::from_millis(100))
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    assert_request_times_out(&client, "the call waits no longer than its request timeout").await;
}

#[tokio::test]
async fn a_given_clients_shorter_timeout_still_applies() {
    let server = slow_server().await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let client = ApiClient::builder(server.uri())
        .http_client(http)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    assert_request_times_out(&client, "the given client's 100 ms, not the default 60 s").await;
}

/// Sends `GET /slow` and asserts it ends, well within 3 s, with a request timeout.
async fn assert_request_times_out(client: &ApiClient, why: &str) {
    let sent = client.send::<()>(ApiRequest::new(Method::GET, "/slow"));
    let error = tokio::time::timeout(Duration::from_secs(3), sent)
        .await
        .expect(why)
        .unwrap_err();
    assert_eq!(error.timeout_kind(), Some(TimeoutKind::Request), "{error}");
}
