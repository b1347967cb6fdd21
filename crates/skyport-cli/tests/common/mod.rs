//! Shared fixtures of the integration tests: the real `skyport` binary started
//! as a child process on an ephemeral loopback port, and small HTTP/SSE helpers
//! on top of reqwest. No mocks: everything goes through real sockets.

#![allow(dead_code, unreachable_pub)]

pub mod client;
pub mod oidc;
pub mod shop;
pub mod stdio;
pub mod widgets;
#[allow(unused_imports)] // only the stdio tests use it
pub use stdio::StdioProc;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

/// Accept header every Streamable HTTP POST must send.
pub const ACCEPT_BOTH: &str = "application/json, text/event-stream";
/// The 2026-07-28 protocol version.
pub const MODERN: &str = "2026-07-28";
/// The newest session-era version.
pub const LATEST_LEGACY: &str = "2025-11-25";
/// `_meta` keys of the 2026-07-28 per-request context.
pub const KEY_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
pub const KEY_CAPS: &str = "io.modelcontextprotocol/clientCapabilities";
pub const KEY_CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
pub const KEY_LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
pub const KEY_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// How long any single wait in a test may take before it fails.
pub const STEP: Duration = Duration::from_secs(10);

/// The path of the binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_skyport")
}

/// A fresh directory under the system temp dir, deleted (with its contents) when dropped.
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    /// `$TMPDIR/skyport-it-<tag>-<pid>-<n>`, created empty.
    pub fn new(tag: &str) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("skyport-it-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temp dir");
        Self { path }
    }

    /// A path inside the directory.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.path.join(rel)
    }

    /// The path as a string (for flags and env values).
    pub fn as_str(&self) -> &str {
        self.path.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Settings the tests control; removed from the inherited environment so an
/// ambient value cannot change what a test sees.
const AMBIENT: [&str; 9] = [
    "PORT",
    "SKYPORT_CONFIG",
    "SKYPORT_LISTEN",
    "SKYPORT_STATELESS",
    "SKYPORT_APPS",
    "SKYPORT_DEFAULT_APP",
    "SKYPORT_DATA_DIR",
    "SKYPORT_WIDGETS_BASE_URL",
    "SKYPORT_WIDGETS_RETENTION_DAYS",
];

/// `skyport <args…>` run to completion with `env` (the ambient settings
/// removed, a throw-away data dir unless `env` names one). A run still going
/// after 60 s is killed and fails the test (e.g. a `serve` expected to refuse
/// its configuration).
pub fn run_cli(args: &[&str], env: &[(&str, &str)]) -> Output {
    let data = TempDir::new("cli-data");
    let mut cmd = Command::new(bin());
    cmd.args(args).env("RUST_LOG", "warn");
    for k in AMBIENT {
        cmd.env_remove(k);
    }
    cmd.env("SKYPORT_DATA_DIR", data.as_str());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the skyport binary");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.expect("wait for the skyport binary"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("skyport {args:?} was still running after 60 s");
        }
    }
}

/// A running `skyport serve` (or `dev`), killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `127.0.0.1:PORT`.
    pub authority: String,
    log: Arc<Mutex<String>>,
    /// The data dir made for this run when the caller gave none (so runs never
    /// write into the source tree or share earlier widget versions).
    _data: Option<TempDir>,
}

impl Server {
    /// `skyport serve --listen 127.0.0.1:0 --apps <apps> <extra…>`.
    pub fn start(apps: &str, extra: &[&str]) -> Self {
        Self::start_with_env(apps, extra, &[])
    }

    /// Like [`Server::start`], with extra environment variables.
    pub fn start_with_env(apps: &str, extra: &[&str], env: &[(&str, &str)]) -> Self {
        Self::launch("serve", apps, extra, env)
    }

