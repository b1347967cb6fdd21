//! Backlog tasks, scoped per backlog (a user's, or the shared one).

use async_trait::async_trait;

use super::Page;
use crate::Result;

/// A task.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Task {
    /// Backlog it belongs to.
    pub backlog: String,
    /// Id within the backlog (`T-1`, `T-2`, ...: assigned in order).
    pub id: String,
    /// Title.
    pub title: String,
    /// `open`, `in_progress`, `blocked` or `done` (validated by the app).
    pub status: String,
    /// Priority (`low`, `medium`, `high`, ...).
    pub priority: String,
    /// Markdown body.
    pub body: String,
    /// Epic, if any.
    pub epic: Option<String>,
    /// Sprint, if any.
    pub sprint: Option<String>,
    /// Assignee, if any.
    pub assignee: Option<String>,
    /// Labels.
    pub tags: Vec<String>,
    /// Other front-matter fields, kept for lossless import/export.
    pub extra: serde_json::Value,
    /// Grows by one per change.
    pub version: u64,
    /// Created, Unix ms.
    pub created_at: i64,
    /// Last change, Unix ms.
    pub updated_at: i64,
}

/// A task to create.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    /// Backlog.
    pub backlog: String,
    /// Explicit id (import); `None` assigns the next `T-n`.
    pub id: Option<String>,
    /// Title.
    pub title: String,
    /// Status.
    pub status: String,
    /// Priority.
    pub priority: String,
    /// Body.
    pub body: String,
    /// Epic.
    pub epic: Option<String>,
    /// Sprint.
    pub sprint: Option<String>,
    /// Assignee.
    pub assignee: Option<String>,
    /// Labels.
    pub tags: Vec<String>,
    /// Other fields.
    pub extra: serde_json::Value,
    /// A retry with the same key returns the first task and writes nothing.
    pub idempotency_key: Option<String>,
    /// Creation time, Unix ms (import); `None` is now.
    pub created_at: Option<i64>,
    /// Last change, Unix ms (import); `None` is the creation time.
    pub updated_at: Option<i64>,
}

/// Fields to change; `None` leaves a field as it is; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    /// Title.
    pub title: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Priority.
    pub priority: Option<String>,
    /// Body.
    pub body: Option<String>,
    /// Epic.
    pub epic: Option<Option<String>>,
    /// Sprint.
    pub sprint: Option<Option<String>>,
    /// Assignee.
    pub assignee: Option<Option<String>>,
    /// Labels.
    pub tags: Option<Vec<String>>,
}

impl TaskPatch {
    /// True when it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.status.is_none()
            && self.priority.is_none()
            && self.body.is_none()
            && self.epic.is_none()
            && self.sprint.is_none()
            && self.assignee.is_none()
            && self.tags.is_none()
    }
}

/// Sort orders for listings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TaskSort {
    /// Oldest first (then id).
    #[default]
    Created,
    /// Most recently changed first (then the newest).
    Updated,
    /// By title.
    Title,
    /// `urgent`, `high`, `medium`, `low`, then any other priority; most
    /// recently changed first within one.
    Priority,
}

/// What [`TaskStore::task_counts`] groups by besides status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskGroup {
    /// The task's sprint.
    Sprint,
    /// The task's epic.
    Epic,
}

/// How many tasks of one group have one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskCount {
    /// The sprint or epic; `None` for tasks without one.
    pub group: Option<String>,
    /// The status.
    pub status: String,
    /// Tasks.
    pub count: u64,
}

/// A listing query; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    /// Backlog (required).
    pub backlog: String,
    /// Only tasks with one of these statuses (empty: any).
    pub statuses: Vec<String>,
    /// Case-insensitive substring of title or body.
    pub text: Option<String>,
    /// Only this epic.
    pub epic: Option<String>,
    /// Only this sprint.
    pub sprint: Option<String>,
    /// Only this assignee.
    pub assignee: Option<String>,
    /// Order.
    pub sort: TaskSort,
    /// Items to skip.
    pub offset: u64,
    /// Page size (1..=500).
    pub limit: u32,
}

/// Tasks.
#[async_trait]
pub trait TaskStore: Send + Sync {
    /// Creates a task (idempotent with a key); `Conflict` when an explicit id exists.
    async fn create_task(&self, new: NewTask) -> Result<Task>;
    /// The task.
    async fn task(&self, backlog: &str, id: &str) -> Result<Option<Task>>;
    /// Applies a patch atomically (one `UPDATE`, version + 1). With
    /// `expected_version`, `Conflict` when the task changed since.
    async fn update_task(
        &self,
        backlog: &str,
        id: &str,
        patch: TaskPatch,
        expected_version: Option<u64>,
    ) -> Result<Task>;
    /// Deletes; false when it did not exist.
    async fn delete_task(&self, backlog: &str, id: &str) -> Result<bool>;
    /// A page of matching tasks and the total.
    async fn list_tasks(&self, query: &TaskQuery) -> Result<Page<Task>>;
    /// Task counts per group and status (one `GROUP BY`), for progress bars.
    async fn task_counts(&self, backlog: &str, by: TaskGroup) -> Result<Vec<TaskCount>>;
}
