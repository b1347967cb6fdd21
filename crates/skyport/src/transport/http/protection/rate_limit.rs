//! Request rates per client address and per OAuth client, in fixed
//! one-minute windows (`[limits]`).
//!
//! Where the counts live depends on the store:
//! - **Shared** (PostgreSQL or Redis coordination): every hit goes through
//!   [`Coordination::rate_hit`], so all replicas count together. A key found
//!   over its limit is remembered in the process until its window ends, so a
//!   flood from one address costs the store one write per replica and
//!   window, not one per request.
//! - **Not shared** (the embedded SQLite store, one process): a `DashMap` of
//!   windows in memory. `rate_hit` would be a SQL write (~120 µs, one writer)
//!   on every request; the in-memory check costs tens of nanoseconds.
//!
//! A store that fails does not stop the server: the request is let through
//! and the failure logged (at most once a minute).

use std::hash::BuildHasher;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dashmap::DashMap;
use skyport_store::Coordination;

use crate::auth::Principal;
use crate::server::config::LimitsConfig;

/// The length of a rate window.
pub const WINDOW: Duration = Duration::from_secs(60);
const WINDOW_MS: u64 = 60_000;

/// Which limit a request ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scope {
    /// `limits.per_ip_per_minute`.
    Ip,
    /// `limits.per_client_per_minute`.
    Client,
}

impl Scope {
    /// The setting that sets this limit.
    pub fn setting(self) -> &'static str {
        match self {
            Scope::Ip => "limits.per_ip_per_minute",
            Scope::Client => "limits.per_client_per_minute",
        }
    }

    fn env(self) -> &'static str {
        match self {
            Scope::Ip => "SKYPORT_LIMITS_PER_IP_PER_MINUTE",
            Scope::Client => "SKYPORT_LIMITS_PER_CLIENT_PER_MINUTE",
        }
    }

    fn who(self) -> &'static str {
        match self {
            Scope::Ip => "this address",
            Scope::Client => "this client",
        }
    }

    fn store_prefix(self) -> &'static str {
        match self {
            Scope::Ip => "ip:",
            Scope::Client => "client:",
        }
    }
}

/// A request over its limit: answered with HTTP 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// The limit exceeded.
    pub scope: Scope,
    /// Requests allowed per window.
    pub limit: u64,
    /// Time until the window resets.
    pub reset_after: Duration,
}

impl IntoResponse for Refusal {
    /// 429 with `Retry-After`, the IETF draft's `RateLimit-Limit`,
    /// `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`, and
    /// `{"error":"rate_limited","error_description":…}` naming the setting.
    fn into_response(self) -> Response {
        // Whole seconds, rounded up, at least 1: "retry now" would only be refused again.
        let secs = self.reset_after.as_millis().div_ceil(1000).max(1) as u64;
        let body = serde_json::json!({
            "error": "rate_limited",
            "error_description": format!(
                "Too many requests from {}: more than {} a minute ({}, env {}). Retry in {secs} s.",
                self.scope.who(),
                self.limit,
                self.scope.setting(),
                self.scope.env(),
            ),
        });
        let mut r = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
        let h = r.headers_mut();
        h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        h.insert("ratelimit-limit", HeaderValue::from(self.limit));
        h.insert("ratelimit-remaining", HeaderValue::from_static("0"));
        h.insert("ratelimit-reset", HeaderValue::from(secs));
        if let Ok(v) = HeaderValue::from_str(&format!("{};w={}", self.limit, WINDOW.as_secs())) {
            h.insert("ratelimit-policy", v);
        }
        r
    }
}

/// One key's window.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Window number (milliseconds since the epoch / window length).
    window: u64,
    /// Hits counted here in that window (in-memory mode only).
    count: u64,
    /// Shared mode: the store refused this key in `window`.
    refused: bool,
}

/// Milliseconds since the Unix epoch, from a monotonic clock: windows line
/// up with the store's (which are epoch-aligned) and never run backwards.
#[derive(Debug)]
struct Clock {
    start: Instant,
    epoch_ms: u64,
}

impl Clock {
    fn new() -> Self {
        let epoch_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Self {
            start: Instant::now(),
            epoch_ms,
        }
    }

    /// Milliseconds since the epoch.
    fn now_ms(&self) -> u64 {
        // Seconds and milliseconds apart: `as_millis` is u128 arithmetic.
        let e = self.start.elapsed();
        self.epoch_ms + e.as_secs() * 1000 + u64::from(e.subsec_millis())
    }
}

/// The window `now_ms` falls in.
fn window_of(now_ms: u64) -> u64 {
    now_ms / WINDOW_MS
}

/// The time from `now_ms` until its window ends.
fn reset_after(now_ms: u64) -> Duration {
    Duration::from_millis(WINDOW_MS - now_ms % WINDOW_MS)
}

