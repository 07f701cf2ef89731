//! Pagination streams: numbered pages with a total, next-page URLs, laziness, deadlines, and
//! the bounds that stop a misbehaving server (URL cycles, repeated pages, the page cap).

use std::time::Duration;

use std::sync::atomic::{AtomicUsize, Ordering};

use client_runtime::pagination::paginate;
use client_runtime::pagination::DEFAULT_PAGINATION_DEADLINE;
use client_runtime::{
    ApiClient, ApiRequest, Error, ErrorKind, Page, PageRequest, Pages, PaginationError, QueryStyle, RawResponse,
    ResponseValue, TimeoutKind,
};
use futures::{StreamExt, TryStreamExt};
use http::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common::{builder, hits, RecordingSleeper};

const NUMBERED: Pages = Pages::Numbered { start: 1 };

/// `GET /items?page=N`.
fn numbered_request(page: &PageRequest) -> Result<ApiRequest, Error> {
    let number: i64 = page.number()?;
    Ok(ApiRequest::new(Method::GET, "/items").query("page", &number, QueryStyle::Form))
}

/// `GET /items?limit=2`, the first page of a next-URL walk (later pages go to their URL).
fn first_request(_: &PageRequest) -> Result<ApiRequest, Error> {
    Ok(ApiRequest::new(Method::GET, "/items").query("limit", &2, QueryStyle::Form))
}

fn decode<P: DeserializeOwned>(response: RawResponse) -> Result<ResponseValue<P>, Error> {
    response.json()
}

/// `{"data": [...], "meta": {"totalPages": N}}`, both optional.
#[derive(Deserialize)]
struct NumberedPage<T> {
    data: Option<Vec<T>>,
    meta: Option<Meta>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "totalPages")]
    total_pages: Option<i64>,
}

fn numbered<T>(page: NumberedPage<T>) -> Page<T> {
    let total = page.meta.and_then(|meta| meta.total_pages);
    Page::new(page.data.unwrap_or_default()).total_pages(total)
}

/// `{"data": [...], "next_page_url": "..."}`.
#[derive(Deserialize)]
struct LinkedPage<T> {
    data: Vec<T>,
    next_page_url: Option<String>,
}

fn linked<T>(page: LinkedPage<T>) -> Page<T> {
    Page::new(page.data).next_url(page.next_page_url)
}

/// The first page of a next-URL walk: `GET /items?limit=2`, as `first_request` sends it.
async fn mount_first_page(server: &MockServer, body: Value) {
    Mock::given(method("GET"))
        .and(path("/items"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

async fn mount_page(server: &MockServer, page: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path("/items"))
        .and(query_param("page", page))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_numbered_walk_reads_three_pages_and_stops_at_the_total() {
    let server = MockServer::start().await;
    for page in 1..=3 {
        let items = json!([page * 10, page * 10 + 1]);
        mount_page(
            &server,
            &page.to_string(),
            json!({ "data": items, "meta": { "totalPages": 3 } }),
        )
        .await;
    }
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let pages = NUMBERED;
    let items: Vec<u32> = paginate(&client, pages, numbered_request, decode, numbered::<u32>)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, [10, 11, 20, 21, 30, 31]);
    assert_eq!(hits(&server, "/items").await, 3);
}

#[tokio::test]
async fn a_walk_without_a_total_stops_at_an_empty_page_and_is_lazy() {
    let server = MockServer::start().await;
    mount_page(&server, "1", json!({ "data": [1, 2] })).await;
    mount_page(&server, "2", json!({ "data": [3] })).await;
    mount_page(&server, "3", json!({ "data": [] })).await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let pages = NUMBERED;
    let first: Vec<u32> = paginate(&client, pages, numbered_request, decode, numbered::<u32>)
        .take(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first, [1, 2]);
    assert_eq!(hits(&server, "/items").await, 1, "only the first page was needed");
    let all: Vec<u32> = paginate(&client, pages, numbered_request, decode, numbered::<u32>)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, [1, 2, 3]);
}

#[tokio::test]
async fn a_next_url_walk_follows_absolute_urls_on_the_same_server() {
    let server = MockServer::start().await;
    let uri = server.uri();
    mount_first_page(
        &server,
        json!({ "data": ["a", "b"], "next_page_url": format!("{uri}/items?page=2") }),
    )
    .await;
    mount_page(
        &server,
        "2",
        json!({ "data": ["c"], "next_page_url": format!("{uri}/items?page=3") }),
    )
    .await;
    mount_page(&server, "3", json!({ "data": ["d"], "next_page_url": null })).await;
    let client = ApiClient::builder(uri.as_str()).build().unwrap();
    let pages = Pages::NextUrl;
    let items: Vec<String> = paginate(&client, pages, first_request, decode, linked::<String>)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, ["a", "b", "c", "d"]);
    assert_eq!(hits(&server, "/items").await, 3);
}

