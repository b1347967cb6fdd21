//! 2026-07-28 `subscriptions/listen`: one long-lived stream per request,
//! carrying the notifications the client asked for (from every replica:
//! the notifier relays events raised elsewhere).

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::streamable::json_response;
use super::{AppState, sse};
use crate::engine::ServerEvent;
use crate::protocol::OwnedId;
use crate::protocol::jsonrpc::{Incoming, notification_bytes, result_bytes};
use crate::protocol::meta::KEY_SUBSCRIPTION_ID;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ListenFilter {
    #[serde(default)]
    tools_list_changed: bool,
    #[serde(default)]
    prompts_list_changed: bool,
    #[serde(default)]
    resources_list_changed: bool,
    #[serde(default)]
    resource_subscriptions: Vec<String>,
}

#[derive(Deserialize)]
struct ListenParams {
    #[serde(default)]
    notifications: ListenFilter,
}

/// 2026-07-28 `subscriptions/listen`: a long-lived stream of the notifications asked for.
pub(super) fn listen(st: &Arc<AppState>, msg: &Incoming<'_>) -> Response {
    let id = msg.id.map(OwnedId::from_raw);
    let params: ListenParams = match msg.params_as() {
        Ok(p) => p,
        Err(e) => {
            return json_response(
                StatusCode::OK,
                crate::protocol::jsonrpc::error_bytes(msg.id, &e),
            );
        }
    };
    let f = params.notifications;
    let sub_id = id.as_ref().map(OwnedId::to_value).unwrap_or_default();
    let mut honored = serde_json::Map::new();
    for (k, v) in [
        ("toolsListChanged", f.tools_list_changed),
        ("promptsListChanged", f.prompts_list_changed),
        ("resourcesListChanged", f.resources_list_changed),
    ] {
        if v {
            honored.insert(k.into(), json!(true));
        }
    }
    if !f.resource_subscriptions.is_empty() {
        honored.insert(
            "resourceSubscriptions".into(),
            json!(f.resource_subscriptions),
        );
    }
    let with_sub = move |method: &str, mut params: serde_json::Value| {
        params["_meta"] = json!({ KEY_SUBSCRIPTION_ID: sub_id.clone() });
        notification_bytes(method, &params)
    };
    let mut events = st.engine.app().notifier().subscribe();
    let shutdown = st.shutdown.clone();
    let ack = with_sub(
        "notifications/subscriptions/acknowledged",
        json!({ "notifications": honored }),
    );
    let frames = async_stream::stream! {
        yield sse::message_event(None, &ack);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => {
                    if let Some(id) = &id {
                        yield sse::message_event(None, &result_bytes(id.as_raw(), &json!({ "resultType": "complete" })));
                    }
                    break;
                }
                e = events.recv() => {
                    let ev = match e {
                        Ok(ev) => ev,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(_) => break,
                    };
                    let bytes = match &ev {
                        ServerEvent::ToolsListChanged if f.tools_list_changed => with_sub("notifications/tools/list_changed", json!({})),
                        ServerEvent::PromptsListChanged if f.prompts_list_changed => with_sub("notifications/prompts/list_changed", json!({})),
                        ServerEvent::ResourcesListChanged if f.resources_list_changed => with_sub("notifications/resources/list_changed", json!({})),
                        ServerEvent::ResourceUpdated(uri) if f.resource_subscriptions.contains(uri) => {
                            with_sub("notifications/resources/updated", json!({ "uri": uri }))
                        }
                        _ => continue,
                    };
                    yield sse::message_event(None, &bytes);
                }
            }
        }
    };
    // Shutdown is handled inside (to send the final result), so no shutdown cut here.
    sse::response(sse::with_keep_alive(frames, st.http.sse_keep_alive, None))
}
