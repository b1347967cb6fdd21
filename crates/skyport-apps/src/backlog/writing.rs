//! The write side: create (idempotent with a request id), update (a no-op
//! when nothing changes, so retries are harmless), delete (only when
//! confirmed).

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use skyport_store::Records;
use skyport_store::records::{NewTask, Task, TaskPatch};

use super::model::{BacklogKind, MAX_LABEL, Priority, Status};
use super::owner::Owner;
use super::reading::{ReadError, TaskView};
use super::validate::{self, Invalid, label, task_id};

/// Longest `request_id`.
const MAX_REQUEST_ID: usize = 100;

/// `backlog_create`'s arguments.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateArgs {
    /// What to do, in one line (1–200 characters).
    #[schemars(length(min = 1, max = 200))]
    pub(crate) title: String,
    /// Details, in markdown (at most 20,000 characters).
    #[schemars(length(max = 20_000))]
    pub(crate) description: Option<String>,
    /// Default `open`.
    pub(crate) status: Option<Status>,
    /// Default `medium`.
    pub(crate) priority: Option<Priority>,
    /// The epic it belongs to.
    #[schemars(length(max = 100))]
    pub(crate) epic: Option<String>,
    /// The sprint it is planned in.
    #[schemars(length(max = 100))]
    pub(crate) sprint: Option<String>,
    /// Who works on it.
    #[schemars(length(max = 100))]
    pub(crate) assignee: Option<String>,
    /// Labels (at most 20, each 1–40 characters).
    #[schemars(length(max = 20))]
    pub(crate) tags: Option<Vec<String>>,
    /// A fresh id per new task (e.g. a UUID): a retried call with the same
    /// request_id returns the task made the first time instead of a copy.
    #[schemars(length(min = 1, max = 100))]
    pub(crate) request_id: Option<String>,
}

/// `Some(None)` for an explicit `null`, `None` when absent.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `backlog_update`'s arguments: the id and the fields to change.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateArgs {
    /// The task's id, e.g. T-7.
    #[schemars(length(min = 1, max = 64))]
    pub(crate) id: String,
    /// New title.
    #[schemars(length(min = 1, max = 200))]
    pub(crate) title: Option<String>,
    /// New description (markdown).
    #[schemars(length(max = 20_000))]
    pub(crate) description: Option<String>,
    /// New status.
    pub(crate) status: Option<Status>,
    /// New priority.
    pub(crate) priority: Option<Priority>,
    /// New epic; null clears it.
    #[serde(default, deserialize_with = "present")]
    #[schemars(length(max = 100))]
    pub(crate) epic: Option<Option<String>>,
    /// New sprint; null clears it.
    #[serde(default, deserialize_with = "present")]
    #[schemars(length(max = 100))]
    pub(crate) sprint: Option<Option<String>>,
    /// New assignee; null clears it.
    #[serde(default, deserialize_with = "present")]
    #[schemars(length(max = 100))]
    pub(crate) assignee: Option<Option<String>>,
    /// New labels (replace the old ones).
    #[schemars(length(max = 20))]
    pub(crate) tags: Option<Vec<String>>,
    /// The version you read: the update is refused if the task changed since.
    pub(crate) expected_version: Option<u64>,
}

/// `backlog_delete`'s arguments.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteArgs {
    /// The task's id, e.g. T-7.
    #[schemars(length(min = 1, max = 64))]
    pub(crate) id: String,
    /// Must be true: set it only after the user confirmed the deletion.
    #[serde(default)]
    pub(crate) confirmed: bool,
}

/// `backlog_delete`'s result (`view: "deleted"`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub(crate) struct DeletedView {
    /// Always `deleted`.
    pub(crate) view: &'static str,
    /// The id.
    pub(crate) id: String,
    /// False when there was no such task (a retried delete).
    pub(crate) deleted: bool,
    /// Whose backlog.
    pub(crate) backlog: BacklogKind,
}

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    /// Bad arguments or a store failure.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// No such task.
    #[error("No task {0} in this backlog; backlog_list shows the ids.")]
    NotFound(String),
    /// `confirmed` was not true.
    #[error(
        "Not deleted: deleting {id} (\"{title}\") cannot be undone. Ask the user to confirm, then call backlog_delete again with confirmed: true."
    )]
    Unconfirmed {
        /// The task.
        id: String,
        /// Its title, so the model can ask about the right one.
        title: String,
    },
    /// `expected_version` did not match.
    #[error(
        "{id} changed since version {expected} (it is now version {current}); read it again with backlog_get and retry."
    )]
    Stale {
        /// The task.
        id: String,
        /// What the caller had.
        expected: u64,
        /// What it is now.
        current: u64,
    },
    /// The update named no field.
    #[error(
        "Nothing to change: pass at least one of title, description, status, priority, epic, sprint, assignee or tags."
    )]
    Empty,
}

impl From<Invalid> for WriteError {
    fn from(e: Invalid) -> Self {
        WriteError::Read(e.into())
    }
}

impl From<skyport_store::StoreError> for WriteError {
    fn from(e: skyport_store::StoreError) -> Self {
        WriteError::Read(e.into())
    }
}

