//! The read side, shared by the tools and the viewer's JSON API: a page of
//! tasks under filters, one task, and progress per sprint or epic.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skyport_store::Records;
use skyport_store::records::{TaskGroup, TaskQuery, TaskSort};

use super::model::{BacklogKind, MAX_LABEL, MAX_TEXT, Status, TaskDetail, TaskSummary};
use super::owner::Owner;
use super::validate::{Invalid, label, task_id};

/// Tasks per page unless the caller asks.
const DEFAULT_LIMIT: u32 = 20;
/// Largest page.
const MAX_LIMIT: u32 = 100;
/// Farthest offset (a page past 10 million tasks is a mistake).
const MAX_OFFSET: u64 = 10_000_000;
/// Most groups in a progress answer.
const MAX_GROUPS: usize = 50;

/// Orders of a listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SortKey {
    /// Most recently changed first.
    #[default]
    Updated,
    /// Oldest first.
    Created,
    /// Alphabetical.
    Title,
    /// Urgent first.
    Priority,
}

impl SortKey {
    fn store(self) -> TaskSort {
        match self {
            SortKey::Updated => TaskSort::Updated,
            SortKey::Created => TaskSort::Created,
            SortKey::Title => TaskSort::Title,
            SortKey::Priority => TaskSort::Priority,
        }
    }
}

/// `backlog_list`'s arguments (and the viewer's `GET /tasks` query).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListArgs {
    /// Only tasks with one of these statuses (default: all).
    #[serde(default)]
    #[schemars(length(max = 5))]
    pub(crate) status: Vec<Status>,
    /// Case-insensitive text to find in titles and descriptions.
    #[schemars(length(max = 200))]
    pub(crate) text: Option<String>,
    /// Only this epic (exact name).
    #[schemars(length(max = 100))]
    pub(crate) epic: Option<String>,
    /// Only this sprint (exact name).
    #[schemars(length(max = 100))]
    pub(crate) sprint: Option<String>,
    /// Only this assignee (exact name).
    #[schemars(length(max = 100))]
    pub(crate) assignee: Option<String>,
    /// Order: `updated` (default, most recent first), `created`, `title`, `priority` (urgent first).
    #[serde(default)]
    pub(crate) sort: SortKey,
    /// Tasks to skip: pass the previous result's nextOffset for the next page.
    #[serde(default)]
    #[schemars(range(max = 10_000_000))]
    pub(crate) offset: u64,
    /// Tasks per page, 1–100 (default 20).
    #[schemars(range(min = 1, max = 100))]
    pub(crate) limit: Option<u32>,
}

/// The filters a page was made with, echoed so a widget can show them.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub(crate) struct Filters {
    /// Statuses (empty: all).
    pub(crate) status: Vec<Status>,
    /// Text searched for.
    pub(crate) text: Option<String>,
    /// Epic.
    pub(crate) epic: Option<String>,
    /// Sprint.
    pub(crate) sprint: Option<String>,
    /// Assignee.
    pub(crate) assignee: Option<String>,
    /// Order.
    pub(crate) sort: SortKey,
}

/// A page of tasks (`view: "list"`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListView {
    /// Always `list`.
    pub(crate) view: &'static str,
    /// This page.
    pub(crate) tasks: Vec<TaskSummary>,
    /// Tasks matching the filters, on every page.
    pub(crate) total: u64,
    /// Tasks skipped before this page.
    pub(crate) offset: u64,
    /// Page size.
    pub(crate) limit: u32,
    /// Offset of the next page; null on the last one.
    pub(crate) next_offset: Option<u64>,
    /// The filters applied.
    pub(crate) filters: Filters,
    /// Whose backlog.
    pub(crate) backlog: BacklogKind,
}