#[tokio::test]
async fn a_next_url_on_another_server_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "data": ["a"], "next_page_url": "https://elsewhere.example/items?page=2" })),
        )
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let pages = Pages::NextUrl;
    let results: Vec<Result<String, Error>> = paginate(&client, pages, first_request, decode, linked::<String>)
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap(), "a");
    let error = results[1].as_ref().unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::InvalidRequest(m) if m.contains("elsewhere.example")),
        "{error:?}"
    );
    assert_eq!(hits(&server, "/items").await, 1);
}

#[tokio::test]
async fn a_walk_past_its_deadline_ends_with_a_deadline_error() {
    let server = MockServer::start().await;
    mount_page(&server, "1", json!({ "data": [1] })).await;
    Mock::given(method("GET"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let pages = NUMBERED;
    let results: Vec<Result<u32, Error>> = paginate(&client, pages, numbered_request, decode, numbered)
        .deadline(Duration::from_millis(300))
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert_eq!(
        results[1].as_ref().unwrap_err().timeout_kind(),
        Some(TimeoutKind::Deadline)
    );
}

#[tokio::test]
async fn an_item_of_the_wrong_shape_is_a_decode_error_naming_it_with_the_raw_body() {
    let server = MockServer::start().await;
    let sent = r#"{"data": [1, "two"], "meta": {"totalPages": 1}}"#;
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(sent, "application/json"))
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let error = paginate(&client, NUMBERED, numbered_request, decode, numbered::<u32>)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let ErrorKind::Decode(decode) = error.kind() else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(decode.path, "data[1]");
    assert_eq!(decode.body, sent.as_bytes(), "the body exactly as the server sent it");
}

/// An item whose decoding is counted, to show that each page is decoded once.
struct Counted(u32);

static DECODED: AtomicUsize = AtomicUsize::new(0);

impl<'de> Deserialize<'de> for Counted {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        DECODED.fetch_add(1, Ordering::SeqCst);
        u32::deserialize(deserializer).map(Counted)
    }
}

#[tokio::test]
async fn each_item_is_decoded_once() {
    let server = MockServer::start().await;
    mount_page(&server, "1", json!({ "data": [1, 2], "meta": { "totalPages": 2 } })).await;
    mount_page(&server, "2", json!({ "data": [3], "meta": { "totalPages": 2 } })).await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let items: Vec<Counted> = paginate(&client, NUMBERED, numbered_request, decode, numbered)
        .try_collect()
        .await
        .unwrap();
    let values: Vec<u32> = items.iter().map(|c| c.0).collect();
    assert_eq!(values, [1, 2, 3]);
    assert_eq!(DECODED.load(Ordering::SeqCst), 3, "one decode per item, no second pass");
}

#[tokio::test]
async fn a_page_read_as_json_whose_items_are_not_an_array_is_a_decode_error_with_the_raw_body() {
    let server = MockServer::start().await;
    let sent = r#"{"results": {"id": 1}}"#;
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(sent, "application/json"))
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let extract = |page: Value| Page::from_json(page, "/results", None, None);
    let error = paginate(&client, NUMBERED, numbered_request, decode, extract)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let ErrorKind::Decode(decode) = error.kind() else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(
        (decode.path.as_str(), decode.message.as_str()),
        ("/results", "is not an array")
    );
    assert_eq!(decode.body, sent.as_bytes());
}

