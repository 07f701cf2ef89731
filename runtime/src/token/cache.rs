//! [`TokenCache`]: reuse a token until shortly before it expires, fetch one at a time.
//!
//! Every token flow goes through this one implementation. A flow hands the cache a resolver
//! ("given the token we had, if any, get a new one"); the cache decides when to call it:
//!
//! - a token is reused until `refresh_margin` before its expiry, so it is renewed ahead of
//!   time rather than after a request has failed;
//! - per partition key, at most one resolver runs at a time (single flight): tasks that find
//!   the token stale queue on the partition's lock and, once inside, read the store again, so
//!   only the first of them fetches;
//! - after a 401, [`TokenCache::invalidate`] marks the rejected token expired — but only if it
//!   is still the stored one, so a token another task has just fetched is not thrown away.
//!
//! Limits worth knowing: a failed fetch is not cached, so tasks that were queued behind it try
//! again one after another; the single flight is per process (replicas sharing a store each
//! fetch once); and every [`TokenCache::get`] reads the store, which is free in memory but a
//! round trip for a network store.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use super::{Clock, MemoryTokenStore, SystemClock, Token, TokenStore};
use crate::error::AuthError;

/// How long before expiry a token is renewed by default. bookingtime's own SDK renews its
/// 5-minute tokens 60 s early; the same margin suits Timify's and Timeneye's longer tokens.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// A partitioned token cache over a [`TokenStore`]; see the module docs.
pub struct TokenCache {
    store: Arc<dyn TokenStore>,
    clock: Arc<dyn Clock>,
    refresh_margin: Duration,
    // One async lock per partition key; the std mutex only guards the map itself.
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("store", &self.store)
            .field("clock", &self.clock)
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::new(
            Arc::new(MemoryTokenStore::new()),
            Arc::new(SystemClock),
            DEFAULT_REFRESH_MARGIN,
        )
    }
}

impl TokenCache {
    /// A cache over `store`, reading time from `clock`, renewing `refresh_margin` early.
    pub fn new(store: Arc<dyn TokenStore>, clock: Arc<dyn Clock>, refresh_margin: Duration) -> Self {
        Self {
            store,
            clock,
            refresh_margin,
            locks: Mutex::new(HashMap::new()),
        }
    }

