//! Server-Sent Events: an incremental parser (any line ending, as the SSE
//! spec allows) and a reader that pulls events off a streaming HTTP body.

use std::collections::VecDeque;
use std::pin::Pin;

use futures::{Stream, StreamExt};

use super::ClientError;

/// One event: the fields doctor uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// `event:` (absent means `message`).
    pub(crate) event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub(crate) data: String,
}

/// Largest single event accepted: a server that never ends an event must not
/// make doctor buffer without bound.
const MAX_EVENT_BYTES: usize = 32 * 1024 * 1024;

/// Turns bytes into events. Feed chunks with [`SseParser::push`].
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    /// Bytes of the line being read (not yet ended).
    line: Vec<u8>,
    /// A `\r` ended the last line: a following `\n` belongs to it.
    after_cr: bool,
    event: Option<String>,
    data: Vec<String>,
    /// Any field seen since the last dispatched event.
    pending: bool,
    /// Bytes buffered for the current event.
    size: usize,
}

impl SseParser {
    /// Consumes a chunk; returns the events it completed.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>, ClientError> {
        let mut out = Vec::new();
        for &b in chunk {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\n' => self.end_line(&mut out),
                b'\r' => {
                    self.after_cr = true;
                    self.end_line(&mut out);
                }
                _ => {
                    self.line.push(b);
                    self.size += 1;
                    if self.size > MAX_EVENT_BYTES {
                        return Err(ClientError::Malformed(format!(
                            "an SSE event is larger than {} MiB",
                            MAX_EVENT_BYTES / 1024 / 1024
                        )));
                    }
                }
            }
        }
        Ok(out)
    }

    /// The stream ended: a last event missing its blank line is still
    /// returned (lenient: some servers close right after the data line).
    pub(crate) fn finish(&mut self) -> Option<SseEvent> {
        let mut out = Vec::new();
        if !self.line.is_empty() {
            self.end_line(&mut out);
        }
        self.end_line(&mut out);
        out.pop()
    }

    fn end_line(&mut self, out: &mut Vec<SseEvent>) {
        let line = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();
        if line.is_empty() {
            if self.pending {
                out.push(SseEvent {
                    event: self.event.take(),
                    data: self.data.join("\n"),
                });
            }
            self.data.clear();
            self.event = None;
            self.pending = false;
            self.size = 0;
            return;
        }
        if line.starts_with(':') {
            return; // comment (keep-alive)
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_str(), ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => self.data.push(value.to_owned()),
            // `id` and `retry` matter for resumption, which doctor never does.
            _ => {}
        }
        self.pending = true;
    }
}

/// A streaming HTTP body.
type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// Reads events off a streaming HTTP body.
pub(crate) struct SseReader {
    stream: ByteStream,
    parser: SseParser,
    ready: VecDeque<SseEvent>,
    ended: bool,
}

impl std::fmt::Debug for SseReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SseReader")
            .field("ended", &self.ended)
            .finish()
    }
}

impl SseReader {
    /// Reads `resp`'s body as an event stream.
    pub(crate) fn new(resp: reqwest::Response) -> Self {
        Self {
            stream: Box::pin(resp.bytes_stream()),
            parser: SseParser::default(),
            ready: VecDeque::new(),
            ended: false,
        }
    }

    /// The next event; `None` once the stream has ended.
    pub(crate) async fn next_event(&mut self) -> Result<Option<SseEvent>, ClientError> {
        loop {
            if let Some(ev) = self.ready.pop_front() {
                return Ok(Some(ev));
            }
            if self.ended {
                return Ok(None);
            }
            match self.stream.next().await {
                Some(Ok(chunk)) => self.ready.extend(self.parser.push(&chunk)?),
                Some(Err(e)) => {
                    return Err(ClientError::Stream(super::error_chain(&e)));
                }
                None => {
                    self.ended = true;
                    self.ready.extend(self.parser.finish());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(chunks: &[&str]) -> Vec<SseEvent> {
        let mut p = SseParser::default();
        let mut out = Vec::new();
        for c in chunks {
            out.extend(p.push(c.as_bytes()).unwrap());
        }
        out.extend(p.finish());
        out
    }

    #[test]
    fn events_split_across_chunks_and_line_endings() {
        let evs = parse(&[
            "event: endpoint\r\ndata: /m?s=1\r\n\r\n: keep-alive\n\nid: 7\nda",
            "ta: {\"a\":1}\n",
            "data: 2\r",
            "\n\r\n",
        ]);
        assert_eq!(
            evs,
            vec![
                SseEvent {
                    event: Some("endpoint".into()),
                    data: "/m?s=1".into()
                },
                SseEvent {
                    event: None,
                    data: "{\"a\":1}\n2".into()
                },
            ]
        );
    }

    #[test]
    fn a_priming_event_has_empty_data() {
        let evs = parse(&["id: 0\ndata:\n\n"]);
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0].data, "");
    }

    #[test]
    fn a_last_event_without_blank_line_is_kept() {
        let evs = parse(&["data: {}"]);
        assert_eq!(evs[0].data, "{}");
    }

    #[test]
    fn comments_alone_make_no_event() {
        assert!(parse(&[": ping\n\n: ping\n\n"]).is_empty());
    }
}