    /// `skyport <command> --listen 127.0.0.1:0 --apps <apps> <extra…>` with
    /// `env`: `command` is `serve` or `dev`. Unless `extra` has `--data-dir` or
    /// `env` has `SKYPORT_DATA_DIR`, the server gets a fresh temp data dir,
    /// deleted when it is dropped.
    pub fn launch(command: &str, apps: &str, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(bin());
        cmd.args([command, "--listen", "127.0.0.1:0", "--apps", apps])
            .args(extra)
            .env("RUST_LOG", "info")
            .env("SKYPORT_LOG_FORMAT", "json")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for k in AMBIENT {
            cmd.env_remove(k);
        }
        let has_data_dir = extra.contains(&"--data-dir")
            || extra.iter().any(|a| a.starts_with("--data-dir="))
            || env.iter().any(|(k, _)| *k == "SKYPORT_DATA_DIR");
        let data = (!has_data_dir).then(|| TempDir::new("data"));
        if let Some(d) = &data {
            cmd.env("SKYPORT_DATA_DIR", d.as_str());
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn the skyport binary");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel::<String>();
        {
            let log = log.clone();
            // Keeps draining stderr for the whole run so the server never blocks on a full pipe.
            std::thread::spawn(move || {
                let mut tx = Some(tx);
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if let Some(t) = &tx
                        && let Some(addr) = ready_addr(&line)
                    {
                        let _ = t.send(addr);
                        tx = None;
                    }
                    let mut l = log.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        let authority = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "skyport did not print its ready line; stderr:\n{}",
                    log.lock().unwrap()
                );
            }
        };
        Self {
            child,
            base: format!("http://{authority}"),
            authority,
            log,
            _data: data,
        }
    }

    /// An absolute URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The Streamable HTTP endpoint of an app.
    pub fn mcp(&self, app: &str) -> String {
        self.url(&format!("/{app}/mcp"))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM with the `kill` command (no libc in the dev-dependencies).
    pub fn sigterm(&self) {
        let st = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(st.success(), "kill -TERM failed");
    }

    /// Waits for the process to exit; `None` when it is still running after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let until = Instant::now() + timeout;
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                return Some(st);
            }
            if Instant::now() >= until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The address in the "skyport ready at http://ADDR" line (JSON or human logs).
fn ready_addr(line: &str) -> Option<String> {
    if let Ok(v) = serde_json::from_str::<Value>(line)
        && let Some(msg) = v.get("message").and_then(Value::as_str)
        && let Some(rest) = msg.strip_prefix("skyport ready at http://")
    {
        return Some(rest.trim().to_owned());
    }
    let i = line.find("skyport ready at http://")?;
    let rest = &line[i + "skyport ready at http://".len()..];
    Some(rest.split_whitespace().next()?.to_owned())
}

/// A client that never goes through a proxy (the tests talk to 127.0.0.1).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("build reqwest client")
}

/// Headers for a Streamable HTTP POST, with `overrides` replacing (or, with an
/// empty value, removing) the defaults.
pub fn post_headers(overrides: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert("accept", HeaderValue::from_static(ACCEPT_BOTH));
    for (k, v) in overrides {
        let name = HeaderName::from_bytes(k.as_bytes()).expect("header name");
        if v.is_empty() {
            h.remove(&name);
        } else {
            h.insert(name, HeaderValue::from_str(v).expect("header value"));
        }
    }
    h
}

/// POSTs raw bytes with the default MCP headers plus `overrides`.
pub async fn post_bytes(
    url: &str,
    body: impl Into<reqwest::Body>,
    overrides: &[(&str, &str)],
) -> reqwest::Response {
    let fut = client()
        .post(url)
        .headers(post_headers(overrides))
        .body(body)
        .send();
    tokio::time::timeout(STEP, fut)
        .await
        .expect("POST timed out")
        .expect("POST failed")
}

/// POSTs a JSON value with the default MCP headers plus `overrides`.
pub async fn post_json(url: &str, body: &Value, overrides: &[(&str, &str)]) -> reqwest::Response {
    post_bytes(url, serde_json::to_vec(body).unwrap(), overrides).await
}

/// A JSON-RPC request object.
pub fn request(id: i64, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

/// A JSON-RPC notification object.
pub fn notification(method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "method": method, "params": params })
}

