//! The backlog's markdown task files: one file per task, YAML front matter
//! written the way gray-matter's `matter.stringify` (js-yaml 3) writes it,
//! then the description.
//!
//! ```
//! use skyport_backlog_files::{parse, write};
//!
//! let text = "---\nid: TASK-0001\ntitle: Fix the login bug\nstatus: open\n\
//!             type: task\n---\nThe description.\n";
//! let task = parse(text)?;
//! assert_eq!((task.id.as_str(), task.status.as_str()), ("TASK-0001", "open"));
//! assert_eq!(task.description, "The description.");
//! assert_eq!(write(&task), text); // `type`, unknown here, is kept verbatim
//! # Ok::<(), skyport_backlog_files::ParseError>(())
//! ```
//!
//! # Layout
//!
//! - `format/`: one file ⇄ [`TaskFile`]: [`parse`] (the YAML read with
//!   yaml-rust2, the known keys typed and checked against the backlog's value
//!   rules) and [`write`] (a hand-written js-yaml emitter for the known keys,
//!   everything else verbatim, keys in their recorded order).
//! - `extra.rs`: where an imported file's layout lives in the store (the task's
//!   `extra`), and [`extra_fields`], the unknown keys' values for `backlog_get`.
//! - `store.rs`: [`import_dir`] and [`export_dir`], a directory of files in and
//!   out of a backlog.
//!
//! # Lossless
//!
//! A file imported then exported comes back byte for byte when it was written
//! by gray-matter (and in most other cases: see the README's "Limits"). A task
//! changed in Skyport is written with only the changed keys different.

mod extra;
mod format;
mod store;

pub use extra::extra_fields;
pub use format::{
    FrontMatter, MAX_FILE_BYTES, PRIORITIES, ParseError, RawField, STATUSES, TaskFile, parse,
    parse_bytes, write,
};
pub use store::{
    ExportReport, FileFailure, FilesError, ImportOptions, ImportReport, export_dir, import_dir,
};
