//! The token lifecycle shared by every token flow: the [`Token`] itself, where it is kept
//! ([`TokenStore`]), what time it is ([`Clock`]) and the [`TokenCache`] that ties them
//! together (reuse until shortly before expiry, one fetch at a time per partition,
//! invalidation after a 401).
//!
//! Vendor flows (in [`crate::auth`]) only say *how* to get or refresh a token; the cache
//! decides *when*. This mirrors the split between an identity resolver and an identity cache.
//!
//! Lifetimes come from servers, so every expiry is computed with checked arithmetic and
//! clamped (see [`MAX_TOKEN_LIFETIME`] and [`MIN_TOKEN_LIFETIME`]); the lint below keeps it so.
#![warn(clippy::arithmetic_side_effects)]

mod cache;
mod clock;
mod store;

use std::fmt;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};

pub use cache::{TokenCache, DEFAULT_FAILURE_COOLDOWN, DEFAULT_REFRESH_MARGIN, MIN_TOKEN_LIFETIME};

/// The longest lifetime a token is given, whatever the server claims: a year. Longer claims
/// (`expires_in: 10000000000000000000`, `1e300`) are clamped to it, so no expiry overflows.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);
pub use clock::{Clock, ManualClock, SystemClock};
pub use store::{Lease, MemoryTokenStore, Sharing, StoreError, TokenStore};

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

    /// Sets the expiry `lifetime` after the time it was issued, at most
    /// [`MAX_TOKEN_LIFETIME`]. Any `lifetime` is safe, including one a server made up.
    #[must_use]
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        let lifetime = lifetime.min(MAX_TOKEN_LIFETIME);
        // Only an issue time within a year of the end of `SystemTime` fails to add; such a
        // token is treated as expiring when issued, so it is renewed rather than trusted.
        self.expires_at = Some(self.issued_at.checked_add(lifetime).unwrap_or(self.issued_at));
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
        let margin = margin.min(lifetime.checked_div(2).unwrap_or(Duration::ZERO));
        // `now + margin >= expires_at`, without adding to a time that may be near its end.
        match expires_at.duration_since(now) {
            Ok(left) => left <= margin,
            Err(_) => true,
        }
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
#[allow(clippy::arithmetic_side_effects)] // tests compute expected times from fixed ones
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
    fn lifetimes_beyond_a_year_are_clamped_and_never_overflow() {
        for secs in [10_000_000_000_000_000_000u64, u64::MAX] {
            let token = Token::new("a", t0()).expires_in(Duration::from_secs(secs));
            assert_eq!(token.expires_at(), Some(t0() + MAX_TOKEN_LIFETIME));
        }
        let token = Token::new("a", t0()).expires_in(Duration::MAX);
        assert_eq!(token.expires_at(), Some(t0() + MAX_TOKEN_LIFETIME));
        assert!(!token.needs_renewal(t0(), Duration::MAX));
        // Issued at the end of time (a broken store or clock): expiring, not a panic.
        let end = SystemTime::UNIX_EPOCH + Duration::from_secs(i64::MAX as u64);
        let late = Token::new("a", end).expires_in(Duration::from_secs(3600));
        assert!(late.needs_renewal(end, Duration::MAX));
    }

    fn time(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    proptest::proptest! {
        #[test]
        fn any_lifetime_issue_time_and_margin_is_safe(
            issued in 0..=i64::MAX as u64,
            lifetime_secs in proptest::num::u64::ANY,
            lifetime_nanos in 0..1_000_000_000u32,
            now in 0..=i64::MAX as u64,
            margin in proptest::num::u64::ANY,
        ) {
            let token = Token::new("a", time(issued)).expires_in(Duration::new(lifetime_secs, lifetime_nanos));
            let expires_at = token.expires_at().unwrap();
            let lifetime = expires_at.duration_since(time(issued)).unwrap();
            proptest::prop_assert!(lifetime <= MAX_TOKEN_LIFETIME);
            let _ = token.needs_renewal(time(now), Duration::from_secs(margin));
        }
    }

    #[test]
    fn tokens_without_expiry_never_need_renewal() {
        let token = Token::new("a", t0());
        assert!(!token.needs_renewal(t0() + Duration::from_secs(10 * 365 * 86400), Duration::ZERO));
    }
}
