//! The shop's settings, read once from the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `SKYPORT_SHOP_SESSION_IDLE_SECS` | 600 | a shopping session ends after this many idle seconds |
//! | `SKYPORT_SHOP_DEMO` | off | demo mode: `POST /shop-auth/api/demo/reset` and a demo account |
//! | `UNWRANGLE_API_KEY` | unset | search the external product API (see `skyport-catalog`) |

use std::sync::OnceLock;
use std::time::Duration;

/// What the shop apps read from the environment.
#[derive(Debug, Clone)]
pub(crate) struct ShopSettings {
    /// How long a shopping session lives without activity.
    pub(crate) idle: Duration,
    /// Demo mode: the reset endpoint and a demo account exist.
    pub(crate) demo: bool,
}

/// The default idle lifetime: ten minutes, as the seeds' sessions.
pub(crate) const DEFAULT_IDLE: Duration = Duration::from_secs(10 * 60);

impl ShopSettings {
    fn from_env() -> Self {
        let idle = std::env::var("SKYPORT_SHOP_SESSION_IDLE_SECS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_IDLE, Duration::from_secs);
        let demo = std::env::var("SKYPORT_SHOP_DEMO")
            .is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes" | "on"));
        Self { idle, demo }
    }

    /// The settings of this process.
    pub(crate) fn get() -> &'static ShopSettings {
        static SETTINGS: OnceLock<ShopSettings> = OnceLock::new();
        SETTINGS.get_or_init(Self::from_env)
    }

    /// The idle lifetime in whole minutes, for messages (at least 1).
    pub(crate) fn idle_minutes(&self) -> u64 {
        self.idle.as_secs().div_ceil(60).max(1)
    }
}
