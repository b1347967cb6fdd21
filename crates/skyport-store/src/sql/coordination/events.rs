//! The SSE event store: streams with an expiry and their newest events.

use std::time::Duration;

use sqlx::Row;

use super::{ms, now_ms};
use crate::Result;
use crate::coordination::EventPage;
use crate::sql::pool::SqlPool;

fn seq_i64(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

pub(super) async fn append(
    pool: &SqlPool,
    stream: &str,
    seq: u64,
    data: &[u8],
    max_events: usize,
    ttl: Duration,
) -> Result<()> {
    let mut tx = pool.write.begin().await?;
    sqlx::query(
        "INSERT INTO event_streams (stream, finished, expires_at) VALUES ($1, 0, $2) \
         ON CONFLICT (stream) DO UPDATE SET expires_at = excluded.expires_at",
    )
    .bind(stream)
    .bind(now_ms() + ms(ttl))
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO events (stream, seq, data) VALUES ($1, $2, $3) ON CONFLICT (stream, seq) DO NOTHING")
        .bind(stream)
        .bind(seq_i64(seq))
        .bind(data.to_vec())
        .execute(&mut *tx)
        .await?;
    let keep = i64::try_from(max_events.max(1)).unwrap_or(i64::MAX);
    sqlx::query("DELETE FROM events WHERE stream = $1 AND seq <= $2")
        .bind(stream)
        .bind(seq_i64(seq).saturating_sub(keep))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn finish(pool: &SqlPool, stream: &str, ttl: Duration) -> Result<()> {
    sqlx::query(
        "INSERT INTO event_streams (stream, finished, expires_at) VALUES ($1, 1, $2) \
         ON CONFLICT (stream) DO UPDATE SET finished = 1, expires_at = excluded.expires_at",
    )
    .bind(stream)
    .bind(now_ms() + ms(ttl))
    .execute(&pool.write)
    .await?;
    Ok(())
}

pub(super) async fn after(
    pool: &SqlPool,
    stream: &str,
    after: u64,
    limit: usize,
) -> Result<EventPage> {
    let Some(head) =
        sqlx::query("SELECT finished FROM event_streams WHERE stream = $1 AND expires_at > $2")
            .bind(stream)
            .bind(now_ms())
            .fetch_optional(&pool.read)
            .await?
    else {
        return Ok(EventPage::default());
    };
    let finished = head.try_get::<i64, _>("finished")? != 0;
    let rows = sqlx::query(
        "SELECT seq, data FROM events WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(stream)
    .bind(seq_i64(after))
    .bind(i64::try_from(limit.max(1)).unwrap_or(i64::MAX))
    .fetch_all(&pool.read)
    .await?;
    let mut events = Vec::with_capacity(rows.len());
    for r in rows {
        let seq: i64 = r.try_get("seq")?;
        events.push((u64::try_from(seq).unwrap_or(0), r.try_get("data")?));
    }
    Ok(EventPage {
        events,
        finished,
        known: true,
    })
}

pub(super) async fn sweep(pool: &SqlPool) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM event_streams WHERE stream IN \
         (SELECT stream FROM event_streams WHERE expires_at <= $1 LIMIT 1000)",
    )
    .bind(now_ms())
    .execute(&pool.write)
    .await?;
    Ok(done.rows_affected())
}
