//! [`RedisTokenStore`]: tokens in Redis, with the fleet-wide lease the token cache takes
//! before it fetches.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::{unique_id, OnRedisFailure, RedisShared};
use crate::token::{Lease, MemoryTokenStore, Sharing, StoreError, Token, TokenStore};

/// Deletes the lease only if it still holds this holder's value: a holder whose lease ran
/// out (and was taken by another process) must not release the new holder's lease.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// A [`TokenStore`] in Redis, shared by every replica; see [`crate::shared`]. Cheap to clone.
#[derive(Clone)]
pub struct RedisTokenStore {
    shared: RedisShared,
    release: Arc<redis::Script>,
    // Used while Redis fails under `OnRedisFailure::FallBackToLocal`; kept up to date with
    // every token read from or written to Redis, so the fallback starts warm.
    local: MemoryTokenStore,
    degraded: Arc<AtomicBool>,
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("shared", &self.shared)
            .field("degraded", &self.degraded.load(Ordering::Relaxed))
            .finish()
    }
}

/// A token as stored: access and refresh token in one value, so they change together.
#[derive(Serialize, Deserialize)]
struct Stored {
    access: String,
    #[serde(default)]
    refresh: Option<String>,
    issued_at_ms: u64,
    #[serde(default)]
    expires_at_ms: Option<u64>,
}

impl Stored {
    fn from_token(token: &Token) -> Self {
        Self {
            access: token.access_token().expose_secret().to_owned(),
            refresh: token.refresh_token().map(|r| r.expose_secret().to_owned()),
            issued_at_ms: millis(token.issued_at()),
            expires_at_ms: token.expires_at().map(millis),
        }
    }

    /// The token, or `None` when a stored time cannot be represented (any process, or anyone
    /// with access to the Redis, may have written the value).
    fn into_token(self) -> Option<Token> {
        let at = |ms: u64| UNIX_EPOCH.checked_add(Duration::from_millis(ms));
        let expires_at = match self.expires_at_ms {
            Some(ms) => Some(at(ms)?),
            None => None,
        };
        let token = Token::new(self.access, at(self.issued_at_ms)?).with_expires_at(expires_at);
        Some(match self.refresh {
            Some(refresh) => token.with_refresh_token(refresh),
            None => token,
        })
    }
}

fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// How long Redis keeps a token: a day past its expiry, or for good when it carries a refresh
/// token (losing that would make the user authorise again) or never expires.
fn retention(token: &Token) -> Option<Duration> {
    if token.refresh_token().is_some() {
        return None;
    }
    let expires_at = token.expires_at()?;
    let left = expires_at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO);
    Some(left.saturating_add(Duration::from_secs(24 * 3600)))
}

impl RedisTokenStore {
    pub(super) fn new(shared: RedisShared) -> Self {
        Self {
            shared,
            release: Arc::new(redis::Script::new(RELEASE)),
            local: MemoryTokenStore::new(),
            degraded: Arc::new(AtomicBool::new(false)),
        }
    }

    fn token_key(&self, partition: &str) -> String {
        self.shared.key("token", partition)
    }

    fn lease_key(&self, partition: &str) -> String {
        self.shared.key("lease", partition)
    }

    /// Redis answered: leave the fallback if this process was in it.
    fn recovered(&self) {
        if self.degraded.swap(false, Ordering::Relaxed) {
            tracing::info!("Redis answers again; tokens are shared with the other replicas again");
        }
    }

