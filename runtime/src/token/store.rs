//! [`TokenStore`]: where tokens are persisted between calls and across restarts.
//!
//! The trait is async and keyed by a partition key string (e.g.
//! `bookingtime:<client_id>:<organization>`) so a shared store for many replicas (Redis, a
//! database) fits behind it as well as the in-memory default.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::future::BoxFuture;

use super::Token;

/// A store failed (e.g. a network store could not be reached).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// Persists tokens by partition key. Implementations must be safe to share between tasks.
///
/// The token cache reads before it fetches, so an application that restarts with a
/// persistent store reuses the tokens (and rotated refresh tokens) it saved before.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The token saved under `key`, if any.
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Token>, StoreError>>;

    /// Saves `token` under `key`, replacing what was there.
    fn save<'a>(&'a self, key: &'a str, token: &'a Token) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Forgets the token under `key`.
    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;

    /// How several processes share this store, if they do. A shared store makes the
    /// [`TokenCache`](super::TokenCache) keep a copy of fresh tokens in the process (so a
    /// fresh token costs no round trip) and take the store's fleet-wide [`Lease`] before it
    /// fetches. Default: not shared.
    fn sharing(&self) -> Option<Sharing> {
        None
    }

    /// Tries to take the fleet-wide lease on fetching `key`'s token: `Some` when this caller
    /// now holds it, `None` when another process does. Only called when
    /// [`sharing`](Self::sharing) is `Some`. Default: always granted.
    fn try_lease<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Lease>, StoreError>> {
        let _ = key;
        Box::pin(async { Ok(Some(Lease::default())) })
    }

    /// Gives back a lease taken with [`try_lease`](Self::try_lease); a lease that ran out
    /// and was taken by another process is left alone. Default: nothing to do.
    fn release<'a>(&'a self, key: &'a str, lease: Lease) -> BoxFuture<'a, Result<(), StoreError>> {
        let _ = (key, lease);
        Box::pin(async { Ok(()) })
    }
}

/// How processes sharing a store wait for each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sharing {
    /// How long a lease lasts unless released: the longest a dead holder delays the others.
    pub lease_ttl: Duration,
    /// How often a process that found the lease taken looks for the holder's token.
    pub poll_interval: Duration,
}

/// A held fleet-wide lease: the holder's unique value, which only it can release.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lease {
    /// The unique value the lease was taken with (empty for stores that need no lease).
    pub holder: String,
}

/// The default store: tokens live in this process only. Clones share the same map.
#[derive(Clone, Default)]
pub struct MemoryTokenStore {
    tokens: Arc<Mutex<HashMap<String, Token>>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Token>> {
        // A panic while holding the lock cannot leave the map half-written, so go on.
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keys are not secret; tokens are redacted by their own Debug anyway.
        let keys: Vec<String> = self.map().keys().cloned().collect();
        f.debug_struct("MemoryTokenStore").field("keys", &keys).finish()
    }
}

impl TokenStore for MemoryTokenStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Token>, StoreError>> {
        let token = self.map().get(key).cloned();
        Box::pin(async move { Ok(token) })
    }

    fn save<'a>(&'a self, key: &'a str, token: &'a Token) -> BoxFuture<'a, Result<(), StoreError>> {
        self.map().insert(key.to_owned(), token.clone());
        Box::pin(async { Ok(()) })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        self.map().remove(key);
        Box::pin(async { Ok(()) })
    }
}