/// An HTTP answer to a JSON-RPC POST, read to the end of its JSON-RPC response.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The JSON-RPC response (or the JSON error body), `Null` for an empty body.
    pub body: Value,
    /// Messages that came before the response on an SSE answer (notifications, requests).
    pub before: Vec<Value>,
    /// True when the answer was `text/event-stream`.
    pub sse: bool,
}

impl Reply {
    /// `body.error.code`.
    pub fn error_code(&self) -> Option<i64> {
        self.body.pointer("/error/code").and_then(Value::as_i64)
    }

    /// `body.error.message`.
    pub fn error_message(&self) -> String {
        self.body
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    /// `body.result`, panicking with the whole reply when absent.
    pub fn result(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "reply: {self:#?}");
        self.body
            .get("result")
            .unwrap_or_else(|| panic!("no result in {self:#?}"))
    }

    /// A header as a string.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// True when a response is `text/event-stream`.
pub fn is_sse(resp: &reqwest::Response) -> bool {
    resp.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

/// Reads an HTTP answer: JSON body, or SSE events up to the first JSON-RPC response.
pub async fn read_reply(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    if is_sse(&resp) {
        let mut sse = SseStream::new(resp);
        let mut before = Vec::new();
        loop {
            let ev = sse
                .next_event(STEP)
                .await
                .expect("the SSE answer ended before the JSON-RPC response");
            if ev.data.trim().is_empty() {
                continue; // priming event
            }
            let msg: Value = serde_json::from_str(&ev.data).expect("SSE data is JSON");
            if msg.get("result").is_some() || msg.get("error").is_some() {
                return Reply {
                    status,
                    headers,
                    body: msg,
                    before,
                    sse: true,
                };
            }
            before.push(msg);
        }
    }
    let bytes = tokio::time::timeout(STEP, resp.bytes())
        .await
        .expect("reading the body timed out")
        .expect("reading the body failed");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Reply {
        status,
        headers,
        body,
        before: Vec::new(),
        sse: false,
    }
}

/// POSTs a JSON-RPC message and reads the answer.
pub async fn rpc(url: &str, body: &Value, overrides: &[(&str, &str)]) -> Reply {
    read_reply(post_json(url, body, overrides).await).await
}

/// One Server-Sent Event.
#[derive(Debug, Clone, Default)]
pub struct SseEvent {
    pub event: Option<String>,
    pub id: Option<String>,
    pub retry: Option<u64>,
    pub data: String,
}

impl SseEvent {
    /// The data as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("SSE data is not JSON ({e}): {:?}", self.data))
    }
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Vec<u8>>> + Send>>;

/// An incremental SSE parser over a streaming HTTP body.
pub struct SseStream {
    stream: ByteStream,
    buf: Vec<u8>,
    ended: bool,
}

impl SseStream {
    pub fn new(resp: reqwest::Response) -> Self {
        Self {
            stream: Box::pin(resp.bytes_stream().map(|r| r.map(|b| b.to_vec()))),
            buf: Vec::new(),
            ended: false,
        }
    }

    /// The next event with any field; `None` when the stream ended. Panics after `timeout`.
    pub async fn next_event(&mut self, timeout: Duration) -> Option<SseEvent> {
        tokio::time::timeout(timeout, self.next_inner())
            .await
            .expect("timed out waiting for an SSE event")
    }

    /// Like [`SseStream::next_event`] but `Err(())` on timeout instead of panicking.
    pub async fn try_next_event(&mut self, timeout: Duration) -> Result<Option<SseEvent>, ()> {
        tokio::time::timeout(timeout, self.next_inner())
            .await
            .map_err(|_| ())
    }

    /// The next JSON-RPC message (skips priming events).
    pub async fn next_message(&mut self, timeout: Duration) -> Option<Value> {
        loop {
            let ev = self.next_event(timeout).await?;
            if !ev.data.trim().is_empty() {
                return Some(ev.json());
            }
        }
    }

    /// Waits for the stream to end (skipping events); false when it is still open after `timeout`.
    pub async fn ends_within(&mut self, timeout: Duration) -> bool {
        let until = tokio::time::Instant::now() + timeout;
        loop {
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.next_inner()).await {
                Ok(None) => return true,
                Ok(Some(_)) => continue,
                Err(_) => return false,
            }
        }
    }

    async fn next_inner(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(ev) = self.take_event() {
                return Some(ev);
            }
            if self.ended {
                return None;
            }
            match self.stream.next().await {
                Some(Ok(chunk)) => self.buf.extend_from_slice(&chunk),
                // A reset connection ends the stream as far as the tests care.
                Some(Err(_)) | None => {
                    self.ended = true;
                    // A final event without its blank line is discarded, as the SSE spec says.
                }
            }
        }
    }

