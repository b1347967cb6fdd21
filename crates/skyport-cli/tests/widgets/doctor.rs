//! `skyport doctor URL` through the real binary against real servers: a
//! clean widget app, one broken app per fault, hand-written servers for the
//! faults the library refuses, the legacy transport, an unreachable URL and
//! the built-in apps.

use std::collections::BTreeSet;
use std::process::ExitStatus;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::doctor_fixtures::Fixtures;
use crate::doctor_fixtures::raw::RawFixtures;
use serde_json::Value;

/// What one `skyport doctor` run printed.
#[derive(Debug)]
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    /// `(severity, code, subject)` of every finding line.
    fn findings(&self) -> Vec<(String, String, String)> {
        self.stdout
            .lines()
            .filter_map(|line| {
                let (severity, rest) = line.split_once(' ')?;
                let rest = rest.trim_start().strip_prefix('[')?;
                let (code, rest) = rest.split_once("] ")?;
                let (subject, _) = rest.split_once(": ")?;
                Some((severity.to_owned(), code.to_owned(), subject.to_owned()))
            })
            .collect()
    }

    /// The codes of the ERROR lines.
    fn error_codes(&self) -> BTreeSet<String> {
        self.findings()
            .into_iter()
            .filter(|(s, _, _)| s == "ERROR")
            .map(|(_, c, _)| c)
            .collect()
    }

    /// The lines that carry `code`.
    fn lines(&self, code: &str) -> Vec<&str> {
        let tag = format!("[{code}]");
        self.stdout.lines().filter(|l| l.contains(&tag)).collect()
    }

    /// The last line: `N errors, M warnings`.
    fn summary(&self) -> &str {
        self.stdout.lines().last().unwrap_or("")
    }
}

