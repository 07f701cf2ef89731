//! What `RUST_LOG=client_runtime=debug` shows: one `debug` event per request (operation,
//! method, path template, status, attempt, duration) inside the `api_request` span, which
//! names the operation; one `warn` per retry and per token refresh after a 401.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::ThreadId;

use client_runtime::ApiRequest;
use http::Method;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{builder, RecordingSleeper, RotatingToken};

/// Field values by name, as text.
#[derive(Debug, Clone, Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

/// One captured event: its level, its fields and the name and fields of its span.
#[derive(Debug, Clone)]
struct Captured {
    level: Level,
    fields: BTreeMap<String, String>,
    span: Option<(String, BTreeMap<String, String>)>,
}

impl Captured {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// A layer that keeps every event of the runtime with its span's fields and the thread it
/// happened on.
#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Vec<(ThreadId, Captured)>>>);

impl Capture {
    /// Takes the events that happened on this thread.
    fn take_this_threads(&self) -> Vec<Captured> {
        let this = std::thread::current().id();
        let mut all = self.0.lock().unwrap();
        let (mine, others): (Vec<_>, Vec<_>) = all.drain(..).partition(|(thread, _)| *thread == this);
        *all = others;
        mine.into_iter().map(|(_, event)| event).collect()
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<Fields>() {
                values.record(fields);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let span = ctx.event_span(event).map(|span| {
            let fields = span.extensions().get::<Fields>().cloned().unwrap_or_default();
            (span.name().to_owned(), fields.0)
        });
        // Only the runtime's own events: reqwest and hyper trace connections at debug too.
        if !event.metadata().target().starts_with("client_runtime") {
            return;
        }
        let captured = Captured {
            level: *event.metadata().level(),
            fields: fields.0,
            span,
        };
        self.0.lock().unwrap().push((std::thread::current().id(), captured));
    }
}

/// The capturing subscriber, installed once as the global default: a thread-local default
/// (`set_default`) misses events when another test thread registered the same call site
/// first, so events are told apart by thread instead (each test's runtime is single-threaded).
fn installed() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let subscriber = tracing_subscriber::registry().with(capture.clone());
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber of this test binary");
        capture
    })
}

/// Runs `work` and returns the runtime's events it caused on this thread.
async fn capture<F: std::future::Future<Output = ()>>(work: F) -> Vec<Captured> {
    let capture = installed();
    capture.take_this_threads();
    work.await;
    capture.take_this_threads()
}

fn item_show() -> ApiRequest {
    ApiRequest::new(Method::GET, "/items/{itemId}")
        .operation("itemShow")
        .path_param("itemId", "secret-id-7")
}

#[tokio::test]
async fn each_request_is_one_debug_event_and_each_retry_or_refresh_one_warning() {
    let server = MockServer::start().await;
    // token-0 is rejected; with token-1 the server is busy once, then answers.
    Mock::given(method("GET"))
        .and(header("authorization", "token-0"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/items/secret-id-7"))
        .and(header("authorization", "token-1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/items/secret-id-7"))
        .and(header("authorization", "token-1"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper)
        .auth(RotatingToken::default())
        .build()
        .unwrap();

    let events = capture(async {
        let response = client.send::<()>(item_show()).await.unwrap();
        assert_eq!(response.status(), 200);
    })
    .await;

    let requests: Vec<&Captured> = events.iter().filter(|e| e.level == Level::DEBUG).collect();
    let statuses: Vec<(Option<&str>, Option<&str>)> = requests
        .iter()
        .map(|e| (e.field("status"), e.field("attempt")))
        .collect();
    assert_eq!(
        statuses,
        [
            (Some("401"), Some("1")),
            (Some("503"), Some("2")),
            (Some("200"), Some("3"))
        ],
        "{events:#?}"
    );
    for event in &requests {
        assert_eq!(event.field("message"), Some("response received"));
        assert_eq!(event.field("operation"), Some("itemShow"));
        assert_eq!(event.field("method"), Some("GET"));
        assert_eq!(event.field("path"), Some("/items/{itemId}"));
        assert!(
            event.field("duration_ms").is_some_and(|ms| ms.parse::<u64>().is_ok()),
            "{event:?}"
        );
        let (span, fields) = event.span.as_ref().expect("inside a span");
        assert_eq!(span, "api_request");
        assert_eq!(fields.get("operation").map(String::as_str), Some("itemShow"));
        assert_eq!(fields.get("status"), event.fields.get("status"));
    }

    let warnings: Vec<&Captured> = events.iter().filter(|e| e.level == Level::WARN).collect();
    assert_eq!(warnings.len(), 2, "{events:#?}");
    assert!(
        warnings[0].field("message").is_some_and(|m| m.contains("refreshed")),
        "{warnings:?}"
    );
    assert_eq!(warnings[0].field("attempt"), Some("1"));
    assert_eq!(
        warnings[1].field("message"),
        Some("retrying after status 503 Service Unavailable")
    );
    assert_eq!(warnings[1].field("status"), Some("503"));
    assert_eq!(warnings[1].field("attempt"), Some("2"));
    for warning in &warnings {
        assert_eq!(warning.field("operation"), Some("itemShow"));
        assert_eq!(warning.field("path"), Some("/items/{itemId}"));
    }
    assert_eq!(
        warnings[1].field("wait_ms"),
        Some(sleeper.waits()[0].as_millis().to_string().as_str())
    );

    // Nothing traced carries the filled-in path or a token.
    let everything = format!("{events:?}");
    assert!(
        !everything.contains("secret-id-7") && !everything.contains("token-"),
        "{everything}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_debug_event_per_attempt_and_a_warning_per_retry() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sleeper = RecordingSleeper::default();
    let client = client_runtime::ApiClient::builder(format!("http://127.0.0.1:{port}"))
        .sleeper(Arc::new(sleeper.clone()))
        .build()
        .unwrap();

    let events = capture(async {
        client.send::<()>(item_show()).await.unwrap_err();
    })
    .await;

    let failed: Vec<&Captured> = events.iter().filter(|e| e.level == Level::DEBUG).collect();
    assert_eq!(failed.len(), 4, "4 attempts by default: {events:#?}");
    for (n, event) in failed.iter().enumerate() {
        assert_eq!(event.field("message"), Some("request failed"));
        assert_eq!(event.field("attempt"), Some((n + 1).to_string().as_str()));
        assert!(
            event.field("error").is_some_and(|e| e.contains("could not connect")),
            "{event:?}"
        );
        assert_eq!(event.field("status"), None);
    }
    let retries = events.iter().filter(|e| e.level == Level::WARN).count();
    assert_eq!(retries, 3, "{events:#?}");
}
