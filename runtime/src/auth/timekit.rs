//! Timekit: the app API key as HTTP Basic with an empty user (`:key`), or that key fetched
//! once from a personal email + personal API key.
//!
//! Bootstrap request (Timekit help centre, "getting app token through the API"):
//! `GET {base}/app?include=app_token` with Basic `email:personal_api_key`,
//! `Timekit-App: <app slug>` and `Content-Type: application/json`; the answer's
//! `data.app_token[].token` is then sent as Basic `:token`. App tokens do not expire; after a
//! 401 the token is fetched again once (it may have been regenerated).

use std::fmt;

use futures::future::BoxFuture;
use http::{HeaderMap, HeaderValue, Method};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::endpoint::TokenBody;
use super::{basic_value, Authenticator, CachedAuth, Credentials, FlowContext, RawAuthorization, TokenFlow};
use crate::error::AuthError;
use crate::request::ApiRequest;
use crate::token::Token;

/// A Timekit app API key, sent as Basic `:key`.
#[derive(Debug)]
pub struct AppKey {
    inner: RawAuthorization,
}

impl AppKey {
    /// Uses the app API key `key` (e.g. `live_api_key_…`).
    pub fn new(key: impl AsRef<str>) -> Self {
        Self {
            inner: RawAuthorization::basic("", key.as_ref()),
        }
    }
}

impl Authenticator for AppKey {
    fn authorize<'a>(
        &'a self,
        request: &'a ApiRequest,
        credentials: &'a mut Credentials,
    ) -> BoxFuture<'a, Result<(), AuthError>> {
        self.inner.authorize(request, credentials)
    }
}

/// Fetches the app token with personal credentials on first use, cached; see the module docs.
pub type AppTokenBootstrap = CachedAuth<AppTokenBootstrapFlow>;

/// How the Timekit app token is fetched and sent; used through [`AppTokenBootstrap`].
pub struct AppTokenBootstrapFlow {
    base_url: String,
    email: String,
    personal_api_key: SecretString,
    app_slug: String,
}

#[derive(Deserialize)]
struct AppResponse {
    data: AppData,
}

#[derive(Deserialize)]
struct AppData {
    app_token: AppTokens,
}

/// The docs show a list of tokens; accept a single object or a bare string as well.
#[derive(Deserialize)]
#[serde(untagged)]
enum AppTokens {
    List(Vec<AppTokenEntry>),
    One(AppTokenEntry),
    Bare(String),
}

#[derive(Deserialize)]
struct AppTokenEntry {
    token: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

impl AppTokenBootstrap {
    /// Bootstraps from `email` and its `personal_api_key` ("full access" scope) for the app
    /// `app_slug`, against `base_url` (e.g. `https://api.timekit.io/v2`).
    pub fn new(
        base_url: impl Into<String>,
        email: impl Into<String>,
        personal_api_key: impl Into<String>,
        app_slug: impl Into<String>,
    ) -> Self {
        Self::from_flow(AppTokenBootstrapFlow {
            base_url: base_url.into(),
            email: email.into(),
            personal_api_key: SecretString::from(personal_api_key.into()),
            app_slug: app_slug.into(),
        })
    }
}

impl AppTokenBootstrapFlow {
    async fn bootstrap(&self, cx: FlowContext<'_>) -> Result<Token, AuthError> {
        let mut url = cx.common.url(&self.base_url, "/app")?;
        url.set_query(Some("include=app_token"));
        let mut headers = HeaderMap::new();
        let mut basic = HeaderValue::from_str(&basic_value(&self.email, self.personal_api_key.expose_secret()))
            .map_err(|_| AuthError::Configuration("the Timekit email is not a valid header value".to_owned()))?;
        basic.set_sensitive(true);
        headers.insert(http::header::AUTHORIZATION, basic);
        let slug = HeaderValue::from_str(&self.app_slug)
            .map_err(|_| AuthError::Configuration("the Timekit app slug is not a valid header value".to_owned()))?;
        headers.insert("timekit-app", slug);
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let reply = cx.common.send(Method::GET, url, headers, TokenBody::None).await?;
        if !reply.is_success() {
            return Err(reply.credentials_error());
        }
        let response: AppResponse = reply.decode()?;
        let token = match response.data.app_token {
            AppTokens::Bare(token) => Some(token),
            AppTokens::One(entry) => Some(entry.token),
            // Prefer the server token (the one the docs use) when there are several.
            AppTokens::List(entries) => {
                let server = entries.iter().position(|e| e.kind.as_deref() == Some("server-token"));
                entries.into_iter().nth(server.unwrap_or(0)).map(|e| e.token)
            }
        }
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AuthError::BadTokenResponse("`data.app_token` holds no token".to_owned()))?;
        Ok(Token::new(token, cx.now()))
    }
}

impl fmt::Debug for AppTokenBootstrapFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("timekit::AppTokenBootstrap")
            .field("base_url", &self.base_url)
            .field("email", &self.email)
            .field("personal_api_key", &"[redacted]")
            .field("app_slug", &self.app_slug)
            .finish()
    }
}

impl TokenFlow for AppTokenBootstrapFlow {
    fn partition(&self, _: &ApiRequest) -> Result<String, AuthError> {
        Ok(format!("timekit:{}", self.app_slug))
    }

    fn fetch<'a>(
        &'a self,
        cx: FlowContext<'a>,
        _: &'a ApiRequest,
        _: Option<Token>,
    ) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(self.bootstrap(cx))
    }

    fn apply(&self, token: &Token, credentials: &mut Credentials) -> Result<(), AuthError> {
        credentials.set_secret_header(
            http::header::AUTHORIZATION,
            &basic_value("", token.access_token().expose_secret()),
        )
    }
}
