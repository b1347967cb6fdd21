//! A directory of task files in and out of a backlog in the store.

use std::path::{Path, PathBuf};

use skyport_store::Records;
use skyport_store::StoreError;
use skyport_store::records::{NewTask, Task, TaskQuery, TaskSort};

use crate::format::{self, FrontMatter, TaskFile};

/// How [`import_dir`] treats ids that exist and files that fail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Replace a task whose id exists (delete it, then create it from the
    /// file). Default: keep it and skip the file.
    pub replace: bool,
    /// Import the good files when some fail. Default: any failure imports
    /// nothing.
    pub keep_going: bool,
}

/// A file that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFailure {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub reason: String,
}

impl std::fmt::Display for FileFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

/// What [`import_dir`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Ids created.
    pub imported: Vec<String>,
    /// Ids that existed and were replaced (`replace`).
    pub replaced: Vec<String>,
    /// Ids that existed and were left as they were.
    pub skipped: Vec<String>,
    /// Files not imported (only with `keep_going`; otherwise they are an error).
    pub failed: Vec<FileFailure>,
}

/// What [`export_dir`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Where the files are (`DIR/tasks`).
    pub dir: PathBuf,
    /// Files written (new or changed).
    pub written: usize,
    /// Files that already held the task as it is, left untouched.
    pub unchanged: usize,
}

/// Why an import or export did not happen. Each message says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FilesError {
    /// The directory could not be read.
    #[error("cannot read {}: {source} (give the directory that holds tasks/*.md)", dir.display())]
    ReadDir {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The directory holds no task file.
    #[error("no task files in {}: expected {}/tasks/*.md or {}/*.md", dir.display(), dir.display(), dir.display())]
    NoFiles {
        /// The directory.
        dir: PathBuf,
    },
    /// Some files cannot be imported; nothing was written.
    #[error(
        "{} task file(s) cannot be imported, so nothing was imported (fix them, or import with keep-going, `--keep-going`, to import the others):\n{}",
        failures.len(),
        failures.iter().map(|f| format!("  {f}")).collect::<Vec<_>>().join("\n")
    )]
    Invalid {
        /// Every file that failed.
        failures: Vec<FileFailure>,
    },
    /// A task's id cannot be a file name; nothing was written.
    #[error("task {id:?} cannot be exported: its id {reason}; nothing was written")]
    UnsafeId {
        /// The id.
        id: String,
        /// Why.
        reason: String,
    },
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The store failed.
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
}