    /// Parses one complete event out of the buffer (blocks of lines ended by a blank line).
    fn take_event(&mut self) -> Option<SseEvent> {
        loop {
            // The server frames events with `\n` only.
            let end = self.buf.windows(2).position(|w| w == b"\n\n")?;
            let block = String::from_utf8_lossy(&self.buf[..end]).into_owned();
            self.buf.drain(..end + 2);
            let mut ev = SseEvent::default();
            let mut any = false;
            let mut data_lines: Vec<String> = Vec::new();
            for line in block.split('\n') {
                if line.starts_with(':') || line.is_empty() {
                    continue;
                }
                let (field, value) = match line.split_once(':') {
                    Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                    None => (line, ""),
                };
                any = true;
                match field {
                    "event" => ev.event = Some(value.to_owned()),
                    "id" => ev.id = Some(value.to_owned()),
                    "retry" => ev.retry = value.parse().ok(),
                    "data" => data_lines.push(value.to_owned()),
                    _ => {}
                }
            }
            if any {
                ev.data = data_lines.join("\n");
                return Some(ev);
            }
            // Only comments (keep-alives): look at the next block.
        }
    }
}

/// The `initialize` params a session-era client sends.
pub fn init_params(version: &str, capabilities: Value) -> Value {
    json!({
        "protocolVersion": version,
        "capabilities": capabilities,
        "clientInfo": { "name": "skyport-it", "version": "1.0.0" }
    })
}

/// A session-era Streamable HTTP client session.
pub struct Session {
    pub url: String,
    pub id: String,
    /// The version the server negotiated.
    pub version: String,
    /// The `initialize` result.
    pub init: Value,
    next_id: AtomicI64,
}

impl Session {
    /// `initialize` (asserting 200 and an `Mcp-Session-Id`), then `notifications/initialized` (202).
    pub async fn open(url: &str, version: &str) -> Self {
        Self::open_with(url, version, json!({})).await
    }

    /// Like [`Session::open`] with client capabilities.
    pub async fn open_with(url: &str, version: &str, capabilities: Value) -> Self {
        let r = rpc(
            url,
            &request(0, "initialize", init_params(version, capabilities)),
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "initialize: {r:#?}");
        let id = r
            .header("mcp-session-id")
            .unwrap_or_else(|| panic!("no Mcp-Session-Id on the initialize answer: {r:#?}"))
            .to_owned();
        let result = r.result().clone();
        let version = result["protocolVersion"]
            .as_str()
            .expect("protocolVersion")
            .to_owned();
        let s = Self {
            url: url.to_owned(),
            id,
            version,
            init: result,
            next_id: AtomicI64::new(1),
        };
        let st = s
            .notify("notifications/initialized", json!({}))
            .await
            .status();
        assert_eq!(st, StatusCode::ACCEPTED, "notifications/initialized");
        s
    }

    /// A session opened elsewhere (another replica), used at `url` as-is.
    pub fn from_parts(url: &str, id: &str, version: &str) -> Self {
        Self {
            url: url.to_owned(),
            id: id.to_owned(),
            version: version.to_owned(),
            init: Value::Null,
            next_id: AtomicI64::new(1_000),
        }
    }

