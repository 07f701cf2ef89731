//! End-to-end tests of the generated `<operation>_stream` methods (from the specs'
//! `x-pagination`) against mock servers, one per vendor's paging style: Timify `page`/`limit`
//! with `meta.totalPages`, bookingtime's page number in the path with `content.pageTotal`,
//! Timeneye `page`/`per_page` with `meta.last_page`, Timekit `next_page_url`. Each walk reads
//! three pages and stops; a walk also stops at an empty page, and a next-page URL on another
//! server is refused with a typed error before anything is sent there.

use futures::StreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::{basic_auth, fixture_json, seen, seen_lines};

/// Mounts `GET <route>` answering `body` when query parameter `page` is `page` (or, with
/// `page` `None`, when the request has no `page` parameter at all).
async fn mount_page(server: &MockServer, route: &str, page: Option<u32>, body: Value) {
    let mock = Mock::given(method("GET")).and(path(route));
    let mock = match page {
        Some(page) => mock.and(query_param("page", page.to_string())),
        None => mock.and(wiremock::matchers::query_param_is_missing("page")),
    };
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

mod timify {
    use super::*;
    use timify_client::Client;

    const APP_ID: &str = "5f0c1e2d3b4a59687a6b5c4d";
    const APP_SECRET: &str = "app-secret-123";
    const COMPANY_ID: &str = "63fa22b81d77389d476518bc";
    /// The access token of tests/data/timify/token.json.
    const ACCESS: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...";

    fn page(number: u32, ids: &[&str]) -> Value {
        let data: Vec<Value> = ids
            .iter()
            .map(|id| json!({"id": id, "resourceId": "r1", "from": "2025-03-03", "to": "2025-03-07"}))
            .collect();
        json!({
            "data": data,
            "total": 5,
            "meta": {"page": number, "limit": 2, "totalItems": 5, "totalPages": 3},
            "status": 1
        })
    }

    #[tokio::test]
    async fn timeshifts_stream_walks_three_pages_and_stops_at_total_pages() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/auth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timify/token.json")))
            .mount(&server)
            .await;
        mount_page(&server, "/v1/timeshifts", Some(1), page(1, &["s1", "s2"])).await;
        mount_page(&server, "/v1/timeshifts", Some(2), page(2, &["s3", "s4"])).await;
        mount_page(&server, "/v1/timeshifts", Some(3), page(3, &["s5"])).await;
        // A fourth page exists, but the total says three: it must not be asked for.
        mount_page(&server, "/v1/timeshifts", Some(4), page(4, &["s6"])).await;
        let client = Client::with_app_credentials(server.uri(), APP_ID, APP_SECRET).unwrap();

        let items: Vec<_> = client
            .timeshifts()
            .list()
            .company_id(COMPANY_ID)
            .limit(2)
            .stream()
            .collect()
            .await;

        let ids: Vec<String> = items
            .into_iter()
            .map(|item| item.unwrap()["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids, ["s1", "s2", "s3", "s4", "s5"]);
        let seen = seen(&server).await;
        let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
        assert_eq!(
            lines,
            [
                "POST /v1/auth/token",
                "GET /v1/timeshifts?page=1&limit=2",
                "GET /v1/timeshifts?page=2&limit=2",
                "GET /v1/timeshifts?page=3&limit=2",
            ]
        );
        for page in &seen[1..] {
            assert_eq!(page.authorization.as_deref(), Some(ACCESS));
        }
        let company_ids: Vec<Option<String>> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .skip(1)
            .map(|r| r.headers.get("company-id").map(|v| v.to_str().unwrap().to_owned()))
            .collect();
        assert_eq!(company_ids, vec![Some(COMPANY_ID.to_owned()); 3]);
    }
}

mod bookingtime {
    use super::*;
    use bookingtime_client::Client;

    const CLIENT_ID: &str = "23abcdef-client";
    const CLIENT_SECRET: &str = "client-secret";
    const ORG: &str = "f6123456789101112131415aBCdeFgH";
    /// The access token of tests/data/bookingtime/token-access.json.
    const ACCESS: &str = "eyJhbGc...access";

    fn page(number: u32, ids: &[&str]) -> Value {
        let records: Vec<Value> = ids
            .iter()
            .map(|id| json!({"class": "CUSTOMER", "id": id, "organizationId": ORG}))
            .collect();
        json!({
            "messageList": [],
            "content": {
                "class": "PAGINATION_LIST",
                "pageCurrent": number,
                "pageTotal": 3,
                "recordTotal": 5,
                "recordPerPage": 2,
                "recordList": records
            }
        })
    }

    async fn mount_auth(server: &MockServer) {
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .and(body_string(format!(
                "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/token-refresh.json")))
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .and(body_string(format!(
                "grant_type=refresh_token&client_id={CLIENT_ID}&refresh_token=eyJhbGc...refresh&organization_id={ORG}"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/token-access.json")))
            .mount(server)
            .await;
    }

    #[tokio::test]
    async fn customer_index_stream_walks_three_path_pages_and_stops_at_page_total() {
        let server = MockServer::start().await;
        mount_auth(&server).await;
        for (number, ids) in [(1, &["c1", "c2"][..]), (2, &["c3", "c4"]), (3, &["c5"]), (4, &["c6"])] {
            Mock::given(method("GET"))
                .and(path(format!("/en/organization/{ORG}/customer/index/{number}")))
                .and(header("authorization", format!("Bearer {ACCESS}").as_str()))
                .respond_with(ResponseTemplate::new(200).set_body_json(page(number, ids)))
                .mount(&server)
                .await;
        }
        let auth = client_runtime::auth::bookingtime::ClientCredentials::new(server.uri(), CLIENT_ID, CLIENT_SECRET);
        let client = Client::with_auth(format!("{}/en", server.uri()), auth).unwrap();

        // The stream outlives the group accessor it was made from.
        let stream = client.customer().index(ORG).stream();
        let ids: Vec<String> = stream.map(|c| c.unwrap().id).collect().await;

        assert_eq!(ids, ["c1", "c2", "c3", "c4", "c5"]);
        assert_eq!(
            seen_lines(&server).await,
            [
                "POST /oauth/token".to_owned(),
                "POST /oauth/token".to_owned(),
                format!("GET /en/organization/{ORG}/customer/index/1"),
                format!("GET /en/organization/{ORG}/customer/index/2"),
                format!("GET /en/organization/{ORG}/customer/index/3"),
            ]
        );
    }
}

mod timeneye {
    use super::*;
    use timeneye_client::Client;

    const PAT: &str = "personal-token-1";

    fn page(number: u32, last_page: u32, ids: &[u64]) -> Value {
        let data: Vec<Value> = ids
            .iter()
            .map(|id| json!({"entry_id": id, "entry_minutes": 30, "entry_date": "2025-03-03"}))
            .collect();
        json!({"data": data, "meta": {"current_page": number, "last_page": last_page, "total": 5}})
    }

    async fn mount_entries(server: &MockServer, number: u32, body: Value) {
        Mock::given(method("GET"))
            .and(path("/entries"))
            .and(query_param("page", number.to_string()))
            .and(query_param("per_page", "2"))
            .and(header("authorization", format!("Bearer {PAT}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(server)
            .await;
    }

    /// The entries list, two per page.
    fn two_per_page(client: &Client) -> timeneye_client::entries::EntriesListBuilder<'_> {
        client.entries().list().per_page(2)
    }

    #[tokio::test]
    async fn entries_stream_walks_three_pages_and_stops_at_last_page() {
        let server = MockServer::start().await;
        mount_entries(&server, 1, page(1, 3, &[101, 102])).await;
        mount_entries(&server, 2, page(2, 3, &[103, 104])).await;
        mount_entries(&server, 3, page(3, 3, &[105])).await;
        mount_entries(&server, 4, page(4, 3, &[106])).await;
        let client = Client::with_personal_access_token(server.uri(), PAT).unwrap();

        let ids: Vec<Value> = two_per_page(&client)
            .stream()
            .map(|e| e.unwrap().entry_id.unwrap())
            .collect()
            .await;

        assert_eq!(ids, [json!(101), json!(102), json!(103), json!(104), json!(105)]);
        assert_eq!(
            seen_lines(&server).await,
            [
                "GET /entries?page=1&per_page=2",
                "GET /entries?page=2&per_page=2",
                "GET /entries?page=3&per_page=2",
            ]
        );
    }

    #[tokio::test]
    async fn a_stream_stops_at_an_empty_page_even_before_the_last_one() {
        let server = MockServer::start().await;
        // The server claims five pages but runs out of entries on the second.
        mount_entries(&server, 1, page(1, 5, &[101, 102])).await;
        mount_entries(&server, 2, page(2, 5, &[])).await;
        mount_entries(&server, 3, page(3, 5, &[105])).await;
        let client = Client::with_personal_access_token(server.uri(), PAT).unwrap();

        let mut stream = two_per_page(&client).stream();
        let mut ids = Vec::new();
        while let Some(entry) = stream.next().await {
            ids.push(entry.unwrap().entry_id.unwrap());
        }

        assert_eq!(ids, [json!(101), json!(102)]);
        assert!(stream.next().await.is_none(), "a finished stream stays finished");
        assert_eq!(
            seen_lines(&server).await,
            ["GET /entries?page=1&per_page=2", "GET /entries?page=2&per_page=2"]
        );
    }
}

mod timekit {
    use super::*;
    use timekit_client::Client;

    const KEY: &str = "live_api_key_7nzvc7wsBQQISLeFSVhROys9V1bUJ1z7";

    fn page(ids: &[&str], next: Option<String>) -> Value {
        let data: Vec<Value> = ids
            .iter()
            .map(|id| json!({"id": id, "graph": "instant", "state": "confirmed"}))
            .collect();
        json!({"total": 5, "per_page": "2", "data": data, "next_page_url": next})
    }

    #[tokio::test]
    async fn bookings_stream_follows_next_page_url_until_there_is_none() {
        let server = MockServer::start().await;
        let uri = server.uri();
        mount_page(
            &server,
            "/bookings",
            None,
            page(&["b1", "b2"], Some(format!("{uri}/bookings?page=2"))),
        )
        .await;
        mount_page(
            &server,
            "/bookings",
            Some(2),
            page(&["b3", "b4"], Some(format!("{uri}/bookings?page=3"))),
        )
        .await;
        mount_page(&server, "/bookings", Some(3), page(&["b5"], None)).await;
        let client = Client::with_app_key(server.uri(), KEY).unwrap();

        let ids: Vec<String> = client.bookings().list().stream().map(|b| b.unwrap().id).collect().await;

        assert_eq!(ids, ["b1", "b2", "b3", "b4", "b5"]);
        let seen = seen(&server).await;
        let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
        assert_eq!(lines, ["GET /bookings", "GET /bookings?page=2", "GET /bookings?page=3"]);
        // The next-page URLs are fetched with the same credentials.
        for request in &seen {
            assert_eq!(request.authorization, Some(basic_auth("", KEY)));
        }
    }

    #[tokio::test]
    async fn a_next_page_url_on_another_server_is_refused_with_a_typed_error() {
        let server = MockServer::start().await;
        mount_page(
            &server,
            "/bookings",
            None,
            page(
                &["b1", "b2"],
                Some("https://elsewhere.example/bookings?page=2".to_owned()),
            ),
        )
        .await;
        let client = Client::with_app_key(server.uri(), KEY).unwrap();

        let results: Vec<_> = client.bookings().list().stream().collect().await;

        assert_eq!(results.len(), 3, "two items, then the error, then the end: {results:?}");
        assert_eq!(results[0].as_ref().unwrap().id, "b1");
        assert_eq!(results[1].as_ref().unwrap().id, "b2");
        let Err(client_runtime::ErrorKind::InvalidRequest(message)) =
            results[2].as_ref().map_err(client_runtime::Error::kind)
        else {
            panic!("expected a typed InvalidRequest error, got {:?}", results[2]);
        };
        assert_eq!(
            message,
            "refusing a next-page URL on another server (`elsewhere.example`): credentials stay with `127.0.0.1`"
        );
        assert_eq!(seen_lines(&server).await, ["GET /bookings"]);
    }
}
