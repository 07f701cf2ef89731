//! Each generated crate used the way an application does: configured with its own
//! `Client::builder()` and nothing imported from `client-runtime` or `futures` (the mock server
//! and the request log aside). What is asserted is what the application relies on: the
//! credentials the builder was given reach the server, the builder's settings take effect, a
//! stream is read with the crate's prelude, and a 404 is told apart by its status.

use serde_json::json;
use wiremock::matchers::{body_string, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::{basic_auth, fixture_json, seen, seen_lines};

mod timekit {
    use super::*;
    use std::time::Duration;
    use timekit_client::prelude::*;
    use timekit_client::{Client, RetryPolicy};

    const KEY: &str = "live_api_key_app_style";

    #[tokio::test]
    async fn the_builder_sets_auth_and_a_stream_and_a_404_read_like_an_app() {
        let server = MockServer::start().await;
        let uri = server.uri();
        Mock::given(method("GET"))
            .and(path("/bookings"))
            .and(wiremock::matchers::query_param_is_missing("page"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": [{"id": "b1", "graph": "instant", "state": "confirmed"}],
                "next_page_url": format!("{uri}/bookings?page=2")
            })))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/bookings"))
            .and(wiremock::matchers::query_param("page", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": [{"id": "b2", "graph": "instant", "state": "confirmed"}],
                "next_page_url": null
            })))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/resources/nope"))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": "not found", "model": "Resource"})))
            .mount(&server)
            .await;

        let client = Client::builder()
            .base_url(uri.as_str())
            .app_key(KEY)
            .timeout(Duration::from_secs(5))
            .retry(RetryPolicy::new().max_attempts(1))
            .no_rate_limit()
            .build()
            .unwrap();

        let mut ids = Vec::new();
        let mut bookings = client.bookings().list().stream();
        while let Some(booking) = bookings.try_next().await.unwrap() {
            ids.push(booking.id);
        }
        assert_eq!(ids, ["b1", "b2"]);

        let missing = client.resources().get("nope").await;
        let error = missing.expect_err("the server answered 404");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(404));

        let seen = seen(&server).await;
        let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
        assert_eq!(lines, ["GET /bookings", "GET /bookings?page=2", "GET /resources/nope"]);
        for request in &seen {
            assert_eq!(request.authorization, Some(basic_auth("", KEY)));
        }
    }

    #[test]
    fn a_base_url_that_is_not_a_url_is_a_typed_build_error() {
        let error = Client::builder()
            .base_url("not a url")
            .app_key(KEY)
            .build()
            .unwrap_err();
        assert!(
            matches!(error, timekit_client::BuildError::InvalidBaseUrl { .. }),
            "{error:?}"
        );
    }
}

mod bookingtime {
    use super::*;
    use bookingtime_client::{Client, MemoryTokenStore};

    const CLIENT_ID: &str = "app-style-client";
    const CLIENT_SECRET: &str = "app-style-secret";
    const ORG: &str = "f6123456789101112131415aBCdeFgH";
    /// The refresh and access tokens of tests/data/bookingtime/token-*.json.
    const REFRESH: &str = "eyJhbGc...refresh";
    const ACCESS: &str = "eyJhbGc...access";

    #[tokio::test]
    async fn the_builders_auth_server_and_default_organization_serve_a_call_without_one() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .and(body_string(format!(
                "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/token-refresh.json")))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .and(body_string(format!(
                "grant_type=refresh_token&client_id={CLIENT_ID}&refresh_token={REFRESH}&organization_id={ORG}"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("bookingtime/token-access.json")))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/en/static/country/list"))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({
                "messageList": [{"text": "no countries here"}]
            })))
            .mount(&server)
            .await;

        let client = Client::builder()
            .base_url(format!("{}/en", server.uri()))
            .auth_url(server.uri())
            .client_credentials(CLIENT_ID, CLIENT_SECRET)
            .default_organization(ORG)
            .token_store(MemoryTokenStore::default())
            .build()
            .unwrap();

        let error = client.static_().country_list().await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(404));

        let seen = seen(&server).await;
        let call = seen.last().expect("the call was sent");
        assert_eq!(call.line, "GET /en/static/country/list");
        assert_eq!(call.authorization.as_deref(), Some(format!("Bearer {ACCESS}").as_str()));
        assert!(
            seen.iter().any(|s| s.body.contains(&format!("organization_id={ORG}"))),
            "the access token was asked for the default organization"
        );
    }
}

mod timify {
    use super::*;
    use timify_client::Client;

    /// The access token of tests/data/timify/token.json.
    const ACCESS: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...";

    #[tokio::test]
    async fn app_credentials_on_the_builder_fetch_a_token_from_the_base_url() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/auth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("timify/token.json")))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1/companies"))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "no company"})))
            .mount(&server)
            .await;

        // The base URL is set after the credentials: the token endpoint still follows it.
        let client = Client::builder()
            .app_credentials("app-id", "app-secret")
            .base_url(server.uri())
            .build()
            .unwrap();
        let error = client.companies().list().await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(404));

        assert_eq!(seen_lines(&server).await, ["POST /v1/auth/token", "GET /v1/companies"]);
        let seen = seen(&server).await;
        assert_eq!(seen[1].authorization.as_deref(), Some(ACCESS));
    }
}

mod timeneye {
    use super::*;
    use timeneye_client::Client;

    #[tokio::test]
    async fn a_personal_access_token_on_the_builder_reaches_the_server() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/entries"))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "none"})))
            .mount(&server)
            .await;

        let client = Client::builder()
            .base_url(server.uri())
            .personal_access_token("app-style-token")
            .build()
            .unwrap();
        let error = client.entries().list().await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(404));

        let seen = seen(&server).await;
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].line, "GET /entries");
        assert!(
            seen[0]
                .authorization
                .as_deref()
                .is_some_and(|a| a.contains("app-style-token")),
            "{:?}",
            seen[0].authorization
        );
    }
}