/// Creates a task; with a `request_id` seen before, returns that call's task.
pub(crate) async fn create(
    records: &dyn Records,
    owner: &Owner,
    args: CreateArgs,
) -> Result<TaskView, WriteError> {
    let request_id = match args.request_id {
        Some(r) => {
            let r = r.trim().to_owned();
            if r.is_empty() || r.len() > MAX_REQUEST_ID || r.chars().any(char::is_control) {
                return Err(Invalid::new(
                    "request_id",
                    format!("must be 1 to {MAX_REQUEST_ID} characters without control characters"),
                )
                .into());
            }
            Some(r)
        }
        None => None,
    };
    let new = NewTask {
        backlog: owner.backlog.clone(),
        id: None,
        title: validate::title(&args.title)?,
        status: args.status.unwrap_or(Status::Open).as_str().to_owned(),
        priority: args
            .priority
            .unwrap_or(Priority::Medium)
            .as_str()
            .to_owned(),
        body: validate::description(args.description.as_deref().unwrap_or(""))?,
        epic: label("epic", args.epic, MAX_LABEL)?,
        sprint: label("sprint", args.sprint, MAX_LABEL)?,
        assignee: label("assignee", args.assignee, MAX_LABEL)?,
        tags: validate::tags(args.tags.unwrap_or_default())?,
        extra: serde_json::Value::Null,
        idempotency_key: request_id,
        created_at: None,
        updated_at: None,
    };
    let started_at = crate::common::clock::now_ms();
    let task = records.create_task(new).await?;
    let mut v = TaskView::of(&task, owner);
    // A replayed request_id returns the task an earlier call made, created
    // before this call began.
    v.created = Some(task.created_at >= started_at);
    Ok(v)
}

/// Applies the given fields; `changed: false` and no write when each already
/// had its value.
pub(crate) async fn update(
    records: &dyn Records,
    owner: &Owner,
    args: UpdateArgs,
) -> Result<TaskView, WriteError> {
    let id = task_id(&args.id)?;
    let patch = TaskPatch {
        title: args.title.as_deref().map(validate::title).transpose()?,
        body: args
            .description
            .as_deref()
            .map(validate::description)
            .transpose()?,
        status: args.status.map(|s| s.as_str().to_owned()),
        priority: args.priority.map(|p| p.as_str().to_owned()),
        epic: args.epic.map(|v| label("epic", v, MAX_LABEL)).transpose()?,
        sprint: args
            .sprint
            .map(|v| label("sprint", v, MAX_LABEL))
            .transpose()?,
        assignee: args
            .assignee
            .map(|v| label("assignee", v, MAX_LABEL))
            .transpose()?,
        tags: args.tags.map(validate::tags).transpose()?,
    };
    let Some(current) = records.task(&owner.backlog, &id).await? else {
        return Err(WriteError::NotFound(id));
    };
    if let Some(expected) = args.expected_version
        && expected != current.version
    {
        return Err(WriteError::Stale {
            id,
            expected,
            current: current.version,
        });
    }
    let Some(patch) = changes(&current, patch)? else {
        let mut v = TaskView::of(&current, owner);
        v.changed = Some(false);
        return Ok(v);
    };
    // Conditional on the version read: a concurrent change makes this a
    // conflict rather than a lost update.
    let updated = records
        .update_task(&owner.backlog, &id, patch, Some(current.version))
        .await
        .map_err(|e| match e {
            skyport_store::StoreError::NotFound { .. } => WriteError::NotFound(id.clone()),
            other => other.into(),
        })?;
    let mut v = TaskView::of(&updated, owner);
    v.changed = Some(true);
    Ok(v)
}

/// The part of `patch` that differs from `current`; `None` when nothing
/// does; `Empty` when the patch named no field.
fn changes(current: &Task, p: TaskPatch) -> Result<Option<TaskPatch>, WriteError> {
    if p.is_empty() {
        return Err(WriteError::Empty);
    }
    let diff = TaskPatch {
        title: p.title.filter(|v| *v != current.title),
        body: p.body.filter(|v| *v != current.body),
        status: p.status.filter(|v| *v != current.status),
        priority: p.priority.filter(|v| *v != current.priority),
        epic: p.epic.filter(|v| *v != current.epic),
        sprint: p.sprint.filter(|v| *v != current.sprint),
        assignee: p.assignee.filter(|v| *v != current.assignee),
        tags: p.tags.filter(|v| *v != current.tags),
    };
    Ok((!diff.is_empty()).then_some(diff))
}

/// Deletes a task when `confirmed`; a missing task is `deleted: false`.
pub(crate) async fn delete(
    records: &dyn Records,
    owner: &Owner,
    args: DeleteArgs,
) -> Result<DeletedView, WriteError> {
    let id = task_id(&args.id)?;
    let Some(task) = records.task(&owner.backlog, &id).await? else {
        return Ok(DeletedView {
            view: "deleted",
            id,
            deleted: false,
            backlog: owner.kind,
        });
    };
    if !args.confirmed {
        return Err(WriteError::Unconfirmed {
            id,
            title: task.title,
        });
    }
    let deleted = records.delete_task(&owner.backlog, &id).await?;
    Ok(DeletedView {
        view: "deleted",
        id,
        deleted,
        backlog: owner.kind,
    })
}
