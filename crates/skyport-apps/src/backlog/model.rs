//! The backlog's values (statuses, priorities, limits) and the task shapes
//! that tools and the viewer API return (docs/backlog.md "Shapes").

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skyport_store::records::Task;

use crate::common::clock::rfc3339;

/// Longest title, in characters.
pub(crate) const MAX_TITLE: usize = 200;
/// Longest description, in characters.
pub(crate) const MAX_DESCRIPTION: usize = 20_000;
/// Longest epic, sprint or assignee, in characters.
pub(crate) const MAX_LABEL: usize = 100;
/// Most tags on one task.
pub(crate) const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
pub(crate) const MAX_TAG: usize = 40;
/// Longest id.
pub(crate) const MAX_ID: usize = 64;
/// Longest text filter, in characters.
pub(crate) const MAX_TEXT: usize = 200;

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    /// Not started.
    Open,
    /// Someone works on it.
    InProgress,
    /// Waiting on something else.
    Blocked,
    /// Finished.
    Done,
    /// Dropped (the file format's fifth status).
    Cancelled,
}

impl Status {
    /// Every status, in workflow order.
    pub(crate) const ALL: [Status; 5] = [
        Status::Open,
        Status::InProgress,
        Status::Blocked,
        Status::Done,
        Status::Cancelled,
    ];

    /// The stored and wire name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::InProgress => "in_progress",
            Status::Blocked => "blocked",
            Status::Done => "done",
            Status::Cancelled => "cancelled",
        }
    }

    /// The status named `s`, if it is one.
    pub(crate) fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// How urgent a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Priority {
    /// Some day.
    Low,
    /// The default.
    Medium,
    /// Soon.
    High,
    /// Now.
    Urgent,
}

impl Priority {
    /// The stored and wire name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

/// A task in a list: no description, so pages stay small.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TaskSummary {
    /// The task's id (`T-7`, or an imported `TASK-0007`).
    pub(crate) id: String,
    /// Title.
    pub(crate) title: String,
    /// `open`, `in_progress`, `blocked`, `done` or `cancelled`.
    pub(crate) status: String,
    /// `low`, `medium`, `high` or `urgent`.
    pub(crate) priority: String,
    /// Epic, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) epic: Option<String>,
    /// Sprint, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sprint: Option<String>,
    /// Assignee, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) assignee: Option<String>,
    /// Labels, when any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) tags: Vec<String>,
    /// Last change (RFC 3339).
    pub(crate) updated_at: String,
}

impl From<&Task> for TaskSummary {
    fn from(t: &Task) -> Self {
        TaskSummary {
            id: t.id.clone(),
            title: t.title.clone(),
            status: t.status.clone(),
            priority: t.priority.clone(),
            epic: t.epic.clone(),
            sprint: t.sprint.clone(),
            assignee: t.assignee.clone(),
            tags: t.tags.clone(),
            updated_at: rfc3339(t.updated_at),
        }
    }
}

/// A task with everything: the summary, its description and history.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TaskDetail {
    /// The list fields.
    #[serde(flatten)]
    pub(crate) summary: TaskSummary,
    /// Markdown description (may be empty).
    pub(crate) description: String,
    /// Created (RFC 3339).
    pub(crate) created_at: String,
    /// Grows by one per change; pass it as `expected_version` to update safely.
    pub(crate) version: u64,
    /// Other fields kept from an imported file (e.g. `references`).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub(crate) fields: serde_json::Map<String, serde_json::Value>,
}

impl From<&Task> for TaskDetail {
    fn from(t: &Task) -> Self {
        TaskDetail {
            summary: TaskSummary::from(t),
            description: t.body.clone(),
            created_at: rfc3339(t.created_at),
            version: t.version,
            fields: imported_fields(&t.extra),
        }
    }
}

/// The front-matter fields an import kept that are not task fields: the
/// `frontMatter.unknown` entries the file format writes into `extra`
/// (docs/backlog.md "Files").
fn imported_fields(extra: &serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    extra
        .pointer("/frontMatter/unknown")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| Some((f.get("key")?.as_str()?.to_owned(), f.get("value")?.clone())))
        .collect()
}

/// Which backlog a result came from, as callers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum BacklogKind {
    /// The one backlog of API-key and anonymous callers.
    Shared,
    /// The signed-in user's own.
    Personal,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statuses_round_trip_their_names() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(json!(s), json!(s.as_str()));
        }
        assert_eq!(Status::parse("finished"), None);
    }

    #[test]
    fn imported_fields_come_from_the_front_matter_record() {
        let extra = json!({"frontMatter": {"order": ["id"], "unknown": [
            {"key": "references", "yaml": "references: []\n", "value": [{"url": "https://x"}]},
            {"key": "type", "yaml": "type: epic\n", "value": "epic"},
            {"broken": true}
        ]}});
        let f = imported_fields(&extra);
        assert_eq!(f.len(), 2);
        assert_eq!(f["type"], "epic");
        assert!(imported_fields(&json!({})).is_empty());
        assert!(imported_fields(&json!(null)).is_empty());
    }
}
