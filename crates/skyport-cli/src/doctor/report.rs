//! Rendering findings: one human line per finding plus a summary, or JSON.

use serde::Serialize;

use super::finding::{Finding, Severity};

/// Every finding of one run, with the counts that decide the exit status.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    /// The URL examined.
    pub(crate) url: String,
    /// The findings, in the order the checks ran.
    pub(crate) findings: Vec<Finding>,
    /// How many findings are errors.
    pub(crate) errors: usize,
    /// How many findings are warnings.
    pub(crate) warnings: usize,
}

impl Report {
    /// Counts the findings.
    pub(crate) fn new(url: impl Into<String>, findings: Vec<Finding>) -> Self {
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        Self {
            url: url.into(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            findings,
        }
    }

    /// `N errors, M warnings`.
    pub(crate) fn summary(&self) -> String {
        format!(
            "{} {}, {} {}",
            self.errors,
            if self.errors == 1 { "error" } else { "errors" },
            self.warnings,
            if self.warnings == 1 {
                "warning"
            } else {
                "warnings"
            }
        )
    }

    /// The human-readable report: a heading, one line per finding, the summary.
    pub(crate) fn to_text(&self) -> String {
        let mut s = format!("skyport doctor {}\n", self.url);
        for f in &self.findings {
            s.push_str(&format!(
                "{:<5} [{}] {}: {}",
                f.severity.label(),
                f.code,
                f.subject,
                f.message
            ));
            if let Some(fix) = &f.fix {
                s.push_str(&format!(". Fix: {fix}"));
            }
            s.push('\n');
        }
        s.push_str(&self.summary());
        s.push('\n');
        s
    }

    /// The machine-readable report.
    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| {
            format!("{{\"error\": \"the report could not be serialized: {e}\"}}")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::finding::Code;

    #[test]
    fn text_has_one_line_per_finding_and_a_summary() {
        let r = Report::new(
            "http://x/mcp",
            vec![
                Finding::ok(Code::InitOk, "server", "initialized"),
                Finding::error(
                    Code::TemplateWrongMime,
                    "resource ui://w",
                    "bad mime",
                    "use the right one",
                ),
                Finding::warning(
                    Code::ToolAnnotationsMissing,
                    "tool t",
                    "no hints",
                    "add them",
                ),
            ],
        );
        let text = r.to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[1], "OK    [init-ok] server: initialized");
        assert_eq!(
            lines[2],
            "ERROR [template-wrong-mime] resource ui://w: bad mime. Fix: use the right one"
        );
        assert!(lines[3].starts_with("WARN  [tool-annotations-missing] tool t"));
        assert_eq!(lines[4], "1 error, 1 warning");
    }

    #[test]
    fn json_has_findings_and_counts() {
        let r = Report::new("u", vec![Finding::ok(Code::InitOk, "server", "ok")]);
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["errors"], 0);
        assert_eq!(v["warnings"], 0);
        assert_eq!(v["findings"][0]["code"], "init-ok");
        assert_eq!(v["findings"][0]["severity"], "ok");
        assert!(v["findings"][0]["fix"].is_null());
        assert_eq!(r.summary(), "0 errors, 0 warnings");
    }
}
