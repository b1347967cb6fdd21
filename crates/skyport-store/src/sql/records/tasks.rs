//! Backlog tasks. Ids `T-n` come from a per-backlog counter bumped in the
//! same transaction as the insert; updates are one `UPDATE … version + 1`.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use super::{SqlRecords, check_id, is_unique_violation, json_col, now_ms, u64_col};
use crate::records::{
    NewTask, Page, Task, TaskCount, TaskGroup, TaskPatch, TaskQuery, TaskSort, TaskStore,
};
use crate::{Result, StoreError};

const COLUMNS: &str = "backlog, id, title, status, priority, body, epic, sprint, assignee, \
                       tags, extra, version, created_at, updated_at";

fn task(row: &AnyRow) -> Result<Task> {
    Ok(Task {
        backlog: row.try_get("backlog")?,
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        status: row.try_get("status")?,
        priority: row.try_get("priority")?,
        body: row.try_get("body")?,
        epic: row.try_get("epic")?,
        sprint: row.try_get("sprint")?,
        assignee: row.try_get("assignee")?,
        tags: serde_json::from_value(json_col(row, "tags")?)?,
        extra: json_col(row, "extra")?,
        version: u64_col(row, "version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The number in a `T-n` id, if it is one.
fn seq_of(id: &str) -> Option<i64> {
    id.strip_prefix("T-")?.parse().ok().filter(|n| *n > 0)
}

/// A bound value of a query built at run time.
enum Arg {
    Text(Option<String>),
    Int(i64),
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::Text(t) => q.bind(t),
            Arg::Int(i) => q.bind(i),
        };
    }
    q
}

/// `%` and `_` match themselves in a search text.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn check_new(new: &NewTask) -> Result<()> {
    check_id("backlog", &new.backlog)?;
    if new.title.trim().is_empty() {
        return Err(StoreError::invalid("title", "must not be empty"));
    }
    check_id("status", &new.status)?;
    check_id("priority", &new.priority)?;
    if let Some(id) = &new.id {
        check_id("id", id)?;
    }
    Ok(())
}

impl SqlRecords {
    async fn task_by_key(&self, backlog: &str, key: &str) -> Result<Option<Task>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tasks WHERE backlog = $1 AND id = \
             (SELECT task_id FROM task_keys WHERE backlog = $1 AND idempotency_key = $2)"
        ))
        .bind(backlog)
        .bind(key)
        .fetch_optional(&self.pool.write)
        .await?;
        row.as_ref().map(task).transpose()
    }
}

