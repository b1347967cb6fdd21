//! Checks on every value a caller sends, beyond what the JSON Schema says:
//! lengths in characters, no control characters, safe ids. The model and
//! the widget are untrusted.

use super::model::{MAX_DESCRIPTION, MAX_ID, MAX_TAG, MAX_TAGS, MAX_TITLE};

/// A value the caller must fix, named and explained.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{field} {reason}")]
pub(crate) struct Invalid {
    /// The argument.
    pub(crate) field: &'static str,
    /// What is wrong and what is allowed.
    pub(crate) reason: String,
}

impl Invalid {
    /// `field` is wrong because `reason`.
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Invalid {
            field,
            reason: reason.into(),
        }
    }
}

fn no_controls(field: &'static str, s: &str, allow_newlines: bool) -> Result<(), Invalid> {
    let bad = s
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && matches!(c, '\n' | '\r' | '\t')));
    if bad {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    Ok(())
}

fn at_most(field: &'static str, s: &str, max: usize) -> Result<(), Invalid> {
    let n = s.chars().count();
    if n > max {
        return Err(Invalid::new(
            field,
            format!("is {n} characters long; the limit is {max}"),
        ));
    }
    Ok(())
}

/// A task id: 1–64 of `A-Z a-z 0-9 . _ -`, not starting with a dot.
pub(crate) fn task_id(id: &str) -> Result<String, Invalid> {
    let id = id.trim();
    let ok = !id.is_empty()
        && id.len() <= MAX_ID
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !ok {
        return Err(Invalid::new(
            "id",
            format!(
                "must be a task id such as T-7 (1 to {MAX_ID} letters, digits, '.', '_' or '-'); backlog_list shows the ids"
            ),
        ));
    }
    Ok(id.to_owned())
}

/// A title: trimmed, 1–200 characters, one line.
pub(crate) fn title(t: &str) -> Result<String, Invalid> {
    let t = t.trim();
    if t.is_empty() {
        return Err(Invalid::new("title", "must not be empty"));
    }
    at_most("title", t, MAX_TITLE)?;
    no_controls("title", t, false)?;
    Ok(t.to_owned())
}

/// A description: markdown, at most 20,000 characters (trimmed).
pub(crate) fn description(d: &str) -> Result<String, Invalid> {
    let d = d.trim();
    at_most("description", d, MAX_DESCRIPTION)?;
    no_controls("description", d, true)?;
    Ok(d.to_owned())
}

/// An optional one-line label (epic, sprint, assignee, search text):
/// trimmed; empty means none.
pub(crate) fn label(
    field: &'static str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, Invalid> {
    let Some(v) = value else { return Ok(None) };
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    at_most(field, v, max)?;
    no_controls(field, v, false)?;
    Ok(Some(v.to_owned()))
}

/// Tags: at most 20, each 1–40 characters, duplicates dropped.
pub(crate) fn tags(tags: Vec<String>) -> Result<Vec<String>, Invalid> {
    if tags.len() > MAX_TAGS {
        return Err(Invalid::new(
            "tags",
            format!("has {} tags; the limit is {MAX_TAGS}", tags.len()),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for t in tags {
        let t = t.trim();
        if t.is_empty() {
            return Err(Invalid::new("tags", "must not contain empty tags"));
        }
        at_most("tags", t, MAX_TAG)?;
        no_controls("tags", t, false)?;
        if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe_names() {
        assert_eq!(task_id(" T-7 ").unwrap(), "T-7");
        assert_eq!(task_id("TASK-0001").unwrap(), "TASK-0001");
        for bad in [
            "",
            "../etc",
            "a/b",
            ".hidden",
            "T 7",
            "<b>",
            &"x".repeat(65),
        ] {
            assert!(task_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn titles_are_one_line_and_bounded_in_characters() {
        assert_eq!(title("  Fix it ").unwrap(), "Fix it");
        assert!(title("   ").is_err());
        assert!(title("a\nb").is_err());
        // 200 multi-byte characters fit; 201 do not.
        assert!(title(&"é".repeat(200)).is_ok());
        let e = title(&"é".repeat(201)).unwrap_err();
        assert!(e.to_string().contains("limit is 200"), "{e}");
    }

    #[test]
    fn labels_and_tags() {
        assert_eq!(label("epic", Some("  ".into()), 100).unwrap(), None);
        assert!(label("epic", Some("x".repeat(101)), 100).is_err());
        assert_eq!(
            tags(vec!["a".into(), " a ".into(), "b".into()]).unwrap(),
            ["a", "b"]
        );
        assert!(tags(vec![String::new()]).is_err());
        assert!(tags(vec!["t".into(); 21]).is_err());
        assert!(description("line\nline\ttab").is_ok());
        assert!(description("bell\u{7}").is_err());
    }
}
