//! Pagination streams: numbered pages with a total, next-page URLs, laziness, deadlines, and
//! the bounds that stop a misbehaving server (URL cycles, repeated pages, the page cap).

use std::time::Duration;

use client_runtime::pagination::paginate;
use client_runtime::pagination::DEFAULT_PAGINATION_DEADLINE;
use client_runtime::{
    ApiClient, ApiRequest, Error, ErrorKind, PageRequest, Pages, PaginationError, QueryStyle, ResponseValue,
    TimeoutKind,
};
use futures::{StreamExt, TryStreamExt};
use http::Method;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common::hits;

/// `GET /items?page=N` through the page's client, as JSON.
async fn fetch_numbered(page: PageRequest) -> Result<ResponseValue<Value>, Error> {
    let number: i64 = page.number().unwrap_or(1);
    let request = ApiRequest::new(Method::GET, "/items").query("page", &number, QueryStyle::Form);
    page.client().send(request).await?.json()
}

async fn fetch_first(page: PageRequest) -> Result<ResponseValue<Value>, Error> {
    let request = ApiRequest::new(Method::GET, "/items").query("limit", &2, QueryStyle::Form);
    page.into_client().send(request).await?.json()
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
    let pages = Pages::numbered("/data", 1, Some("/meta/totalPages"));
    let items: Vec<u32> = paginate::<u32, _, _, _, _>(&client, pages, fetch_numbered)
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
    let pages = Pages::numbered("/data", 1, None);
    let first: Vec<u32> = paginate::<u32, _, _, _, _>(&client, pages.clone(), fetch_numbered)
        .take(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first, [1, 2]);
    assert_eq!(hits(&server, "/items").await, 1, "only the first page was needed");
    let all: Vec<u32> = paginate::<u32, _, _, _, _>(&client, pages, fetch_numbered)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, [1, 2, 3]);
}

#[tokio::test]
async fn a_next_url_walk_follows_absolute_urls_on_the_same_server() {
    let server = MockServer::start().await;
    let uri = server.uri();
    Mock::given(method("GET"))
        .and(path("/items"))
        .and(query_param("limit", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "data": ["a", "b"], "next_page_url": format!("{uri}/items?page=2") })),
        )
        .mount(&server)
        .await;
    mount_page(
        &server,
        "2",
        json!({ "data": ["c"], "next_page_url": format!("{uri}/items?page=3") }),
    )
    .await;
    mount_page(&server, "3", json!({ "data": ["d"], "next_page_url": null })).await;
    let client = ApiClient::builder(uri.as_str()).build().unwrap();
    let pages = Pages::next_url("/data", "/next_page_url");
    let items: Vec<String> = paginate(&client, pages, fetch_first).try_collect().await.unwrap();
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
    let pages = Pages::next_url("/data", "/next_page_url");
    let results: Vec<Result<String, Error>> = paginate(&client, pages, fetch_first).collect().await;
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
    let pages = Pages::numbered("/data", 1, None);
    let results: Vec<Result<u32, Error>> = paginate(&client, pages, fetch_numbered)
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
async fn an_item_of_the_wrong_shape_is_a_decode_error_naming_it() {
    let server = MockServer::start().await;
    mount_page(&server, "1", json!({ "data": [1, "two"], "meta": { "totalPages": 1 } })).await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let pages = Pages::numbered("/data", 1, Some("/meta/totalPages"));
    let error = paginate::<u32, _, _, _, _>(&client, pages, fetch_numbered)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Decode(d) if d.path.starts_with("/data/1")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_next_url_that_points_to_itself_ends_with_a_cycle_error() {
    let server = MockServer::start().await;
    let uri = server.uri();
    Mock::given(method("GET"))
        .and(path("/items"))
        .and(query_param("limit", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "data": ["a", "b"], "next_page_url": format!("{uri}/items?page=2") })),
        )
        .mount(&server)
        .await;
    // Page 2 names itself as the next page, forever.
    mount_page(
        &server,
        "2",
        json!({ "data": ["c"], "next_page_url": format!("{uri}/items?page=2") }),
    )
    .await;
    let client = ApiClient::builder(uri.as_str()).build().unwrap();
    let pages = Pages::next_url("/data", "/next_page_url");
    let results: Vec<Result<String, Error>> = paginate(&client, pages, fetch_first).collect().await;
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
async fn numbered_pages_stop_when_the_server_repeats_the_previous_page() {
    let server = MockServer::start().await;
    // No total, and every page number gets the same non-empty page.
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [1, 2] })))
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri()).build().unwrap();
    let pages = Pages::numbered("/data", 1, None);
    let items: Vec<u32> = paginate::<u32, _, _, _, _>(&client, pages, fetch_numbered)
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
    let pages = Pages::numbered("/data", 1, None);
    let results: Vec<Result<u64, Error>> = paginate(&client, pages, fetch_numbered).max_pages(3).collect().await;
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