#[tokio::test]
async fn a_next_page_keeps_the_operations_headers_and_takes_its_query_from_the_url() {
    let server = MockServer::start().await;
    let uri = server.uri();
    Mock::given(method("GET"))
        .and(path("/items"))
        .and(query_param("limit", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "data": ["a"], "next_page_url": "/items?cursor=c2" })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .and(query_param("cursor", "c2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": ["b"], "next_page_url": "" })))
        .mount(&server)
        .await;
    let client = ApiClient::builder(uri.as_str()).build().unwrap();
    let request = |_: &PageRequest| {
        Ok(ApiRequest::new(Method::GET, "/items")
            .query("limit", &2, QueryStyle::Form)
            .header("company-id", "c-1"))
    };
    let items: Vec<String> = paginate(&client, Pages::NextUrl, request, decode, linked)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, ["a", "b"]);
    let received = server.received_requests().await.unwrap();
    let seen: Vec<(String, Option<&str>)> = received
        .iter()
        .map(|r| {
            let line = format!("{}?{}", r.url.path(), r.url.query().unwrap_or_default());
            (line, r.headers.get("company-id").and_then(|v| v.to_str().ok()))
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("/items?limit=2".to_owned(), Some("c-1")),
            ("/items?cursor=c2".to_owned(), Some("c-1")),
        ],
        "a relative next URL is resolved against the base; its own query replaces the operation's"
    );
}

#[tokio::test]
async fn an_absolute_url_on_another_server_is_refused_before_sending() {
    let server = MockServer::start().await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    assert!(matches!(
        client.same_server_url::<()>("https://elsewhere.example/items"),
        Err(e) if matches!(e.kind(), ErrorKind::InvalidRequest(m) if m.contains("elsewhere.example"))
    ));
    let elsewhere = url::Url::parse("http://elsewhere.example/items").unwrap();
    let request = ApiRequest::new(Method::GET, "/items").absolute_url(elsewhere);
    let error = client.send::<()>(request).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::InvalidRequest(m) if m.contains("elsewhere.example")),
        "{error:?}"
    );
    let same = client.same_server_url::<()>("/items?page=2").unwrap();
    assert_eq!(same.as_str(), format!("{}/items?page=2", server.uri()));
    assert_eq!(hits(&server, "/items").await, 0);
}

#[tokio::test]
async fn a_next_url_that_points_to_itself_ends_with_a_cycle_error() {
    let server = MockServer::start().await;
    let uri = server.uri();
    mount_first_page(
        &server,
        json!({ "data": ["a", "b"], "next_page_url": format!("{uri}/items?page=2") }),
    )
    .await;
    // Page 2 names itself as the next page, forever.
    mount_page(
        &server,
        "2",
        json!({ "data": ["c"], "next_page_url": format!("{uri}/items?page=2") }),
    )
    .await;
    let client = ApiClient::builder(uri.as_str()).build().unwrap();
    let pages = Pages::NextUrl;
    let results: Vec<Result<String, Error>> = paginate(&client, pages, first_request, decode, linked::<String>)
        .collect()
        .await;
    let items: Vec<&str> = results.iter().filter_map(|r| r.as_deref().ok()).collect();
    assert_eq!(items, ["a", "b", "c"]);
    assert_eq!(results.len(), 4, "the items, then one error, then the end");
    assert!(
        matches!(
            results[3].as_ref().unwrap_err().kind(),
            ErrorKind::Pagination(PaginationError::Cycle { path }) if path == "/items"
        ),
        "{:?}",
        results[3]
    );
    assert_eq!(
        hits(&server, "/items").await,
        2,
        "the repeated URL is not fetched again"
    );
}

#[tokio::test]
async fn a_next_url_back_to_the_first_page_ends_with_a_cycle_error_without_fetching_it_again() {
    let server = MockServer::start().await;
    let uri = server.uri();
    mount_first_page(
        &server,
        json!({ "data": ["a", "b"], "next_page_url": format!("{uri}/items?page=2") }),
    )
    .await;
    // Page 2 links back to the first page, whose URL the walk built itself.
    mount_page(
        &server,
        "2",
        json!({ "data": ["c"], "next_page_url": format!("{uri}/items?limit=2") }),
    )
    .await;
    let client = ApiClient::builder(uri.as_str()).build().unwrap();
    let results: Vec<Result<String, Error>> =
        paginate(&client, Pages::NextUrl, first_request, decode, linked::<String>)
            .collect()
            .await;
    let items: Vec<&str> = results.iter().filter_map(|r| r.as_deref().ok()).collect();
    assert_eq!(items, ["a", "b", "c"], "no item twice");
    assert!(
        matches!(
            results.last().unwrap().as_ref().unwrap_err().kind(),
            ErrorKind::Pagination(PaginationError::Cycle { path }) if path == "/items"
        ),
        "{:?}",
        results.last()
    );
    assert_eq!(hits(&server, "/items").await, 2, "the first page is not fetched again");
}

