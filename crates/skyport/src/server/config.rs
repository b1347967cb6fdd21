//! Configuration: defaults, then a TOML file, then `SKYPORT_*` environment
//! variables, then command-line flags (each overriding the one before).
//!
//! Every field says its default and why. Secure choices are the defaults:
//! loopback only, loopback origins only, bounded bodies and drains.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Deserializer, Serialize};

use crate::engine::EngineSettings;
use crate::observability::logging::LogFormat;
use crate::transport::http::{HttpSettings, guard};

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on. Default `127.0.0.1:8787`: loopback, so a laptop
    /// server is not reachable from the network until you say so.
    pub listen: SocketAddr,
    /// Apps to enable (comma-separated in env and flags). Empty = every
    /// production app (the built-in test apps stay off unless named).
    #[serde(deserialize_with = "string_or_list")]
    pub apps: Vec<String>,
    /// App served at `/mcp` and `/sse`. Default: the only enabled app, if one.
    pub default_app: Option<String>,
    /// Stateless Streamable HTTP: no sessions; GET/DELETE answer 405. Default
    /// off, because session-era clients need sessions for server-to-client requests.
    pub stateless: bool,
    /// `human` or `json` log lines.
    pub log_format: LogFormat,
    /// Log filter when `RUST_LOG` is unset.
    pub log_level: String,
    /// Where the server keeps its files (the embedded store, earlier widget
    /// versions). Default `./data`, beside where the server runs.
    pub data_dir: PathBuf,
    /// HTTP limits and checks.
    pub http: HttpConfig,
    /// Protocol engine settings.
    pub mcp: McpConfig,
    /// Widget publishing.
    pub widgets: WidgetsConfig,
    /// Where data and coordination live.
    pub store: StoreSection,
    /// Who may call the apps.
    pub auth: AuthSection,
    /// Request rates (per client address, per OAuth client).
    pub limits: LimitsConfig,
}

/// The `[limits]` section: request rates, counted in fixed one-minute
/// windows. On PostgreSQL or Redis the counts are shared by every replica;
/// on the embedded SQLite store they are kept in the process. 0 disables a
/// limit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Requests per minute from one client address (IPv6: one /64), on every
    /// route. Default 1200 (20 a second): far above what one person's chat
    /// host sends, low enough that one address cannot monopolise a replica.
    pub per_ip_per_minute: u64,
    /// Requests per minute from one OAuth client (or API key) on the apps'
    /// endpoints. Default 600 (10 a second): a busy model calling tools
    /// stays well under it.
    pub per_client_per_minute: u64,
    /// Loopback addresses (127.0.0.0/8, ::1) are not limited. Default on:
    /// local development and the benchmark harness run on 127.0.0.1. Behind
    /// a reverse proxy on the same host, set `http.trust_forwarded_for` so
    /// the client address comes from `X-Forwarded-For` instead.
    pub exempt_loopback: bool,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            per_ip_per_minute: 1200,
            per_client_per_minute: 600,
            exempt_loopback: true,
        }
    }
}

/// The `[auth]` section.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSection {
    /// Apps whose MCP and REST endpoints need `Authorization: Bearer sk_…`
    /// (keys made with `skyport api-key create`); `*` for every app (env
    /// `SKYPORT_AUTH_REQUIRE_API_KEY`, comma-separated). Default none: a
    /// laptop server on loopback is open to its own user.
    #[serde(deserialize_with = "string_or_list")]
    pub require_api_key: Vec<String>,
    /// The server's public base URL as clients reach it (env
    /// `SKYPORT_AUTH_PUBLIC_URL`), e.g. `https://skyport.example.com`: the
    /// OAuth issuer and every app's resource URI (`{public_url}/{app}/mcp`)
    /// derive from it. Default `http://{listen}`, right for a laptop only.
    pub public_url: Option<String>,
    /// OAuth 2.1: the built-in authorization server or an external one.
    pub oauth: OAuthSection,
}

