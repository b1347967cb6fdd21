//! Connecting, pragmas and migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

use crate::location::{RecordsLocation, redact};
use crate::{Backend, Result, SqliteSync, StoreConfig, StoreError};

/// The SQL pools of one store.
///
/// SQLite allows one writer at a time; every write goes through `write`, a
/// single connection, so writers queue in-process instead of failing with
/// `SQLITE_BUSY`, while `read` serves concurrent readers (WAL). For
/// PostgreSQL both are the same pool.
#[derive(Debug, Clone)]
pub(crate) struct SqlPool {
    /// Reads (and, for PostgreSQL, writes).
    pub(crate) read: AnyPool,
    /// Writes and transactions.
    pub(crate) write: AnyPool,
    /// Which database.
    pub(crate) backend: Backend,
    /// The PostgreSQL URL (LISTEN needs its own native connection).
    pub(crate) postgres_url: Option<String>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

fn unreachable(target: String, e: impl std::fmt::Display) -> StoreError {
    StoreError::Unreachable {
        setting: "store.url",
        target,
        reason: e.to_string(),
    }
}

/// Opens the pools and brings the schema up to date.
pub(crate) async fn connect(location: &RecordsLocation, config: &StoreConfig) -> Result<SqlPool> {
    sqlx::any::install_default_drivers();
    match location {
        RecordsLocation::Sqlite(path) => {
            let target = format!("sqlite:{}", path.display());
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::BadSetting {
                    setting: "data_dir",
                    reason: format!("cannot create {}: {e}", dir.display()),
                })?;
            }
            let sync = match config.sqlite_sync {
                SqliteSync::Normal => "NORMAL",
                SqliteSync::Full => "FULL",
            };
            let url = format!("sqlite://{}?mode=rwc", path.display());
            let options = AnyConnectOptions::from_str(&url)
                .map_err(|e| unreachable(target.clone(), e))?
                .disable_statement_logging();
            let pragmas = format!(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous={sync}; \
                 PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
            );
            let pool = |min: u32, max: u32| {
                let pragmas = pragmas.clone();
                AnyPoolOptions::new()
                    .max_connections(max)
                    .min_connections(min)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .after_connect(move |conn, _| {
                        let pragmas = pragmas.clone();
                        Box::pin(async move {
                            conn.execute(pragmas.as_str()).await?;
                            Ok(())
                        })
                    })
            };
            // The writer connects now: a file that cannot be opened fails start-up.
            let write = pool(1, 1)
                .connect_with(options.clone())
                .await
                .map_err(|e| unreachable(target.clone(), e))?;
            SQLITE_MIGRATIONS.run(&write).await?;
            // Readers connect on first use: each SQLite connection is a worker
            // thread and its caches, which an app that never reads (or reads
            // rarely) should not keep resident.
            let read = pool(0, 8).connect_lazy_with(options);
            Ok(SqlPool {
                read,
                write,
                backend: Backend::Sqlite,
                postgres_url: None,
            })
        }
        RecordsLocation::Postgres(url) => {
            let target = redact(url);
            let options = AnyConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadSetting {
                    setting: "store.url",
                    reason: format!("{target}: {e}"),
                })?
                .disable_statement_logging();
            // One direct connection first: the pool would retry a refused
            // connection until its acquire timeout, hiding the cause.
            let probe = options
                .connect()
                .await
                .map_err(|e| unreachable(target.clone(), e))?;
            let _ = probe.close().await;
            let pool = AnyPoolOptions::new()
                .max_connections(config.max_connections.max(2))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| unreachable(target, e))?;
            POSTGRES_MIGRATIONS.run(&pool).await?;
            Ok(SqlPool {
                read: pool.clone(),
                write: pool,
                backend: Backend::Postgres,
                postgres_url: Some(url.clone()),
            })
        }
    }
}