#[tokio::test]
async fn a_relative_next_url_is_read_against_the_page_that_names_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/items"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": ["a"], "next_page_url": "?cursor=2" })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/items"))
        .and(query_param("cursor", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": ["b"], "next_page_url": null })))
        .mount(&server)
        .await;
    // The base URL has a path of its own: against it, `?cursor=2` would be `/v1?cursor=2`.
    let client = ApiClient::builder(format!("{}/v1", server.uri())).build().unwrap();
    let items: Vec<String> = paginate(&client, Pages::NextUrl, first_request, decode, linked::<String>)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, ["a", "b"]);
}

#[tokio::test]
async fn numbered_pages_stop_when_the_server_repeats_the_previous_page() {
    let server = MockServer::start().await;
    // No total, and every page number gets the same non-empty page.
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [1, 2] })))
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let pages = NUMBERED;
    let items: Vec<u32> = paginate(&client, pages, numbered_request, decode, numbered::<u32>)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, [1, 2], "the repeated page's items are not yielded again");
    assert_eq!(hits(&server, "/items").await, 2);
}

/// Answers `?page=N` with a page holding the one item `N`, for every N: a listing without end.
struct EndlessPages;

impl Respond for EndlessPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: u64 = request
            .url
            .query_pairs()
            .find(|(name, _)| name == "page")
            .and_then(|(_, value)| value.parse().ok())
            .unwrap_or(0);
        ResponseTemplate::new(200).set_body_json(json!({ "data": [page] }))
    }
}

#[tokio::test]
async fn a_walk_stops_at_its_page_cap_with_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(EndlessPages)
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let pages = NUMBERED;
    let results: Vec<Result<u64, Error>> = paginate(&client, pages, numbered_request, decode, numbered)
        .max_pages(3)
        .collect()
        .await;
    let items: Vec<u64> = results.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    assert_eq!(items, [1, 2, 3]);
    assert!(
        matches!(
            results.last().unwrap().as_ref().map_err(Error::kind),
            Err(ErrorKind::Pagination(PaginationError::PageCap { max_pages: 3 }))
        ),
        "{:?}",
        results.last()
    );
    assert_eq!(hits(&server, "/items").await, 3);
}

#[test]
fn walks_have_a_deadline_by_default_that_the_client_can_lift() {
    let client = ApiClient::builder("http://127.0.0.1:1").build().unwrap();
    assert_eq!(client.pagination_deadline(), Some(DEFAULT_PAGINATION_DEADLINE));
    let unbounded = ApiClient::builder("http://127.0.0.1:1")
        .pagination_deadline(None)
        .build()
        .unwrap();
    assert_eq!(unbounded.pagination_deadline(), None);
}

#[tokio::test]
async fn a_next_url_longer_than_a_request_may_be_is_refused_without_retries() {
    let server = MockServer::start().await;
    let uri = server.uri();
    // `http::Uri` takes at most 65,534 bytes; this next URL is longer.
    let padding = "x".repeat(70 * 1024);
    Mock::given(method("GET"))
        .and(path("/items"))
        .and(query_param("limit", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "data": ["a"], "next_page_url": format!("{uri}/items?pad={padding}") })),
        )
        .mount(&server)
        .await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server, &sleeper).build().unwrap();
    let results: Vec<Result<String, Error>> =
        paginate(&client, Pages::NextUrl, first_request, decode, linked::<String>)
            .collect()
            .await;
    assert_eq!(results.len(), 2, "the item, then one error, then the end");
    assert_eq!(results[0].as_deref().ok(), Some("a"));
    let error = results[1].as_ref().unwrap_err();
    let ErrorKind::InvalidRequest(reason) = error.kind() else {
        panic!("expected an invalid request, got {error:?}");
    };
    assert!(reason.contains("next-page URL") && reason.contains("65534"), "{reason}");
    assert!(sleeper.waits().is_empty(), "nothing to retry: {:?}", sleeper.waits());
    assert_eq!(hits(&server, "/items").await, 1);
}
