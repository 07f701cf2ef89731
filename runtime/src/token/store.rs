//! [`TokenStore`]: where tokens are persisted between calls and across restarts.
//!
//! The trait is async and keyed by a partition key string (e.g.
//! `bookingtime:<client_id>:<organization>`) so a shared store for many replicas (Redis, a
//! database) fits behind it as well as the in-memory default.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

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
