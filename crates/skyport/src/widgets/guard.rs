//! The result guard: `structuredContent` is read by the model (ChatGPT puts it
//! in context verbatim), so it must stay small and must never carry secrets.
//! Findings are logged once per tool and kind, and shown in the dev host.

use serde::Serialize;
use serde_json::Value;

/// Past this many estimated tokens, `structuredContent` crowds the model's
/// context; widget-only data belongs in `_meta`.
pub const MAX_STRUCTURED_TOKENS: usize = 4096;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Works, but hurts (size).
    Warning,
    /// Must be fixed (a secret reaches the model).
    Error,
}

/// One problem in a tool result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// `oversize` or `secret`.
    pub kind: &'static str,
    /// What is wrong and what to do.
    pub message: String,
    /// JSON Pointer of the offending value.
    pub path: String,
}

/// Rough token estimate: ~4 bytes of JSON per token.
pub fn estimated_tokens(json_len: usize) -> usize {
    json_len.div_ceil(4)
}

/// Normalised key fragments that name credentials.
const SECRET_WORDS: [&str; 12] = [
    "password",
    "passwd",
    "secret",
    "apikey",
    "privatekey",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "authorization",
    "cookie",
    "cvv",
    "cardnumber",
];

/// True when an object key looks like it holds a credential.
pub fn is_secret_key(key: &str) -> bool {
    // Lower-cased ASCII letters and digits only ("api_key", "apiKey" → "apikey"),
    // on the stack: this runs for every key of every result.
    let mut buf = [0u8; 64];
    let mut n = 0;
    for b in key.bytes().filter(u8::is_ascii_alphanumeric) {
        if n == buf.len() {
            break;
        }
        buf[n] = b.to_ascii_lowercase();
        n += 1;
    }
    let k = std::str::from_utf8(&buf[..n]).unwrap_or("");
    k.ends_with("token") || SECRET_WORDS.iter().any(|w| k.contains(w))
}

/// Inspects serialized `structuredContent`.
pub fn inspect_json(json: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let tokens = estimated_tokens(json.len());
    if tokens > MAX_STRUCTURED_TOKENS {
        findings.push(Finding {
            severity: Severity::Warning,
            kind: "oversize",
            message: format!(
                "structuredContent is ~{tokens} tokens ({} bytes), over the ~{MAX_STRUCTURED_TOKENS}-token budget: keep what the model needs there and move widget-only data to _meta",
                json.len()
            ),
            path: "/structuredContent".into(),
        });
    }
    // Parse only when a key could match: most results have no such substring.
    if may_hold_secret_key(json)
        && let Ok(value) = serde_json::from_str::<Value>(json)
    {
        secret_keys(
            &value,
            &mut String::from("/structuredContent"),
            &mut findings,
        );
    }
    findings
}

/// Inspects a `structuredContent` value.
pub fn inspect_value(value: &Value) -> Vec<Finding> {
    inspect_json(&value.to_string())
}

/// A cheap pre-filter on the hot path: does any object key (a string right
/// before `:`) look like a credential? No parse, no allocation; a `":`
/// inside a string value only costs a needless key check.
fn may_hold_secret_key(json: &str) -> bool {
    let bytes = json.as_bytes();
    json.match_indices("\":").any(|(end, _)| {
        let start = bytes[..end]
            .iter()
            .rposition(|&b| b == b'"')
            .map_or(0, |i| i + 1);
        json.get(start..end).is_some_and(is_secret_key)
    })
}