/// The `[auth.oauth]` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OAuthSection {
    /// Run the built-in authorization server (`/oauth/*` and its metadata).
    /// Default on: tools that declare `oauth2` need somewhere to link
    /// accounts. Ignored when `external_issuer` is set.
    pub builtin: bool,
    /// Apps whose every request needs a valid access token (HTTP 401
    /// otherwise); `*` for all. Default none: apps answer anonymous
    /// `initialize` and `tools/list`, and tools that declare `oauth2`
    /// challenge per call.
    #[serde(deserialize_with = "string_or_list")]
    pub require: Vec<String>,
    /// Minutes an access token lives. Default 15: short, since refresh is cheap.
    pub access_token_minutes: u64,
    /// Days a refresh token lives (each use rotates it). Default 30.
    pub refresh_token_days: u64,
    /// An external OpenID Connect issuer (e.g. `https://tenant.auth0.com/`)
    /// whose JWTs are accepted instead of the built-in server's tokens.
    pub external_issuer: Option<String>,
    /// The `aud` external tokens must carry. Default: the app's resource URI.
    pub external_audience: Option<String>,
    /// The external issuer's JWKS URL. Default: `jwks_uri` from its
    /// OpenID discovery document.
    pub external_jwks_uri: Option<String>,
    /// Let Client ID Metadata Documents and JWKS be fetched from private,
    /// loopback and plain-http addresses. Default off (SSRF protection);
    /// for local development and tests only.
    pub allow_private_fetch: bool,
}

impl Default for OAuthSection {
    fn default() -> Self {
        Self {
            builtin: true,
            require: Vec::new(),
            access_token_minutes: 15,
            refresh_token_days: 30,
            external_issuer: None,
            external_audience: None,
            external_jwks_uri: None,
            allow_private_fetch: false,
        }
    }
}

impl OAuthSection {
    /// True when every request to `app` needs a token.
    pub fn requires_token(&self, app: &str) -> bool {
        self.require.iter().any(|a| a == "*" || a == app)
    }
}

impl AuthSection {
    /// The public base URL without a trailing slash (`http://{listen}` by default).
    pub fn public_url(&self, listen: SocketAddr) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => format!("http://{listen}"),
        }
    }

    /// True when `app` needs an API key.
    pub fn requires_api_key(&self, app: &str) -> bool {
        self.require_api_key.iter().any(|a| a == "*" || a == app)
    }
}

/// The `[store]` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSection {
    /// `sqlite://PATH` or `postgres://USER@HOST/DB` (flag `--store`, env
    /// `SKYPORT_STORE_URL`). Default none: `{data_dir}/skyport.db`, an
    /// embedded SQLite file, so a laptop needs nothing installed.
    pub url: Option<String>,
    /// `redis://HOST:PORT` (flag `--redis`, env `SKYPORT_REDIS_URL`): keep
    /// sessions, rate limits, notifications and SSE events in Redis. Default
    /// none: they live in the database named by `url`.
    pub redis_url: Option<String>,
    /// SQLite durability: `normal` (default: a commit survives a crash or
    /// `kill -9`; no fsync per write) or `full` (also survives a power cut).
    pub sqlite_sync: skyport_store::SqliteSync,
    /// Pooled PostgreSQL connections per process. Default 16.
    pub max_connections: u32,
    /// Prefix of Redis keys and PostgreSQL notification channels, so several
    /// deployments can share one server. Default `skyport`.
    pub namespace: String,
}

impl Default for StoreSection {
    fn default() -> Self {
        let d = skyport_store::StoreConfig::default();
        Self {
            url: None,
            redis_url: None,
            sqlite_sync: d.sqlite_sync,
            max_connections: d.max_connections,
            namespace: d.namespace,
        }
    }
}

/// The `[widgets]` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WidgetsConfig {
    /// Split deployment (seed 003): templates load their styles and scripts
    /// from this URL, where `skyport export-widgets DIR` output is published,
    /// and the CSP allows its origin. Default none: widgets are self-contained.
    pub base_url: Option<String>,
    /// Days an earlier widget version stays readable after a redeploy, for
    /// hosts that cached the old template URI. Default 30; 0 keeps none.
    pub retention_days: u64,
}

impl Default for WidgetsConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            retention_days: 30,
        }
    }
}

