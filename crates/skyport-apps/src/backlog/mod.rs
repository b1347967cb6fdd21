//! `backlog`: a task manager inside the chat and in a browser tab (seed 004).
//!
//! Six tools over the store's tasks, one widget that renders their results
//! (list, details, progress) and also serves as the standalone viewer at
//! `/backlog/` with a read-only JSON API. Whose backlog a call sees follows
//! its credential (`owner`). The contract is docs/backlog.md.

mod model;
mod owner;
mod reading;
mod tools;
mod validate;
mod viewer;
mod widget;
mod writing;

use skyport::App;
use skyport::engine::AppError;

/// The app's name and path segment.
pub const APP: &str = "backlog";

/// Builds the app.
pub fn app() -> Result<App, AppError> {
    let mut builder = App::builder(APP).instructions(
        "The user's task backlog. backlog_list shows tasks (filter by status, text, epic, sprint, assignee; one page at a time), backlog_get one task, backlog_progress sprint or epic progress. backlog_create adds a task (pass a fresh request_id), backlog_update changes fields (mark done: status done). backlog_delete deletes for good and needs confirmed: true, which you may only send after the user confirmed; prefer status done or cancelled.",
    );
    for tool in tools::all() {
        builder = builder.tool(tool);
    }
    builder
        .widget(widget::widget())
        .http(viewer::page_routes)
        .guarded_http(viewer::api_routes)
        .build()
}
