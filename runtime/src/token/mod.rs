//! The token lifecycle shared by every token flow: the [`Token`] itself, where it is kept
//! ([`TokenStore`]), what time it is ([`Clock`]) and the [`TokenCache`] that ties them
//! together (reuse until shortly before expiry, one fetch at a time per partition,
//! invalidation after a 401).
//!
//! Vendor flows (in [`crate::auth`]) only say *how* to get or refresh a token; the cache
//! decides *when*. This mirrors the split between an identity resolver and an identity cache.

mod cache;
mod clock;
mod store;

use std::fmt;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};

pub use cache::{TokenCache, DEFAULT_FAILURE_COOLDOWN, DEFAULT_REFRESH_MARGIN, MIN_TOKEN_LIFETIME};
pub use clock::{Clock, ManualClock, SystemClock};
pub use store::{MemoryTokenStore, StoreError, TokenStore};

/// A bearer credential with an optional refresh token and expiry. `Debug` never shows the
/// secrets; read them with [`ExposeSecret`] only where they go on the wire or into a store.
#[derive(Clone)]
pub struct Token {
    access: SecretString,
    refresh: Option<SecretString>,
    issued_at: SystemTime,
    expires_at: Option<SystemTime>,
}

impl Token {
    /// A token obtained at `issued_at` that does not expire (until told otherwise).
    pub fn new(access: impl Into<String>, issued_at: SystemTime) -> Self {
        Self {
            access: SecretString::from(access.into()),
            refresh: None,
            issued_at,
            expires_at: None,
        }
    }

    /// Adds the refresh token that came with it.
    #[must_use]
    pub fn with_refresh_token(mut self, refresh: impl Into<String>) -> Self {
        self.refresh = Some(SecretString::from(refresh.into()));
        self
    }

    /// Keeps an existing refresh token (e.g. one a refresh response did not rotate).
    #[must_use]
    pub fn with_refresh_secret(mut self, refresh: Option<SecretString>) -> Self {
        self.refresh = refresh;
        self
    }

    /// Sets the expiry `lifetime` after the time it was issued.
    #[must_use]
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_at = Some(self.issued_at + lifetime);
        self
    }

    /// Sets the absolute expiry time (e.g. when loading a token from a store).
    #[must_use]
    pub fn with_expires_at(mut self, expires_at: Option<SystemTime>) -> Self {
        self.expires_at = expires_at;
        self
    }

    /// The secret that authorises requests.
    pub fn access_token(&self) -> &SecretString {
        &self.access
    }

    /// The refresh token, if the flow issued one.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh.as_ref()
    }

    /// When the token was obtained.
    pub fn issued_at(&self) -> SystemTime {
        self.issued_at
    }

    /// When the token stops working, if known.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether the token should be renewed at `now`, given a wish to renew `margin` early.
    ///
    /// The margin is capped at half the token's lifetime: a token that lives shorter than the
    /// margin would otherwise be renewed on every single request.
    pub fn needs_renewal(&self, now: SystemTime, margin: Duration) -> bool {
        let Some(expires_at) = self.expires_at else {
            return false;
        };
        let lifetime = expires_at.duration_since(self.issued_at).unwrap_or(Duration::ZERO);
        let margin = margin.min(lifetime / 2);
        now + margin >= expires_at
    }

    /// Whether both carry the same access token (used to tell "the token that was rejected"
    /// apart from "a token another task fetched since").
    pub fn same_access_token(&self, other: &Token) -> bool {
        self.access.expose_secret() == other.access.expose_secret()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"[redacted]")
            .field("refresh_token", &self.refresh.as_ref().map(|_| "[redacted]"))
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> SystemTime {
        ManualClock::default().now()
    }

    #[test]
    fn debug_hides_both_secrets() {
        let token = Token::new("access-secret-1", t0()).with_refresh_token("refresh-secret-2");
        let shown = format!("{token:?}");
        assert!(!shown.contains("access-secret-1"), "{shown}");
        assert!(!shown.contains("refresh-secret-2"), "{shown}");
    }

    #[test]
    fn renewal_starts_a_margin_before_expiry() {
        let token = Token::new("a", t0()).expires_in(Duration::from_secs(7200));
        let margin = Duration::from_secs(60);
        assert!(!token.needs_renewal(t0() + Duration::from_secs(7139), margin));
        assert!(token.needs_renewal(t0() + Duration::from_secs(7140), margin));
    }

    #[test]
    fn the_margin_is_capped_at_half_the_lifetime() {
        // A 60 s token with a 5 min margin is still used for its first 30 s.
        let token = Token::new("a", t0()).expires_in(Duration::from_secs(60));
        let margin = Duration::from_secs(300);
        assert!(!token.needs_renewal(t0() + Duration::from_secs(29), margin));
        assert!(token.needs_renewal(t0() + Duration::from_secs(30), margin));
    }

    #[test]
    fn tokens_without_expiry_never_need_renewal() {
        let token = Token::new("a", t0());
        assert!(!token.needs_renewal(t0() + Duration::from_secs(10 * 365 * 86400), Duration::ZERO));
    }
}