/// The `[http]` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// `Host` values accepted. Default loopback names, against DNS rebinding;
    /// add your public host name when you deploy. `*` disables the check.
    #[serde(deserialize_with = "string_or_list")]
    pub allowed_hosts: Vec<String>,
    /// `Origin` values accepted (an entry without a port allows any port).
    /// Default loopback origins; `*` accepts any (not recommended).
    #[serde(deserialize_with = "string_or_list")]
    pub allowed_origins: Vec<String>,
    /// Largest request body in bytes. Default 4 MiB, as the MCP SDKs use.
    pub max_body_bytes: usize,
    /// Seconds between SSE keep-alive comments. Default 15: below common proxy idle timeouts.
    pub sse_keep_alive_secs: u64,
    /// Milliseconds clients wait before resuming a closed SSE stream. Default 3000.
    pub sse_retry_ms: u64,
    /// Seconds to drain in-flight requests at shutdown before closing anyway. Default 10.
    pub shutdown_timeout_secs: u64,
    /// Take the client address from the last hop of `X-Forwarded-For` (for
    /// rate limits and sign-in throttling). Default off: a client could
    /// forge the header; turn it on only behind a reverse proxy that sets it.
    pub trust_forwarded_for: bool,
    /// Origins whose pages may call the MCP and REST endpoints cross-origin
    /// (CORS). Default none listed: the `allowed_origins` (and the widget
    /// CDN's origin) are used, since any other origin is refused with 403
    /// anyway. `*` answers any origin, only without `cors_allow_credentials`.
    #[serde(deserialize_with = "string_or_list")]
    pub cors_origins: Vec<String>,
    /// Send `Access-Control-Allow-Credentials: true` (cookies cross-origin).
    /// Default off: MCP clients authenticate with the `Authorization`
    /// header, which needs no credentials mode.
    pub cors_allow_credentials: bool,
    /// Seconds a request may take until its response starts; past it, 503.
    /// Streams (SSE) are not cut: their response starts at once. Default 120:
    /// above the MCP SDKs' 60 s request timeout, so a slow tool that answers
    /// with plain JSON is cut by its client first, never by us; 0 disables.
    pub request_timeout_secs: u64,
}

/// The `[mcp]` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct McpConfig {
    /// Idle minutes after which a session expires. Default 10, as the design documents specify.
    pub session_idle_minutes: u64,
    /// Seconds a tool waits for the client to answer sampling or elicitation. Default 60.
    pub client_request_timeout_secs: u64,
    /// Events kept per SSE stream for `Last-Event-ID` resumption. Default 1024.
    pub event_retention: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            apps: Vec::new(),
            default_app: None,
            stateless: false,
            log_format: LogFormat::Human,
            log_level: "info".into(),
            data_dir: PathBuf::from("data"),
            http: HttpConfig::default(),
            mcp: McpConfig::default(),
            widgets: WidgetsConfig::default(),
            store: StoreSection::default(),
            auth: AuthSection::default(),
            limits: LimitsConfig::default(),
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            allowed_hosts: guard::default_allowed_hosts(),
            allowed_origins: guard::default_allowed_origins(),
            max_body_bytes: 4 * 1024 * 1024,
            sse_keep_alive_secs: 15,
            sse_retry_ms: 3000,
            shutdown_timeout_secs: 10,
            trust_forwarded_for: false,
            cors_origins: Vec::new(),
            cors_allow_credentials: false,
            request_timeout_secs: 120,
        }
    }
}

impl Default for McpConfig {
    fn default() -> Self {
        Self {
            session_idle_minutes: 10,
            client_request_timeout_secs: 60,
            event_retention: 1024,
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(String);

/// `SKYPORT_*` variables that belong to built-in apps, not to the server's
/// configuration: the apps read them (e.g. the shop's `SKYPORT_SHOP_DEMO`).
const APP_ENV_PREFIXES: [&str; 1] = ["shop_"];

/// Sections whose keys are spelled `SKYPORT_{SECTION}_{KEY}` in the environment.
///
/// Every `SKYPORT_*` variable must name a setting (a typo fails at start-up
/// instead of being ignored), so other tools must not use the prefix: the
/// test scripts use `TEST_POSTGRES_URL` and `TEST_REDIS_URL`.
const SECTIONS: [&str; 6] = ["http", "mcp", "widgets", "store", "auth", "limits"];

fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        OneOrMany::Many(v) => v,
    })
}

