//! bookingtime: client credentials → a refresh token (30 days) → per-organization access
//! tokens (5 minutes).
//!
//! 1. `POST {auth}/oauth/token`, form `grant_type=client_credentials`, `client_id`,
//!    `client_secret` → `{"refresh_token", "token_type", "expires_in": 2592000}`.
//! 2. `POST {auth}/oauth/token`, form `grant_type=refresh_token`, `client_id`,
//!    `refresh_token`, `organization_id` → `{"access_token", "token_type", "expires_in": 300}`,
//!    valid for that one organization only.
//!
//! The organization comes from the request's `organizationId` path parameter (configurable),
//! else from [`ClientCredentials::default_organization`]. One access token is cached per
//! organization. When the exchange is refused, a new client-credentials grant is made and the
//! exchange tried once more; refused again with a fresh refresh token, the organization is
//! not permitted ([`AuthError::NotPermitted`]).
//!
//! Bodies are sent as `application/x-www-form-urlencoded` (the docs' curl examples use `-d`
//! fields; bookingtime's PHP SDK sends the same fields as multipart).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use http::{HeaderMap, Method};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::endpoint::{lenient_seconds, TokenBody};
use super::{CachedAuth, Credentials, FlowContext, TokenFlow};
use crate::error::AuthError;
use crate::request::ApiRequest;
use crate::token::Token;

/// The path parameter that names the organization by default.
pub const DEFAULT_ORGANIZATION_PARAM: &str = "organizationId";

/// How long a refresh token lives when the grant does not say (bookingtime documents 30 days).
const DEFAULT_REFRESH_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// How long an access token lives when the exchange does not say (documented: 5 minutes).
const DEFAULT_ACCESS_LIFETIME: Duration = Duration::from_secs(300);

/// bookingtime's client-credentials flow with organization-scoped access tokens, cached.
pub type ClientCredentials = CachedAuth<ClientCredentialsFlow>;

/// How bookingtime grants and access tokens are fetched and sent; used through
/// [`ClientCredentials`].
pub struct ClientCredentialsFlow {
    auth_url: String,
    client_id: String,
    client_secret: SecretString,
    organization_param: String,
    default_organization: Option<String>,
}

#[derive(Deserialize)]
struct GrantResponse {
    refresh_token: String,
    #[serde(default, deserialize_with = "lenient_seconds")]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct AccessResponse {
    access_token: String,
    #[serde(default, deserialize_with = "lenient_seconds")]
    expires_in: Option<u64>,
}

/// Why an exchange of the refresh token failed.
enum ExchangeError {
    /// The auth server refused the refresh token / organization pair.
    Refused(AuthError),
    /// Anything else (transport, 5xx, unreadable answer).
    Other(AuthError),
}

impl ClientCredentials {
    /// The App API flow against the auth server at `auth_url`
    /// (e.g. `https://auth.bookingtime.com`).
    pub fn new(auth_url: impl Into<String>, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self::from_flow(ClientCredentialsFlow {
            auth_url: auth_url.into(),
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            organization_param: DEFAULT_ORGANIZATION_PARAM.to_owned(),
            default_organization: None,
        })
    }

    /// The Module API flow: the same grants with an empty client secret.
    pub fn module(auth_url: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self::new(auth_url, client_id, "")
    }

    /// The path parameter that names the organization. Default:
    /// [`DEFAULT_ORGANIZATION_PARAM`].
    #[must_use]
    pub fn organization_param(mut self, name: impl Into<String>) -> Self {
        self.flow.organization_param = name.into();
        self
    }

    /// The organization for requests whose path names none (e.g. `/static/country/list`).
    /// Default: none, and such requests fail with [`AuthError::Configuration`].
    #[must_use]
    pub fn default_organization(mut self, organization_id: impl Into<String>) -> Self {
        self.flow.default_organization = Some(organization_id.into());
        self
    }
}

impl ClientCredentialsFlow {
    fn grant_partition(&self) -> String {
        format!("bookingtime:{}", self.client_id)
    }

    fn access_partition(&self, organization: &str) -> String {
        format!("bookingtime:{}:{organization}", self.client_id)
    }

    fn organization_for<'r>(&'r self, request: &'r ApiRequest) -> Result<&'r str, AuthError> {
        request
            .path_param_value(&self.organization_param)
            .or(self.default_organization.as_deref())
            .ok_or_else(|| {
                AuthError::Configuration(format!(
                    "bookingtime access tokens are bound to one organization, but `{}` has no \
                     `{}` path parameter and no default organization is configured \
                     (set one with `.default_organization(..)` on the client's builder)",
                    request.path_template(),
                    self.organization_param
                ))
            })
    }

