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
//! - a failed fetch is shared like a successful one: the tasks that queued behind it get its
//!   error, and so does every caller during a short cool-down after it
//!   ([`DEFAULT_FAILURE_COOLDOWN`], stretched by up to half again at random so that many
//!   partitions or processes do not come back in step). A failing token endpoint thus sees at
//!   most one request per cool-down, and no caller waits longer than one token request;
//! - a token granted with a lifetime below [`MIN_TOKEN_LIFETIME`] (e.g. `expires_in: 0`) is
//!   kept for that long anyway, with a `warn` event, rather than fetched again for every call
//!   (a server that really rejects it answers 401, which renews it once);
//! - after a 401, [`TokenCache::invalidate`] marks the rejected token expired — but only if it
//!   is still the stored one, so a token another task has just fetched is not thrown away.
//!
//! With a store that several processes share ([`TokenStore::sharing`], e.g. the Redis store
//! of [`crate::shared`]), the single flight reaches across the fleet:
//!
//! - a fresh token is kept in the process too, so while it is fresh a call costs no round
//!   trip; when it is missing or near expiry the store is read (one round trip);
//! - still stale, the one task holding the partition's in-process lock takes the store's
//!   lease (unique holder value, TTL), reads the store again after winning it, fetches only if
//!   the token is still stale, saves it (access and rotated refresh token in one write) and
//!   releases the lease;
//! - a process that finds the lease taken polls the store every `poll_interval` for the
//!   holder's token and tries the lease again, so a holder that died delays the others by at
//!   most the lease TTL.
//!
//! Limits worth knowing: the failure cool-down is per process; and without a shared store
//! every [`TokenCache::get`] reads the store, which is free in memory.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use super::{Clock, MemoryTokenStore, Sharing, SystemClock, Token, TokenStore};
use crate::error::AuthError;

/// How long before expiry a token is renewed by default. bookingtime's own SDK renews its
/// 5-minute tokens 60 s early; the same margin suits Timify's and Timeneye's longer tokens.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// How long a failed token fetch is handed to new callers before the next attempt, by
/// default. Each cool-down lasts between this and half as long again (random jitter).
pub const DEFAULT_FAILURE_COOLDOWN: Duration = Duration::from_secs(2);

/// The shortest lifetime a newly granted token is given: shorter ones (down to `expires_in:
/// 0`) are kept this long, so one burst of calls shares one token.
pub const MIN_TOKEN_LIFETIME: Duration = Duration::from_secs(5);

/// A partitioned token cache over a [`TokenStore`]; see the module docs.
pub struct TokenCache {
    store: Arc<dyn TokenStore>,
    clock: Arc<dyn Clock>,
    refresh_margin: Duration,
    failure_cooldown: Duration,
    // One async lock per partition key, held while a token is fetched; it guards the
    // partition's last failure. The std mutex only guards the map itself.
    partitions: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Failure>>>>>,
    // With a shared store: this process's copy of each partition's latest token, so that a
    // fresh token costs no round trip to the store.
    local: Mutex<HashMap<String, Token>>,
}

/// A token [`TokenCache::get`] obtained: from its resolver (still to be saved), or already
/// saved (by this process under the fleet lease, or by another process).
enum Fetched {
    Unsaved(Token),
    Saved(Token),
}

/// A failed fetch, handed to callers until `until`.
struct Failure {
    error: AuthError,
    at: SystemTime,
    until: SystemTime,
}

