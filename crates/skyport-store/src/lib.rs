//! Skyport's store: everything the apps remember, and what lets replicas act
//! as one.
//!
//! # Layout
//! - [`records`]: the record contract (key-value state, users, carts,
//!   orders, memberships, tasks) — served by SQLite (the embedded default,
//!   a WAL file under the data directory) or PostgreSQL, through one set of
//!   SQL queries (`sql/records/`).
//! - [`coordination`]: the coordination contract (sessions with an idle TTL,
//!   rate-limit counters, pub/sub, the SSE event store) — served by the SQL
//!   database itself (SQLite for one process; PostgreSQL with LISTEN/NOTIFY
//!   for several) or by Redis (`redis_coord/`).
//! - [`location`]: the `store.url` / `store.redis_url` settings parsed.
//! - [`open`]: picks and connects the backends, applies migrations, and
//!   fails with a message naming the setting when it cannot.

pub mod coordination;
mod error;
pub mod location;
pub mod records;
mod redis_coord;
mod sql;

use std::path::PathBuf;
use std::sync::Arc;

pub use coordination::Coordination;
pub use error::{Result, StoreError};
pub use records::Records;

use location::{RecordsLocation, records_location, redact, redis_location};

/// A backend, as reported by [`Records::backend`] and [`Coordination::backend`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// Redis (coordination only).
    Redis,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Redis => "redis",
        })
    }
}

/// How SQLite syncs commits to disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSync {
    /// `synchronous=NORMAL` in WAL mode: a committed write survives a crash
    /// or `kill -9` of the process; a power cut may roll back the last
    /// commits. The default: no fsync per commit.
    #[default]
    Normal,
    /// `synchronous=FULL`: every commit is fsynced, so it also survives a
    /// power cut, at the cost of an fsync per write.
    Full,
}

/// What [`open`] needs.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `store.url`: `sqlite://PATH` or `postgres://…`; `None` for
    /// `{data_dir}/skyport.db`.
    pub url: Option<String>,
    /// `store.redis_url`: coordination in Redis instead of the SQL database.
    pub redis_url: Option<String>,
    /// Where the SQLite file goes by default.
    pub data_dir: PathBuf,
    /// SQLite durability.
    pub sqlite_sync: SqliteSync,
    /// Largest number of pooled PostgreSQL connections.
    pub max_connections: u32,
    /// Prefix of Redis keys and PostgreSQL notification channels, so several
    /// deployments (or test runs) can share one server.
    pub namespace: String,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            url: None,
            redis_url: None,
            data_dir: PathBuf::from("data"),
            sqlite_sync: SqliteSync::default(),
            max_connections: 16,
            namespace: "skyport".into(),
        }
    }
}

/// The opened store: records and coordination.
#[derive(Debug, Clone)]
pub struct Store {
    /// App data.
    pub records: Arc<dyn Records>,
    /// Sessions, rate limits, pub/sub, SSE events.
    pub coordination: Arc<dyn Coordination>,
    /// A one-line description for the start-up log, without passwords.
    pub description: String,
}

/// Connects the configured backends and applies migrations.
///
/// Fails when a URL is malformed or a backend cannot be reached, with a
/// message naming the setting (`store.url`, `store.redis_url`).
pub async fn open(config: &StoreConfig) -> Result<Store> {
    let location = records_location(config.url.as_deref(), &config.data_dir)?;
    let target = match &location {
        RecordsLocation::Sqlite(path) => format!("sqlite:{}", path.display()),
        RecordsLocation::Postgres(url) => redact(url),
    };
    let pool = sql::pool::connect(&location, config).await?;
    let records: Arc<dyn Records> = Arc::new(sql::records::SqlRecords::new(pool.clone()));
    let (coordination, coord_target): (Arc<dyn Coordination>, String) = match &config.redis_url {
        Some(url) => {
            let url = redis_location(url)?;
            let coord = redis_coord::RedisCoordination::connect(&url, &config.namespace).await?;
            (Arc::new(coord), redact(&url))
        }
        None => {
            let coord = sql::coordination::SqlCoordination::new(pool, &config.namespace).await?;
            (Arc::new(coord), target.clone())
        }
    };
    Ok(Store {
        records,
        coordination,
        description: format!("records in {target}, coordination in {coord_target}"),
    })
}
