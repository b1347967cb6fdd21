//! PostgreSQL pub/sub. A message is a row in `bus_messages`, announced by
//! `NOTIFY channel, 'm<id>'` in the same statement (NOTIFY payloads are
//! limited to 8000 bytes; rows are not). Stream wake-ups carry no payload and
//! travel in the notification itself (`w<channel>`). One `LISTEN` connection
//! per process reads them, in commit order, and fans them out through the
//! [`LocalBus`].

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::{AnyPool, Row};
use tokio_util::sync::CancellationToken;

use super::now_ms;
use crate::coordination::LocalBus;
use crate::location::redact;
use crate::sql::pool::SqlPool;
use crate::{Result, StoreError};

/// Messages older than this are deleted by the sweep (subscribers read them within ms).
const KEEP_MS: i64 = 5 * 60 * 1000;

/// The NOTIFY channel for a namespace: lower-case letters, digits and `_`, at most 63 bytes.
pub(super) fn channel_name(namespace: &str) -> String {
    let clean: String = namespace
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(58)
        .collect();
    format!("{clean}_bus")
}

pub(super) async fn publish(
    write: &AnyPool,
    notify: &str,
    channel: &str,
    payload: &[u8],
) -> Result<()> {
    sqlx::query(
        "WITH m AS (INSERT INTO bus_messages (channel, payload, created_at) VALUES ($1, $2, $3) RETURNING id) \
         SELECT pg_notify($4, 'm' || CAST(id AS TEXT)) FROM m",
    )
    .bind(channel)
    .bind(payload.to_vec())
    .bind(now_ms())
    .bind(notify)
    .execute(write)
    .await?;
    Ok(())
}

pub(super) async fn wake(write: &AnyPool, notify: &str, channel: &str) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, 'w' || $2)")
        .bind(notify)
        .bind(channel)
        .execute(write)
        .await?;
    Ok(())
}

pub(super) async fn sweep(pool: &SqlPool) -> Result<u64> {
    let done = sqlx::query("DELETE FROM bus_messages WHERE created_at < $1")
        .bind(now_ms() - KEEP_MS)
        .execute(&pool.write)
        .await?;
    Ok(done.rows_affected())
}

/// Connects the LISTEN connection and runs it until `stop` fires.
pub(super) async fn start(
    url: &str,
    channel: &str,
    read: AnyPool,
    bus: LocalBus,
    stop: CancellationToken,
) -> Result<()> {
    let unreachable = |e: sqlx::Error| StoreError::Unreachable {
        setting: "store.url",
        target: redact(url),
        reason: e.to_string(),
    };
    let mut listener = PgListener::connect(url).await.map_err(unreachable)?;
    listener.listen(channel).await.map_err(unreachable)?;
    tokio::spawn(async move {
        loop {
            let next = tokio::select! {
                _ = stop.cancelled() => break,
                n = listener.try_recv() => n,
            };
            match next {
                Ok(Some(n)) => deliver(&read, &bus, n.payload()).await,
                // The connection dropped; PgListener reconnects on the next
                // call, but notifications sent meanwhile are gone.
                Ok(None) => bus.lagged_all(),
                Err(e) => {
                    tracing::warn!(error = %e, "PostgreSQL LISTEN failed; retrying");
                    bus.lagged_all();
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    });
    Ok(())
}

async fn deliver(read: &AnyPool, bus: &LocalBus, payload: &str) {
    if let Some(channel) = payload.strip_prefix('w') {
        bus.publish(channel, b"");
        return;
    }
    let Some(id) = payload
        .strip_prefix('m')
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return;
    };
    let row = sqlx::query("SELECT channel, payload FROM bus_messages WHERE id = $1")
        .bind(id)
        .fetch_optional(read)
        .await;
    match row {
        Ok(Some(r)) => {
            let channel: std::result::Result<String, _> = r.try_get("channel");
            let payload: std::result::Result<Vec<u8>, _> = r.try_get("payload");
            if let (Ok(c), Ok(p)) = (channel, payload) {
                bus.publish(&c, &p);
            }
        }
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, "could not read a published message");
            bus.lagged_all();
        }
    }
}