impl ListView {
    /// One line for the model: which tasks, how many, how to go on.
    pub(crate) fn message(&self) -> String {
        use std::fmt::Write;
        if self.total == 0 {
            return "No tasks match. Call backlog_create to add one.".to_owned();
        }
        let first = self.offset + 1;
        let last = self.offset + self.tasks.len() as u64;
        let mut m = if self.tasks.is_empty() {
            format!("No tasks on this page: {} match; use offset 0.", self.total)
        } else {
            format!("Tasks {first}–{last} of {}.", self.total)
        };
        if let Some(next) = self.next_offset {
            let _ = write!(m, " Next page: offset {next}.");
        }
        for t in &self.tasks {
            let _ = write!(m, "\n{} [{}, {}] {}", t.id, t.status, t.priority, t.title);
        }
        m
    }
}

/// One task (`view: "task"`), for `backlog_get`, create and update.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TaskView {
    /// Always `task`.
    pub(crate) view: &'static str,
    /// The task.
    pub(crate) task: TaskDetail,
    /// Create: false when `request_id` repeated an earlier call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) created: Option<bool>,
    /// Update: false when every field already had the value given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) changed: Option<bool>,
    /// Whose backlog.
    pub(crate) backlog: BacklogKind,
}

impl TaskView {
    /// `task` as the owner's, with neither `created` nor `changed` said.
    pub(crate) fn of(task: &skyport_store::records::Task, owner: &Owner) -> Self {
        TaskView {
            view: "task",
            task: TaskDetail::from(task),
            created: None,
            changed: None,
            backlog: owner.kind,
        }
    }
}

/// `backlog_progress`'s arguments (and the viewer's `GET /progress`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProgressArgs {
    /// Group by `sprint` (default) or `epic`.
    #[serde(default)]
    pub(crate) by: GroupBy,
}

/// What progress is grouped by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum GroupBy {
    /// Sprints.
    #[default]
    Sprint,
    /// Epics.
    Epic,
}

/// One sprint's or epic's tasks by status.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProgressGroup {
    /// The sprint or epic; null for tasks without one.
    pub(crate) name: Option<String>,
    /// Tasks in it.
    pub(crate) total: u64,
    /// Open.
    pub(crate) open: u64,
    /// In progress.
    pub(crate) in_progress: u64,
    /// Blocked.
    pub(crate) blocked: u64,
    /// Done.
    pub(crate) done: u64,
    /// Cancelled.
    pub(crate) cancelled: u64,
    /// done / (total − cancelled), in whole percent (0 when nothing counts).
    pub(crate) percent_done: u64,
}

/// Progress per sprint or epic (`view: "progress"`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProgressView {
    /// Always `progress`.
    pub(crate) view: &'static str,
    /// What the groups are.
    pub(crate) by: GroupBy,
    /// By name, tasks without a sprint/epic last; at most 50.
    pub(crate) groups: Vec<ProgressGroup>,
    /// True when there were more than 50 groups.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) truncated: bool,
    /// Tasks in the backlog.
    pub(crate) total: u64,
    /// Whose backlog.
    pub(crate) backlog: BacklogKind,
}

impl ProgressView {
    /// A sentence per group for the model.
    pub(crate) fn message(&self) -> String {
        use std::fmt::Write;
        let what = match self.by {
            GroupBy::Sprint => "sprint",
            GroupBy::Epic => "epic",
        };
        if self.total == 0 {
            return "The backlog is empty.".to_owned();
        }
        let mut m = format!("Progress by {what} ({} tasks):", self.total);
        for g in &self.groups {
            let name = g.name.as_deref().unwrap_or("(none)");
            let _ = write!(
                m,
                "\n{name}: {}% done ({} of {} done, {} in progress, {} blocked, {} open)",
                g.percent_done, g.done, g.total, g.in_progress, g.blocked, g.open
            );
        }
        m
    }
}

/// A store failure or bad arguments.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReadError {
    /// The caller's to fix.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The store's.
    #[error(transparent)]
    Store(#[from] skyport_store::StoreError),
}