/// The task files of `dir`: `dir/tasks/*.md`, or `dir/*.md` when there is no
/// `tasks` folder; sorted by name.
async fn task_files(dir: &Path) -> Result<Vec<PathBuf>, FilesError> {
    let nested = dir.join("tasks");
    let from = if tokio::fs::metadata(&nested).await.is_ok_and(|m| m.is_dir()) {
        nested
    } else {
        dir.to_path_buf()
    };
    let read_err = |source| FilesError::ReadDir {
        dir: from.clone(),
        source,
    };
    let mut entries = tokio::fs::read_dir(&from).await.map_err(read_err)?;
    let mut files = Vec::new();
    while let Some(entry) = entries.next_entry().await.map_err(read_err)? {
        let path = entry.path();
        let is_md = path.extension().is_some_and(|e| e == "md");
        if is_md && entry.file_type().await.map_err(read_err)?.is_file() {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(FilesError::NoFiles { dir: from });
    }
    files.sort();
    Ok(files)
}

/// The task a file creates.
fn new_task(backlog: &str, t: TaskFile) -> NewTask {
    NewTask {
        backlog: backlog.to_owned(),
        id: Some(t.id),
        title: t.title,
        status: t.status,
        priority: t.priority.unwrap_or_else(|| "medium".to_owned()),
        body: t.description,
        epic: t.epic,
        sprint: t.sprint,
        assignee: t.assignee,
        tags: t.tags,
        extra: t
            .front_matter
            .map_or(serde_json::Value::Null, |fm| fm.to_extra()),
        // One time stands for both when the file has only one.
        created_at: t.created_at.or(t.updated_at),
        updated_at: t.updated_at.or(t.created_at),
        ..NewTask::default()
    }
}

impl TaskFile {
    /// The file for a task in the store: an imported task keeps its file's
    /// layout (from `extra`); one made in Skyport gets the default layout.
    pub fn from_task(task: &Task) -> TaskFile {
        let front_matter = FrontMatter::from_extra(&task.extra);
        // `medium` is the default a file without `priority` got: write it only
        // when the file had the key.
        let had_priority = front_matter.as_ref().is_none_or(|fm| {
            fm.order.iter().any(|k| k == "priority")
                && !fm
                    .verbatim
                    .iter()
                    .any(|v| v.key == "priority" && v.value.is_null())
        });
        let priority = (had_priority || task.priority != "medium").then(|| task.priority.clone());
        TaskFile {
            id: task.id.clone(),
            title: task.title.clone(),
            status: task.status.clone(),
            priority,
            epic: task.epic.clone(),
            sprint: task.sprint.clone(),
            assignee: task.assignee.clone(),
            tags: task.tags.clone(),
            created_at: Some(task.created_at),
            updated_at: Some(task.updated_at),
            description: task.body.clone(),
            front_matter,
        }
    }
}

/// Imports every task file of `dir` into `backlog`.
///
/// Reads `dir/tasks/*.md` (or `dir/*.md`) and parses them all first: without
/// `keep_going`, any file that fails (bad front matter, a value the backlog
/// refuses, an id already used by another file) is an error naming every such
/// file, and nothing is written. Then creates each task with the file's id
/// and times; an id that exists is skipped, or with `replace` deleted and
/// created again from the file.
pub async fn import_dir(
    records: &dyn Records,
    backlog: &str,
    dir: &Path,
    opts: ImportOptions,
) -> Result<ImportReport, FilesError> {
    let mut report = ImportReport::default();
    let mut tasks: Vec<(PathBuf, TaskFile)> = Vec::new();
    // Which file each id came from, to refuse a second file with it.
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for path in task_files(dir).await? {
        let parsed = match tokio::fs::read(&path).await {
            Ok(bytes) => format::parse_bytes(&bytes).map_err(|e| e.to_string()),
            Err(e) => Err(format!("cannot read it: {e}")),
        };
        let parsed = parsed.and_then(|t| match seen.get(&t.id) {
            Some(&i) => Err(format!(
                "its id {} is also the id in {}: ids must be unique",
                t.id,
                tasks[i].0.display()
            )),
            None => Ok(t),
        });
        match parsed {
            Ok(t) => {
                seen.insert(t.id.clone(), tasks.len());
                tasks.push((path, t));
            }
            Err(reason) => report.failed.push(FileFailure { path, reason }),
        }
    }
    if !report.failed.is_empty() && !opts.keep_going {
        return Err(FilesError::Invalid {
            failures: report.failed,
        });
    }
    for (path, t) in tasks {
        let id = t.id.clone();
        let existed = records.task(backlog, &id).await?.is_some();
        if existed && !opts.replace {
            report.skipped.push(id);
            continue;
        }
        if existed {
            records.delete_task(backlog, &id).await?;
        }
        match records.create_task(new_task(backlog, t)).await {
            Ok(_) if existed => report.replaced.push(id),
            Ok(_) => report.imported.push(id),
            // Created by someone else since the check.
            Err(StoreError::Conflict { .. }) => report.skipped.push(id),
            Err(StoreError::Invalid { what, reason }) if opts.keep_going => {
                report.failed.push(FileFailure {
                    path,
                    reason: format!("the store refused its {what}: {reason}"),
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(report)
}

/// Every task of a backlog, oldest first.
async fn all_tasks(records: &dyn Records, backlog: &str) -> Result<Vec<Task>, StoreError> {
    let mut tasks = Vec::new();
    loop {
        let page = records
            .list_tasks(&TaskQuery {
                backlog: backlog.to_owned(),
                sort: TaskSort::Created,
                offset: tasks.len() as u64,
                limit: 500,
                ..TaskQuery::default()
            })
            .await?;
        let got = page.items.len();
        tasks.extend(page.items);
        if got == 0 || tasks.len() as u64 >= page.total {
            return Ok(tasks);
        }
    }
}

/// Writes every task of `backlog` to `dir/tasks/{id}.md` (creating the
/// folders), as gray-matter would. A file that already holds the task as it
/// is stays untouched; others are written through a temporary file and a
/// rename, so a reader never sees half a file. Refuses, before writing
/// anything, a backlog holding an id that cannot be a file name.
pub async fn export_dir(
    records: &dyn Records,
    backlog: &str,
    dir: &Path,
) -> Result<ExportReport, FilesError> {
    let tasks = all_tasks(records, backlog).await?;
    if let Some((id, reason)) = tasks
        .iter()
        .find_map(|t| format::id_problem(&t.id).map(|r| (t.id.clone(), r)))
    {
        return Err(FilesError::UnsafeId { id, reason });
    }
    let out = dir.join("tasks");
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FilesError::Write { path, source }
    };
    tokio::fs::create_dir_all(&out)
        .await
        .map_err(write_err(&out))?;
    let mut report = ExportReport {
        dir: out.clone(),
        ..ExportReport::default()
    };
    for task in &tasks {
        let text = format::write(&TaskFile::from_task(task));
        let path = out.join(format!("{}.md", task.id));
        if tokio::fs::read(&path)
            .await
            .is_ok_and(|old| old == text.as_bytes())
        {
            report.unchanged += 1;
            continue;
        }
        let tmp = out.join(format!(".{}.md.tmp", task.id));
        tokio::fs::write(&tmp, &text)
            .await
            .map_err(write_err(&tmp))?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(write_err(&path))?;
        report.written += 1;
    }
    Ok(report)
}