impl Config {
    /// Loads defaults < `file` < `SKYPORT_*` env < `overrides` (the flags given).
    pub fn load(file: Option<&Path>, overrides: &impl Serialize) -> Result<Self, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError(format!(
                    "the config file {} does not exist (--config / SKYPORT_CONFIG)",
                    path.display()
                )));
            }
            fig = fig.merge(Toml::file(path));
        }
        // `PORT` alone (as PaaS platforms set it) moves the port, keeping the host.
        if let Ok(port) = std::env::var("PORT") {
            let port: u16 = port
                .parse()
                .map_err(|_| ConfigError(format!("PORT={port:?} is not a port number")))?;
            let listen: SocketAddr = fig
                .extract_inner("listen")
                .unwrap_or(Config::default().listen);
            fig = fig.merge(Serialized::default(
                "listen",
                SocketAddr::new(listen.ip(), port),
            ));
        }
        let env = Env::prefixed("SKYPORT_")
            .ignore(&["config"])
            // Settings the built-in apps read themselves (SKYPORT_SHOP_DEMO, ...).
            .filter(|key| {
                !APP_ENV_PREFIXES
                    .iter()
                    .any(|p| key.as_str().to_ascii_lowercase().starts_with(p))
            })
            .map(|key| {
                // Keys keep the variable's case (`HTTP_MAX_BODY_BYTES`); sections are lowercase.
                let k = key.as_str().to_ascii_lowercase();
                // SKYPORT_REDIS_URL reads better than SKYPORT_STORE_REDIS_URL.
                if k == "redis_url" {
                    return "store.redis_url".into();
                }
                // One nested section: SKYPORT_AUTH_OAUTH_REQUIRE -> auth.oauth.require.
                if let Some(rest) = k.strip_prefix("auth_oauth_") {
                    return format!("auth.oauth.{rest}").into();
                }
                for s in SECTIONS {
                    if let Some(rest) = k.strip_prefix(s).and_then(|r| r.strip_prefix('_')) {
                        return format!("{s}.{rest}").into();
                    }
                }
                key.into()
            });
        fig = fig.merge(env).merge(Serialized::defaults(overrides));
        let config: Config = fig.extract().map_err(|e| ConfigError(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.http.max_body_bytes == 0 {
            return Err(ConfigError("http.max_body_bytes must be above 0".into()));
        }
        if let Some(base) = &self.widgets.base_url {
            let ok = (base.starts_with("https://") || base.starts_with("http://"))
                && !base.contains(['?', '#'])
                && base.split("://").nth(1).is_some_and(|r| !r.is_empty());
            if !ok {
                return Err(ConfigError(format!(
                    "widgets.base_url {base:?} is not an http(s) URL without query: give where `skyport export-widgets` output is served, e.g. https://cdn.example.com/widgets"
                )));
            }
        }
        for (setting, url) in [
            ("auth.public_url", &self.auth.public_url),
            (
                "auth.oauth.external_issuer",
                &self.auth.oauth.external_issuer,
            ),
            (
                "auth.oauth.external_jwks_uri",
                &self.auth.oauth.external_jwks_uri,
            ),
        ] {
            let bad = |u: &str| {
                !(u.starts_with("https://") || u.starts_with("http://")) || u.contains(['?', '#'])
            };
            if url.as_deref().is_some_and(bad) {
                return Err(ConfigError(format!(
                    "{setting} {:?} is not an http(s) URL without query or fragment",
                    url.as_deref().unwrap_or_default()
                )));
            }
        }
        if self.auth.oauth.access_token_minutes == 0 || self.auth.oauth.refresh_token_days == 0 {
            return Err(ConfigError(
                "auth.oauth.access_token_minutes and auth.oauth.refresh_token_days must be above 0"
                    .into(),
            ));
        }
        if self.http.sse_keep_alive_secs == 0 {
            return Err(ConfigError(
                "http.sse_keep_alive_secs must be above 0".into(),
            ));
        }
        self.validate_protection()
    }

    /// The `[limits]` and CORS settings.
    fn validate_protection(&self) -> Result<(), ConfigError> {
        let cors = self.cors_origins();
        if self.http.cors_allow_credentials && cors.iter().any(|o| o == "*") {
            return Err(ConfigError(format!(
                "http.cors_allow_credentials cannot be used with the origin `*` in {}: browsers refuse it, and it would let any site act with a user's cookies; list the origins instead",
                if self.http.cors_origins.is_empty() {
                    "http.allowed_origins (http.cors_origins is unset, so it is used)"
                } else {
                    "http.cors_origins"
                }
            )));
        }
        let allowed = self.http_settings().allowed_origins;
        for origin in &self.http.cors_origins {
            if origin != "*" && !guard::origin_allowed(origin, &allowed) {
                return Err(ConfigError(format!(
                    "http.cors_origins lists {origin:?}, which is not in http.allowed_origins: its requests would be refused with 403; add it there too"
                )));
            }
        }
        Ok(())
    }

    /// The origins CORS answers: `http.cors_origins`, or when unset the
    /// allowed origins (`http.allowed_origins` and the widget CDN's origin).
    pub fn cors_origins(&self) -> Vec<String> {
        if self.http.cors_origins.is_empty() {
            self.http_settings().allowed_origins
        } else {
            self.http.cors_origins.clone()
        }
    }

    /// The HTTP transport settings. The widget CDN's origin
    /// (`widgets.base_url`) is an allowed origin: its pages call the REST API.
    pub fn http_settings(&self) -> HttpSettings {
        let mut allowed_origins = self.http.allowed_origins.clone();
        if let Some(base) = &self.widgets.base_url {
            allowed_origins.push(crate::widgets::publish::origin_of(base));
        }
        HttpSettings {
            allowed_hosts: self.http.allowed_hosts.clone(),
            allowed_origins,
            max_body_bytes: self.http.max_body_bytes,
            sse_keep_alive: Duration::from_secs(self.http.sse_keep_alive_secs),
            sse_retry: Duration::from_millis(self.http.sse_retry_ms),
            stateless: self.stateless,
        }
    }

    /// How widgets are published: the CDN base URL and the version archive
    /// under `{data_dir}/widgets`.
    pub fn widget_settings(&self) -> crate::widgets::WidgetSettings {
        self.widget_settings_at(self.listen)
    }

    /// [`Self::widget_settings`] for a server bound to `bound` (port 0 resolved).
    pub fn widget_settings_at(&self, bound: SocketAddr) -> crate::widgets::WidgetSettings {
        let days = self.widgets.retention_days;
        crate::widgets::WidgetSettings {
            base_url: self
                .widgets
                .base_url
                .as_ref()
                .map(|b| b.trim_end_matches('/').to_owned()),
            archive: (days > 0).then(|| {
                crate::widgets::WidgetArchive::new(
                    self.data_dir.join("widgets"),
                    Duration::from_secs(days * 86_400),
                )
            }),
            server_origin: Some(crate::widgets::publish::origin_of(
                &self.auth.public_url(bound),
            )),
        }
    }

    /// What the store needs to open.
    pub fn store_config(&self) -> skyport_store::StoreConfig {
        skyport_store::StoreConfig {
            url: self.store.url.clone(),
            redis_url: self.store.redis_url.clone(),
            data_dir: self.data_dir.clone(),
            sqlite_sync: self.store.sqlite_sync,
            max_connections: self.store.max_connections,
            namespace: self.store.namespace.clone(),
        }
    }

    /// The engine settings.
    pub fn engine_settings(&self) -> EngineSettings {
        EngineSettings {
            client_request_timeout: Duration::from_secs(self.mcp.client_request_timeout_secs),
            session_idle_ttl: Duration::from_secs(self.mcp.session_idle_minutes * 60),
            event_retention: self.mcp.event_retention,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct NoFlags {}

    #[test]
    fn env_and_file_override_defaults() {
        figment::Jail::expect_with(|jail| {
            // Ambient SKYPORT_* variables (a developer's shell, CI) must not leak in.
            jail.clear_env();
            jail.create_file("s.toml", "stateless = true\n[http]\nmax_body_bytes = 10\n")?;
            jail.set_env("SKYPORT_APPS", "a, b");
            jail.set_env("SKYPORT_HTTP_ALLOWED_HOSTS", "example.com");
            jail.set_env("SKYPORT_MCP_SESSION_IDLE_MINUTES", "3");
            jail.set_env("SKYPORT_STORE_URL", "postgres://db/x");
            jail.set_env("SKYPORT_REDIS_URL", "redis://r:6379");
            jail.set_env("PORT", "9999");
            jail.set_env("SKYPORT_AUTH_OAUTH_REQUIRE", "account");
            jail.set_env("SKYPORT_AUTH_PUBLIC_URL", "https://sky.example.com/");
            // The shop's own settings are not the server's (and not typos).
            jail.set_env("SKYPORT_SHOP_DEMO", "1");
            let c = Config::load(Some(Path::new("s.toml")), &NoFlags::default())
                .map_err(|e| e.to_string())?;
            assert!(c.stateless);
            assert_eq!(c.http.max_body_bytes, 10);
            assert_eq!(c.apps, vec!["a", "b"]);
            assert_eq!(c.http.allowed_hosts, vec!["example.com"]);
            assert_eq!(c.mcp.session_idle_minutes, 3);
            assert_eq!(c.store.url.as_deref(), Some("postgres://db/x"));
            assert_eq!(c.store.redis_url.as_deref(), Some("redis://r:6379"));
            assert_eq!(c.listen, "127.0.0.1:9999".parse::<SocketAddr>().unwrap());
            assert_eq!(c.auth.oauth.require, vec!["account"]);
            assert_eq!(c.auth.public_url(c.listen), "https://sky.example.com");
            Ok(())
        });
    }

    #[test]
    fn bad_values_name_the_setting() {
        figment::Jail::expect_with(|jail| {
            // Ambient SKYPORT_* variables (a developer's shell, CI) must not leak in.
            jail.clear_env();
            jail.set_env("SKYPORT_HTTP_MAX_BODY_BYTES", "lots");
            let e = Config::load(None, &NoFlags::default())
                .unwrap_err()
                .to_string();
            // figment names env keys in upper case ("HTTP.MAX_BODY_BYTES").
            assert!(e.to_ascii_lowercase().contains("max_body_bytes"), "{e}");
            Ok(())
        });
    }
}
