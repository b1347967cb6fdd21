//! The backlog's one widget (files in `widget/`): the task list, a task's
//! details and progress bars, in a chat host and as the standalone viewer.

use skyport::{Csp, Widget};

/// Its name (`ui://backlog/backlog.…html`).
pub(crate) const WIDGET: &str = "backlog";

/// The widget's declaration.
pub(crate) fn widget() -> Widget {
    Widget::new(WIDGET)
        .title("Backlog")
        .description("The user's tasks: a filterable list where each task can be marked done, moved to another status or opened in full; an add-task form; and progress bars per sprint or epic. Changes made here are saved at once; call backlog_list again to see them.")
        .body(include_str!("widget/backlog.html"))
        .style(include_str!("widget/backlog.css"))
        .script(include_str!("widget/backlog.js"))
        .csp(Csp::new())
        .prefers_border(true)
}
