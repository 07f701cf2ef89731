//! Timify app tokens: App ID + App Secret → an access token sent as the raw `Authorization`
//! value (no scheme), renewed with its refresh token.
//!
//! - `POST {base}/v1/auth/token`, JSON `{"appid", "appsecret"}` →
//!   `{"accessToken", "refreshToken", "expires"}` (`expires` in seconds, 7200 in the docs);
//! - `POST {base}/v1/auth/refreshtoken`, JSON `{"refreshtoken"}` → the same shape. When the
//!   refresh fails, a new token is requested with the app credentials.
//!
//! The raw `Authorization` value follows Timify's getting-started page and Nango; Timify's
//! newer OpenAPI mentions `Bearer`, for which [`AppToken::bearer_scheme`] exists.

use std::fmt;

use futures::future::BoxFuture;
use http::{HeaderMap, Method};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

use super::endpoint::{lenient_seconds, Grant, TokenBody};
use super::{CachedAuth, Credentials, FlowContext, TokenFlow};
use crate::error::AuthError;
use crate::request::ApiRequest;
use crate::token::Token;

/// Timify's app-token flow, cached; see the module docs.
pub type AppToken = CachedAuth<AppTokenFlow>;

/// How Timify app tokens are fetched and sent; used through [`AppToken`].
pub struct AppTokenFlow {
    base_url: String,
    app_id: String,
    app_secret: SecretString,
    bearer: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default, deserialize_with = "lenient_seconds")]
    expires: Option<u64>,
}

impl AppToken {
    /// Authenticates as app `app_id` against the DevAPI at `base_url`
    /// (e.g. `https://api.timify.com`).
    pub fn new(base_url: impl Into<String>, app_id: impl Into<String>, app_secret: impl Into<String>) -> Self {
        Self::from_flow(AppTokenFlow {
            base_url: base_url.into(),
            app_id: app_id.into(),
            app_secret: SecretString::from(app_secret.into()),
            bearer: false,
        })
    }

    /// Sends `Authorization: Bearer <token>` instead of the bare token. Default: bare.
    #[must_use]
    pub fn bearer_scheme(mut self, bearer: bool) -> Self {
        self.flow.bearer = bearer;
        self
    }
}

impl AppTokenFlow {
    async fn resolve(&self, cx: FlowContext<'_>, previous: Option<Token>) -> Result<Token, AuthError> {
        if let Some(refresh) = previous.as_ref().and_then(Token::refresh_token) {
            match self.refresh(cx, refresh).await {
                Ok(token) => return Ok(token),
                // The endpoint could not be reached: asking it for a new token would fail too.
                Err(e @ AuthError::Transport(_)) => return Err(e),
                Err(e) => {
                    tracing::debug!(error = %e, "timify token refresh failed; requesting a new token");
                }
            }
        }
        self.request_token(cx).await
    }

    async fn request_token(&self, cx: FlowContext<'_>) -> Result<Token, AuthError> {
        let url = cx.common.url(&self.base_url, "/v1/auth/token")?;
        let body = json!({
            "appid": self.app_id,
            "appsecret": self.app_secret.expose_secret(),
        });
        let reply = cx
            .common
            .send(Method::POST, url, HeaderMap::new(), TokenBody::Json(body))
            .await?;
        if !reply.is_success() {
            return Err(reply.credentials_error());
        }
        token_from(cx, reply.decode()?, None)
    }

    async fn refresh(&self, cx: FlowContext<'_>, refresh: &SecretString) -> Result<Token, AuthError> {
        let url = cx.common.url(&self.base_url, "/v1/auth/refreshtoken")?;
        let body = json!({ "refreshtoken": refresh.expose_secret() });
        let reply = cx
            .common
            .send(Method::POST, url, HeaderMap::new(), TokenBody::Json(body))
            .await?;
        if !reply.is_success() {
            return Err(reply.refresh_error());
        }
        // Without a rotated refresh token in the answer, the one just used stays valid.
        token_from(cx, reply.decode()?, Some(refresh.clone()))
    }
}

fn token_from(
    cx: FlowContext<'_>,
    response: TokenResponse,
    old_refresh: Option<SecretString>,
) -> Result<Token, AuthError> {
    let grant = Grant {
        access: (response.access_token, "accessToken"),
        refresh: response.refresh_token,
        expires_in: response.expires,
    };
    grant.into_token(old_refresh, cx.now())
}

impl fmt::Debug for AppTokenFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("timify::AppToken")
            .field("base_url", &self.base_url)
            .field("app_id", &self.app_id)
            .field("app_secret", &"[redacted]")
            .finish()
    }
}

impl TokenFlow for AppTokenFlow {
    fn partition(&self, _: &ApiRequest) -> Result<String, AuthError> {
        Ok(format!("timify:{}", self.app_id))
    }

    fn fetch<'a>(
        &'a self,
        cx: FlowContext<'a>,
        _: &'a ApiRequest,
        previous: Option<Token>,
    ) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(self.resolve(cx, previous))
    }

    fn apply(&self, token: &Token, credentials: &mut Credentials) -> Result<(), AuthError> {
        let secret = token.access_token().expose_secret();
        let value = if self.bearer {
            format!("Bearer {secret}")
        } else {
            secret.to_owned()
        };
        credentials.set_secret_header(http::header::AUTHORIZATION, &value)
    }
}