    /// Redis failed: the error to return, or `None` to go on with the local fallback.
    fn failed(&self, error: String) -> Option<StoreError> {
        match self.shared.on_failure {
            OnRedisFailure::Fail => Some(StoreError(error)),
            OnRedisFailure::FallBackToLocal => {
                if !self.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        error = %error,
                        "Redis failed; this process uses its own token cache until Redis answers again"
                    );
                }
                None
            }
        }
    }

    async fn load_shared(&self, key: &str) -> Result<Option<Token>, StoreError> {
        let redis_key = self.token_key(key);
        let value = self
            .shared
            .call("GET", |mut c| async move {
                redis::cmd("GET")
                    .arg(&redis_key)
                    .query_async::<Option<String>>(&mut c)
                    .await
            })
            .await;
        let value = match value {
            Ok(value) => {
                self.recovered();
                value
            }
            Err(error) => match self.failed(error) {
                Some(error) => return Err(error),
                None => return self.local.load(key).await,
            },
        };
        let Some(value) = value else {
            return Ok(None);
        };
        match serde_json::from_str::<Stored>(&value).ok().and_then(Stored::into_token) {
            Some(token) => {
                self.local.save(key, &token).await?;
                Ok(Some(token))
            }
            None => {
                // Written by something else: treat it as missing, so a fetch replaces it.
                tracing::warn!(
                    partition = key,
                    "the token stored in Redis is unreadable; fetching a new one"
                );
                Ok(None)
            }
        }
    }

    async fn save_shared(&self, key: &str, token: &Token) -> Result<(), StoreError> {
        self.local.save(key, token).await?;
        let value = serde_json::to_string(&Stored::from_token(token))
            .map_err(|e| StoreError(format!("could not encode a token: {e}")))?;
        let redis_key = self.token_key(key);
        let retention = retention(token);
        let result = self
            .shared
            .call("SET", |mut c| async move {
                let mut cmd = redis::cmd("SET");
                cmd.arg(&redis_key).arg(value);
                if let Some(keep) = retention {
                    cmd.arg("PX")
                        .arg(u64::try_from(keep.as_millis()).unwrap_or(u64::MAX).max(1));
                }
                cmd.query_async::<()>(&mut c).await
            })
            .await;
        match result {
            Ok(()) => {
                self.recovered();
                Ok(())
            }
            Err(error) => self.failed(error).map_or(Ok(()), Err),
        }
    }

    async fn remove_shared(&self, key: &str) -> Result<(), StoreError> {
        self.local.remove(key).await?;
        let redis_key = self.token_key(key);
        let result = self
            .shared
            .call("DEL", |mut c| async move {
                redis::cmd("DEL").arg(&redis_key).query_async::<()>(&mut c).await
            })
            .await;
        match result {
            Ok(()) => Ok(()),
            Err(error) => self.failed(error).map_or(Ok(()), Err),
        }
    }

    async fn try_lease_shared(&self, key: &str) -> Result<Option<Lease>, StoreError> {
        let holder = unique_id();
        let lease_key = self.lease_key(key);
        let ttl_ms = u64::try_from(self.shared.lease_ttl.as_millis()).unwrap_or(u64::MAX);
        let value = holder.clone();
        let result = self
            .shared
            .call("SET NX (lease)", |mut c| async move {
                redis::cmd("SET")
                    .arg(&lease_key)
                    .arg(value)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms)
                    .query_async::<Option<String>>(&mut c)
                    .await
            })
            .await;
        match result {
            Ok(taken) => {
                self.recovered();
                Ok(taken.map(|_| Lease { holder }))
            }
            // Falling back: this process fetches by itself (its own single flight still holds).
            Err(error) => self.failed(error).map_or(Ok(Some(Lease::default())), Err),
        }
    }

    async fn release_shared(&self, key: &str, lease: Lease) -> Result<(), StoreError> {
        if lease.holder.is_empty() {
            return Ok(());
        }
        let lease_key = self.lease_key(key);
        let script = self.release.clone();
        let result = self
            .shared
            .call("release (lease)", |mut c| async move {
                script
                    .key(&lease_key)
                    .arg(&lease.holder)
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) => self.failed(error).map_or(Ok(()), Err),
        }
    }
}

impl TokenStore for RedisTokenStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Token>, StoreError>> {
        Box::pin(self.load_shared(key))
    }

    fn save<'a>(&'a self, key: &'a str, token: &'a Token) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.save_shared(key, token))
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.remove_shared(key))
    }

    fn sharing(&self) -> Option<Sharing> {
        Some(Sharing {
            lease_ttl: self.shared.lease_ttl,
            poll_interval: self.shared.poll_interval,
        })
    }

    fn try_lease<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Lease>, StoreError>> {
        Box::pin(self.try_lease_shared(key))
    }

    fn release<'a>(&'a self, key: &'a str, lease: Lease) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.release_shared(key, lease))
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expected times from fixed ones
mod tests {
    use super::*;

    #[test]
    fn absurd_stored_times_give_a_token_or_none_never_a_panic() {
        let stored = |issued_at_ms, expires_at_ms| Stored {
            access: "a".to_owned(),
            refresh: None,
            issued_at_ms,
            expires_at_ms,
        };
        for (issued, expires) in [(u64::MAX, Some(u64::MAX)), (0, Some(u64::MAX)), (u64::MAX, None)] {
            if let Some(token) = stored(issued, expires).into_token() {
                assert!(token.same_access_token(&Token::new("a", SystemTime::now())));
            }
        }
    }

    #[test]
    fn a_token_survives_its_stored_form_with_both_secrets_and_times() {
        let issued = UNIX_EPOCH + Duration::from_millis(1_704_067_200_123);
        let token = Token::new("a", issued)
            .with_refresh_token("r")
            .expires_in(Duration::from_secs(300));
        let back = serde_json::from_str::<Stored>(&serde_json::to_string(&Stored::from_token(&token)).unwrap())
            .unwrap()
            .into_token()
            .unwrap();
        assert!(back.same_access_token(&token));
        assert_eq!(back.refresh_token().unwrap().expose_secret(), "r");
        assert_eq!(back.issued_at(), issued);
        assert_eq!(back.expires_at(), token.expires_at());
    }

    #[test]
    fn tokens_with_a_refresh_token_are_kept_for_good() {
        let now = SystemTime::now();
        let plain = Token::new("a", now).expires_in(Duration::from_secs(300));
        assert!(retention(&plain).is_some_and(|d| d > Duration::from_secs(24 * 3600)));
        assert_eq!(retention(&plain.clone().with_refresh_token("r")), None);
        assert_eq!(retention(&Token::new("a", now)), None);
    }
}