    /// The same cache with another store.
    #[must_use]
    pub fn with_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = store;
        self
    }

    /// The same cache with another clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The same cache with another refresh margin.
    #[must_use]
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The current time according to the cache's clock (flows use it to stamp new tokens).
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The store behind the cache.
    pub fn store(&self) -> &Arc<dyn TokenStore> {
        &self.store
    }

    /// Whether `token` is usable now, i.e. not within the refresh margin of its expiry.
    pub fn is_fresh(&self, token: &Token) -> bool {
        !token.needs_renewal(self.now(), self.refresh_margin)
    }

    /// The token for `key`: the stored one while fresh, else what `resolve` returns (it is
    /// given the stale token, if any, so it can use its refresh token). The new token is saved.
    pub async fn get<F, Fut>(&self, key: &str, resolve: F) -> Result<Token, AuthError>
    where
        F: FnOnce(Option<Token>) -> Fut,
        Fut: Future<Output = Result<Token, AuthError>>,
    {
        if let Some(token) = self.load(key).await? {
            if self.is_fresh(&token) {
                return Ok(token);
            }
        }
        let lock = self.lock_for(key);
        let _guard = lock.lock().await;
        // Another task may have renewed the token while this one waited for the lock.
        let previous = self.load(key).await?;
        if let Some(token) = &previous {
            if self.is_fresh(token) {
                return Ok(token.clone());
            }
        }
        tracing::debug!(partition = key, "fetching a new token");
        let token = resolve(previous).await?;
        self.save(key, &token).await?;
        Ok(token)
    }

    /// Always runs `resolve` (given the stored token, if any) and saves its result; for an
    /// explicit refresh, or to put tokens obtained elsewhere (an OAuth code exchange) in place.
    pub async fn renew<F, Fut>(&self, key: &str, resolve: F) -> Result<Token, AuthError>
    where
        F: FnOnce(Option<Token>) -> Fut,
        Fut: Future<Output = Result<Token, AuthError>>,
    {
        let lock = self.lock_for(key);
        let _guard = lock.lock().await;
        let previous = self.load(key).await?;
        let token = resolve(previous).await?;
        self.save(key, &token).await?;
        Ok(token)
    }

    /// The API rejected `rejected` (a 401): mark it expired so the next [`get`](Self::get)
    /// renews it, keeping its refresh token. Does nothing when the store already holds another
    /// token, which another task fetched after `rejected` was sent. Returns whether it marked.
    pub async fn invalidate(&self, key: &str, rejected: &Token) -> Result<bool, AuthError> {
        let lock = self.lock_for(key);
        let _guard = lock.lock().await;
        match self.load(key).await? {
            Some(current) if current.same_access_token(rejected) => {
                tracing::debug!(partition = key, "the token was rejected; marking it expired");
                let now = self.now();
                // Clamp the issue time so the expired token never looks like it has a
                // negative lifetime (which would confuse the margin arithmetic).
                let expired = Token {
                    issued_at: current.issued_at.min(now),
                    ..current
                }
                .with_expires_at(Some(now));
                self.save(key, &expired).await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Forgets the token for `key` altogether (e.g. on logout).
    pub async fn remove(&self, key: &str) -> Result<(), AuthError> {
        let lock = self.lock_for(key);
        let _guard = lock.lock().await;
        self.store.remove(key).await.map_err(|e| AuthError::TokenStore(e.0))
    }

    /// The stored token for `key`, fresh or not.
    pub async fn peek(&self, key: &str) -> Result<Option<Token>, AuthError> {
        self.load(key).await
    }

    async fn load(&self, key: &str) -> Result<Option<Token>, AuthError> {
        self.store.load(key).await.map_err(|e| AuthError::TokenStore(e.0))
    }

    async fn save(&self, key: &str, token: &Token) -> Result<(), AuthError> {
        self.store
            .save(key, token)
            .await
            .map_err(|e| AuthError::TokenStore(e.0))
    }

    fn lock_for(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
        locks.entry(key.to_owned()).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::token::ManualClock;

    fn cache(clock: &ManualClock) -> TokenCache {
        TokenCache::new(
            Arc::new(MemoryTokenStore::new()),
            Arc::new(clock.clone()),
            Duration::from_secs(60),
        )
    }

    fn token(clock: &ManualClock, value: &str, secs: u64) -> Token {
        Token::new(value, clock.now()).expires_in(Duration::from_secs(secs))
    }

    #[tokio::test]
    async fn a_fresh_token_is_reused_and_a_stale_one_renewed_ahead_of_expiry() {
        let clock = ManualClock::default();
        let cache = cache(&clock);
        let calls = AtomicUsize::new(0);
        let fetch = |_| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            let t = token(&clock, &format!("t{n}"), 300);
            async move { Ok(t) }
        };
        let first = cache.get("k", fetch).await.unwrap();
        let again = cache.get("k", fetch).await.unwrap();
        assert!(first.same_access_token(&again));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        clock.advance(Duration::from_secs(239));
        cache.get("k", fetch).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1, "still outside the margin");

        clock.advance(Duration::from_secs(1));
        let renewed = cache.get("k", fetch).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "renewed 60 s before expiry");
        assert!(!renewed.same_access_token(&first));
    }

    #[tokio::test]
    async fn the_resolver_gets_the_stale_token_to_refresh_it() {
        let clock = ManualClock::default();
        let cache = cache(&clock);
        let t = token(&clock, "a", 300).with_refresh_token("r1");
        cache.get("k", |_| async { Ok(t) }).await.unwrap();
        clock.advance(Duration::from_secs(600));
        let seen = std::sync::Mutex::new(None);
        cache
            .get("k", |previous: Option<Token>| {
                *seen.lock().unwrap() = previous;
                let t = token(&clock, "b", 300);
                async move { Ok(t) }
            })
            .await
            .unwrap();
        let seen = seen.lock().unwrap().take().unwrap();
        use secrecy::ExposeSecret;
        assert_eq!(seen.refresh_token().unwrap().expose_secret(), "r1");
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let clock = ManualClock::default();
        let cache = Arc::new(cache(&clock));
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let (cache, calls, clock) = (cache.clone(), calls.clone(), clock.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get("k", |_| async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Ok(Token::new("t", clock.now()).expires_in(Duration::from_secs(300)))
                    })
                    .await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn invalidate_marks_only_the_rejected_token_and_keeps_its_refresh_token() {
        let clock = ManualClock::default();
        let cache = cache(&clock);
        let old = token(&clock, "old", 300).with_refresh_token("r");
        cache.get("k", |_| async { Ok(old.clone()) }).await.unwrap();

        // Another task already replaced the token: a late 401 for `stale` changes nothing.
        let stale = token(&clock, "older", 300);
        assert!(!cache.invalidate("k", &stale).await.unwrap());
        assert!(cache.is_fresh(&cache.peek("k").await.unwrap().unwrap()));

        assert!(cache.invalidate("k", &old).await.unwrap());
        let marked = cache.peek("k").await.unwrap().unwrap();
        assert!(!cache.is_fresh(&marked));
        assert!(marked.refresh_token().is_some());
    }

    #[tokio::test]
    async fn a_failed_fetch_is_not_cached() {
        let clock = ManualClock::default();
        let cache = cache(&clock);
        let err = cache
            .get("k", |_| async { Err(AuthError::Configuration("nope".to_owned())) })
            .await;
        assert!(err.is_err());
        assert!(cache.peek("k").await.unwrap().is_none());
    }
}