/// A page of the owner's tasks under `args`' filters.
pub(crate) async fn list(
    records: &dyn Records,
    owner: &Owner,
    args: ListArgs,
) -> Result<ListView, ReadError> {
    let limit = args.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Invalid::new("limit", format!("must be 1 to {MAX_LIMIT}")).into());
    }
    if args.offset > MAX_OFFSET {
        return Err(Invalid::new("offset", format!("must be at most {MAX_OFFSET}")).into());
    }
    let text = label("text", args.text, MAX_TEXT)?;
    let filters = Filters {
        status: dedup(args.status),
        text,
        epic: label("epic", args.epic, MAX_LABEL)?,
        sprint: label("sprint", args.sprint, MAX_LABEL)?,
        assignee: label("assignee", args.assignee, MAX_LABEL)?,
        sort: args.sort,
    };
    let query = TaskQuery {
        backlog: owner.backlog.clone(),
        statuses: filters
            .status
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
        text: filters.text.clone(),
        epic: filters.epic.clone(),
        sprint: filters.sprint.clone(),
        assignee: filters.assignee.clone(),
        sort: filters.sort.store(),
        offset: args.offset,
        limit,
    };
    let page = records.list_tasks(&query).await?;
    let end = args.offset + page.items.len() as u64;
    Ok(ListView {
        view: "list",
        tasks: page.items.iter().map(TaskSummary::from).collect(),
        total: page.total,
        offset: args.offset,
        limit,
        next_offset: (end < page.total && !page.items.is_empty()).then_some(end),
        filters,
        backlog: owner.kind,
    })
}

/// One task, or `None`.
pub(crate) async fn get(
    records: &dyn Records,
    owner: &Owner,
    id: &str,
) -> Result<Option<TaskView>, ReadError> {
    let id = task_id(id)?;
    Ok(records
        .task(&owner.backlog, &id)
        .await?
        .map(|t| TaskView::of(&t, owner)))
}

/// Tasks per sprint or epic and status.
pub(crate) async fn progress(
    records: &dyn Records,
    owner: &Owner,
    args: ProgressArgs,
) -> Result<ProgressView, ReadError> {
    let group = match args.by {
        GroupBy::Sprint => TaskGroup::Sprint,
        GroupBy::Epic => TaskGroup::Epic,
    };
    let counts = records.task_counts(&owner.backlog, group).await?;
    // `Some` names sort before `None` when keyed by (is_none, name).
    let mut groups: BTreeMap<(bool, Option<String>), ProgressGroup> = BTreeMap::new();
    let mut total = 0;
    for c in counts {
        total += c.count;
        let g = groups
            .entry((c.group.is_none(), c.group.clone()))
            .or_insert_with(|| ProgressGroup {
                name: c.group.clone(),
                ..ProgressGroup::default()
            });
        g.total += c.count;
        match Status::parse(&c.status) {
            Some(Status::Open) | None => g.open += c.count,
            Some(Status::InProgress) => g.in_progress += c.count,
            Some(Status::Blocked) => g.blocked += c.count,
            Some(Status::Done) => g.done += c.count,
            Some(Status::Cancelled) => g.cancelled += c.count,
        }
    }
    let truncated = groups.len() > MAX_GROUPS;
    let groups = groups
        .into_values()
        .take(MAX_GROUPS)
        .map(|mut g| {
            let counted = g.total - g.cancelled;
            g.percent_done = (g.done * 100).checked_div(counted).unwrap_or(0);
            g
        })
        .collect();
    Ok(ProgressView {
        view: "progress",
        by: args.by,
        groups,
        truncated,
        total,
        backlog: owner.kind,
    })
}

fn dedup(mut statuses: Vec<Status>) -> Vec<Status> {
    let mut seen = Vec::with_capacity(statuses.len());
    statuses.retain(|s| {
        let new = !seen.contains(s);
        seen.push(*s);
        new
    });
    statuses
}