/// foldhash, seeded per process: a fifth of SipHash's cost on an address,
/// and its keys are addresses and client ids, not attacker-chosen strings.
type Hasher = foldhash::quality::RandomState;

/// The `[limits]` in force: counts hits per client address and per OAuth
/// client. Cheap to share behind an `Arc`; make one per server.
#[derive(Debug)]
pub struct RateLimiter {
    per_ip: u64,
    per_client: u64,
    exempt_loopback: bool,
    clock: Clock,
    ips: DashMap<IpAddr, Slot, Hasher>,
    clients: DashMap<Box<str>, Slot, Hasher>,
    /// Set when the store's coordination is shared by replicas.
    shared: Option<Arc<dyn Coordination>>,
    /// The last window whose expired slots were removed.
    swept: AtomicU64,
    /// The last window in which a store failure was logged.
    logged: AtomicU64,
}

impl RateLimiter {
    /// A limiter for `limits`; counts go through `store` when its
    /// coordination is shared by replicas (PostgreSQL, Redis), else stay in
    /// this process.
    pub fn new(limits: &LimitsConfig, store: Option<&skyport_store::Store>) -> Self {
        let shared = store
            .filter(|s| s.coordination.is_shared())
            .map(|s| s.coordination.clone());
        let hasher = Hasher::default();
        Self {
            per_ip: limits.per_ip_per_minute,
            per_client: limits.per_client_per_minute,
            exempt_loopback: limits.exempt_loopback,
            clock: Clock::new(),
            ips: DashMap::with_hasher(hasher.clone()),
            clients: DashMap::with_hasher(hasher),
            shared,
            swept: AtomicU64::new(0),
            logged: AtomicU64::new(0),
        }
    }

    /// True when counts are shared with other replicas through the store.
    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// True when `limits.per_ip_per_minute` is above 0.
    pub fn limits_ips(&self) -> bool {
        self.per_ip > 0
    }

    /// True when `limits.per_client_per_minute` is above 0.
    pub fn limits_clients(&self) -> bool {
        self.per_client > 0
    }

    /// Counts a request from `ip`; a 429 response when it is over
    /// `limits.per_ip_per_minute`. Loopback addresses pass uncounted when
    /// `limits.exempt_loopback` is on.
    pub async fn check_ip(&self, ip: IpAddr) -> Result<(), Response> {
        self.hit_ip(ip).await.map_err(IntoResponse::into_response)
    }

    /// Counts a request from the OAuth client (or API key) `client_id`, as
    /// in [`crate::auth::Principal::client_id`]; a 429 response when it is
    /// over `limits.per_client_per_minute`.
    pub async fn check_client(&self, client_id: &str) -> Result<(), Response> {
        self.hit_client(client_id)
            .await
            .map_err(IntoResponse::into_response)
    }

    /// [`Self::check_ip`], returning the refusal itself.
    pub async fn hit_ip(&self, ip: IpAddr) -> Result<(), Refusal> {
        if self.per_ip == 0 {
            return Ok(());
        }
        let ip = ip.to_canonical();
        if self.exempt_loopback && ip.is_loopback() {
            return Ok(());
        }
        let key = bucket(ip);
        let now = self.clock.now_ms();
        let window = window_of(now);
        self.sweep(window);
        let refusal = || Refusal {
            scope: Scope::Ip,
            limit: self.per_ip,
            reset_after: reset_after(now),
        };
        match &self.shared {
            None => {
                let within = match self.ips.get_mut(&key) {
                    Some(mut slot) => count_local(&mut slot, window, self.per_ip),
                    None => count_local(
                        &mut self.ips.entry(key).or_insert(Slot::EMPTY),
                        window,
                        self.per_ip,
                    ),
                };
                if within { Ok(()) } else { Err(refusal()) }
            }
            Some(store) => {
                if self.ips.get(&key).is_some_and(|s| s.is_refused(window)) {
                    return Err(refusal());
                }
                let decision = self
                    .ask_store(store.as_ref(), Scope::Ip, &key.to_string(), self.per_ip)
                    .await;
                self.remember(&self.ips, key, window, decision, refusal())
            }
        }
    }