impl Failure {
    /// Whether the cool-down is running at `now`. A clock that went back before the failure
    /// ends it rather than stretching it.
    fn covers(&self, now: SystemTime) -> bool {
        self.at <= now && now < self.until
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("store", &self.store)
            .field("clock", &self.clock)
            .field("refresh_margin", &self.refresh_margin)
            .field("failure_cooldown", &self.failure_cooldown)
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
            failure_cooldown: DEFAULT_FAILURE_COOLDOWN,
            partitions: Mutex::new(HashMap::new()),
            local: Mutex::new(HashMap::new()),
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

    /// The same cache with another failure cool-down (see the module docs); `Duration::ZERO`
    /// turns it off, so each caller queued behind a failure tries again itself.
    #[must_use]
    pub fn with_failure_cooldown(mut self, cooldown: Duration) -> Self {
        self.failure_cooldown = cooldown;
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
    ///
    /// When `resolve` fails, its error is returned to this caller, to those queued behind it
    /// and to every caller during the failure cool-down; none of them calls `resolve`.
    pub async fn get<F, Fut>(&self, key: &str, resolve: F) -> Result<Token, AuthError>
    where
        F: FnOnce(Option<Token>) -> Fut,
        Fut: Future<Output = Result<Token, AuthError>>,
    {
        let sharing = self.store.sharing();
        if sharing.is_some() {
            if let Some(token) = self.local_fresh(key) {
                return Ok(token);
            }
        }
        if let Some(token) = self.load(key).await? {
            if self.is_fresh(&token) {
                return Ok(token);
            }
        }
        let partition = self.partition(key);
        let mut last_failure = partition.lock().await;
        // Another task may have renewed the token while this one waited for the lock.
        let previous = self.load(key).await?;
        if let Some(token) = &previous {
            if self.is_fresh(token) {
                return Ok(token.clone());
            }
        }
        // ... or failed to, and then its error is this caller's too.
        if let Some(failure) = last_failure.as_ref().filter(|f| f.covers(self.now())) {
            return Err(failure.error.clone());
        }
        let fetched = match sharing {
            None => {
                tracing::debug!(partition = key, "fetching a new token");
                resolve(previous).await.map(Fetched::Unsaved)
            }
            Some(sharing) => self.fetch_shared(key, sharing, resolve).await.map(Fetched::Saved),
        };
        match fetched {
            Ok(Fetched::Unsaved(token)) => {
                *last_failure = None;
                self.save_granted(key, token).await
            }
            Ok(Fetched::Saved(token)) => {
                *last_failure = None;
                Ok(token)
            }
            Err(error) => {
                *last_failure = Some(self.failure(key, &error));
                Err(error)
            }
        }
    }

    /// Fetches `key`'s token across a fleet sharing the store: wait for the lease (or for
    /// another process's fresh token), re-read, fetch only if still needed, save, release.
    /// Returns the token as saved.
    async fn fetch_shared<F, Fut>(&self, key: &str, sharing: Sharing, resolve: F) -> Result<Token, AuthError>
    where
        F: FnOnce(Option<Token>) -> Fut,
        Fut: Future<Output = Result<Token, AuthError>>,
    {
        // Twice the TTL: a dead holder's lease runs out within one, so only a fleet that keeps
        // taking the lease without ever writing a fresh token makes a caller give up.
        let now = tokio::time::Instant::now();
        // A lease TTL too large for the clock leaves only the first try before giving up.
        let deadline = now.checked_add(sharing.lease_ttl.saturating_mul(2)).unwrap_or(now);
        let lease = loop {
            if let Some(lease) = self.store.try_lease(key).await.map_err(store_error)? {
                break lease;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(AuthError::TokenStore(format!(
                    "gave up waiting for another process to fetch the token for `{key}` after {} ms",
                    sharing.lease_ttl.saturating_mul(2).as_millis()
                )));
            }
            tokio::time::sleep(sharing.poll_interval).await;
            if let Some(token) = self.load(key).await? {
                if self.is_fresh(&token) {
                    return Ok(token);
                }
            }
        };
        let result = self.fetch_holding(key, resolve).await;
        if let Err(error) = self.store.release(key, lease).await {
            // The lease runs out by itself; the others wait at most its TTL.
            tracing::warn!(partition = key, error = %error, "could not release the token lease");
        }
        result
    }

    /// Holding the lease: read the store again (another process may have written a fresh
    /// token just before this one won), fetch only if still needed, save.
    async fn fetch_holding<F, Fut>(&self, key: &str, resolve: F) -> Result<Token, AuthError>
    where
        F: FnOnce(Option<Token>) -> Fut,
        Fut: Future<Output = Result<Token, AuthError>>,
    {
        let previous = self.load(key).await?;
        if let Some(token) = previous.as_ref().filter(|t| self.is_fresh(t)) {
            return Ok(token.clone());
        }
        tracing::debug!(partition = key, "fetching a new token for the fleet");
        let token = resolve(previous).await?;
        self.save_granted(key, token).await
    }

    /// Always runs `resolve` (given the stored token, if any) and saves its result; for an
    /// explicit refresh, or to put tokens obtained elsewhere (an OAuth code exchange) in place.
    /// It ignores a running failure cool-down and, when it succeeds, ends it.
    pub async fn renew<F, Fut>(&self, key: &str, resolve: F) -> Result<Token, AuthError>
    where
        F: FnOnce(Option<Token>) -> Fut,
        Fut: Future<Output = Result<Token, AuthError>>,
    {
        let partition = self.partition(key);
        let mut last_failure = partition.lock().await;
        let previous = self.load(key).await?;
        let token = resolve(previous).await?;
        *last_failure = None;
        self.save_granted(key, token).await
    }

    /// The API rejected `rejected` (a 401): mark it expired so the next [`get`](Self::get)
    /// renews it, keeping its refresh token. Does nothing when the store already holds another
    /// token, which another task fetched after `rejected` was sent. Returns whether it marked.
    pub async fn invalidate(&self, key: &str, rejected: &Token) -> Result<bool, AuthError> {
        let partition = self.partition(key);
        let _guard = partition.lock().await;
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
        let partition = self.partition(key);
        let _guard = partition.lock().await;
        self.remember(key, None);
        self.store.remove(key).await.map_err(store_error)
    }

    /// The stored token for `key`, fresh or not.
    pub async fn peek(&self, key: &str) -> Result<Option<Token>, AuthError> {
        self.load(key).await
    }

    async fn load(&self, key: &str) -> Result<Option<Token>, AuthError> {
        let token = self.store.load(key).await.map_err(store_error)?;
        self.remember(key, token.as_ref());
        Ok(token)
    }

    async fn save(&self, key: &str, token: &Token) -> Result<(), AuthError> {
        self.store.save(key, token).await.map_err(store_error)?;
        self.remember(key, Some(token));
        Ok(())
    }

    /// Keeps (or forgets) the process's copy of a shared store's token.
    fn remember(&self, key: &str, token: Option<&Token>) {
        if self.store.sharing().is_none() {
            return;
        }
        let mut local = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        match token {
            Some(token) => local.insert(key.to_owned(), token.clone()),
            None => local.remove(key),
        };
    }

    /// The process's copy of `key`'s token, if it is fresh.
    fn local_fresh(&self, key: &str) -> Option<Token> {
        let local = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        local.get(key).filter(|t| self.is_fresh(t)).cloned()
    }

    /// Saves a token a resolver just returned, first raising a lifetime below the floor.
    async fn save_granted(&self, key: &str, token: Token) -> Result<Token, AuthError> {
        let token = match token.expires_at() {
            Some(expires_at) => {
                let lifetime = expires_at.duration_since(token.issued_at()).unwrap_or(Duration::ZERO);
                if lifetime < MIN_TOKEN_LIFETIME {
                    tracing::warn!(
                        partition = key,
                        granted_secs = lifetime.as_secs_f64(),
                        kept_secs = MIN_TOKEN_LIFETIME.as_secs(),
                        "the token endpoint granted a token that expires (almost) at once; \
                         keeping it for the minimum lifetime instead of fetching one per call"
                    );
                    token.expires_in(MIN_TOKEN_LIFETIME)
                } else {
                    token
                }
            }
            None => token,
        };
        self.save(key, &token).await?;
        Ok(token)
    }

    /// Records that fetching failed now, starting a jittered cool-down.
    fn failure(&self, key: &str, error: &AuthError) -> Failure {
        let at = self.now();
        let half = self.failure_cooldown.checked_div(2).unwrap_or(Duration::ZERO);
        let jitter = half.mul_f64(crate::retry::random_fraction());
        let cooldown = self.failure_cooldown.saturating_add(jitter);
        tracing::debug!(partition = key, cooldown_ms = cooldown.as_millis(), error = %error, "token fetch failed");
        Failure {
            error: error.clone(),
            at,
            // A clock at the end of time has no cool-down left to give.
            until: at.checked_add(cooldown).unwrap_or(at),
        }
    }

    fn partition(&self, key: &str) -> Arc<tokio::sync::Mutex<Option<Failure>>> {
        let mut partitions = self.partitions.lock().unwrap_or_else(PoisonError::into_inner);
        partitions.entry(key.to_owned()).or_default().clone()
    }
}

fn store_error(error: super::StoreError) -> AuthError {
    AuthError::TokenStore(error.0)
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expected times from fixed ones
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
    async fn a_failed_fetch_stores_no_token() {
        let clock = ManualClock::default();
        let cache = cache(&clock);
        let err = cache
            .get("k", |_| async { Err(AuthError::Configuration("nope".to_owned())) })
            .await;
        assert!(err.is_err());
        assert!(cache.peek("k").await.unwrap().is_none());
    }

    fn endpoint_down() -> AuthError {
        AuthError::TokenEndpoint {
            status: http::StatusCode::INTERNAL_SERVER_ERROR,
            message: Some("down".to_owned()),
        }
    }

    #[tokio::test]
    async fn callers_queued_behind_a_failed_fetch_share_its_error() {
        let clock = ManualClock::default();
        let cache = Arc::new(cache(&clock));
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let (cache, calls) = (cache.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get("k", |_| async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        // Let the other tasks queue up on the partition lock meanwhile.
                        for _ in 0..10 {
                            tokio::task::yield_now().await;
                        }
                        Err::<Token, _>(endpoint_down())
                    })
                    .await
            }));
        }
        for task in tasks {
            let err = task.await.unwrap().unwrap_err();
            assert!(
                matches!(err, AuthError::TokenEndpoint { status, .. } if status == 500),
                "{err:?}"
            );
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn after_a_failure_one_fetch_per_jittered_cooldown() {
        let clock = ManualClock::default();
        let cache = cache(&clock).with_failure_cooldown(Duration::from_secs(10));
        let calls = AtomicUsize::new(0);
        let failing = |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Err::<Token, _>(endpoint_down()) }
        };
        assert!(cache.get("k", failing).await.is_err());
        // The cool-down lasts 10 s plus up to 5 s of jitter: until 10 s, callers get the error.
        clock.advance(Duration::from_millis(9_999));
        assert!(cache.get("k", failing).await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Other partitions are not held back.
        assert!(cache.get("other", failing).await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // From 15 s on, the next caller fetches again; and a success ends the failure.
        clock.advance(Duration::from_millis(5_001));
        let t = token(&clock, "t", 300);
        let got = cache.get("k", |_| async { Ok(t) }).await.unwrap();
        assert!(got.same_access_token(&token(&clock, "t", 1)));
        clock.advance(Duration::from_secs(300));
        let t = token(&clock, "t2", 300);
        assert!(cache.get("k", |_| async { Ok(t) }).await.is_ok());
    }

    #[tokio::test]
    async fn renew_ignores_the_cooldown_and_ends_it() {
        let clock = ManualClock::default();
        let cache = cache(&clock);
        assert!(cache.get("k", |_| async { Err(endpoint_down()) }).await.is_err());
        let t = token(&clock, "fresh", 300);
        cache.renew("k", |_| async { Ok(t) }).await.unwrap();
        clock.advance(Duration::from_secs(600));
        let t = token(&clock, "next", 300);
        let next = cache.get("k", |_| async { Ok(t) }).await.unwrap();
        assert!(next.same_access_token(&token(&clock, "next", 1)));
    }

    #[tokio::test]
    async fn a_token_granted_for_zero_seconds_is_kept_for_the_minimum_lifetime_with_a_warning() {
        let clock = ManualClock::default();
        let cache = cache(&clock);
        let calls = AtomicUsize::new(0);
        let fetch = |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            let t = token(&clock, "t", 0);
            async move { Ok(t) }
        };
        let warnings = warnings::Recorder::default();
        {
            let _guard = tracing::dispatcher::set_default(&tracing::Dispatch::new(warnings.clone()));
            let first = cache.get("k", fetch).await.unwrap();
            assert_eq!(first.expires_at(), Some(clock.now() + MIN_TOKEN_LIFETIME));
            for _ in 0..100 {
                cache.get("k", fetch).await.unwrap();
            }
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1, "one token for the burst");
        assert_eq!(warnings.count(), 1);
        // Renewed like any token once its (raised) lifetime is half over.
        clock.advance(MIN_TOKEN_LIFETIME);
        cache.get("k", fetch).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    /// A tracing subscriber that counts `warn` events (no subscriber crate needed for that).
    mod warnings {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;

        use tracing::span::{Attributes, Id, Record};
        use tracing::{Event, Level, Metadata, Subscriber};

        #[derive(Clone, Default)]
        pub(super) struct Recorder(Arc<AtomicUsize>);

        impl Recorder {
            pub(super) fn count(&self) -> usize {
                self.0.load(Ordering::SeqCst)
            }
        }

        impl Subscriber for Recorder {
            fn enabled(&self, _: &Metadata<'_>) -> bool {
                true
            }
            fn new_span(&self, _: &Attributes<'_>) -> Id {
                Id::from_u64(1)
            }
            fn record(&self, _: &Id, _: &Record<'_>) {}
            fn record_follows_from(&self, _: &Id, _: &Id) {}
            fn event(&self, event: &Event<'_>) {
                if *event.metadata().level() == Level::WARN {
                    self.0.fetch_add(1, Ordering::SeqCst);
                }
            }
            fn enter(&self, _: &Id) {}
            fn exit(&self, _: &Id) {}
        }
    }
}
