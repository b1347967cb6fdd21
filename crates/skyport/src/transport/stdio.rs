//! stdio: newline-delimited JSON-RPC on stdin/stdout; logs go to stderr.

use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::engine::{CallEnv, Dispatch, Engine, Outbound};
use crate::protocol::RpcError;
use crate::protocol::jsonrpc::{Body, Incoming, IncomingKind, error_bytes};

/// Largest accepted line (one message), like the HTTP body limit.
const MAX_LINE: usize = 4 * 1024 * 1024;

/// Serves one client over a reader/writer pair until the reader ends or `shutdown` fires.
pub async fn serve<R, W>(
    engine: Arc<Engine>,
    input: R,
    output: W,
    shutdown: CancellationToken,
) -> std::io::Result<()>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let session = engine.sessions().create_local();
    let push = session.open_push();
    let tx = session.push_sender().expect("push channel was just opened");
    let events = engine.app().notifier().subscribe();
    let messages = crate::engine::session::outgoing(session.clone(), push, events);
    let writer = tokio::spawn(async move {
        let mut out = output;
        tokio::pin!(messages);
        while let Some(bytes) = futures::StreamExt::next(&mut messages).await {
            if out.write_all(&bytes).await.is_err()
                || out.write_all(b"\n").await.is_err()
                || out.flush().await.is_err()
            {
                break;
            }
        }
    });
    let mut lines = BufReader::new(input);
    let mut line = Vec::new();
    let mut tasks = JoinSet::new();
    loop {
        line.clear();
        let mut limited = tokio::io::AsyncReadExt::take(&mut lines, MAX_LINE as u64 + 1);
        let read = tokio::select! {
            r = limited.read_until(b'\n', &mut line) => r?,
            _ = shutdown.cancelled() => break,
        };
        if read == 0 {
            break;
        }
        if line.len() > MAX_LINE {
            let _ = tx.send(error_bytes(
                None,
                &RpcError::invalid_request(format!("A message is longer than {MAX_LINE} bytes")),
            ));
            // Skip the rest of the oversized line.
            let mut rest = Vec::new();
            lines.read_until(b'\n', &mut rest).await?;
            continue;
        }
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let msgs = match Incoming::parse_body(text) {
            Ok(Body::Single(m)) => vec![m],
            Ok(Body::Batch(v)) => v,
            Err(e) => {
                let _ = tx.send(error_bytes(e.id.as_deref(), &e.error));
                continue;
            }
        };
        for msg in msgs {
            match msg.kind {
                IncomingKind::Response => {
                    engine.response(&msg);
                }
                IncomingKind::Notification => engine.notification(&msg, Some(&session)),
                IncomingKind::Request if msg.method == "initialize" => {
                    let bytes = match engine.initialize(&msg) {
                        Ok((n, reply)) => {
                            if session.set_negotiated(n) {
                                reply.bytes
                            } else {
                                error_bytes(
                                    msg.id,
                                    &RpcError::invalid_request(
                                        "This session is already initialized",
                                    ),
                                )
                            }
                        }
                        Err(reply) => reply.bytes,
                    };
                    let _ = tx.send(bytes);
                }
                IncomingKind::Request => {
                    let env = CallEnv {
                        session: Some(session.clone()),
                        outbound: Some(Outbound::session(tx.clone())),
                        header_version: None,
                        // stdio runs as the local user: no bearer tokens.
                        principal: None,
                    };
                    let info = match engine.classify(&msg, &env) {
                        Ok(i) => i,
                        Err(r) => {
                            let _ = tx.send(r.bytes);
                            continue;
                        }
                    };
                    match engine.dispatch(&msg, info, env) {
                        Dispatch::Ready(r) => {
                            let _ = tx.send(r.bytes);
                        }
                        // A tool may wait on the client's answer, which arrives on stdin: never block the reader.
                        Dispatch::Pending(fut) => {
                            let tx = tx.clone();
                            tasks.spawn(async move {
                                if let Some(r) = fut.await {
                                    let _ = tx.send(r.bytes);
                                }
                            });
                        }
                    }
                }
            }
        }
    }
    // stdin closed: let in-flight calls finish, then flush and stop.
    while tasks.join_next().await.is_some() {}
    drop(tx);
    engine.sessions().remove(session.id());
    let _ = writer.await;
    Ok(())
}
