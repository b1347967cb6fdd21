//! A `skyport stdio` child process driven line by line.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::{STEP, TempDir, bin};
use std::process::Stdio;

/// A real `skyport stdio` child process with line-wise JSON-RPC helpers.
pub struct StdioProc {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    pub stdout: Lines<BufReader<ChildStdout>>,
    /// A throw-away data dir, so runs never write into the source tree.
    _data: TempDir,
}

impl StdioProc {
    /// Starts `skyport stdio --app APP`.
    pub fn start(app: &str) -> Self {
        let data = TempDir::new("stdio-data");
        let mut child = Command::new(bin())
            .args(["stdio", "--app", app])
            .env("RUST_LOG", "info")
            .env_remove("SKYPORT_CONFIG")
            .env("SKYPORT_DATA_DIR", data.as_str())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn skyport stdio");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        Self {
            child,
            stdin,
            stdout,
            _data: data,
        }
    }

    /// Writes one raw line.
    pub async fn send_line(&mut self, line: &str) {
        let w = self.stdin.as_mut().expect("stdin open");
        w.write_all(line.as_bytes()).await.unwrap();
        w.write_all(b"\n").await.unwrap();
        w.flush().await.unwrap();
    }

    /// Writes one JSON-RPC message.
    pub async fn send(&mut self, msg: &Value) {
        self.send_line(&serde_json::to_string(msg).unwrap()).await;
    }

    /// The next stdout line, which must be one JSON object.
    pub async fn recv(&mut self) -> Value {
        let line = tokio::time::timeout(STEP, self.stdout.next_line())
            .await
            .expect("no stdout line in time")
            .unwrap()
            .expect("stdout closed");
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"))
    }
}