    /// The session headers (id and negotiated version).
    pub fn headers(&self) -> Vec<(&str, &str)> {
        vec![
            ("mcp-session-id", self.id.as_str()),
            ("mcp-protocol-version", self.version.as_str()),
        ]
    }

    /// A fresh request id.
    pub fn next_id(&self) -> i64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Sends a request in this session and reads the answer.
    pub async fn request(&self, method: &str, params: Value) -> Reply {
        let body = request(self.next_id(), method, params);
        rpc(&self.url, &body, &self.headers()).await
    }

    /// Sends a request and returns its result, asserting HTTP 200 and no JSON-RPC error.
    pub async fn call(&self, method: &str, params: Value) -> Value {
        let r = self.request(method, params).await;
        r.result().clone()
    }

    /// POSTs any message with the session headers and returns the raw response.
    pub async fn post(&self, body: &Value) -> reqwest::Response {
        post_json(&self.url, body, &self.headers()).await
    }

    /// Sends a notification.
    pub async fn notify(&self, method: &str, params: Value) -> reqwest::Response {
        self.post(&notification(method, params)).await
    }

    /// `GET` on the endpoint with the session headers (the standalone stream, or resumption).
    pub async fn get(&self, extra: &[(&str, &str)]) -> reqwest::Response {
        let mut req = client()
            .get(&self.url)
            .header("accept", "text/event-stream");
        for (k, v) in self.headers().into_iter().chain(extra.iter().copied()) {
            req = req.header(k, v);
        }
        tokio::time::timeout(STEP, req.send())
            .await
            .expect("GET timed out")
            .expect("GET failed")
    }

    /// `DELETE` on the endpoint with the session id.
    pub async fn delete(&self) -> reqwest::Response {
        client()
            .delete(&self.url)
            .header("mcp-session-id", &self.id)
            .send()
            .await
            .expect("DELETE failed")
    }
}

/// The 2026-07-28 per-request `_meta`.
pub fn modern_meta() -> Value {
    json!({
        KEY_VERSION: MODERN,
        KEY_CAPS: {},
        KEY_CLIENT_INFO: { "name": "skyport-it", "version": "1.0.0" }
    })
}

/// `params` with the 2026-07-28 `_meta` merged in (keys already in `params._meta` win).
pub fn with_modern_meta(mut params: Value) -> Value {
    let mut meta = modern_meta();
    if let Some(existing) = params.get("_meta").and_then(Value::as_object) {
        for (k, v) in existing {
            meta[k] = v.clone();
        }
    }
    params["_meta"] = meta;
    params
}

/// The routing headers a 2026-07-28 client sends for `method` and `params`.
pub fn modern_headers(method: &str, params: &Value) -> Vec<(String, String)> {
    let mut h = vec![
        ("mcp-protocol-version".to_owned(), MODERN.to_owned()),
        ("mcp-method".to_owned(), method.to_owned()),
    ];
    let name = match method {
        "tools/call" | "prompts/get" => params.get("name"),
        "resources/read" => params.get("uri"),
        _ => None,
    };
    if let Some(n) = name.and_then(Value::as_str) {
        h.push(("mcp-name".to_owned(), n.to_owned()));
    }
    h
}

/// A 2026-07-28 request: `_meta` added to `params`, the routing headers set,
/// then `overrides` applied to the headers.
pub async fn modern(
    url: &str,
    id: i64,
    method: &str,
    params: Value,
    overrides: &[(&str, &str)],
) -> Reply {
    let params = with_modern_meta(params);
    modern_raw(
        url,
        &request(id, method, params.clone()),
        method,
        &params,
        overrides,
    )
    .await
}

/// Sends `body` as-is with the routing headers derived from `method`/`params`, plus `overrides`.
pub async fn modern_raw(
    url: &str,
    body: &Value,
    method: &str,
    params: &Value,
    overrides: &[(&str, &str)],
) -> Reply {
    let hs = modern_headers(method, params);
    let mut all: Vec<(&str, &str)> = hs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    all.extend_from_slice(overrides);
    rpc(url, body, &all).await
}

