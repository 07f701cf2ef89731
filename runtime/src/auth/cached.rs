//! One token lifecycle for every token flow: [`TokenFlow`] says how to get a token and where
//! it goes on a request; [`CachedAuth`] wraps any flow into an [`Authenticator`] that caches
//! the token per partition, renews it ahead of expiry, and renews it once after a 401.
//!
//! The vendor flows (`timify::AppToken`, `bookingtime::ClientCredentials`,
//! `timeneye::OAuth`, `timekit::AppTokenBootstrap`) are `CachedAuth` over their flow, so the
//! cache, the store (in memory, or shared by a fleet of replicas) and the 401 hook are the
//! same code for all of them.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;

use super::endpoint::FlowCommon;
use super::{Authenticator, Credentials};
use crate::error::AuthError;
use crate::request::ApiRequest;
use crate::token::{Clock, Token, TokenCache, TokenStore};

/// How one vendor gets a token and puts it on a request; [`CachedAuth`] decides when.
pub trait TokenFlow: Send + Sync + fmt::Debug {
    /// The cache key of the token `request` needs (e.g. `bookingtime:<client>:<organization>`).
    /// Keys name accounts, never secrets: a shared store may show them to its operators.
    fn partition(&self, request: &ApiRequest) -> Result<String, AuthError>;

    /// Fetches a new token for `request`, given the stored one (stale or rejected), if any,
    /// so that its refresh token can be used.
    fn fetch<'a>(
        &'a self,
        cx: FlowContext<'a>,
        request: &'a ApiRequest,
        previous: Option<Token>,
    ) -> BoxFuture<'a, Result<Token, AuthError>>;

    /// Puts `token` on the request's credentials (usually the `Authorization` header).
    fn apply(&self, token: &Token, credentials: &mut Credentials) -> Result<(), AuthError>;
}

/// What a [`TokenFlow`] fetches with: the token endpoint settings and the cache (its clock,
/// and other partitions a flow may depend on, like bookingtime's refresh-token grant).
#[derive(Clone, Copy)]
pub struct FlowContext<'a> {
    pub(crate) common: &'a FlowCommon,
    pub(crate) cache: &'a TokenCache,
}

impl FlowContext<'_> {
    /// The current time according to the cache's clock; stamps new tokens.
    pub fn now(&self) -> SystemTime {
        self.cache.now()
    }

    /// The token cache, for flows whose fetch needs another cached token.
    pub fn cache(&self) -> &TokenCache {
        self.cache
    }
}

/// Any [`TokenFlow`] as an [`Authenticator`]: cached, renewed ahead of expiry, single flight
/// per partition, one renewal after a 401; see the module docs.
pub struct CachedAuth<F> {
    pub(crate) flow: F,
    pub(crate) cache: TokenCache,
    pub(crate) common: FlowCommon,
}

impl<F: TokenFlow> CachedAuth<F> {
    /// Wraps `flow` with an in-memory cache and the default options.
    pub fn from_flow(flow: F) -> Self {
        Self {
            flow,
            cache: TokenCache::default(),
            common: FlowCommon::default(),
        }
    }

    /// The flow inside.
    pub fn flow(&self) -> &F {
        &self.flow
    }

    /// Where tokens are persisted. Default: in memory, for this process only. Give a
    /// persistent or shared store so a restarted application, or another replica, does not
    /// authorise again.
    #[must_use]
    pub fn token_store(self, store: impl TokenStore + 'static) -> Self {
        self.shared_token_store(Arc::new(store))
    }

    /// Like [`token_store`](Self::token_store), with a store shared with other flows.
    #[must_use]
    pub fn shared_token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.cache = self.cache.with_store(store);
        self
    }

    /// The source of time. Default: the system clock; tests use
    /// [`ManualClock`](crate::token::ManualClock).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.cache = self.cache.with_clock(Arc::new(clock));
        self
    }

    /// How long before expiry a token is renewed. Default:
    /// [`DEFAULT_REFRESH_MARGIN`](crate::token::DEFAULT_REFRESH_MARGIN); capped at half a
    /// token's lifetime.
    #[must_use]
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.cache = self.cache.with_refresh_margin(margin);
        self
    }

    /// Allows a plain-http token endpoint to a host that is not loopback. Default: refused
    /// with [`AuthError::InsecureTokenUrl`].
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.common.allow_insecure_http = allow;
        self
    }

    /// The HTTP client for token requests. Default: one with a
    /// [`DEFAULT_TOKEN_TIMEOUT`](crate::auth::DEFAULT_TOKEN_TIMEOUT) timeout that does not
    /// follow redirects. A given client's requests are still given up after that timeout;
    /// its redirect policy is its own (reqwest's default follows them, with the body).
    #[must_use]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.common = self.common.with_http_client(client);
        self
    }

    /// The token cache, e.g. to look at or forget stored tokens.
    pub fn token_cache(&self) -> &TokenCache {
        &self.cache
    }

    pub(crate) fn context(&self) -> FlowContext<'_> {
        FlowContext {
            common: &self.common,
            cache: &self.cache,
        }
    }

    /// The current token for `request`: the cached one while fresh, else a fetched one.
    pub(crate) async fn token_for(&self, request: &ApiRequest) -> Result<(String, Token), AuthError> {
        let key = self.flow.partition(request)?;
        let token = self
            .cache
            .get(&key, |previous| self.flow.fetch(self.context(), request, previous))
            .await?;
        Ok((key, token))
    }

    /// After a 401 with unknown credentials: mark whatever token `key` holds as expired.
    async fn invalidate_current(&self, key: String) -> Result<bool, AuthError> {
        if let Some(current) = self.cache.peek(&key).await? {
            self.cache.invalidate(&key, &current).await?;
        }
        Ok(true)
    }
}

impl<F: fmt::Debug> fmt::Debug for CachedAuth<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The flow's own Debug redacts its secrets; the cache shows keys and times only.
        f.debug_struct("CachedAuth")
            .field("flow", &self.flow)
            .field("cache", &self.cache)
            .finish()
    }
}

impl<F: TokenFlow> Authenticator for CachedAuth<F> {
    fn authorize<'a>(
        &'a self,
        request: &'a ApiRequest,
        credentials: &'a mut Credentials,
    ) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            let (key, token) = self.token_for(request).await?;
            self.flow.apply(&token, credentials)?;
            credentials.note_token(key, token);
            Ok(())
        })
    }

    fn on_unauthorized<'a>(&'a self, request: &'a ApiRequest) -> BoxFuture<'a, Result<bool, AuthError>> {
        Box::pin(async move {
            let key = self.flow.partition(request)?;
            self.invalidate_current(key).await
        })
    }

    fn on_unauthorized_with<'a>(
        &'a self,
        _: &'a ApiRequest,
        sent: &'a Credentials,
    ) -> BoxFuture<'a, Result<bool, AuthError>> {
        Box::pin(async move {
            // Renew only the token that was sent, and only if no other task already did.
            let Some((key, token)) = sent.noted_token() else {
                return Ok(false);
            };
            self.cache.invalidate(key, token).await?;
            Ok(true)
        })
    }

    fn adopt_token_store(&mut self, store: Arc<dyn TokenStore>) -> bool {
        self.cache = std::mem::take(&mut self.cache).with_store(store);
        true
    }
}
