//! The standalone viewer: the widget as a web page (`GET /backlog/`) and the
//! read-only JSON API it reads (`GET /backlog/tasks`, `/tasks/{id}`,
//! `/progress`). The API sits behind the app's own checks (an API key when
//! the app requires one, OAuth tokens), so it shows exactly the backlog the
//! same credential sees over MCP.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{Value, json};
use skyport::auth::Principal;
use skyport::engine::HttpContext;
use skyport_store::Records;

use super::model::Status;
use super::owner::{Owner, READ};
use super::reading::{self, GroupBy, ListArgs, ProgressArgs, ReadError, SortKey};

/// What the API handlers share.
#[derive(Clone)]
struct Api {
    records: Option<Arc<dyn Records>>,
    app: String,
}

/// The page: public, it holds no data (it fetches the API).
pub(crate) fn page_routes(ctx: &HttpContext) -> Router {
    let page = Arc::new(page_html(&ctx.app));
    let serve = move || {
        let page = page.clone();
        async move { html(&page) }
    };
    Router::new()
        .route("/", get(serve.clone()))
        .route("/viewer", get(serve))
}

/// The JSON API, mounted behind the app's credential checks.
pub(crate) fn api_routes(ctx: &HttpContext) -> Router {
    let api = Api {
        records: ctx.store.as_ref().map(|s| s.records.clone()),
        app: ctx.app.clone(),
    };
    Router::new()
        .route("/tasks", get(list))
        .route("/tasks/{id}", get(one))
        .route("/progress", get(progress))
        .with_state(api)
}

/// The widget's document with the viewer marker, so the same script reads
/// this API instead of calling tools.
fn page_html(app: &str) -> String {
    let doc = skyport::widgets::document::inline_document(app, &super::widget::widget(), None);
    let marker = format!(
        "<meta name=\"backlog:viewer\" content=\"/{}\">\n</head>",
        app.replace(['"', '<', '>', '&'], "")
    );
    doc.replacen("</head>", &marker, 1)
}

fn html(page: &str) -> Response {
    let mut r = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.to_owned(),
    )
        .into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Everything is inline and fetches only this origin.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
             frame-ancestors 'none'",
        ),
    );
    r
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    json_response(
        status,
        &json!({ "error": { "code": status.as_u16(), "message": message.into() } }),
    )
}

fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response {
    let mut r = (status, axum::Json(body)).into_response();
    // Private data (a user's backlog): never cached by anyone.
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The caller's backlog, or the answer refusing them.
fn owner_of(principal: Option<&Extension<Arc<Principal>>>) -> Result<Owner, Response> {
    let principal = principal.map(|Extension(p)| p.as_ref());
    if let Some(p) = principal
        && !p.has_scopes(&[READ.to_owned()])
    {
        return Err(error(
            StatusCode::FORBIDDEN,
            format!("this credential lacks the scope {READ}: authorize again asking for it"),
        ));
    }
    Ok(Owner::of(principal))
}

fn failed(app: &str, e: ReadError) -> Response {
    match e {
        ReadError::Invalid(i) => error(StatusCode::BAD_REQUEST, i.to_string()),
        ReadError::Store(s) => {
            tracing::error!(app, error = %s, "the store failed");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the backlog is unavailable right now; try again in a moment",
            )
        }
    }
}

/// The caller's backlog and the store, or the answer refusing the request.
fn caller<'a>(
    api: &'a Api,
    principal: Option<&Extension<Arc<Principal>>>,
) -> Result<(Owner, &'a Arc<dyn Records>), Response> {
    let owner = owner_of(principal)?;
    let records = api.records.as_ref().ok_or_else(|| {
        error(
            StatusCode::SERVICE_UNAVAILABLE,
            "this server has no store, so it has no backlog",
        )
    })?;
    Ok((owner, records))
}