/// The text of the first content block of a tool result.
pub fn first_text(result: &Value) -> &str {
    result
        .pointer("/content/0/text")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no text content in {result:#}"))
}

/// Asserts the server still answers (a ping-free probe that works in every mode: GET /health).
pub async fn assert_alive(server: &Server) {
    let r = client()
        .get(server.url("/health"))
        .send()
        .await
        .expect("the server stopped answering");
    assert_eq!(r.status(), StatusCode::OK);
}

/// A legacy HTTP+SSE session: the open stream and the URL its endpoint event named.
pub struct LegacySse {
    /// The session's event stream (the endpoint event is already read).
    pub stream: SseStream,
    /// Where to POST messages.
    pub post_url: String,
}

impl LegacySse {
    /// Opens `GET /{app}/sse` and reads the endpoint event.
    pub async fn open(server: &Server, app: &str) -> Self {
        let resp = client()
            .get(server.url(&format!("/{app}/sse")))
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        let mut stream = SseStream::new(resp);
        let post_url = server.url(&stream.next_event(STEP).await.unwrap().data);
        Self { stream, post_url }
    }

    /// POSTs a message; the answer must be 202 (replies arrive on the stream).
    pub async fn post(&self, body: Value) {
        Self::post_to(&self.post_url, body).await;
    }

    /// POSTs a message to `url` (the message endpoint, possibly on another
    /// replica); the answer must be 202.
    pub async fn post_to(url: &str, body: Value) {
        let r = client()
            .post(url)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&body).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
}

/// A PostgreSQL schema of its own for one test (under `TEST_POSTGRES_URL`),
/// dropped when this goes away.
pub struct PgSchema {
    base: String,
    /// The schema's name (also a good store namespace).
    pub name: String,
}

impl PgSchema {
    /// Creates a uniquely named schema.
    pub fn create(base: &str) -> Self {
        use std::hash::{BuildHasher, RandomState};
        let name = format!(
            "t_{:016x}",
            RandomState::new().hash_one(std::time::SystemTime::now())
        );
        psql(base, &format!("CREATE SCHEMA {name}"));
        Self {
            base: base.to_owned(),
            name,
        }
    }

    /// The store URL whose connections use this schema.
    pub fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{}", self.base, self.name)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        psql(
            &self.base,
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name),
        );
    }
}

fn psql(url: &str, sql: &str) {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two `skyport serve --apps probe` replicas on one fresh PostgreSQL schema,
/// coordination in Redis (`redis`) or PostgreSQL, with `env` added. `None`
/// (after a visible SKIPPED line) when the test services are not configured.
pub fn replicas(
    redis: bool,
    test: &str,
    env: &[(&str, &str)],
) -> Option<(Server, Server, PgSchema)> {
    replicas_of("probe", redis, test, env)
}

/// Like [`replicas`], serving `apps`.
pub fn replicas_of(
    apps: &str,
    redis: bool,
    test: &str,
    env: &[(&str, &str)],
) -> Option<(Server, Server, PgSchema)> {
    let Ok(pg) = std::env::var("TEST_POSTGRES_URL") else {
        println!("SKIPPED {test}: TEST_POSTGRES_URL is not set");
        return None;
    };
    let redis_url = if redis {
        match std::env::var("TEST_REDIS_URL") {
            Ok(r) => Some(r),
            Err(_) => {
                println!("SKIPPED {test}: TEST_REDIS_URL is not set");
                return None;
            }
        }
    } else {
        None
    };
    let schema = PgSchema::create(&pg);
    let url = schema.url();
    let namespace = schema.name.clone();
    let start = || {
        let mut args = vec!["--store", url.as_str()];
        if let Some(r) = &redis_url {
            args.extend(["--redis", r.as_str()]);
        }
        let mut all_env = vec![("SKYPORT_STORE_NAMESPACE", namespace.as_str())];
        all_env.extend_from_slice(env);
        Server::start_with_env(apps, &args, &all_env)
    };
    let a = start();
    let b = start();
    Some((a, b, schema))
}
