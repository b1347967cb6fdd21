//! A [`TaskFile`] back to text, as gray-matter's
//! `matter.stringify(description, frontMatter)` writes it.

use super::fields::Field;
use super::{TaskFile, emit, js_trim, time};

/// The text of a known key holding the task's value, as js-yaml writes it;
/// `None` when the field is unset (a key that is not written). `tags` is
/// written even when empty (`tags: []`), as the file had the key.
pub(crate) fn known_entry(t: &TaskFile, field: Field, key: &str) -> Option<String> {
    let text = |v: &Option<String>| v.as_deref().map(|v| emit::string_entry(key, v));
    let stamp = |ms: Option<i64>| {
        ms.and_then(time::format_iso)
            .map(|iso| emit::string_entry(key, &iso))
    };
    match field {
        Field::Id => Some(emit::string_entry(key, &t.id)),
        Field::Title => Some(emit::string_entry(key, &t.title)),
        Field::Status => Some(emit::string_entry(key, &t.status)),
        Field::Priority => text(&t.priority),
        Field::Epic => text(&t.epic),
        Field::Sprint => text(&t.sprint),
        Field::Assignee => text(&t.assignee),
        Field::Tags => Some(emit::list_entry(key, &t.tags)),
        Field::CreatedAt => stamp(t.created_at),
        Field::UpdatedAt => stamp(t.updated_at),
    }
}

/// Whether a known key the file did not have is written: only once it holds
/// something other than the backlog's default. Timestamps are added only to
/// tasks made in Skyport; a file without them stays without them.
fn newly_set(t: &TaskFile, field: Field) -> bool {
    match field {
        Field::Id | Field::Title | Field::Status => true,
        Field::Priority => t.priority.as_deref().is_some_and(|p| p != "medium"),
        Field::Epic => t.epic.is_some(),
        Field::Sprint => t.sprint.is_some(),
        Field::Assignee => t.assignee.is_some(),
        Field::Tags => !t.tags.is_empty(),
        Field::CreatedAt | Field::UpdatedAt => t.front_matter.is_none(),
    }
}

/// Writes a task file: `---\n`, the front matter, `---\n`, the description and
/// a line feed, byte for byte what gray-matter 4 (js-yaml 3) writes for the
/// same data.
///
/// A file read with [`parse`](super::parse) keeps its key order, its unknown
/// keys verbatim, and known keys written in another style as they were while
/// their value is unchanged; a known key that became unset is dropped, one
/// newly set is added after the others. A task made in Skyport is written as
/// `id`, `title`, `status`, `priority` (unless `medium`), `epic_id`, `sprint`,
/// `assignee`, `tags` (unless empty), `created_at`, `updated_at`.
pub fn write(t: &TaskFile) -> String {
    let mut yaml = String::new();
    let mut done: Vec<Field> = Vec::new();
    if let Some(fm) = &t.front_matter {
        yaml.push_str(&fm.preamble);
        for key in &fm.order {
            if let Some(raw) = fm.unknown.iter().find(|u| &u.key == key) {
                yaml.push_str(&raw.yaml);
                continue;
            }
            let Some(field) = Field::of(key) else {
                continue;
            };
            if done.contains(&field) {
                continue;
            }
            done.push(field);
            let kept = fm
                .verbatim
                .iter()
                .find(|v| &v.key == key && v.value == field.json(t));
            match kept {
                Some(raw) => yaml.push_str(&raw.yaml),
                None => yaml.extend(known_entry(t, field, key)),
            }
        }
    }
    for (field, key) in Field::ALL {
        if !done.contains(&field) && newly_set(t, field) {
            yaml.extend(known_entry(t, field, key));
        }
    }
    // gray-matter trims js-yaml's output and adds its own line ends.
    let mut out = format!("---\n{}\n---\n", js_trim(&yaml));
    out.push_str(&t.description);
    if !t.description.ends_with('\n') {
        out.push('\n');
    }
    out
}
