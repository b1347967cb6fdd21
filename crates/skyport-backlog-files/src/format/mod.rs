//! One task file: `---`, YAML front matter, `---`, the description in markdown.
//!
//! - `read.rs`: the YAML, its top-level keys and the lines each one occupies.
//! - `fields.rs`: the known keys typed into a [`TaskFile`], and the backlog's
//!   value rules.
//! - `emit.rs`: js-yaml's way of writing a string or a list of strings.
//! - `write.rs`: a [`TaskFile`] back to text, keys in their recorded order.
//! - `time.rs`: ISO 8601 text ⇄ Unix milliseconds.

mod emit;
mod fields;
mod read;
pub(crate) mod time;
mod write;

use serde_json::Value;

pub(crate) use fields::id_problem;
pub use fields::{PRIORITIES, STATUSES};
pub use write::write;

/// Largest task file read: far above any valid task (a 20,000-character
/// description), small enough that a stray binary file is refused quickly.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// A task as its file holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFile {
    /// `id`: the task's id (`TASK-0001`).
    pub id: String,
    /// `title`.
    pub title: String,
    /// `status`: one of [`STATUSES`].
    pub status: String,
    /// `priority`: one of [`PRIORITIES`]; `None` when the file has no
    /// `priority` (the backlog then stores `medium`).
    pub priority: Option<String>,
    /// `epic_id` (or `epic`).
    pub epic: Option<String>,
    /// `sprint`.
    pub sprint: Option<String>,
    /// `assignee`.
    pub assignee: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `created_at`, Unix ms.
    pub created_at: Option<i64>,
    /// `updated_at`, Unix ms.
    pub updated_at: Option<i64>,
    /// The body after the front matter, trimmed.
    pub description: String,
    /// How the file laid its front matter out; `None` for a task made in
    /// Skyport, which is written in the default order.
    pub front_matter: Option<FrontMatter>,
}

/// What writing needs, besides the task's fields, to give back the file as
/// it was: the order of its keys and the text of those it does not map to a
/// field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    /// Every top-level key, in file order.
    pub order: Vec<String>,
    /// Keys that are not task fields (`type`, `references`, …), verbatim.
    pub unknown: Vec<RawField>,
    /// Known keys whose text is not what js-yaml would write for their value
    /// (`title: "double quoted"`, `epic_id: null`, a comment after a key):
    /// written as they were while the value stays the same.
    pub verbatim: Vec<RawField>,
    /// Lines before the first key (a comment); usually empty.
    pub preamble: String,
}

/// One top-level key as written in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct RawField {
    /// The key.
    pub key: String,
    /// Its lines: the key's line and the indented lines under it, each ending
    /// in a line feed.
    pub yaml: String,
    /// Its value as JSON (for a known key, the field's value: text, a list of
    /// text, Unix ms or null).
    pub value: Value,
}

/// Why a task file cannot be read. Each message says what to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The file does not open with a `---` line.
    #[error(
        "it does not start with a `---` line: a task file is `---`, YAML front matter, `---`, then the description"
    )]
    NoFrontMatter,
    /// No `---` line closes the front matter.
    #[error("the front matter opened on line 1 is never closed: add a `---` line after it")]
    Unterminated,
    /// The front matter is not valid YAML.
    #[error("the front matter is not valid YAML (line {line}, column {column}): {reason}")]
    Yaml {
        /// Line in the file (1 is the opening `---`).
        line: usize,
        /// Column.
        column: usize,
        /// The parser's explanation.
        reason: String,
    },
    /// The front matter is YAML but not a mapping of keys, one per line.
    #[error("the front matter cannot be used: {0}")]
    Shape(String),
    /// A required key is missing (or null).
    #[error("the front matter has no `{0}`: every task needs one")]
    Missing(&'static str),
    /// A key has a value the backlog does not accept.
    #[error("`{key}` {reason}")]
    BadValue {
        /// The key as written.
        key: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// Not UTF-8 text.
    #[error("it is not UTF-8 text")]
    NotText,
    /// Larger than [`MAX_FILE_BYTES`].
    #[error(
        "it is larger than {} bytes: a task file is a few kilobytes",
        MAX_FILE_BYTES
    )]
    TooLarge,
}

impl ParseError {
    fn bad(key: &str, reason: impl Into<String>) -> Self {
        Self::BadValue {
            key: key.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Reads a task file's bytes (see [`parse`]).
pub fn parse_bytes(bytes: &[u8]) -> Result<TaskFile, ParseError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ParseError::TooLarge);
    }
    parse(std::str::from_utf8(bytes).map_err(|_| ParseError::NotText)?)
}

/// Reads one task file and checks its values against the backlog's rules
/// (see `docs/backlog.md`, "Values"). Line ends may be CRLF; a leading byte
/// order mark is skipped.
pub fn parse(text: &str) -> Result<TaskFile, ParseError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ParseError::TooLarge);
    }
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let text = if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let (yaml, body) = split(&text)?;
    let fm = read::read(yaml, 2).map_err(|e| match e {
        read::ReadError::Syntax {
            line,
            column,
            reason,
        } => ParseError::Yaml {
            line,
            column,
            reason,
        },
        read::ReadError::Shape(reason) => ParseError::Shape(reason),
    })?;
    let task = fields::from_front_matter(fm, js_trim(body).to_owned())?;
    fields::check(&task)?;
    Ok(task)
}

/// Splits `---\n<yaml>---\n<body>`: the YAML ends with the line feed before
/// the closing `---` line.
fn split(text: &str) -> Result<(&str, &str), ParseError> {
    let rest = text
        .strip_prefix("---")
        .and_then(|r| {
            let line_end = r.find('\n').unwrap_or(r.len());
            r[..line_end]
                .trim_end_matches([' ', '\t'])
                .is_empty()
                .then(|| r.get(line_end + 1..).unwrap_or(""))
        })
        .ok_or(ParseError::NoFrontMatter)?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let bare = line.strip_suffix('\n').unwrap_or(line);
        if bare
            .strip_prefix("---")
            .is_some_and(|t| t.trim_end_matches([' ', '\t']).is_empty())
        {
            return Ok((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    Err(ParseError::Unterminated)
}

/// JavaScript's `String.prototype.trim`: Unicode white space, line ends and
/// the byte order mark.
pub(crate) fn js_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
}

#[cfg(test)]
mod tests;
