//! The known keys: typed from the YAML into a [`TaskFile`], and checked
//! against the backlog's value rules (`docs/backlog.md`, "Values").

use serde_json::Value;

use super::read::{FrontMatterText, Node};
use super::{FrontMatter, ParseError, RawField, TaskFile, time, write};

/// The statuses a task may have.
pub const STATUSES: [&str; 5] = ["open", "in_progress", "blocked", "done", "cancelled"];
/// The priorities a task may have (`medium` when a file has none).
pub const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];

/// A known key, whichever of its spellings the file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Id,
    Title,
    Status,
    Priority,
    Epic,
    Sprint,
    Assignee,
    Tags,
    CreatedAt,
    UpdatedAt,
}

impl Field {
    /// Fields in the order a task made in Skyport is written, with the key
    /// each is written under when the file did not name it.
    pub(crate) const ALL: [(Field, &'static str); 10] = [
        (Field::Id, "id"),
        (Field::Title, "title"),
        (Field::Status, "status"),
        (Field::Priority, "priority"),
        (Field::Epic, "epic_id"),
        (Field::Sprint, "sprint"),
        (Field::Assignee, "assignee"),
        (Field::Tags, "tags"),
        (Field::CreatedAt, "created_at"),
        (Field::UpdatedAt, "updated_at"),
    ];

    /// The field a key names, if it is a known key.
    pub(crate) fn of(key: &str) -> Option<Field> {
        match key {
            "epic" => Some(Field::Epic),
            _ => Self::ALL.iter().find(|(_, k)| *k == key).map(|(f, _)| *f),
        }
    }

    /// The field's value as JSON, to compare with a verbatim key's.
    pub(crate) fn json(self, t: &TaskFile) -> Value {
        let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        match self {
            Field::Id => Value::String(t.id.clone()),
            Field::Title => Value::String(t.title.clone()),
            Field::Status => Value::String(t.status.clone()),
            Field::Priority => text(&t.priority),
            Field::Epic => text(&t.epic),
            Field::Sprint => text(&t.sprint),
            Field::Assignee => text(&t.assignee),
            Field::Tags => Value::from(t.tags.clone()),
            Field::CreatedAt => t.created_at.map_or(Value::Null, Value::from),
            Field::UpdatedAt => t.updated_at.map_or(Value::Null, Value::from),
        }
    }
}

/// A scalar's text; `None` for null; an error for a list or mapping.
fn text(key: &str, node: &Node) -> Result<Option<String>, ParseError> {
    match node {
        _ if node.is_null() => Ok(None),
        Node::Scalar { text, .. } => Ok(Some(text.clone())),
        _ => Err(ParseError::bad(key, "must be text, not a list or mapping")),
    }
}

fn tags(key: &str, node: &Node) -> Result<Vec<String>, ParseError> {
    let list_of_text = || {
        ParseError::bad(
            key,
            "must be a list of words (`tags: [a, b]` or one `- tag` per line)",
        )
    };
    match node {
        _ if node.is_null() => Ok(Vec::new()),
        Node::Seq(items) => items
            .iter()
            .map(|item| match item {
                Node::Scalar { text, .. } if !item.is_null() => Ok(text.clone()),
                _ => Err(list_of_text()),
            })
            .collect(),
        _ => Err(list_of_text()),
    }
}

fn timestamp(key: &str, node: &Node) -> Result<Option<i64>, ParseError> {
    text(key, node)?
        .map(|s| {
            time::parse_iso(&s).ok_or_else(|| {
                ParseError::bad(
                    key,
                    format!("is {s:?}, not an ISO 8601 time like 2026-01-25T10:00:00.000Z"),
                )
            })
        })
        .transpose()
}

/// Types the known keys and records the layout.
pub(crate) fn from_front_matter(
    fm: FrontMatterText,
    description: String,
) -> Result<TaskFile, ParseError> {
    let mut task = TaskFile {
        id: String::new(),
        title: String::new(),
        status: String::new(),
        priority: None,
        epic: None,
        sprint: None,
        assignee: None,
        tags: Vec::new(),
        created_at: None,
        updated_at: None,
        description,
        front_matter: None,
    };
    let mut layout = FrontMatter {
        preamble: fm.preamble,
        ..FrontMatter::default()
    };
    let mut seen: Vec<Field> = Vec::new();
    let mut known = Vec::new();
    for entry in fm.entries {
        layout.order.push(entry.key.clone());
        let Some(field) = Field::of(&entry.key) else {
            layout.unknown.push(RawField {
                value: entry.value.to_json(),
                key: entry.key,
                yaml: entry.yaml,
            });
            continue;
        };
        if seen.contains(&field) {
            return Err(ParseError::Shape(
                "it has both `epic` and `epic_id`: keep one".into(),
            ));
        }
        seen.push(field);
        let (key, node) = (entry.key.as_str(), &entry.value);
        match field {
            Field::Id => task.id = text(key, node)?.unwrap_or_default(),
            Field::Title => task.title = text(key, node)?.unwrap_or_default(),
            Field::Status => task.status = text(key, node)?.unwrap_or_default(),
            Field::Priority => task.priority = text(key, node)?,
            Field::Epic => task.epic = text(key, node)?,
            Field::Sprint => task.sprint = text(key, node)?,
            Field::Assignee => task.assignee = text(key, node)?,
            Field::Tags => task.tags = tags(key, node)?,
            Field::CreatedAt => task.created_at = timestamp(key, node)?,
            Field::UpdatedAt => task.updated_at = timestamp(key, node)?,
        }
        known.push((field, entry.key, entry.yaml));
    }
    // A known key is kept as written when js-yaml would write its value
    // differently: the file then comes back unchanged until the value does.
    for (field, key, yaml) in known {
        if write::known_entry(&task, field, &key).as_deref() != Some(yaml.as_str()) {
            layout.verbatim.push(RawField {
                value: field.json(&task),
                key,
                yaml,
            });
        }
    }
    task.front_matter = Some(layout);
    Ok(task)
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// A safe id: 1–64 of `A-Z a-z 0-9 . _ -`, and not `.` or `..` (ids name files).
pub(crate) fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() || chars(id) > 64 {
        return Some(format!("is {id:?}: an id has 1 to 64 characters"));
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        || id == "."
        || id == ".."
    {
        return Some(format!(
            "is {id:?}: an id may hold only A-Z a-z 0-9 . _ - (it names the task's file)"
        ));
    }
    None
}

/// The backlog's value rules.
pub(crate) fn check(t: &TaskFile) -> Result<(), ParseError> {
    for (value, key) in [(&t.id, "id"), (&t.title, "title"), (&t.status, "status")] {
        if value.is_empty() {
            return Err(ParseError::Missing(key));
        }
    }
    if let Some(problem) = id_problem(&t.id) {
        return Err(ParseError::bad("id", problem));
    }
    let title = super::js_trim(&t.title);
    if title.is_empty() || chars(title) > 200 {
        return Err(ParseError::bad("title", "must have 1 to 200 characters"));
    }
    if title.chars().any(char::is_control) {
        return Err(ParseError::bad(
            "title",
            "must not hold control characters (line breaks, tabs)",
        ));
    }
    if !STATUSES.contains(&t.status.as_str()) {
        return Err(ParseError::bad(
            "status",
            format!("is {:?}: use one of {}", t.status, STATUSES.join(", ")),
        ));
    }
    if let Some(p) = &t.priority
        && !PRIORITIES.contains(&p.as_str())
    {
        return Err(ParseError::bad(
            "priority",
            format!("is {p:?}: use one of {}", PRIORITIES.join(", ")),
        ));
    }
    let epic_key = t
        .front_matter
        .as_ref()
        .and_then(|fm| fm.order.iter().find(|k| *k == "epic"))
        .map_or("epic_id", |_| "epic");
    for (value, key) in [
        (&t.epic, epic_key),
        (&t.sprint, "sprint"),
        (&t.assignee, "assignee"),
    ] {
        if value.as_deref().is_some_and(|v| chars(v) > 100) {
            return Err(ParseError::bad(key, "must have at most 100 characters"));
        }
    }
    if t.tags.len() > 20 {
        return Err(ParseError::bad("tags", "may list at most 20 tags"));
    }
    if let Some(tag) = t.tags.iter().find(|tag| tag.is_empty() || chars(tag) > 40) {
        return Err(ParseError::bad(
            "tags",
            format!("has {tag:?}: each tag has 1 to 40 characters"),
        ));
    }
    if chars(&t.description) > 20_000 {
        return Err(ParseError::bad(
            "description",
            "(the text after the front matter) must have at most 20,000 characters",
        ));
    }
    Ok(())
}
