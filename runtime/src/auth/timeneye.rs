//! Timeneye: personal access tokens, and OAuth 2.0 Authorization Code with PKCE (S256).
//!
//! Both are sent as `Authorization: Bearer <token>`. Personal access tokens live a year and
//! cannot be refreshed, so a 401 is final ([`AuthError::TokenRejected`]). OAuth access tokens
//! live a day and are renewed with `grant_type=refresh_token`; a rotated refresh token is
//! saved in the [`TokenStore`](crate::token::TokenStore).
//!
//! Timeneye's authorize and token endpoint URLs are published only in its API reference, so
//! [`OAuth::new`] takes them as arguments.

use std::fmt;

use futures::future::BoxFuture;
use http::{HeaderMap, Method};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::endpoint::{lenient_seconds, Grant, TokenBody, TokenReply};
use super::{pkce, Authenticator, CachedAuth, Credentials, FlowContext, RawAuthorization, TokenFlow};
use crate::error::AuthError;
use crate::request::ApiRequest;
use crate::token::Token;

/// A personal access token from Timeneye's developer page.
#[derive(Debug)]
pub struct PersonalAccessToken {
    inner: RawAuthorization,
}

impl PersonalAccessToken {
    /// Sends `token` as `Bearer`.
    pub fn new(token: impl AsRef<str>) -> Self {
        Self {
            inner: RawAuthorization::bearer(token),
        }
    }
}

impl Authenticator for PersonalAccessToken {
    fn authorize<'a>(
        &'a self,
        request: &'a ApiRequest,
        credentials: &'a mut Credentials,
    ) -> BoxFuture<'a, Result<(), AuthError>> {
        self.inner.authorize(request, credentials)
    }

    fn on_unauthorized<'a>(&'a self, _: &'a ApiRequest) -> BoxFuture<'a, Result<bool, AuthError>> {
        // Personal tokens cannot be refreshed: tell the user to issue a new one.
        Box::pin(async { Err(AuthError::TokenRejected) })
    }
}

/// What to send the user to, and what to keep until they come back.
#[derive(Debug)]
pub struct AuthorizationRequest {
    /// The URL to open in the user's browser.
    pub url: Url,
    /// The `state` and PKCE verifier to keep (e.g. in the user's session) for
    /// [`OAuth::exchange_code`].
    pub pending: PendingAuthorization,
}

/// The `state` sent with an authorization request and the PKCE verifier behind its challenge.
pub struct PendingAuthorization {
    state: String,
    verifier: SecretString,
}

impl PendingAuthorization {
    /// Rebuilds a pending authorization saved elsewhere (e.g. across web requests).
    pub fn from_parts(state: impl Into<String>, verifier: impl Into<String>) -> Self {
        Self {
            state: state.into(),
            verifier: SecretString::from(verifier.into()),
        }
    }

    /// The `state` that must come back with the code.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The PKCE code verifier (secret until the code exchange).
    pub fn verifier(&self) -> &SecretString {
        &self.verifier
    }
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("state", &self.state)
            .field("verifier", &"[redacted]")
            .finish()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default, deserialize_with = "lenient_seconds")]
    expires_in: Option<u64>,
}

/// Timeneye's OAuth 2.0 Authorization Code + PKCE flow, cached. Once tokens are in place
/// (after [`exchange_code`](OAuth::exchange_code), or found in a persistent store) it
/// authorises requests and refreshes the access token as needed.
pub type OAuth = CachedAuth<OAuthFlow>;

/// How Timeneye OAuth tokens are exchanged, refreshed and sent; used through [`OAuth`].
pub struct OAuthFlow {
    authorize_url: String,
    token_url: String,
    client_id: String,
    client_secret: Option<SecretString>,
    redirect_uri: String,
    scopes: Vec<String>,
    account: String,
}

impl OAuth {
    /// A flow for the app `client_id` registered with `redirect_uri`, using Timeneye's
    /// `authorize_url` and `token_url`.
    pub fn new(
        authorize_url: impl Into<String>,
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Self::from_flow(OAuthFlow {
            authorize_url: authorize_url.into(),
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: None,
            redirect_uri: redirect_uri.into(),
            scopes: Vec::new(),
            account: "default".to_owned(),
        })
    }