/// `?status=open,done&text=…&offset=20` as `backlog_list`'s arguments.
fn list_args(pairs: Vec<(String, String)>) -> Result<ListArgs, String> {
    let mut args = ListArgs::default();
    let number = |k: &str, v: &str| {
        v.parse::<u64>()
            .map_err(|_| format!("{k} must be a whole number, not {v:?}"))
    };
    for (k, v) in pairs {
        match k.as_str() {
            "status" => {
                for s in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let status = Status::parse(s).ok_or_else(|| {
                        format!(
                            "status {s:?} is not one of open, in_progress, blocked, done, cancelled"
                        )
                    })?;
                    args.status.push(status);
                }
            }
            "text" => args.text = Some(v),
            "epic" => args.epic = Some(v),
            "sprint" => args.sprint = Some(v),
            "assignee" => args.assignee = Some(v),
            "sort" => {
                args.sort =
                    serde_json::from_value::<SortKey>(Value::String(v.clone())).map_err(|_| {
                        format!("sort {v:?} is not one of updated, created, title, priority")
                    })?;
            }
            "offset" => args.offset = number("offset", &v)?,
            "limit" => {
                let n = number("limit", &v)?;
                args.limit = Some(u32::try_from(n).unwrap_or(u32::MAX));
            }
            other => {
                return Err(format!(
                    "unknown parameter {other:?}; use status, text, epic, sprint, assignee, sort, offset, limit"
                ));
            }
        }
    }
    Ok(args)
}

async fn list(
    State(api): State<Api>,
    principal: Option<Extension<Arc<Principal>>>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let (owner, records) = match caller(&api, principal.as_ref()) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let args = match query
        .map_err(|e| e.body_text())
        .and_then(|Query(p)| list_args(p))
    {
        Ok(a) => a,
        Err(why) => return error(StatusCode::BAD_REQUEST, why),
    };
    match reading::list(records.as_ref(), &owner, args).await {
        Ok(page) => json_response(StatusCode::OK, &page),
        Err(e) => failed(&api.app, e),
    }
}

async fn one(
    State(api): State<Api>,
    principal: Option<Extension<Arc<Principal>>>,
    Path(id): Path<String>,
) -> Response {
    let (owner, records) = match caller(&api, principal.as_ref()) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match reading::get(records.as_ref(), &owner, &id).await {
        Ok(Some(v)) => json_response(StatusCode::OK, &v),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            format!("no task {} in this backlog", id.trim()),
        ),
        Err(e) => failed(&api.app, e),
    }
}

async fn progress(
    State(api): State<Api>,
    principal: Option<Extension<Arc<Principal>>>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let (owner, records) = match caller(&api, principal.as_ref()) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut args = ProgressArgs::default();
    let pairs = match query {
        Ok(Query(p)) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.body_text()),
    };
    for (k, v) in pairs {
        args.by = match (k.as_str(), v.as_str()) {
            ("by", "sprint") => GroupBy::Sprint,
            ("by", "epic") => GroupBy::Epic,
            ("by", other) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("by {other:?} is not sprint or epic"),
                );
            }
            (other, _) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("unknown parameter {other:?}; use by=sprint or by=epic"),
                );
            }
        };
    }
    match reading::progress(records.as_ref(), &owner, args).await {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => failed(&api.app, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn query_strings_become_list_arguments() {
        let a = list_args(pairs(&[
            ("status", "open, done"),
            ("sort", "priority"),
            ("offset", "40"),
            ("limit", "10"),
        ]))
        .unwrap();
        assert_eq!(a.status, [Status::Open, Status::Done]);
        assert_eq!(a.sort, SortKey::Priority);
        assert_eq!((a.offset, a.limit), (40, Some(10)));
        for bad in [
            ("status", "finished"),
            ("sort", "random"),
            ("offset", "-1"),
            ("limit", "ten"),
            ("stauts", "open"),
        ] {
            assert!(list_args(pairs(&[bad])).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_page_is_the_widget_marked_as_viewer() {
        let page = page_html("backlog");
        assert!(page.contains("<meta name=\"backlog:viewer\" content=\"/backlog\">"));
        assert!(!page.contains("<meta name=\"skyport:tool\""));
        assert!(page.contains("data-testid=\"backlog\""));
    }
}
