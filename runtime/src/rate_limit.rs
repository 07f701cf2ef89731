//! Rate limits: what the server says about them, and an optional client-side limiter.
//!
//! - [`retry_after`] reads how long a 429 asks the client to wait (`Retry-After` in seconds
//!   or as an HTTP date, else `X-RateLimit-Reset`).
//! - [`RateLimitStatus`] is the last `X-RateLimit-Limit/Remaining/Reset` the server sent, as
//!   returned by [`ApiClient::rate_limit_status`](crate::ApiClient::rate_limit_status).
//! - [`RateLimiter`] is a token bucket on tokio's clock: with it a busy application slows
//!   down to the plan's limit instead of being refused.
//!
//! Header values come from the server (or any proxy on the way), so times computed from them
//! use checked arithmetic and are clamped to [`MAX_SERVER_WAIT`]; the lint below keeps it so.
#![warn(clippy::arithmetic_side_effects)]

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use tokio::time::Instant;

/// `X-RateLimit-Reset` values above this are Unix times; smaller ones are seconds from now.
const EPOCH_THRESHOLD: u64 = 1_000_000_000;

/// The furthest ahead a server's reset time or requested wait is believed: a day. Larger
/// values (`X-RateLimit-Reset: 18446744073709551615`, `1e300`) are clamped to it.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(24 * 3600);

/// The rate-limit headers of the latest response that carried any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitStatus {
    /// `X-RateLimit-Limit`: requests allowed in the window.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`: when the window resets.
    pub reset: Option<SystemTime>,
}

impl RateLimitStatus {
    /// Reads the headers; `None` when the response carries none of them.
    pub fn from_headers(headers: &HeaderMap, now: SystemTime) -> Option<Self> {
        let status = Self {
            limit: header_u64(headers, "x-ratelimit-limit"),
            remaining: header_u64(headers, "x-ratelimit-remaining"),
            reset: header_u64(headers, "x-ratelimit-reset").map(|v| reset_time(v, now)),
        };
        (status.limit.is_some() || status.remaining.is_some() || status.reset.is_some()).then_some(status)
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    parse_u64(headers.get(name)?.to_str().ok()?)
}

/// A non-negative number; fractions are rounded up (so we never come back early) and values
/// past `u64::MAX` saturate, also those past what an `f64` holds (`1e400`, `inf`): absurd,
/// not absent.
fn parse_u64(text: &str) -> Option<u64> {
    let text = text.trim();
    match text.parse::<u64>() {
        Ok(v) => Some(v),
        // `as` saturates: 1e300 and infinity become u64::MAX, which the callers clamp.
        Err(_) => text
            .parse::<f64>()
            .ok()
            .filter(|v| !v.is_nan() && *v >= 0.0)
            .map(|v| v.ceil() as u64),
    }
}

/// When a window resets, from a reset header value: at most [`MAX_SERVER_WAIT`] after `now`.
fn reset_time(value: u64, now: SystemTime) -> SystemTime {
    let seconds = Duration::from_secs(value);
    let reset = if value > EPOCH_THRESHOLD {
        UNIX_EPOCH.checked_add(seconds)
    } else {
        now.checked_add(seconds)
    };
    let latest = now.checked_add(MAX_SERVER_WAIT).unwrap_or(now);
    reset.map_or(latest, |reset| reset.min(latest))
}

/// How long the server asks the client to wait: `Retry-After` (seconds or an HTTP date),
/// else `X-RateLimit-Reset` (seconds, or a Unix time); at most [`MAX_SERVER_WAIT`], and zero
/// for a time already past. `None` if neither header is usable.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(value) = headers.get(http::header::RETRY_AFTER).and_then(|v| v.to_str().ok()) {
        if let Some(seconds) = parse_u64(value) {
            return Some(Duration::from_secs(seconds).min(MAX_SERVER_WAIT));
        }
        if let Ok(date) = httpdate::parse_http_date(value.trim()) {
            return Some(date.duration_since(now).unwrap_or(Duration::ZERO).min(MAX_SERVER_WAIT));
        }
    }
    let reset = header_u64(headers, "x-ratelimit-reset")?;
    Some(reset_time(reset, now).duration_since(now).unwrap_or(Duration::ZERO))
}

