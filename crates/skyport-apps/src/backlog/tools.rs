//! The six tools: their descriptions, annotations, scopes and handlers.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use skyport::ToolError;
use skyport::engine::{RequestContext, Security, ToolDef, ToolOutput};
use skyport::protocol::model::ToolAnnotations;

use super::owner::{DELETE, Owner, READ, WRITE};
use super::reading::{self, ListArgs, ListView, ProgressArgs, ProgressView, ReadError, TaskView};
use super::widget::WIDGET;
use super::writing::{self, CreateArgs, DeleteArgs, DeletedView, UpdateArgs, WriteError};

/// `backlog_get`'s arguments.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct GetArgs {
    /// The task's id, e.g. T-7.
    #[schemars(length(min = 1, max = 64))]
    id: String,
}

/// Open to anonymous callers on an open server; a token must hold `scope`.
fn security(scope: &str) -> Security {
    Security::AnonymousOrOAuth {
        scopes: vec![scope.to_owned()],
    }
}

fn annotations(read_only: bool, destructive: bool, idempotent: bool) -> ToolAnnotations {
    ToolAnnotations::new()
        .read_only(read_only)
        .destructive(destructive)
        .idempotent(idempotent)
        .open_world(false)
}

fn owner(ctx: &RequestContext) -> Owner {
    Owner::of(ctx.principal().map(AsRef::as_ref))
}

impl From<ReadError> for ToolError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Invalid(i) => ToolError::InvalidArguments(i.to_string()),
            ReadError::Store(s) => s.into(),
        }
    }
}

impl From<WriteError> for ToolError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Read(r) => r.into(),
            other => ToolError::Failed(other.to_string()),
        }
    }
}

/// Every tool of the app.
pub(crate) fn all() -> Vec<ToolDef> {
    vec![list(), get(), progress(), create(), update(), delete()]
}

fn list() -> ToolDef {
    ToolDef::builder("backlog_list")
        .title("List tasks")
        .description("Use this when the user wants to see, find or review tasks in their backlog (\"show my open tasks\", \"what is blocked?\", \"what should I work on?\"). Filters by status, text, epic, sprint and assignee; sorts by updated (default), created, title or priority; returns one page (default 20) with the total and nextOffset for the next page. Shows an interactive task list.")
        .input::<ListArgs>()
        .output::<ListView>()
        .annotations(annotations(true, false, true))
        .widget(WIDGET)
        .security(security(READ))
        .invoking("Loading tasks…")
        .invoked("Tasks loaded")
        .typed_handler(|ctx, args: ListArgs| async move {
            let records = ctx.records()?;
            let page = reading::list(records.as_ref(), &owner(&ctx), args).await?;
            let text = page.message();
            ToolOutput::structured(&page, text)
        })
}

fn get() -> ToolDef {
    ToolDef::builder("backlog_get")
        .title("Show a task")
        .description("Use this when the user wants the details of one task (its description, epic, sprint, assignee, tags, history). Takes the task's id from backlog_list. Shows the task's details.")
        .input::<GetArgs>()
        .output::<TaskView>()
        .annotations(annotations(true, false, true))
        .widget(WIDGET)
        .security(security(READ))
        .invoking("Opening the task…")
        .invoked("Task opened")
        .typed_handler(|ctx, args: GetArgs| async move {
            let records = ctx.records()?;
            match reading::get(records.as_ref(), &owner(&ctx), &args.id).await? {
                Some(v) => {
                    let t = &v.task.summary;
                    let text = format!(
                        "{} [{}, {}] {}\n\n{}",
                        t.id, t.status, t.priority, t.title, v.task.description
                    );
                    ToolOutput::structured(&v, text)
                }
                None => Err(WriteError::NotFound(args.id.trim().to_owned()).into()),
            }
        })
}