/// Runs `skyport doctor <args>` (the binary under test).
async fn doctor(args: &[&str]) -> Run {
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(crate::common::bin())
            .arg("doctor")
            .args(args)
            .env_remove("SKYPORT_CONFIG")
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("doctor finished within 60 s")
    .expect("run the skyport binary");
    Run {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Asserts that doctor fails on `url` for exactly one reason: `code`, about `subject`.
async fn assert_fault(url: &str, extra: &[&str], code: &str, subject: &str) -> Run {
    let mut args = vec![url];
    args.extend_from_slice(extra);
    let run = doctor(&args).await;
    assert!(
        !run.status.success(),
        "doctor passed {url}:\n{}",
        run.stdout
    );
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    assert_eq!(
        run.error_codes(),
        BTreeSet::from([code.to_owned()]),
        "{url} must fail for {code} alone:\n{}",
        run.stdout
    );
    let lines = run.lines(code);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ERROR") && l.contains(&format!("] {subject}: "))),
        "no ERROR [{code}] line about {subject}:\n{}",
        run.stdout
    );
    assert!(run.stderr.contains("doctor found"), "{}", run.stderr);
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_dual_dialect_widget_app_passes_with_no_findings_to_fix() {
    let fx = Fixtures::start().await;
    let run = doctor(&[&fx.mcp("clean")]).await;
    assert!(run.status.success(), "{run:?}");
    assert_eq!(run.summary(), "0 errors, 0 warnings", "{}", run.stdout);
    for code in [
        "init-ok",
        "resources-ok",
        "tool-ok",
        "template-ok",
        "csp-ok",
        "tool-called",
        "structured-content-ok",
    ] {
        assert!(
            !run.lines(code).is_empty(),
            "no OK [{code}] line:\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .lines()
            .skip(1)
            .all(|l| l.starts_with("OK ") || l == run.summary())
    );
    // Both tools were found although each list page holds one.
    for tool in ["tool show_board", "tool delete_board"] {
        let ok = ("OK".to_owned(), "tool-ok".to_owned(), tool.to_owned());
        assert!(run.findings().contains(&ok), "{tool}:\n{}", run.stdout);
    }
    // The read-only, argument-free widget tool was called and the report says why.
    assert!(
        run.lines("tool-called")[0].contains("readOnlyHint"),
        "{}",
        run.stdout
    );
    // The destructive tool was never called.
    assert_eq!(fx.destructive_calls.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_parses_and_counts_the_findings() {
    let fx = Fixtures::start().await;
    let run = doctor(&[&fx.mcp("cspmissing"), "--json"]).await;
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    let report: Value = serde_json::from_str(&run.stdout).expect("--json prints one JSON object");
    assert_eq!(report["errors"], 1, "{report:#}");
    assert_eq!(report["warnings"], 0, "{report:#}");
    let findings = report["findings"].as_array().unwrap();
    let f = findings
        .iter()
        .find(|f| f["code"] == "csp-missing-domain")
        .expect("a csp-missing-domain finding");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["subject"], "resource ui://cspmissing/board.html");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("https://images.example.net")
    );
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .contains("_meta.ui.csp.resourceDomains")
    );
    for f in findings {
        for key in ["severity", "code", "subject", "message", "fix"] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
    }

    let clean = doctor(&[&fx.mcp("clean"), "--json"]).await;
    assert!(clean.status.success(), "{clean:?}");
    let report: Value = serde_json::from_str(&clean.stdout).unwrap();
    assert_eq!(
        (report["errors"].as_u64(), report["warnings"].as_u64()),
        (Some(0), Some(0))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_broken_widget_app_fails_for_its_own_fault() {
    let fx = Fixtures::start().await;
    let run = assert_fault(
        &fx.mcp("missing"),
        &[],
        "template-missing-resource",
        "tool show_board",
    )
    .await;
    assert!(run.lines("template-missing-resource")[0].contains("ui://missing/board.html"));

    let run = assert_fault(
        &fx.mcp("wrongmime"),
        &[],
        "template-wrong-mime",
        "resource ui://wrongmime/board.html",
    )
    .await;
    let line = run.lines("template-wrong-mime")[0];
    assert!(
        line.contains("\"text/html\"") && line.contains("text/html;profile=mcp-app"),
        "{line}"
    );

    let run = assert_fault(
        &fx.mcp("unreadable"),
        &[],
        "template-unreadable",
        "resource ui://unreadable/board.html",
    )
    .await;
    assert!(
        run.lines("template-unreadable")[0].contains("-32603"),
        "{}",
        run.stdout
    );

    assert_fault(
        &fx.mcp("nothtml"),
        &[],
        "template-not-html",
        "resource ui://nothtml/board.html",
    )
    .await;

    let run = assert_fault(
        &fx.mcp("cspmissing"),
        &[],
        "csp-missing-domain",
        "resource ui://cspmissing/board.html",
    )
    .await;
    let lines = run.lines("csp-missing-domain");
    assert_eq!(
        lines.len(),
        1,
        "only the image host is missing:\n{}",
        run.stdout
    );
    assert!(
        lines[0].contains("https://images.example.net") && lines[0].contains("resourceDomains"),
        "{}",
        lines[0]
    );

    let run = assert_fault(
        &fx.mcp("cspwildcard"),
        &[],
        "csp-wildcard",
        "resource ui://cspwildcard/board.html",
    )
    .await;
    assert!(
        run.lines("csp-wildcard")[0].contains("resourceDomains"),
        "{}",
        run.stdout
    );

    let run = assert_fault(
        &fx.mcp("secret"),
        &[],
        "structured-content-secret",
        "tool show_board",
    )
    .await;
    assert!(
        run.lines("structured-content-secret")[0].contains("$.user.api_key"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_structured_content_is_a_warning_with_a_passing_exit() {
    let fx = Fixtures::start().await;
    let run = doctor(&[&fx.mcp("oversize")]).await;
    assert!(run.status.success(), "warnings alone pass: {run:?}");
    let lines = run.lines("structured-content-oversize");
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert!(
        lines[0].starts_with("WARN  [structured-content-oversize] tool show_board: "),
        "{}",
        lines[0]
    );
    assert_eq!(run.summary(), "0 errors, 1 warning");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_are_called_only_when_safe_or_asked() {
    let fx = Fixtures::start().await;
    // make_board is not read-only: doctor leaves it alone by default...
    let run = doctor(&[&fx.mcp("mismatch")]).await;
    assert!(run.status.success(), "{run:?}");
    assert!(run.lines("tool-called").is_empty(), "{}", run.stdout);
    // ...and checks its result against outputSchema when asked to call it.
    let run = assert_fault(
        &fx.mcp("mismatch"),
        &["--call", r#"make_board={"n": 3}"#],
        "output-schema-mismatch",
        "tool make_board",
    )
    .await;
    assert!(
        run.lines("tool-called")[0].contains("--call"),
        "{}",
        run.stdout
    );
    // --no-auto-call skips even the safe read-only call, so the leaked key goes unseen.
    let run = doctor(&[&fx.mcp("secret"), "--no-auto-call"]).await;
    assert!(run.status.success(), "{run:?}");
    assert!(run.lines("structured-content-secret").is_empty());
    // Naming an unknown tool is an error, and nothing is called.
    assert_fault(
        &fx.mcp("clean"),
        &["--call", "nope={}"],
        "call-unknown-tool",
        "server",
    )
    .await;
    assert_eq!(fx.destructive_calls.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_the_library_refuses_are_found_on_other_servers() {
    let raw = RawFixtures::start().await;
    // This server answers in SSE and requires its session id: doctor copes.
    let run = assert_fault(
        &raw.url("nodesc"),
        &[],
        "tool-no-description",
        "tool mystery",
    )
    .await;
    assert!(!run.lines("resources-ok").is_empty(), "{}", run.stdout);
    assert_fault(
        &raw.url("badschema"),
        &[],
        "tool-input-schema-not-object",
        "tool lookup",
    )
    .await;
    let run = assert_fault(
        &raw.url("noresources"),
        &[],
        "resources-unsupported",
        "server",
    )
    .await;
    assert!(
        run.lines("resources-unsupported")[0].contains("render blank"),
        "{}",
        run.stdout
    );
    let run = assert_fault(&raw.url("html"), &[], "init-failed", "server").await;
    assert!(
        run.lines("init-failed")[0].contains("text/html"),
        "says why: {}",
        run.stdout
    );
    let started = std::time::Instant::now();
    let run = assert_fault(
        &raw.url("slow"),
        &["--timeout", "1"],
        "init-failed",
        "server",
    )
    .await;
    assert!(
        run.lines("init-failed")[0].contains("within 1 s"),
        "{}",
        run.stdout
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "--timeout bounds the wait"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_legacy_sse_transport_works_and_is_flagged() {
    let fx = Fixtures::start().await;
    let run = doctor(&[&fx.sse("clean")]).await;
    assert!(run.status.success(), "{run:?}");
    assert!(
        run.lines("init-ok")[0].contains("legacy HTTP+SSE"),
        "{}",
        run.stdout
    );
    let warn = run.lines("transport-legacy-sse");
    assert_eq!(warn.len(), 1, "{}", run.stdout);
    assert!(warn[0].starts_with("WARN"));
    assert!(
        !run.lines("template-ok").is_empty(),
        "templates were read over SSE:\n{}",
        run.stdout
    );
    assert!(
        !run.lines("structured-content-ok").is_empty(),
        "{}",
        run.stdout
    );
    assert_eq!(run.summary(), "0 errors, 1 warning");
    // Faults are found over the legacy transport too.
    assert_fault(
        &fx.sse("wrongmime"),
        &[],
        "template-wrong-mime",
        "resource ui://wrongmime/board.html",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_url_is_a_clear_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/mcp");
    let run = assert_fault(&url, &["--timeout", "5"], "init-failed", "server").await;
    let line = run.lines("init-failed")[0];
    assert!(line.contains("cannot connect"), "{line}");
    assert!(line.contains(&url), "{line}");
    assert_eq!(run.summary(), "1 error, 0 warnings");

    let bad = doctor(&["not-a-url"]).await;
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stderr.contains("not a URL"), "{}", bad.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_built_in_apps_have_no_errors() {
    let server = crate::common::Server::start("bench,conformance", &[]);
    for app in ["bench", "conformance"] {
        let run = doctor(&[&server.mcp(app)]).await;
        assert!(run.status.success(), "{app}: {run:?}");
        assert!(
            run.summary().starts_with("0 errors"),
            "{app}:\n{}",
            run.stdout
        );
        assert!(run.error_codes().is_empty());
    }
}
