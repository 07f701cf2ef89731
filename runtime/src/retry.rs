//! Retries: which failures are worth another attempt, and how long to wait before it.
//!
//! A [`RetryPolicy`] decides; the [`ApiClient`](crate::ApiClient) waits with a [`Sleeper`]
//! (tokio's timer unless another is injected, e.g. one that returns at once in tests).
//!
//! - Transport errors and 502/503/504 are retried on idempotent requests only
//!   ([`ApiRequest::is_retry_safe`](crate::ApiRequest::is_retry_safe)): GET, HEAD, PUT,
//!   DELETE, OPTIONS, LINK, UNLINK, or a POST the spec marks safe.
//! - 429 (and any other status configured with [`RetryPolicy::rate_limited_status`], such as
//!   Timekit's 503) is retried on any method when the server says when to come back, after
//!   the wait it names (`Retry-After` or `X-RateLimit-Reset`); without such a header it is
//!   treated like the 5xx above.
//! - Waits grow exponentially with jitter; attempts and total time are capped. A server wait
//!   is never shorter than the policy's own backoff (`Retry-After: 0` or a past date does not
//!   mean "hammer me"), and one longer than what is left of the budget ends the retries at
//!   once with [`ErrorKind::RateLimited`](crate::ErrorKind::RateLimited), which carries the wait.
//!
//! Server waits are clamped where they are read ([`crate::rate_limit::retry_after`]) and all
//! arithmetic on them here saturates; the lint below keeps it so.
#![warn(clippy::arithmetic_side_effects)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};

use crate::rate_limit;

/// Waits for a while. Injected into the client so tests need not wait for real.
pub trait Sleeper: Send + Sync + fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// The default [`Sleeper`]: `tokio::time::sleep` (so paused tokio time applies to it).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// When and how often a failed request is sent again. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
    jitter: bool,
    retry_statuses: Vec<StatusCode>,
    rate_limited_statuses: Vec<StatusCode>,
}

impl Default for RetryPolicy {
    /// 4 attempts in all, waits from 200 ms doubling up to 10 s, with jitter, within 60 s;
    /// retries 502, 503 and 504 (idempotent requests) and 429.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(60),
            jitter: true,
            retry_statuses: vec![
                StatusCode::BAD_GATEWAY,
                StatusCode::SERVICE_UNAVAILABLE,
                StatusCode::GATEWAY_TIMEOUT,
            ],
            rate_limited_statuses: vec![StatusCode::TOO_MANY_REQUESTS],
        }
    }
}

/// What went wrong with one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failure<'a> {
    /// No response arrived.
    Transport,
    /// A response arrived with this status and these headers.
    Status(StatusCode, &'a HeaderMap),
}

impl RetryPolicy {
    /// The default policy; see [`Default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// No retries at all: every failure is returned at once.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, the first included (1 disables retries). Default: 4.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry; each later wait doubles it. Default: 200 ms.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between two attempts the policy chooses itself. Default: 10 s.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The total time one call may take with all its retries and waits; no retry is started
    /// that could not begin before it runs out. Default: 60 s.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// Whether waits are randomised (between half and all of the computed wait), so many
    /// clients do not retry in step. Default: on.
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Also treats `status` as "over the rate limit" (like 429), e.g. Timekit's 503.
    pub fn rate_limited_status(mut self, status: StatusCode) -> Self {
        if !self.rate_limited_statuses.contains(&status) {
            self.rate_limited_statuses.push(status);
        }
        self
    }

    /// [`rate_limited_status`](Self::rate_limited_status) by number; invalid codes are ignored.
    pub fn rate_limited_status_code(self, code: u16) -> Self {
        match StatusCode::from_u16(code) {
            Ok(status) => self.rate_limited_status(status),
            Err(_) => self,
        }
    }

    /// Whether this policy retries at all.
    pub fn is_enabled(&self) -> bool {
        self.max_attempts > 1
    }

