//! The generated call surface, end to end against a mock bookingtime App API: a short method
//! with the record's address as positional arguments, named setters for everything else,
//! `.send().await` and plain `.await` alike, a required setter left unset as a typed error
//! before anything is sent, and the per-call overrides (timeout, retries off).

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bookingtime_client::Client;
use client_runtime::auth::RawAuthorization;
use client_runtime::{Sleeper, TimeoutKind};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::{fixture_json, seen_lines};

const ORG: &str = "f6123456789101112131415aBCdeFgH";

/// A sleeper that returns at once and counts the waits, so retry tests never wait.
#[derive(Debug, Clone, Default)]
struct CountingSleeper(Arc<AtomicUsize>);

impl Sleeper for CountingSleeper {
    fn sleep(&self, _: Duration) -> Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {})
    }
}

fn client(server: &MockServer, sleeper: &CountingSleeper) -> Client {
    let sleeper = Arc::new(sleeper.clone());
    Client::builder()
        .base_url(format!("{}/en", server.uri()))
        .auth(RawAuthorization::bearer("token"))
        .configure(move |api| api.sleeper(sleeper))
        .build()
        .unwrap()
}

#[tokio::test]
async fn setters_fill_the_request_and_send_and_await_send_the_same() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/en/organization/{ORG}/customer/filter/2")))
        .and(query_param("searchQuery", "Doe"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/customer-index-page-1.json")))
        .mount(&server)
        .await;
    let client = client(&server, &CountingSleeper::default());

    let call = client.customer().filter(ORG).page(2).search_query("Doe");
    let sent = call.clone().send().await.unwrap();
    let awaited = call.await.unwrap();

    for page in [sent.into_inner(), awaited.into_inner()] {
        let names: Vec<String> = page
            .content
            .record_list
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.last_name.unwrap_or_default())
            .collect();
        assert_eq!(names, ["Doe", "Roe"]);
    }
    let line = format!("GET /en/organization/{ORG}/customer/filter/2?searchQuery=Doe");
    assert_eq!(seen_lines(&server).await, [line.clone(), line]);
}

#[tokio::test]
async fn a_required_setter_left_unset_is_a_typed_error_naming_it_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let client = client(&server, &CountingSleeper::default());

    let error = client
        .statistic()
        .index_day(ORG)
        .year(2026)
        .month(12)
        .page(1)
        .await
        .unwrap_err();

    let client_runtime::ErrorKind::InvalidRequest(message) = error.kind() else {
        panic!("expected InvalidRequest, got {error:?}");
    };
    assert_eq!(message, "the required parameter `day` was not set");
    assert!(seen_lines(&server).await.is_empty());
}

#[tokio::test]
async fn a_call_timeout_overrides_the_clients_and_retries_can_be_turned_off() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/en/organization/{ORG}/customer/filter/1")))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let sleeper = CountingSleeper::default();
    let client = client(&server, &sleeper);

    let error = client
        .customer()
        .filter(ORG)
        .page(1)
        .search_query("Doe")
        .timeout(Duration::from_millis(100))
        .without_retries()
        .await
        .unwrap_err();

    // One attempt that ran out of its own time: a request timeout, not a retry deadline.
    assert_eq!(error.timeout_kind(), Some(TimeoutKind::Request), "{error}");
    assert_eq!(seen_lines(&server).await.len(), 1);
    assert_eq!(sleeper.0.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn without_retries_a_503_comes_back_at_once_and_with_them_it_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/en/organization/{ORG}/customer/{}/show", "c1")))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let sleeper = CountingSleeper::default();
    let client = client(&server, &sleeper);

    let once = client.customer().show(ORG, "c1").without_retries().await.unwrap_err();
    assert_eq!(once.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(seen_lines(&server).await.len(), 1);
    assert_eq!(sleeper.0.load(Ordering::SeqCst), 0);

    let retried = client.customer().show(ORG, "c1").await.unwrap_err();
    assert_eq!(retried.status().map(|s| s.as_u16()), Some(503));
    // The default policy: four attempts, three waits.
    assert_eq!(seen_lines(&server).await.len(), 5);
    assert_eq!(sleeper.0.load(Ordering::SeqCst), 3);
}
