//! [`SharedBudget`]: a rate budget counted in Redis for every replica together.
//!
//! A sliding window log: one sorted set per budget holds the time of each request of the
//! last `period`; a request is let through when fewer than `requests` are in it. One Lua
//! script checks the pause set by a 429, trims the window, counts and records, in one round
//! trip, with Redis's own clock so replicas with skewed clocks still agree.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{unique_id, RedisShared};

/// `KEYS[1]` window (sorted set), `KEYS[2]` pause; `ARGV[1]` requests, `ARGV[2]` period in
/// ms, `ARGV[3]` a unique member. Returns 0 when the request may go, else the ms to wait.
const ACQUIRE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then
  return paused
end
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], period)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + period - now + 1)
";

/// `KEYS[1]` pause; `ARGV[1]` ms. Extends the pause, never shortens it.
const PAUSE: &str = r"
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 0
";

/// The longest pause one 429 imposes on the fleet, unless the budget's period is longer.
pub const MAX_FLEET_PAUSE: Duration = Duration::from_secs(300);
const MAX_FLEET_PAUSE_MS: u64 = 300_000;

/// A rate budget in Redis; used through [`RateLimiter`](crate::RateLimiter).
pub(crate) struct SharedBudget {
    shared: RedisShared,
    window_key: String,
    pause_key: String,
    requests: u32,
    period_ms: u64,
    acquire: redis::Script,
    pause: redis::Script,
    member_prefix: String,
    counter: AtomicU64,
    degraded: Arc<AtomicBool>,
}

impl fmt::Debug for SharedBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedBudget")
            .field("window_key", &self.window_key)
            .field("requests", &self.requests)
            .field("period_ms", &self.period_ms)
            .finish_non_exhaustive()
    }
}

/// What the budget said about one request.
pub(crate) enum Verdict {
    /// Counted: go.
    Go,
    /// Full or paused: ask again after this long.
    Wait(Duration),
    /// Redis failed: use the process's own limiter.
    Local,
}

impl SharedBudget {
    pub(crate) fn new(shared: RedisShared, name: &str, requests: u32, period: Duration) -> Self {
        Self {
            window_key: shared.key("budget", name),
            pause_key: shared.key("pause", name),
            shared,
            requests: requests.max(1),
            period_ms: u64::try_from(period.as_millis()).unwrap_or(u64::MAX).max(1),
            acquire: redis::Script::new(ACQUIRE),
            pause: redis::Script::new(PAUSE),
            member_prefix: unique_id(),
            counter: AtomicU64::new(0),
            degraded: Arc::new(AtomicBool::new(false)),
        }
    }

    /// One round trip: may a request go now?
    pub(crate) async fn try_acquire(&self) -> Verdict {
        let member = format!(
            "{}-{}",
            self.member_prefix,
            self.counter.fetch_add(1, Ordering::Relaxed)
        );
        let result = self
            .shared
            .call("rate budget", |mut c| async move {
                self.acquire
                    .key(&self.window_key)
                    .key(&self.pause_key)
                    .arg(self.requests)
                    .arg(self.period_ms)
                    .arg(member)
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await;
        match result {
            Ok(wait_ms) => {
                if self.degraded.swap(false, Ordering::Relaxed) {
                    tracing::info!("Redis answers again; the rate budget is shared with the other replicas again");
                }
                match u64::try_from(wait_ms) {
                    Ok(0) | Err(_) => Verdict::Go,
                    // Never sleep longer than one period at a time: the window moves on.
                    Ok(ms) => Verdict::Wait(Duration::from_millis(ms.min(self.period_ms))),
                }
            }
            Err(error) => {
                if !self.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(error = %error, "Redis failed; this process uses its own rate limiter until Redis answers again");
                }
                Verdict::Local
            }
        }
    }

    /// The server answered 429 asking to wait `wait`: every replica pauses until then, for
    /// at most [`MAX_FLEET_PAUSE`] or one budget period, whichever is longer (a server or
    /// proxy asking for days must not stop the fleet for days; the request's own retry
    /// policy still decides about that request).
    pub(crate) async fn pause(&self, wait: Duration) {
        let cap = self.period_ms.max(MAX_FLEET_PAUSE_MS);
        let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).clamp(1, cap);
        let result = self
            .shared
            .call("rate budget pause", |mut c| async move {
                self.pause
                    .key(&self.pause_key)
                    .arg(ms)
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await;
        if let Err(error) = result {
            tracing::warn!(error = %error, "could not share a 429's pause with the other replicas");
        }
    }
}
