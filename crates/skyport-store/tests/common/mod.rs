//! Backends for the contract suites: a fresh SQLite file, a fresh
//! PostgreSQL schema (`TEST_POSTGRES_URL`), a fresh Redis namespace
//! (`TEST_REDIS_URL`). Without the variable a suite prints a SKIPPED line.
#![allow(dead_code, unreachable_pub)]

use skyport_store::{Store, StoreConfig};
use sqlx::Connection;

/// A store and what must outlive it (the temp dir, the schema).
pub struct Fixture {
    /// The opened store.
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    _schema: Option<SchemaGuard>,
}

/// Records and coordination in a new SQLite file.
pub async fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = skyport_store::open(&StoreConfig {
        data_dir: dir.path().to_path_buf(),
        namespace: unique("t"),
        ..StoreConfig::default()
    })
    .await
    .expect("open sqlite store");
    Fixture {
        store,
        _dir: Some(dir),
        _schema: None,
    }
}

/// Records and coordination in a new PostgreSQL schema; `None` (after a
/// SKIPPED line) without `TEST_POSTGRES_URL`.
pub async fn postgres(suite: &str) -> Option<Fixture> {
    let Ok(base) = std::env::var("TEST_POSTGRES_URL") else {
        println!("SKIPPED {suite} on postgres: TEST_POSTGRES_URL is not set");
        return None;
    };
    let (url, schema) = fresh_schema(&base).await;
    let store = skyport_store::open(&StoreConfig {
        url: Some(url),
        namespace: schema.name.clone(),
        ..StoreConfig::default()
    })
    .await
    .expect("open postgres store");
    Some(Fixture {
        store,
        _dir: None,
        _schema: Some(schema),
    })
}

/// Records in a new SQLite file, coordination in Redis under a new
/// namespace; `None` (after a SKIPPED line) without `TEST_REDIS_URL`.
pub async fn redis(suite: &str) -> Option<Fixture> {
    let Ok(redis) = std::env::var("TEST_REDIS_URL") else {
        println!("SKIPPED {suite} on redis: TEST_REDIS_URL is not set");
        return None;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let store = skyport_store::open(&StoreConfig {
        data_dir: dir.path().to_path_buf(),
        redis_url: Some(redis),
        namespace: unique("t"),
        ..StoreConfig::default()
    })
    .await
    .expect("open redis store");
    Some(Fixture {
        store,
        _dir: Some(dir),
        _schema: None,
    })
}

/// Two stores on one backend, as two replicas would open them; `None` for
/// SQLite (one process owns it) or when the backend's variable is unset.
pub async fn pair(backend: &str, suite: &str) -> Option<(Fixture, Fixture)> {
    match backend {
        "postgres" => {
            let a = postgres(suite).await?;
            let base = std::env::var("TEST_POSTGRES_URL").ok()?;
            let schema = a._schema.as_ref()?.name.clone();
            let sep = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
            let store = skyport_store::open(&StoreConfig {
                url: Some(url),
                namespace: schema,
                ..StoreConfig::default()
            })
            .await
            .expect("open a second postgres store");
            Some((
                a,
                Fixture {
                    store,
                    _dir: None,
                    _schema: None,
                },
            ))
        }
        "redis" => {
            let redis = std::env::var("TEST_REDIS_URL").ok();
            let Some(redis) = redis else {
                println!("SKIPPED {suite} on redis: TEST_REDIS_URL is not set");
                return None;
            };
            let namespace = unique("t");
            let open = || async {
                let dir = tempfile::tempdir().expect("temp dir");
                let store = skyport_store::open(&StoreConfig {
                    data_dir: dir.path().to_path_buf(),
                    redis_url: Some(redis.clone()),
                    namespace: namespace.clone(),
                    ..StoreConfig::default()
                })
                .await
                .expect("open redis store");
                Fixture {
                    store,
                    _dir: Some(dir),
                    _schema: None,
                }
            };
            Some((open().await, open().await))
        }
        _ => None,
    }
}

/// A name no other test run uses.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}_{:016x}", rand::random::<u64>())
}

/// Drops its schema when the test ends.
pub struct SchemaGuard {
    base: String,
    name: String,
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        let (base, name) = (self.base.clone(), self.name.clone());
        // Drop runs inside the test's runtime: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(mut c) = sqlx::PgConnection::connect(&base).await {
                    let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                        .execute(&mut c)
                        .await;
                }
            });
        })
        .join();
    }
}

/// Creates a schema and returns a URL whose connections use it.
pub async fn fresh_schema(base: &str) -> (String, SchemaGuard) {
    let name = unique("t");
    let mut c = sqlx::PgConnection::connect(base)
        .await
        .expect("connect to TEST_POSTGRES_URL");
    sqlx::query(&format!("CREATE SCHEMA {name}"))
        .execute(&mut c)
        .await
        .expect("create schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{name}");
    (
        url,
        SchemaGuard {
            base: base.to_owned(),
            name,
        },
    )
}