    /// [`Self::check_client`], returning the refusal itself.
    pub async fn hit_client(&self, client_id: &str) -> Result<(), Refusal> {
        if self.per_client == 0 {
            return Ok(());
        }
        let now = self.clock.now_ms();
        let window = window_of(now);
        self.sweep(window);
        let refusal = || Refusal {
            scope: Scope::Client,
            limit: self.per_client,
            reset_after: reset_after(now),
        };
        match &self.shared {
            None => {
                let within = match self.clients.get_mut(client_id) {
                    Some(mut slot) => count_local(&mut slot, window, self.per_client),
                    None => count_local(
                        &mut self.clients.entry(client_id.into()).or_insert(Slot::EMPTY),
                        window,
                        self.per_client,
                    ),
                };
                if within { Ok(()) } else { Err(refusal()) }
            }
            Some(store) => {
                if self
                    .clients
                    .get(client_id)
                    .is_some_and(|s| s.is_refused(window))
                {
                    return Err(refusal());
                }
                let decision = self
                    .ask_store(store.as_ref(), Scope::Client, client_id, self.per_client)
                    .await;
                self.remember(&self.clients, client_id.into(), window, decision, refusal())
            }
        }
    }

    /// One hit in the store; `None` when the store failed (the request passes).
    async fn ask_store(
        &self,
        store: &dyn Coordination,
        scope: Scope,
        key: &str,
        limit: u64,
    ) -> Option<skyport_store::coordination::RateDecision> {
        let key = format!("{}{key}", scope.store_prefix());
        match store.rate_hit(&key, limit, WINDOW).await {
            Ok(d) => Some(d),
            Err(e) => {
                let window = window_of(self.clock.now_ms());
                if self.logged.swap(window, Ordering::Relaxed) != window {
                    tracing::warn!(error = %e, setting = scope.setting(), "rate limit: the store failed; requests pass unlimited until it answers");
                }
                None
            }
        }
    }

    /// Shared mode: keeps a refusal in memory until its window ends.
    fn remember<K, S>(
        &self,
        map: &DashMap<K, Slot, S>,
        key: K,
        window: u64,
        decision: Option<skyport_store::coordination::RateDecision>,
        mut refusal: Refusal,
    ) -> Result<(), Refusal>
    where
        K: Eq + std::hash::Hash,
        S: BuildHasher + Clone,
    {
        match decision {
            Some(d) if !d.allowed => {
                map.insert(
                    key,
                    Slot {
                        window,
                        count: d.count,
                        refused: true,
                    },
                );
                if !d.reset_after.is_zero() {
                    refusal.reset_after = d.reset_after;
                }
                Err(refusal)
            }
            _ => Ok(()),
        }
    }

    /// Drops the slots of ended windows, once per window.
    fn sweep(&self, window: u64) {
        let last = self.swept.load(Ordering::Relaxed);
        if last >= window
            || self
                .swept
                .compare_exchange(last, window, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        self.ips.retain(|_, s| s.window >= window);
        self.clients.retain(|_, s| s.window >= window);
    }

    /// Keys currently held in memory (for tests and diagnostics).
    pub fn tracked(&self) -> usize {
        self.ips.len() + self.clients.len()
    }
}

impl Slot {
    const EMPTY: Slot = Slot {
        window: 0,
        count: 0,
        refused: false,
    };

    fn is_refused(&self, window: u64) -> bool {
        self.refused && self.window == window
    }
}

/// In-memory mode: one hit in the current window; false when past `limit`.
fn count_local(slot: &mut Slot, window: u64, limit: u64) -> bool {
    if slot.window != window {
        *slot = Slot {
            window,
            count: 0,
            refused: false,
        };
    }
    slot.count = slot.count.saturating_add(1);
    slot.count <= limit
}

/// The key an address counts under: IPv4 addresses alone, IPv6 addresses by
/// their /64 (one subscriber's network: a client can change addresses within
/// it at will).
fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let masked = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(masked))
        }
    }
}