    /// A client secret to send with token requests. Default: none (a public PKCE client, as
    /// Timeneye's guide configures it).
    #[must_use]
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.flow.client_secret = Some(SecretString::from(secret.into()));
        self
    }

    /// Scopes to request (sent space-separated). Default: none.
    #[must_use]
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.flow.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Which user's tokens this flow holds, when one application serves several users with
    /// one store. Default: `default`.
    #[must_use]
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.flow.account = account.into();
        self
    }

    /// Builds the URL to send the user to, with a random `state` and an S256 code challenge.
    pub fn authorization_request(&self) -> Result<AuthorizationRequest, AuthError> {
        let flow = &self.flow;
        let mut url = self.common.url(&flow.authorize_url, "")?;
        let state = pkce::random_urlsafe(16)?;
        let verifier = pkce::new_verifier()?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &flow.client_id)
                .append_pair("redirect_uri", &flow.redirect_uri)
                .append_pair("state", &state)
                .append_pair("code_challenge", &pkce::s256_challenge(&verifier))
                .append_pair("code_challenge_method", "S256");
            if !flow.scopes.is_empty() {
                query.append_pair("scope", &flow.scopes.join(" "));
            }
        }
        Ok(AuthorizationRequest {
            url,
            pending: PendingAuthorization::from_parts(state, verifier),
        })
    }

    /// Exchanges the `code` the redirect brought back for tokens and stores them. Fails with
    /// [`AuthError::StateMismatch`] (before any request) when `returned_state` is not the one
    /// sent.
    pub async fn exchange_code(
        &self,
        pending: &PendingAuthorization,
        code: &str,
        returned_state: &str,
    ) -> Result<(), AuthError> {
        if returned_state != pending.state {
            return Err(AuthError::StateMismatch);
        }
        let flow = &self.flow;
        let mut form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", flow.redirect_uri.clone()),
            ("client_id", flow.client_id.clone()),
            ("code_verifier", pending.verifier.expose_secret().to_owned()),
        ];
        flow.add_secret(&mut form);
        let cx = self.context();
        self.cache
            .renew(&flow.partition_key(), |_| async move {
                let reply = flow.post(cx, form).await?;
                if !reply.is_success() {
                    return Err(reply.credentials_error());
                }
                token_from(cx, reply.decode()?, None)
            })
            .await?;
        Ok(())
    }

    /// Refreshes the access token now, whether or not it is due.
    pub async fn refresh(&self) -> Result<(), AuthError> {
        let cx = self.context();
        self.cache
            .renew(&self.flow.partition_key(), |previous| {
                self.flow.refresh_from(cx, previous)
            })
            .await?;
        Ok(())
    }
}

impl OAuthFlow {
    fn partition_key(&self) -> String {
        format!("timeneye:{}:{}", self.client_id, self.account)
    }

    async fn refresh_from(&self, cx: FlowContext<'_>, previous: Option<Token>) -> Result<Token, AuthError> {
        let Some(refresh) = previous.as_ref().and_then(Token::refresh_token) else {
            return Err(AuthError::Configuration(
                "no Timeneye tokens yet: complete the authorization (OAuth::authorization_request, \
                 then OAuth::exchange_code) first"
                    .to_owned(),
            ));
        };
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh.expose_secret().to_owned()),
            ("client_id", self.client_id.clone()),
        ];
        self.add_secret(&mut form);
        let reply = self.post(cx, form).await?;
        if !reply.is_success() {
            // No other grant is possible without the user: they must authorise again.
            return Err(reply.refresh_error());
        }
        token_from(cx, reply.decode()?, Some(refresh.clone()))
    }

    fn add_secret(&self, form: &mut Vec<(&'static str, String)>) {
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret.expose_secret().to_owned()));
        }
    }

    async fn post(&self, cx: FlowContext<'_>, form: Vec<(&'static str, String)>) -> Result<TokenReply, AuthError> {
        let url = cx.common.url(&self.token_url, "")?;
        cx.common
            .send(Method::POST, url, HeaderMap::new(), TokenBody::Form(form))
            .await
    }
}

fn token_from(
    cx: FlowContext<'_>,
    response: TokenResponse,
    old_refresh: Option<SecretString>,
) -> Result<Token, AuthError> {
    let grant = Grant {
        access: (response.access_token, "access_token"),
        refresh: response.refresh_token,
        expires_in: response.expires_in,
    };
    grant.into_token(old_refresh, cx.now())
}

impl fmt::Debug for OAuthFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("timeneye::OAuth")
            .field("authorize_url", &self.authorize_url)
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "[redacted]"))
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .field("account", &self.account)
            .finish()
    }
}

impl TokenFlow for OAuthFlow {
    fn partition(&self, _: &ApiRequest) -> Result<String, AuthError> {
        Ok(self.partition_key())
    }

    fn fetch<'a>(
        &'a self,
        cx: FlowContext<'a>,
        _: &'a ApiRequest,
        previous: Option<Token>,
    ) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(self.refresh_from(cx, previous))
    }

    fn apply(&self, token: &Token, credentials: &mut Credentials) -> Result<(), AuthError> {
        credentials.set_secret_header(
            http::header::AUTHORIZATION,
            &format!("Bearer {}", token.access_token().expose_secret()),
        )
    }
}
