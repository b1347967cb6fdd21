#![allow(unreachable_pub)]

//! The backlog's tools through the shared [`AppClient`], with the steps the
//! tests repeat.

use serde_json::{Value, json};

pub use crate::common::client::{AppClient, Transport};
use crate::common::*;

/// The app under test.
pub const APP: &str = "backlog";

/// A host's connection to `/backlog/mcp`.
pub struct Backlog(pub AppClient);

impl Backlog {
    /// Anonymous, over `transport`.
    pub fn new(server: &Server, transport: Transport) -> Self {
        Backlog(AppClient::new(server, transport))
    }

    /// Stateless, with `Authorization: Bearer {bearer}`.
    pub fn as_bearer(server: &Server, bearer: &str) -> Self {
        Backlog(AppClient::with_bearer(server, bearer))
    }

    /// The whole `CallToolResult` (tool failures included).
    pub async fn call(&mut self, tool: &str, args: Value) -> Value {
        self.0.call(APP, tool, args).await
    }

    /// A call that must succeed: its `structuredContent`.
    pub async fn ok(&mut self, tool: &str, args: Value) -> Value {
        self.0.ok(APP, tool, args).await
    }

    /// A call that must be an `isError` result without data: its text.
    pub async fn refused(&mut self, tool: &str, args: Value) -> String {
        let r = self.call(tool, args.clone()).await;
        assert!(
            r.get("structuredContent").is_none(),
            "{tool} {args}: a refusal carries no data: {r:#}"
        );
        self.0.err(APP, tool, args).await
    }

    /// `tools/list`: every tool descriptor.
    pub async fn tools(&mut self) -> Vec<Value> {
        let r = self.0.rpc(APP, "tools/list", json!({})).await;
        r["tools"].as_array().expect("tools").clone()
    }

    /// Creates a task titled `title` plus `fields`; its id.
    pub async fn add(&mut self, title: &str, fields: Value) -> String {
        let mut args = json!({ "title": title });
        for (k, v) in fields.as_object().into_iter().flatten() {
            args[k] = v.clone();
        }
        let v = self.ok("backlog_create", args).await;
        assert_eq!(v["created"], true, "{v:#}");
        v["task"]["id"].as_str().expect("id").to_owned()
    }

    /// The task's `TaskDetail`.
    pub async fn get(&mut self, id: &str) -> Value {
        self.ok("backlog_get", json!({ "id": id })).await["task"].clone()
    }

    /// Every task under `filters`, paging with nextOffset (100 per page);
    /// checks each page's total and offset on the way.
    pub async fn all(&mut self, filters: Value) -> Vec<Value> {
        let mut out = Vec::new();
        let mut offset = 0;
        let mut total = None;
        loop {
            let mut args = filters.clone();
            args["offset"] = json!(offset);
            args["limit"] = json!(100);
            let page = self.ok("backlog_list", args).await;
            assert_eq!(page["offset"], offset, "{page:#}");
            let t = page["total"].as_u64().expect("total");
            assert_eq!(*total.get_or_insert(t), t, "the total moved between pages");
            out.extend(page["tasks"].as_array().expect("tasks").iter().cloned());
            match page["nextOffset"].as_u64() {
                Some(next) => {
                    assert_eq!(next, offset + 100, "{page:#}");
                    offset = next;
                }
                None => break,
            }
        }
        assert_eq!(
            out.len() as u64,
            total.unwrap_or(0),
            "pages add up to the total"
        );
        out
    }
}

/// `http://…/backlog{path}` fetched with an optional bearer: (status, JSON body).
pub async fn api_get(server: &Server, path: &str, bearer: Option<&str>) -> (u16, Value) {
    let mut req = client().get(server.url(&format!("/backlog{path}")));
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    let r = req.send().await.expect("GET");
    let status = r.status().as_u16();
    let body = r.json().await.unwrap_or(Value::Null);
    (status, body)
}
