//! Injectable time, so expiry and refresh can be tested without sleeping.
//!
//! Token expiry is kept as wall-clock time ([`SystemTime`]) rather than [`std::time::Instant`]
//! because tokens are persisted in a [`TokenStore`](super::TokenStore) and must still mean
//! something after a restart or on another replica.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to; clones share the same time. Meant for tests.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<SystemTime>>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock forward by `by`; it stops at the end of representable time.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.checked_add(by).unwrap_or(*now);
    }

    /// Sets the clock to `to`.
    pub fn set(&self, to: SystemTime) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }
}

impl Default for ManualClock {
    /// A clock standing at an arbitrary fixed point (2024-01-01T00:00:00Z).
    fn default() -> Self {
        // A constant well inside `SystemTime`'s range on every platform.
        #[allow(clippy::arithmetic_side_effects)]
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_067_200);
        Self::new(start)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expected times from fixed ones
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let clock = ManualClock::default();
        let start = clock.now();
        let other = clock.clone();
        other.advance(Duration::from_secs(30));
        assert_eq!(clock.now(), start + Duration::from_secs(30));
    }
}