    /// How long to wait before the next attempt, or `None` to give up.
    ///
    /// `attempts` is how many attempts were made so far (at least 1) and `elapsed` the time
    /// since the first one started.
    pub(crate) fn wait_before_retry(
        &self,
        failure: Failure<'_>,
        retry_safe: bool,
        attempts: u32,
        elapsed: Duration,
        now: SystemTime,
    ) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let wait = match failure {
            Failure::Transport if retry_safe => self.backoff(attempts),
            Failure::Transport => return None,
            Failure::Status(status, headers) => {
                let server_wait = self
                    .rate_limited_statuses
                    .contains(&status)
                    .then(|| rate_limit::retry_after(headers, now))
                    .flatten();
                match server_wait {
                    Some(wait) => wait.max(self.backoff(attempts)),
                    None if retry_safe
                        && (self.retry_statuses.contains(&status) || self.rate_limited_statuses.contains(&status)) =>
                    {
                        self.backoff(attempts)
                    }
                    // A 429 without a wait was still not processed: any method may retry.
                    None if status == StatusCode::TOO_MANY_REQUESTS => self.backoff(attempts),
                    None => return None,
                }
            }
        };
        (elapsed.saturating_add(wait) < self.max_elapsed).then_some(wait)
    }

    /// The wait the server asked for on a rate-limited `status`, when it is longer than what
    /// is left of the budget after `elapsed`: the call is then given up with that wait.
    pub(crate) fn wait_beyond_budget(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        elapsed: Duration,
        now: SystemTime,
    ) -> Option<Duration> {
        if !self.rate_limited_statuses.contains(&status) {
            return None;
        }
        let wait = rate_limit::retry_after(headers, now)?;
        (elapsed.saturating_add(wait) >= self.max_elapsed).then_some(wait)
    }

    /// The wait after `attempts` attempts: `initial * 2^(attempts-1)`, capped, with jitter.
    fn backoff(&self, attempts: u32) -> Duration {
        let exponent = attempts.saturating_sub(1).min(20);
        let wait = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        if self.jitter {
            let half = wait.checked_div(2).unwrap_or(Duration::ZERO);
            half.saturating_add(half.mul_f64(random_fraction()))
        } else {
            wait
        }
    }
}

/// A number in `[0, 1)`; 0.5 should the system's random source fail (jitter is no secret).
pub(crate) fn random_fraction() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::getrandom(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expected times from fixed ones
mod tests {
    use super::*;

    fn status(policy: &RetryPolicy, code: u16, safe: bool, attempts: u32) -> Option<Duration> {
        let headers = HeaderMap::new();
        let status = StatusCode::from_u16(code).unwrap();
        policy.wait_before_retry(
            Failure::Status(status, &headers),
            safe,
            attempts,
            Duration::ZERO,
            SystemTime::now(),
        )
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_without_jitter() {
        let policy = RetryPolicy::new()
            .jitter(false)
            .max_attempts(10)
            .max_backoff(Duration::from_millis(500));
        assert_eq!(status(&policy, 503, true, 1), Some(Duration::from_millis(200)));
        assert_eq!(status(&policy, 503, true, 2), Some(Duration::from_millis(400)));
        assert_eq!(status(&policy, 503, true, 3), Some(Duration::from_millis(500)));
    }

    #[test]
    fn jitter_stays_between_half_and_all_of_the_wait() {
        let policy = RetryPolicy::new();
        for _ in 0..50 {
            let wait = status(&policy, 502, true, 1).unwrap();
            assert!(wait >= Duration::from_millis(100) && wait <= Duration::from_millis(200));
        }
    }

    #[test]
    fn unsafe_requests_and_other_statuses_are_not_retried() {
        let policy = RetryPolicy::new();
        assert_eq!(status(&policy, 503, false, 1), None);
        assert_eq!(status(&policy, 500, true, 1), None);
        assert_eq!(status(&policy, 404, true, 1), None);
        assert!(status(&policy, 429, false, 1).is_some());
    }

    #[test]
    fn attempts_and_total_time_are_capped() {
        let policy = RetryPolicy::new().max_attempts(2);
        assert_eq!(status(&policy, 503, true, 2), None);
        assert_eq!(status(&RetryPolicy::disabled(), 503, true, 1), None);
        let headers = HeaderMap::new();
        let late = policy.wait_before_retry(
            Failure::Status(StatusCode::BAD_GATEWAY, &headers),
            true,
            1,
            Duration::from_secs(60),
            SystemTime::now(),
        );
        assert_eq!(late, None);
    }

    #[test]
    fn a_zero_or_past_server_wait_still_backs_off() {
        let policy = RetryPolicy::new().jitter(false);
        let now = SystemTime::now();
        let past = httpdate::fmt_http_date(now - Duration::from_secs(3600));
        for value in ["0", past.as_str()] {
            let mut headers = HeaderMap::new();
            headers.insert("retry-after", value.parse().unwrap());
            let wait = |attempts| {
                policy.wait_before_retry(
                    Failure::Status(StatusCode::TOO_MANY_REQUESTS, &headers),
                    false,
                    attempts,
                    Duration::ZERO,
                    now,
                )
            };
            assert_eq!(wait(1), Some(Duration::from_millis(200)), "{value}");
            assert_eq!(wait(2), Some(Duration::from_millis(400)), "{value}");
        }
    }

    #[test]
    fn a_server_wait_beyond_the_budget_ends_the_retries() {
        let policy = RetryPolicy::new().max_elapsed(Duration::from_secs(5));
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "30".parse().unwrap());
        let wait = policy.wait_before_retry(
            Failure::Status(StatusCode::TOO_MANY_REQUESTS, &headers),
            true,
            1,
            Duration::ZERO,
            SystemTime::now(),
        );
        assert_eq!(wait, None);
    }
}