fn progress() -> ToolDef {
    ToolDef::builder("backlog_progress")
        .title("Show sprint progress")
        .description("Use this when the user asks how a sprint or epic is going (\"show sprint progress\", \"how far is the Auth epic?\"). Counts tasks per sprint (default) or epic by status, with the percentage done. Shows progress bars.")
        .input::<ProgressArgs>()
        .output::<ProgressView>()
        .annotations(annotations(true, false, true))
        .widget(WIDGET)
        .security(security(READ))
        .invoking("Counting tasks…")
        .invoked("Progress ready")
        .typed_handler(|ctx, args: ProgressArgs| async move {
            let records = ctx.records()?;
            let v = reading::progress(records.as_ref(), &owner(&ctx), args).await?;
            let text = v.message();
            ToolOutput::structured(&v, text)
        })
}

fn create() -> ToolDef {
    ToolDef::builder("backlog_create")
        .title("Add a task")
        .description("Use this when the user wants to add a task to their backlog (\"add a task to fix the login bug\"). Needs a title; description, status (default open), priority (default medium), epic, sprint, assignee and tags are optional. Pass a fresh request_id so that a retried call does not add the task twice.")
        .input::<CreateArgs>()
        .output::<TaskView>()
        .annotations(annotations(false, false, true))
        .meta("openai/widgetAccessible", json!(true))
        .security(security(WRITE))
        .invoking("Adding the task…")
        .invoked("Task added")
        .typed_handler(|ctx, args: CreateArgs| async move {
            let records = ctx.records()?;
            let v = writing::create(records.as_ref(), &owner(&ctx), args).await?;
            let t = &v.task.summary;
            let text = if v.created == Some(false) {
                format!(
                    "{} \"{}\" was already added by an earlier call with this request_id; nothing new was created.",
                    t.id, t.title
                )
            } else {
                format!("Added {} \"{}\" ({}, {}).", t.id, t.title, t.status, t.priority)
            };
            ToolOutput::structured(&v, text)
        })
}

fn update() -> ToolDef {
    ToolDef::builder("backlog_update")
        .title("Change a task")
        .description("Use this when the user wants to change a task: mark it done or in progress, block it, rename it, re-prioritise it, move it to another epic or sprint, assign it, or retag it. Pass the id and only the fields to change; null clears epic, sprint or assignee. Setting a field to the value it has changes nothing.")
        .input::<UpdateArgs>()
        .output::<TaskView>()
        .annotations(annotations(false, false, true))
        .meta("openai/widgetAccessible", json!(true))
        .security(security(WRITE))
        .invoking("Updating the task…")
        .invoked("Task updated")
        .typed_handler(|ctx, args: UpdateArgs| async move {
            let records = ctx.records()?;
            let v = writing::update(records.as_ref(), &owner(&ctx), args).await?;
            let t = &v.task.summary;
            let text = if v.changed == Some(false) {
                format!("{} already had those values; nothing changed.", t.id)
            } else {
                format!(
                    "Updated {} \"{}\": now {}, {} priority (version {}).",
                    t.id, t.title, t.status, t.priority, v.task.version
                )
            };
            ToolOutput::structured(&v, text)
        })
}

fn delete() -> ToolDef {
    ToolDef::builder("backlog_delete")
        .title("Delete a task")
        .description("Use this only when the user asked to delete a task and confirmed it. Deletion cannot be undone; to close a task, set its status to done or cancelled with backlog_update instead. Without confirmed: true nothing is deleted.")
        .input::<DeleteArgs>()
        .output::<DeletedView>()
        .annotations(annotations(false, true, true))
        .meta("openai/widgetAccessible", json!(true))
        .security(security(DELETE))
        .invoking("Deleting the task…")
        .invoked("Task deleted")
        .typed_handler(|ctx, args: DeleteArgs| async move {
            let records = ctx.records()?;
            let v = writing::delete(records.as_ref(), &owner(&ctx), args).await?;
            let text = if v.deleted {
                format!("Deleted {}.", v.id)
            } else {
                format!("There is no task {} (already deleted?); nothing was deleted.", v.id)
            };
            ToolOutput::structured(&v, text)
        })
}