fn secret_keys(value: &Value, path: &mut String, out: &mut Vec<Finding>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let len = path.len();
                path.push('/');
                path.push_str(&k.replace('~', "~0").replace('/', "~1"));
                let empty = matches!(v, Value::Null) || v.as_str().is_some_and(str::is_empty);
                if is_secret_key(k) && !empty {
                    out.push(Finding {
                        severity: Severity::Error,
                        kind: "secret",
                        message: format!(
                            "key {k:?} looks like a credential: the model reads structuredContent (and widgets expose it in devtools); never return secrets"
                        ),
                        path: path.clone(),
                    });
                } else {
                    secret_keys(v, path, out);
                }
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                secret_keys(v, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Checks one tool's results and logs each kind of finding once (a tool
/// that leaks on every call would otherwise flood the log).
#[derive(Debug, Default)]
pub struct ResultGuard {
    tool: String,
    /// Results seen, for sampling the key scan.
    results: std::sync::atomic::AtomicU64,
    warned_oversize: std::sync::atomic::AtomicBool,
    warned_secret: std::sync::atomic::AtomicBool,
}

/// Every result of a tool is scanned for secret-looking keys until this
/// many, then one in [`SCAN_EVERY`]: the scan costs about as much as the rest
/// of a small call (measured: -17% stateless throughput when scanning every
/// result), and a tool that returns a secret does so from the same code path
/// call after call, so sampling finds it early.
const SCAN_FIRST: u64 = 256;
/// After [`SCAN_FIRST`] results, one result in this many is scanned.
const SCAN_EVERY: u64 = 1024;

impl ResultGuard {
    /// A guard for the results of `tool`.
    pub fn new(tool: impl Into<String>) -> Self {
        Self {
            tool: tool.into(),
            ..Self::default()
        }
    }

    /// Inspects `structured` (serialized `structuredContent`) of one result.
    pub fn check(&self, app: &str, structured: &str) {
        let tool = self.tool.as_str();
        use std::sync::atomic::Ordering::Relaxed;
        let n = self.results.fetch_add(1, Relaxed);
        let scan_keys = n < SCAN_FIRST || n.is_multiple_of(SCAN_EVERY);
        // Cheap exits first: the common result is small and has no suspicious key.
        let oversize = structured.len() > MAX_STRUCTURED_TOKENS * 4;
        let suspicious = scan_keys && may_hold_secret_key(structured);
        if !oversize && !suspicious {
            return;
        }
        for f in inspect_json(structured) {
            let flag = match f.kind {
                "oversize" => &self.warned_oversize,
                _ => &self.warned_secret,
            };
            if !flag.swap(true, Relaxed) {
                tracing::warn!(app, tool, path = %f.path, "{} (logged once per tool)", f.message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_keys_are_found_with_their_path() {
        let f = inspect_value(&json!({
            "user": {"name": "Ada", "apiKey": "sk-1", "password_hash": "x"},
            "items": [{"access_token": "t"}],
            "tokens": 3,
            "sessionToken": "",
        }));
        let paths: Vec<_> = f.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/structuredContent/items/0/access_token",
                "/structuredContent/user/apiKey",
                "/structuredContent/user/password_hash",
            ]
        );
        assert!(f.iter().all(|f| f.severity == Severity::Error));
    }

    /// A log sink for one test.
    #[derive(Clone, Default)]
    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Sink {
        type Writer = Sink;
        fn make_writer(&'a self) -> Sink {
            self.clone()
        }
    }

    #[test]
    fn the_guard_logs_each_kind_once_per_tool() {
        let sink = Sink::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(sink.clone())
            .with_ansi(false)
            .finish();
        let guard = ResultGuard::new("show");
        let secret = json!({"apiKey": "sk-1"}).to_string();
        let big = json!({"items": "x".repeat(20_000)}).to_string();
        tracing::subscriber::with_default(subscriber, || {
            guard.check("shop", r#"{"greeting":"Hello"}"#);
            for _ in 0..3 {
                guard.check("shop", &secret);
                guard.check("shop", &big);
            }
        });
        let log = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert_eq!(log.matches("looks like a credential").count(), 1, "{log}");
        assert_eq!(
            log.matches("over the ~4096-token budget").count(),
            1,
            "{log}"
        );
        assert!(
            log.contains("/structuredContent/apiKey") && log.contains("show"),
            "{log}"
        );
        assert_eq!(
            log.lines().count(),
            2,
            "nothing for the clean result: {log}"
        );
    }

    #[test]
    fn harmless_results_pass_and_big_ones_warn() {
        assert!(inspect_value(&json!({"greeting": "Hello", "keyboard": "qwerty"})).is_empty());
        let big = json!({"items": "x".repeat(20_000)});
        let f = inspect_value(&big);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, "oversize");
    }
}