/// Middleware for routes behind authentication: counts the request against
/// the principal's client (`Arc<Principal>` in the request extensions, put
/// there by the auth layer, so this must run inside it). Anonymous requests
/// pass uncounted here (the per-address limit still applies).
///
/// `axum::middleware::from_fn_with_state(limiter, per_client)`.
pub async fn per_client(
    State(limiter): State<Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(p) = request.extensions().get::<Arc<Principal>>()
        && let Err(r) = limiter.check_client(&p.client_id).await
    {
        return r;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_ip: u64, per_client: u64, exempt_loopback: bool) -> RateLimiter {
        RateLimiter::new(
            &LimitsConfig {
                per_ip_per_minute: per_ip,
                per_client_per_minute: per_client,
                exempt_loopback,
            },
            None,
        )
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn counts_per_address_and_refuses_past_the_limit() {
        let l = limiter(3, 0, true);
        for _ in 0..3 {
            assert!(l.hit_ip(ip("203.0.113.7")).await.is_ok());
        }
        let r = l.hit_ip(ip("203.0.113.7")).await.unwrap_err();
        assert_eq!((r.scope, r.limit), (Scope::Ip, 3));
        assert!(r.reset_after <= WINDOW && !r.reset_after.is_zero());
        // Another address has its own count.
        assert!(l.hit_ip(ip("203.0.113.8")).await.is_ok());
        // Loopback is exempt (also IPv4-mapped).
        for _ in 0..10 {
            assert!(l.hit_ip(ip("127.0.0.1")).await.is_ok());
            assert!(l.hit_ip(ip("::ffff:127.0.0.1")).await.is_ok());
            assert!(l.hit_ip(ip("::1")).await.is_ok());
        }
        // Clients are unlimited at 0.
        for _ in 0..10 {
            assert!(l.hit_client("c").await.is_ok());
        }
    }

    #[tokio::test]
    async fn ipv6_counts_per_64_and_loopback_can_be_limited() {
        let l = limiter(2, 0, false);
        assert!(l.hit_ip(ip("2001:db8:1:2::1")).await.is_ok());
        assert!(l.hit_ip(ip("2001:db8:1:2::ffff")).await.is_ok());
        assert!(l.hit_ip(ip("2001:db8:1:2:abcd::9")).await.is_err());
        assert!(l.hit_ip(ip("2001:db8:1:3::1")).await.is_ok());
        assert!(l.hit_ip(ip("127.0.0.1")).await.is_ok());
        assert!(l.hit_ip(ip("127.0.0.1")).await.is_ok());
        assert!(l.hit_ip(ip("127.0.0.1")).await.is_err());
    }

    #[tokio::test]
    async fn clients_are_counted_apart_and_the_429_names_the_setting() {
        let l = limiter(0, 1, true);
        assert!(l.check_client("a").await.is_ok());
        assert!(l.check_client("b").await.is_ok());
        let r = l.check_client("a").await.unwrap_err();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let h = r.headers();
        let secs: u64 = h[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&secs));
        assert_eq!(h["ratelimit-limit"], "1");
        assert_eq!(h["ratelimit-remaining"], "0");
        assert_eq!(h["ratelimit-reset"], h[header::RETRY_AFTER]);
        let body = axum::body::to_bytes(r.into_body(), 4096).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"], "rate_limited");
        assert!(
            v["error_description"]
                .as_str()
                .unwrap()
                .contains("limits.per_client_per_minute"),
            "{v}"
        );
        // Addresses are unlimited at 0.
        assert!(l.check_ip(ip("198.51.100.1")).await.is_ok());
    }

    #[test]
    fn a_new_window_starts_from_zero_and_old_slots_are_swept() {
        let mut slot = Slot::EMPTY;
        assert!(count_local(&mut slot, 5, 1));
        assert!(!count_local(&mut slot, 5, 1));
        assert!(count_local(&mut slot, 6, 1));
        assert_eq!(
            reset_after(60_000 * 7 + 1_500),
            Duration::from_millis(58_500)
        );
        assert_eq!(window_of(60_000 * 7 + 59_999), 7);

        let l = limiter(5, 5, false);
        l.ips.insert(
            ip("192.0.2.1"),
            Slot {
                window: 1,
                count: 1,
                refused: false,
            },
        );
        l.clients.insert(
            "old".into(),
            Slot {
                window: 1,
                count: 1,
                refused: false,
            },
        );
        assert_eq!(l.tracked(), 2);
        l.sweep(window_of(l.clock.now_ms()));
        assert_eq!(l.tracked(), 0);
    }

    /// `cargo test --release -p skyport --lib protection::rate_limit -- --ignored --nocapture`
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "a timing measurement, not a check"]
    async fn cost_of_a_check() {
        let l = Arc::new(limiter(u64::MAX, u64::MAX, false));
        let n = 2_000_000u32;
        for (name, addr) in [("one address", None), ("many addresses", Some(()))] {
            let start = Instant::now();
            for i in 0..n {
                let a = match addr {
                    None => IpAddr::from([198, 51, 100, 1]),
                    Some(()) => IpAddr::from((0x0a00_0000 | (i % 10_000)).to_be_bytes()),
                };
                let _ = std::hint::black_box(l.hit_ip(a).await);
            }
            println!(
                "hit_ip ({name}): {:.1} ns",
                start.elapsed().as_nanos() as f64 / f64::from(n)
            );
        }
        let loopback = limiter(1200, 600, true);
        let start = Instant::now();
        for _ in 0..n {
            let _ = std::hint::black_box(loopback.hit_ip(IpAddr::from([127, 0, 0, 1])).await);
        }
        println!(
            "hit_ip (loopback, exempt): {:.1} ns",
            start.elapsed().as_nanos() as f64 / f64::from(n)
        );
        let start = Instant::now();
        for _ in 0..n {
            let _ = std::hint::black_box(l.hit_client("client-abc").await);
        }
        println!(
            "hit_client: {:.1} ns",
            start.elapsed().as_nanos() as f64 / f64::from(n)
        );
    }
}