/// A client-side limit of `requests` per `period`, as a token bucket: up to `requests` may go
/// at once, then one more each `period / requests`. Waiting callers queue in arrival order.
///
/// With the `redis` feature, a limiter made by
/// `RedisShared::rate_budget` (in `client_runtime::shared`) counts the budget in
/// Redis for all replicas together (the token bucket is then its fallback while Redis fails),
/// and a 429 seen by one replica pauses all of them.
#[derive(Debug)]
pub struct RateLimiter {
    requests: u32,
    period: Duration,
    capacity: f64,
    per_second: f64,
    state: Mutex<Bucket>,
    #[cfg(feature = "redis")]
    shared: Option<crate::shared::SharedBudget>,
}

#[derive(Debug)]
struct Bucket {
    /// Tokens available; negative when callers have reserved tokens not yet refilled.
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    /// `requests` per `period` (e.g. 500 per 5 minutes). Zero values are raised to the
    /// smallest meaningful ones (1 request, 1 ms).
    pub fn new(requests: u32, period: Duration) -> Self {
        let requests = requests.max(1);
        let period = period.max(Duration::from_millis(1));
        let capacity = f64::from(requests);
        Self {
            requests,
            period,
            capacity,
            per_second: capacity / period.as_secs_f64(),
            state: Mutex::new(Bucket {
                tokens: capacity,
                last: Instant::now(),
            }),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// The same limit, counted in Redis.
    #[cfg(feature = "redis")]
    pub(crate) fn with_shared(mut self, budget: crate::shared::SharedBudget) -> Self {
        self.shared = Some(budget);
        self
    }

    /// The limit: `requests` per `period`.
    pub fn limit(&self) -> (u32, Duration) {
        (self.requests, self.period)
    }

    /// Whether the budget is shared with other processes (counted in Redis).
    pub fn is_shared(&self) -> bool {
        #[cfg(feature = "redis")]
        return self.shared.is_some();
        #[cfg(not(feature = "redis"))]
        false
    }

    /// The server answered 429 and asked to wait `wait`. A shared budget pauses every replica
    /// until then; a local one leaves the wait to the retry policy, which already sleeps it.
    pub async fn rate_limited(&self, wait: Duration) {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            shared.pause(wait).await;
        }
        #[cfg(not(feature = "redis"))]
        let _ = wait;
    }

    /// `requests` per second.
    pub fn per_second(requests: u32) -> Self {
        Self::new(requests, Duration::from_secs(1))
    }

    /// Waits until one more request is allowed, then counts it.
    pub async fn acquire(&self) {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            use crate::shared::Verdict;
            loop {
                match shared.try_acquire().await {
                    Verdict::Go => return,
                    Verdict::Wait(wait) => tokio::time::sleep(wait).await,
                    // Redis failed: this process's own bucket keeps it within the limit.
                    Verdict::Local => break,
                }
            }
        }
        let wait = self.reserve();
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a token (possibly one not refilled yet) and says how long to wait for it.
    fn reserve(&self) -> Duration {
        // A poisoned lock only means another task panicked mid-update; the numbers are
        // still usable.
        let mut bucket = match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = Instant::now();
        let refill = now.duration_since(bucket.last).as_secs_f64() * self.per_second;
        bucket.tokens = (bucket.tokens + refill).min(self.capacity);
        bucket.last = now;
        bucket.tokens -= 1.0;
        if bucket.tokens >= 0.0 {
            Duration::ZERO
        } else {
            // A limit of one request per aeon would overflow `Duration`; wait "forever" then.
            Duration::try_from_secs_f64(-bucket.tokens / self.per_second).unwrap_or(Duration::MAX)
        }
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expected times from fixed ones
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn retry_after_reads_seconds_dates_and_resets() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3")]), now),
            Some(Duration::from_secs(3))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &date)]), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers(&[("x-ratelimit-reset", "1700000005")]), now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_after(&headers(&[("x-ratelimit-reset", "12")]), now),
            Some(Duration::from_secs(12))
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
    }

    #[test]
    fn status_is_read_only_when_present() {
        let now = UNIX_EPOCH;
        assert_eq!(RateLimitStatus::from_headers(&HeaderMap::new(), now), None);
        let status = RateLimitStatus::from_headers(
            &headers(&[("x-ratelimit-limit", "500"), ("x-ratelimit-remaining", "42")]),
            now,
        );
        assert_eq!(
            status,
            Some(RateLimitStatus {
                limit: Some(500),
                remaining: Some(42),
                reset: None
            })
        );
    }

    #[test]
    fn absurd_resets_and_waits_are_clamped_to_a_day() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        for absurd in [
            "18446744073709551615",
            "1e300",
            "99999999999999999999999",
            "1e400",
            "inf",
        ] {
            let status = RateLimitStatus::from_headers(&headers(&[("x-ratelimit-reset", absurd)]), now).unwrap();
            assert_eq!(status.reset, Some(now + MAX_SERVER_WAIT), "{absurd}");
            let wait = retry_after(&headers(&[("retry-after", absurd)]), now);
            assert_eq!(wait, Some(MAX_SERVER_WAIT), "{absurd}");
        }
        // Seconds from now past the day are clamped too; a reset in the past is "now".
        let in_a_week = headers(&[("x-ratelimit-reset", "604800")]);
        assert_eq!(retry_after(&in_a_week, now), Some(MAX_SERVER_WAIT));
        assert_eq!(
            retry_after(&headers(&[("x-ratelimit-reset", "1600000000")]), now),
            Some(Duration::ZERO)
        );
        // Fractions round up rather than being ignored.
        assert_eq!(
            retry_after(&headers(&[("retry-after", "1.2")]), now),
            Some(Duration::from_secs(2))
        );
    }

    fn header_value() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_map(|f| f.to_string()),
            any::<f64>().prop_map(|f| format!("{f:e}")),
            "[0-9]{1,40}(\\.[0-9]{0,5})?",
            "[ -~]{0,40}",
        ]
    }

    proptest::proptest! {
        #[test]
        fn any_header_values_give_bounded_times(
            retry in header_value(),
            reset in header_value(),
            limit in header_value(),
            now in 0..=(i64::MAX as u64 / 2),
        ) {
            let now = UNIX_EPOCH + Duration::from_secs(now);
            let mut map = HeaderMap::new();
            for (name, value) in [("retry-after", &retry), ("x-ratelimit-reset", &reset), ("x-ratelimit-limit", &limit)] {
                if let Ok(value) = value.parse() {
                    map.insert(name, value);
                }
            }
            if let Some(wait) = retry_after(&map, now) {
                proptest::prop_assert!(wait <= MAX_SERVER_WAIT);
            }
            if let Some(reset) = RateLimitStatus::from_headers(&map, now).and_then(|s| s.reset) {
                proptest::prop_assert!(reset <= now + MAX_SERVER_WAIT);
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_limiter_lets_a_burst_through_then_spaces_requests() {
        let limiter = RateLimiter::new(2, Duration::from_secs(1));
        let start = Instant::now();
        limiter.acquire().await;
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire().await;
        let third = start.elapsed();
        limiter.acquire().await;
        let fourth = start.elapsed();
        assert!(third >= Duration::from_millis(499) && third <= Duration::from_millis(520));
        assert!(fourth >= Duration::from_millis(999) && fourth <= Duration::from_millis(1020));
    }
}