    /// A new refresh token from the client-credentials grant.
    async fn grant(&self, cx: FlowContext<'_>) -> Result<Token, AuthError> {
        let url = cx.common.url(&self.auth_url, "/oauth/token")?;
        let form = vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", self.client_id.clone()),
            ("client_secret", self.client_secret.expose_secret().to_owned()),
        ];
        let reply = cx
            .common
            .send(Method::POST, url, HeaderMap::new(), TokenBody::Form(form))
            .await?;
        if !reply.is_success() {
            return Err(reply.credentials_error());
        }
        let response: GrantResponse = reply.decode()?;
        if response.refresh_token.is_empty() {
            return Err(AuthError::BadTokenResponse("`refresh_token` is empty".to_owned()));
        }
        let lifetime = response
            .expires_in
            .map_or(DEFAULT_REFRESH_LIFETIME, Duration::from_secs);
        // In the grant partition the cached secret is the refresh token itself.
        Ok(Token::new(response.refresh_token, cx.now()).expires_in(lifetime))
    }

    /// An access token for `organization` in exchange for the refresh token `grant`.
    async fn exchange(&self, cx: FlowContext<'_>, grant: &Token, organization: &str) -> Result<Token, ExchangeError> {
        let url = cx
            .common
            .url(&self.auth_url, "/oauth/token")
            .map_err(ExchangeError::Other)?;
        let form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("client_id", self.client_id.clone()),
            ("refresh_token", grant.access_token().expose_secret().to_owned()),
            ("organization_id", organization.to_owned()),
        ];
        let reply = cx
            .common
            .send(Method::POST, url, HeaderMap::new(), TokenBody::Form(form))
            .await
            .map_err(ExchangeError::Other)?;
        if reply.is_refusal() {
            return Err(ExchangeError::Refused(AuthError::NotPermitted {
                message: format!(
                    "bookingtime refused an access token for organization `{organization}` \
                     ({}){}",
                    reply.status(),
                    reply.message().map(|m| format!(": {m}")).unwrap_or_default()
                ),
            }));
        }
        if !reply.is_success() {
            return Err(ExchangeError::Other(reply.endpoint_error()));
        }
        let response: AccessResponse = reply.decode().map_err(ExchangeError::Other)?;
        if response.access_token.is_empty() {
            return Err(ExchangeError::Other(AuthError::BadTokenResponse(
                "`access_token` is empty".to_owned(),
            )));
        }
        let lifetime = response.expires_in.map_or(DEFAULT_ACCESS_LIFETIME, Duration::from_secs);
        Ok(Token::new(response.access_token, cx.now()).expires_in(lifetime))
    }

    /// A new access token for `organization`, making a new grant when the refresh token is
    /// missing, expired or refused.
    async fn access_token(&self, cx: FlowContext<'_>, organization: &str) -> Result<Token, AuthError> {
        let grant_key = self.grant_partition();
        let granted_now = AtomicBool::new(false);
        let grant = cx
            .cache
            .get(&grant_key, |_| {
                granted_now.store(true, Ordering::Relaxed);
                self.grant(cx)
            })
            .await?;
        let refused = match self.exchange(cx, &grant, organization).await {
            Ok(token) => return Ok(token),
            Err(ExchangeError::Other(e)) => return Err(e),
            Err(ExchangeError::Refused(e)) => e,
        };
        // Refused right after a new grant: the refresh token is fine, the organization is not.
        if granted_now.load(Ordering::Relaxed) {
            return Err(refused);
        }
        tracing::debug!(
            organization,
            "bookingtime refused the refresh token exchange; making a new grant"
        );
        cx.cache.invalidate(&grant_key, &grant).await?;
        let grant = cx.cache.get(&grant_key, |_| self.grant(cx)).await?;
        self.exchange(cx, &grant, organization).await.map_err(|e| match e {
            ExchangeError::Refused(e) | ExchangeError::Other(e) => e,
        })
    }
}

impl fmt::Debug for ClientCredentialsFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("bookingtime::ClientCredentials")
            .field("auth_url", &self.auth_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("organization_param", &self.organization_param)
            .field("default_organization", &self.default_organization)
            .finish()
    }
}

impl TokenFlow for ClientCredentialsFlow {
    fn partition(&self, request: &ApiRequest) -> Result<String, AuthError> {
        Ok(self.access_partition(self.organization_for(request)?))
    }

    fn fetch<'a>(
        &'a self,
        cx: FlowContext<'a>,
        request: &'a ApiRequest,
        _: Option<Token>,
    ) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(async move { self.access_token(cx, self.organization_for(request)?).await })
    }

    fn apply(&self, token: &Token, credentials: &mut Credentials) -> Result<(), AuthError> {
        credentials.set_secret_header(
            http::header::AUTHORIZATION,
            &format!("Bearer {}", token.access_token().expose_secret()),
        )
    }
}
