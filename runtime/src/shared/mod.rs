//! State shared by every replica of an application, on Redis (cargo feature `redis`): the
//! tokens ([`RedisTokenStore`]) and the rate budget ([`RedisShared::rate_budget`]).
//!
//! Without it each process keeps its own token cache and limiter, so N replicas make N token
//! requests per expiry and together spend N times the API's rate budget. With it:
//!
//! - tokens live in Redis under their partition key (e.g. `bookingtime:<client>:<org>`); a
//!   replica that needs a new one takes a lease (`SET NX PX` with a unique holder value,
//!   released only by its holder through a compare-and-delete script), reads again, fetches
//!   only if still needed and writes access and rotated refresh token in one value. See
//!   [`TokenCache`](crate::token::TokenCache) for the whole lifecycle;
//! - the rate budget is a sliding window counted in Redis by one Lua script (one round trip
//!   per request), and a 429's `Retry-After` seen by one replica pauses all of them.
//!
//! **When Redis fails**, every call gives up after [`RedisShared::timeout`] (never a hang)
//! and [`OnRedisFailure`] decides: by default each process falls back to its own cache and
//! limiter with a `warn` event (and goes back to Redis when it answers again); with
//! [`OnRedisFailure::Fail`], token calls fail with [`AuthError::TokenStore`](crate::AuthError::TokenStore).
//! The rate budget always falls back to the process's own limiter: it protects the API's
//! budget and should not take the application down.
//!
//! **What is stored**: tokens only (access and refresh tokens; never client secrets, app
//! secrets or personal keys). Keys carry partition names (client IDs, organization IDs,
//! account names), never secrets. Protect the Redis like any credential store: require
//! `AUTH` (a password or ACL user in the URL, `redis://user:password@host`), use TLS with a
//! `rediss://` URL when it is not on the same host, and do not share it with untrusted tenants.
#![warn(clippy::arithmetic_side_effects)]

mod budget;
mod tokens;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

pub use budget::MAX_FLEET_PAUSE;
pub(crate) use budget::{SharedBudget, Verdict};
pub use tokens::RedisTokenStore;

use crate::rate_limit::RateLimiter;

/// How long one Redis call may take by default.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(500);
/// How long a token lease lasts by default: the longest a replica that died mid-fetch delays
/// the others. Longer than a typical token request; raise it if the token endpoint is slower.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(10);
/// How often a replica waiting for another's token fetch looks again, by default.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(50);
/// The prefix of every key, by default.
pub const DEFAULT_KEY_PREFIX: &str = "client-runtime";

/// What happens when Redis cannot be reached or answers too late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnRedisFailure {
    /// Each process goes on with its own token cache and rate limiter, with a `warn` event
    /// when it starts and an `info` event when Redis answers again.
    #[default]
    FallBackToLocal,
    /// Token calls fail with [`AuthError::TokenStore`](crate::AuthError::TokenStore).
    Fail,
}

/// Redis could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SharedStateError {
    /// The URL is not a Redis URL (`redis://` or `rediss://`). The URL itself is not shown: it
    /// may hold a password.
    #[error("invalid Redis URL: {0}")]
    InvalidUrl(String),
    /// The first connection failed or timed out.
    #[error("could not connect to Redis: {0}")]
    Connect(String),
}

/// A connection to the Redis that replicas share, with the settings for tokens and rate
/// budgets; cheap to clone. Build it once per process and hand it to
/// [`ApiClientBuilder::redis`](crate::ApiClientBuilder::redis).
#[derive(Clone)]
pub struct RedisShared {
    conn: ConnectionManager,
    prefix: Arc<str>,
    timeout: Duration,
    lease_ttl: Duration,
    poll_interval: Duration,
    on_failure: OnRedisFailure,
}

impl fmt::Debug for RedisShared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the URL: it may carry a password.
        f.debug_struct("RedisShared")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("lease_ttl", &self.lease_ttl)
            .field("on_failure", &self.on_failure)
            .finish_non_exhaustive()
    }
}