#[async_trait]
impl TaskStore for SqlRecords {
    async fn create_task(&self, new: NewTask) -> Result<Task> {
        check_new(&new)?;
        if let Some(key) = &new.idempotency_key
            && let Some(t) = self.task_by_key(&new.backlog, key).await?
        {
            return Ok(t);
        }
        let mut tx = self.pool.write.begin().await?;
        let (id, seq) = match &new.id {
            Some(id) => (id.clone(), seq_of(id).unwrap_or(0)),
            None => {
                let row = sqlx::query(
                    "INSERT INTO task_counters (backlog, next) VALUES ($1, 1) \
                     ON CONFLICT (backlog) DO UPDATE SET next = task_counters.next + 1 RETURNING next",
                )
                .bind(&new.backlog)
                .fetch_one(&mut *tx)
                .await?;
                let n: i64 = row.try_get("next")?;
                (format!("T-{n}"), n)
            }
        };
        if new.id.is_some() && seq > 0 {
            // Imported T-n ids move the counter past them.
            sqlx::query(
                "INSERT INTO task_counters (backlog, next) VALUES ($1, $2) ON CONFLICT (backlog) DO UPDATE \
                 SET next = CASE WHEN task_counters.next < excluded.next THEN excluded.next ELSE task_counters.next END",
            )
            .bind(&new.backlog)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        }
        let created_at = new.created_at.unwrap_or_else(now_ms);
        let updated_at = new.updated_at.unwrap_or(created_at);
        let inserted = sqlx::query(&format!(
            "INSERT INTO tasks (seq, {COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14) \
             RETURNING {COLUMNS}"
        ))
        .bind(seq)
        .bind(&new.backlog)
        .bind(&id)
        .bind(&new.title)
        .bind(&new.status)
        .bind(&new.priority)
        .bind(&new.body)
        .bind(&new.epic)
        .bind(&new.sprint)
        .bind(&new.assignee)
        .bind(serde_json::to_string(&new.tags)?)
        .bind(if new.extra.is_null() { "{}".to_owned() } else { new.extra.to_string() })
        .bind(created_at)
        .bind(updated_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::conflict("task", &id, "a task with this id exists")
            } else {
                e.into()
            }
        })?;
        let created = task(&inserted)?;
        if let Some(key) = &new.idempotency_key {
            let keyed = sqlx::query(
                "INSERT INTO task_keys (backlog, idempotency_key, task_id) VALUES ($1, $2, $3)",
            )
            .bind(&new.backlog)
            .bind(key)
            .bind(&id)
            .execute(&mut *tx)
            .await;
            if let Err(e) = keyed {
                if is_unique_violation(&e) {
                    // A concurrent retry with this key won: keep its task, not ours.
                    drop(tx);
                    return self
                        .task_by_key(&new.backlog, key)
                        .await?
                        .ok_or_else(|| StoreError::conflict("task", key, "retry the request"));
                }
                return Err(e.into());
            }
        }
        tx.commit().await?;
        Ok(created)
    }

    async fn task(&self, backlog: &str, id: &str) -> Result<Option<Task>> {
        check_id("backlog", backlog)?;
        check_id("id", id)?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tasks WHERE backlog = $1 AND id = $2"
        ))
        .bind(backlog)
        .bind(id)
        .fetch_optional(&self.pool.read)
        .await?;
        row.as_ref().map(task).transpose()
    }

    async fn update_task(
        &self,
        backlog: &str,
        id: &str,
        patch: TaskPatch,
        expected_version: Option<u64>,
    ) -> Result<Task> {
        check_id("backlog", backlog)?;
        check_id("id", id)?;
        let mut sets = vec![
            "version = version + 1".to_owned(),
            "updated_at = $3".to_owned(),
        ];
        let mut args = vec![
            Arg::Text(Some(backlog.to_owned())),
            Arg::Text(Some(id.to_owned())),
            Arg::Int(now_ms()),
        ];
        let mut set = |col: &str, value: Arg| {
            args.push(value);
            sets.push(format!("{col} = ${}", args.len()));
        };
        if let Some(t) = patch.title {
            if t.trim().is_empty() {
                return Err(StoreError::invalid("title", "must not be empty"));
            }
            set("title", Arg::Text(Some(t)));
        }
        for (col, v) in [
            ("status", patch.status),
            ("priority", patch.priority),
            ("body", patch.body),
        ] {
            if let Some(v) = v {
                set(col, Arg::Text(Some(v)));
            }
        }
        for (col, v) in [
            ("epic", patch.epic),
            ("sprint", patch.sprint),
            ("assignee", patch.assignee),
        ] {
            if let Some(v) = v {
                set(col, Arg::Text(v));
            }
        }
        if let Some(tags) = patch.tags {
            set("tags", Arg::Text(Some(serde_json::to_string(&tags)?)));
        }
        let mut sql = format!(
            "UPDATE tasks SET {} WHERE backlog = $1 AND id = $2",
            sets.join(", ")
        );
        if let Some(v) = expected_version {
            args.push(Arg::Int(i64::try_from(v).unwrap_or(i64::MAX)));
            sql.push_str(&format!(" AND version = ${}", args.len()));
        }
        sql.push_str(&format!(" RETURNING {COLUMNS}"));
        let row = bind_all(sqlx::query(&sql), args)
            .fetch_optional(&self.pool.write)
            .await?;
        match row {
            Some(r) => task(&r),
            None => match self.task(backlog, id).await? {
                Some(current) => Err(StoreError::conflict(
                    "task",
                    id,
                    format!(
                        "it changed since (now version {}, expected {}); read it again",
                        current.version,
                        expected_version.unwrap_or_default()
                    ),
                )),
                None => Err(StoreError::not_found("task", id)),
            },
        }
    }

    async fn delete_task(&self, backlog: &str, id: &str) -> Result<bool> {
        check_id("backlog", backlog)?;
        check_id("id", id)?;
        let done = sqlx::query("DELETE FROM tasks WHERE backlog = $1 AND id = $2")
            .bind(backlog)
            .bind(id)
            .execute(&self.pool.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_tasks(&self, q: &TaskQuery) -> Result<Page<Task>> {
        check_id("backlog", &q.backlog)?;
        let limit = super::check_limit(q.limit)?;
        let mut filters = vec!["backlog = $1".to_owned()];
        let mut args = vec![Arg::Text(Some(q.backlog.clone()))];
        if !q.statuses.is_empty() {
            for s in &q.statuses {
                check_id("status", s)?;
            }
            let first = args.len() + 1;
            let marks: Vec<String> = (first..first + q.statuses.len())
                .map(|n| format!("${n}"))
                .collect();
            args.extend(q.statuses.iter().map(|s| Arg::Text(Some(s.clone()))));
            filters.push(format!("status IN ({})", marks.join(", ")));
        }
        let mut filter = |sql: &str, value: String| {
            args.push(Arg::Text(Some(value)));
            filters.push(sql.replace('?', &format!("${}", args.len())));
        };
        if let Some(e) = &q.epic {
            filter("epic = ?", e.clone());
        }
        if let Some(s) = &q.sprint {
            filter("sprint = ?", s.clone());
        }
        if let Some(a) = &q.assignee {
            filter("assignee = ?", a.clone());
        }
        if let Some(t) = q.text.as_deref().filter(|t| !t.is_empty()) {
            filter(
                r"(LOWER(title) LIKE ? ESCAPE '\' OR LOWER(body) LIKE ? ESCAPE '\')",
                like_pattern(t),
            );
        }
        let where_ = filters.join(" AND ");
        let count_args: Vec<Arg> = args
            .iter()
            .map(|a| match a {
                Arg::Text(t) => Arg::Text(t.clone()),
                Arg::Int(i) => Arg::Int(*i),
            })
            .collect();
        let total: i64 = bind_all(
            sqlx::query(&format!("SELECT COUNT(*) AS n FROM tasks WHERE {where_}")),
            count_args,
        )
        .fetch_one(&self.pool.read)
        .await?
        .try_get("n")?;
        let order = match q.sort {
            TaskSort::Created => "created_at, seq, id",
            TaskSort::Updated => "updated_at DESC, seq DESC, id DESC",
            TaskSort::Title => "LOWER(title), seq, id",
            TaskSort::Priority => {
                "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 \
                 WHEN 'low' THEN 3 ELSE 4 END, updated_at DESC, seq, id"
            }
        };
        let n = args.len();
        args.push(Arg::Int(limit));
        args.push(Arg::Int(i64::try_from(q.offset).unwrap_or(i64::MAX)));
        let rows = bind_all(
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM tasks WHERE {where_} ORDER BY {order} LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            )),
            args,
        )
        .fetch_all(&self.pool.read)
        .await?;
        Ok(Page {
            items: rows.iter().map(task).collect::<Result<_>>()?,
            total: u64::try_from(total).unwrap_or_default(),
        })
    }

    async fn task_counts(&self, backlog: &str, by: TaskGroup) -> Result<Vec<TaskCount>> {
        check_id("backlog", backlog)?;
        // A column name from a closed set, never from the caller.
        let column = match by {
            TaskGroup::Sprint => "sprint",
            TaskGroup::Epic => "epic",
        };
        let rows = sqlx::query(&format!(
            "SELECT {column} AS grp, status, COUNT(*) AS n FROM tasks WHERE backlog = $1 \
             GROUP BY {column}, status"
        ))
        .bind(backlog)
        .fetch_all(&self.pool.read)
        .await?;
        rows.iter()
            .map(|r| {
                let n: i64 = r.try_get("n")?;
                Ok(TaskCount {
                    group: r.try_get("grp")?,
                    status: r.try_get("status")?,
                    count: u64::try_from(n).unwrap_or_default(),
                })
            })
            .collect()
    }
}
