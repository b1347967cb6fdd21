//! Test support for app authors (feature `testing`): run apps on a real
//! socket and talk to them the way hosts and widgets do.
//!
//! ```no_run
//! # async fn demo(app: skyport::App) {
//! let server = skyport::testing::TestServer::start(vec![app]).await.unwrap();
//! let result = server
//!     .call_tool("greeter", "greet_user", serde_json::json!({"name": "Ada"}))
//!     .await
//!     .unwrap();
//! assert_eq!(result["structuredContent"]["greeting"], "Hello, Ada!");
//! # }
//! ```

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::App;
use crate::protocol::meta::{KEY_CLIENT_CAPABILITIES, KEY_CLIENT_INFO, KEY_PROTOCOL_VERSION};
use crate::protocol::version::MODERN;
use crate::server::{Config, Server, ServerError};

/// Why a test request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestError {
    /// The server did not start.
    #[error(transparent)]
    Server(#[from] ServerError),
    /// The HTTP request failed.
    #[error("request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The server answered with an error status.
    #[error("{status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The response body.
        body: String,
    },
    /// The MCP server answered with a JSON-RPC error.
    #[error("JSON-RPC error: {0}")]
    Rpc(Value),
}

/// A server on `127.0.0.1:<free port>` serving the given apps; stops when dropped.
#[derive(Debug)]
pub struct TestServer {
    url: String,
    client: reqwest::Client,
    stop: CancellationToken,
    /// The data directory (the SQLite store), removed when dropped.
    data_dir: std::path::PathBuf,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.cancel();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

impl TestServer {
    /// Starts the apps with the default configuration and a fresh embedded
    /// store in a temporary directory (the widget archive is off).
    pub async fn start(apps: Vec<App>) -> Result<Self, TestError> {
        let data_dir = std::env::temp_dir().join(format!(
            "skyport-test-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        let mut config = Config {
            listen: ([127, 0, 0, 1], 0).into(),
            data_dir: data_dir.clone(),
            ..Config::default()
        };
        config.widgets.retention_days = 0;
        let server = Server::open(config, apps).await?;
        let listener = server.bind().await?;
        let addr = listener
            .local_addr()
            .map_err(|source| ServerError::Listen {
                addr: server.config().listen,
                source,
            })?;
        let stop = server.shutdown_token();
        tokio::spawn(server.serve(listener));
        Ok(Self {
            url: format!("http://{addr}"),
            client: reqwest::Client::new(),
            stop,
            data_dir,
        })
    }

    /// The server's base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls a tool through the REST API, as a standalone widget does:
    /// returns the `CallToolResult` (with `widgetUrl`).
    pub async fn call_tool(&self, app: &str, tool: &str, args: Value) -> Result<Value, TestError> {
        let body = json!({"name": tool, "arguments": args});
        self.post_json(&format!("/{app}/mcp/tools/call"), &body)
            .await
    }

    /// Sends one JSON-RPC request to the app's MCP endpoint in stateless
    /// 2026-07-28 form (no session needed) and returns its `result`.
    pub async fn mcp(&self, app: &str, method: &str, params: Value) -> Result<Value, TestError> {
        let mut params = params;
        if !params.is_object() {
            params = json!({});
        }
        params["_meta"] = json!({
            KEY_PROTOCOL_VERSION: MODERN,
            KEY_CLIENT_CAPABILITIES: {},
            KEY_CLIENT_INFO: {"name": "skyport-testing", "version": "1"},
        });
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let mut request = self
            .client
            .post(format!("{}/{app}/mcp", self.url))
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", MODERN)
            .header("mcp-method", method)
            .json(&body);
        if let Some(name) = body["params"]["name"]
            .as_str()
            .or(body["params"]["uri"].as_str())
        {
            request = request.header("mcp-name", name);
        }
        let response = request.send().await?;
        let text = success_text(response).await?;
        // A JSON answer, or SSE whose last `data:` line is the response.
        let json_text = if text.trim_start().starts_with('{') {
            text.as_str()
        } else {
            text.lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim)
                .rfind(|l| l.starts_with('{'))
                .unwrap_or("{}")
        };
        let mut answer: Value = serde_json::from_str(json_text).unwrap_or(Value::Null);
        if let Some(error) = answer.get_mut("error") {
            return Err(TestError::Rpc(error.take()));
        }
        Ok(answer
            .get_mut("result")
            .map(Value::take)
            .unwrap_or_default())
    }

    /// `GET` a path (e.g. `/greeter/widgets/greeting`) and return the body.
    pub async fn get(&self, path: &str) -> Result<String, TestError> {
        let response = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .await?;
        success_text(response).await
    }

    async fn post_json(&self, path: &str, body: &Value) -> Result<Value, TestError> {
        let response = self
            .client
            .post(format!("{}{path}", self.url))
            .json(body)
            .send()
            .await?;
        let text = success_text(response).await?;
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// The body of a 2xx response; any other status is an error carrying the body.
async fn success_text(response: reqwest::Response) -> Result<String, TestError> {
    let status = response.status();
    let text = response.text().await?;
    if status.is_success() {
        Ok(text)
    } else {
        Err(TestError::Status {
            status: status.as_u16(),
            body: text,
        })
    }
}