impl RedisShared {
    /// Connects to `url` (`redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS),
    /// within [`DEFAULT_REDIS_TIMEOUT`] per attempt. The connection reconnects by itself later.
    pub async fn connect(url: &str) -> Result<Self, SharedStateError> {
        let client = redis::Client::open(url).map_err(|e| SharedStateError::InvalidUrl(format!("{:?}", e.kind())))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(DEFAULT_REDIS_TIMEOUT)
            .set_response_timeout(DEFAULT_REDIS_TIMEOUT)
            .set_number_of_retries(1);
        let connect = ConnectionManager::new_with_config(client, config);
        let conn = tokio::time::timeout(DEFAULT_REDIS_TIMEOUT.saturating_mul(4), connect)
            .await
            .map_err(|_| SharedStateError::Connect("timed out".to_owned()))?
            .map_err(|e| SharedStateError::Connect(e.to_string()))?;
        Ok(Self::from_connection(conn))
    }

    /// Uses a connection the application already has.
    pub fn from_connection(conn: ConnectionManager) -> Self {
        Self {
            conn,
            prefix: Arc::from(DEFAULT_KEY_PREFIX),
            timeout: DEFAULT_REDIS_TIMEOUT,
            lease_ttl: DEFAULT_LEASE_TTL,
            poll_interval: DEFAULT_POLL_INTERVAL,
            on_failure: OnRedisFailure::default(),
        }
    }

    /// The prefix of every key (`<prefix>:token:<partition>`, ...), e.g. to keep two
    /// applications apart on one Redis. Default: [`DEFAULT_KEY_PREFIX`].
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Arc::from(prefix.into());
        self
    }

    /// How long one Redis call may take before it counts as failed. Default:
    /// [`DEFAULT_REDIS_TIMEOUT`].
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long a token lease lasts unless released. Default: [`DEFAULT_LEASE_TTL`].
    #[must_use]
    pub fn lease_ttl(mut self, ttl: Duration) -> Self {
        self.lease_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// How often a replica waiting for another's fetch looks again. Default:
    /// [`DEFAULT_POLL_INTERVAL`].
    #[must_use]
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// What happens when Redis fails; see [`OnRedisFailure`]. Default: fall back to local.
    #[must_use]
    pub fn on_failure(mut self, on_failure: OnRedisFailure) -> Self {
        self.on_failure = on_failure;
        self
    }

    /// The token store over this Redis, for a token flow's `token_store` (the client
    /// builder's [`redis`](crate::ApiClientBuilder::redis) sets it for you).
    pub fn token_store(&self) -> RedisTokenStore {
        RedisTokenStore::new(self.clone())
    }

    /// A limiter of `requests` per `period` counted in Redis under `name` (e.g. the token's
    /// partition or the API's host), so that all replicas together stay within it.
    pub fn rate_budget(&self, name: &str, requests: u32, period: Duration) -> RateLimiter {
        RateLimiter::new(requests, period).with_shared(SharedBudget::new(self.clone(), name, requests, period))
    }

    fn key(&self, kind: &str, name: &str) -> String {
        format!("{}:{kind}:{name}", self.prefix)
    }

    /// Runs one Redis call within the timeout; the error says which call and why.
    async fn call<T, Fut>(&self, what: &str, call: impl FnOnce(ConnectionManager) -> Fut) -> Result<T, String>
    where
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        match tokio::time::timeout(self.timeout, call(self.conn.clone())).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(format!("Redis {what} failed: {e}")),
            Err(_) => Err(format!("Redis {what} timed out after {} ms", self.timeout.as_millis())),
        }
    }
}

/// Random hex, unique per lease holder and budget entry.
fn unique_id() -> String {
    let mut bytes = [0u8; 16];
    // Without OS randomness, time and a counter still keep holders apart in practice.
    if getrandom::getrandom(&mut bytes).is_err() {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes[..8].copy_from_slice(&n.to_le_bytes());
        bytes[8..].copy_from_slice(&(nanos as u64 ^ u64::from(std::process::id())).to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
