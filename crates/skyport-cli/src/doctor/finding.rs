//! Findings: what doctor reports, one per fault (or per passed check), each
//! with a severity, a stable code, the thing it is about and the fix.

use serde::Serialize;

/// How bad a finding is. Only errors make `skyport doctor` exit non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    /// A check that passed.
    Ok,
    /// Works somewhere, or works but will cost you (one host family only, submission review).
    Warning,
    /// The widget will not render (or the server leaks data) in at least one host.
    Error,
}

impl Severity {
    /// The word printed at the start of a human-readable line.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Severity::Ok => "OK",
            Severity::Warning => "WARN",
            Severity::Error => "ERROR",
        }
    }
}

/// Declares [`Code`] with its stable string for each variant, so the string
/// table and the enum cannot drift apart.
macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $s:literal,)*) => {
        /// The stable identifier of a kind of finding. Scripts match on these
        /// strings (`--json`), so a string never changes meaning once shipped.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// The code as printed and serialized.
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $s,)*
                }
            }
        }
    };
}

codes! {
    // Connection and server level.
    /// `initialize` failed: nothing else can be checked.
    InitFailed = "init-failed",
    /// `initialize` worked.
    InitOk = "init-ok",
    /// The `initialize` result does not match the MCP schema.
    InitResultNonconformant = "init-result-nonconformant",
    /// Only the deprecated HTTP+SSE transport answered.
    TransportLegacySse = "transport-legacy-sse",
    /// The negotiated protocol version predates `structuredContent`.
    ProtocolVersionOld = "protocol-version-old",
    /// UI tools exist but the MCP Apps extension is not declared.
    UiExtensionMissing = "ui-extension-missing",
    /// `tools/list` failed.
    ToolsListFailed = "tools-list-failed",
    /// `resources/list` or `resources/read` is not implemented.
    ResourcesUnsupported = "resources-unsupported",
    /// `resources/list` failed for another reason.
    ResourcesListFailed = "resources-list-failed",
    /// `resources/templates/list` failed.
    TemplatesListFailed = "templates-list-failed",
    /// A list answer has the wrong shape.
    ListMalformed = "list-malformed",
    /// A list keeps returning cursors.
    PaginationLoop = "pagination-loop",
    /// Resources are listed and readable.
    ResourcesOk = "resources-ok",

    // Tool descriptors.
    /// A tool has no description.
    ToolNoDescription = "tool-no-description",
    /// A tool has no input schema.
    ToolNoInputSchema = "tool-no-input-schema",
    /// A tool's input schema is not an object schema.
    ToolInputSchemaNotObject = "tool-input-schema-not-object",
    /// A tool's output schema is not a usable JSON Schema.
    ToolOutputSchemaInvalid = "tool-output-schema-invalid",
    /// Annotation hints ChatGPT requires for submission are missing.
    ToolAnnotationsMissing = "tool-annotations-missing",
    /// An `openai/toolInvocation/*` status text is too long.
    ToolInvocationTooLong = "tool-invocation-too-long",
    /// A tool name breaks the MCP naming rule.
    ToolNameInvalid = "tool-name-invalid",
    /// A tool descriptor passed every check.
    ToolOk = "tool-ok",

    // Widget template references.
    /// A template key holds something other than a string.
    TemplateMetaInvalid = "template-meta-invalid",
    /// A template URI is not `ui://`.
    TemplateNotUiUri = "template-not-ui-uri",
    /// Only one host family's template key is present.
    TemplateMetaPartial = "template-meta-partial",
    /// `_meta.ui.resourceUri` and `_meta["ui/resourceUri"]` disagree.
    TemplateMetaConflict = "template-meta-conflict",
    /// Only the deprecated flat `ui/resourceUri` key is present.
    TemplateMetaDeprecated = "template-meta-deprecated",
    /// A template URI names no resource.
    TemplateMissingResource = "template-missing-resource",
    /// `resources/read` fails on a known template.
    TemplateUnreadable = "template-unreadable",
    /// The template has no contents or empty text.
    TemplateEmpty = "template-empty",
    /// The template's mimeType is not one the host renders.
    TemplateWrongMime = "template-wrong-mime",
    /// The template is not an HTML document.
    TemplateNotHtml = "template-not-html",
    /// The template HTML loads something by a relative URL.
    HtmlRelativeUrl = "html-relative-url",
    /// A template passed every check.
    TemplateOk = "template-ok",

    // Content Security Policy.
    /// The HTML uses an origin its CSP does not declare.
    CspMissingDomain = "csp-missing-domain",
    /// A CSP list contains a wildcard that allows everything.
    CspWildcard = "csp-wildcard",
    /// A CSP object has the wrong shape.
    CspMalformed = "csp-malformed",
    /// The CSP covers every origin the HTML uses.
    CspOk = "csp-ok",

    // Tool calls.
    /// A tool was called (explicitly or as a safe read-only call).
    ToolCalled = "tool-called",
    /// `--call` names a tool the server does not list.
    CallUnknownTool = "call-unknown-tool",
    /// The call failed (JSON-RPC error or `isError`).
    ToolCallFailed = "tool-call-failed",
    /// The call result has the wrong shape.
    ToolResultMalformed = "tool-result-malformed",
    /// `structuredContent` is larger than the model context budget.
    StructuredContentOversize = "structured-content-oversize",
    /// `structuredContent` carries a secret-looking key.
    StructuredContentSecret = "structured-content-secret",
    /// `structuredContent` does not match the tool's `outputSchema`.
    OutputSchemaMismatch = "output-schema-mismatch",
    /// The call result passed every check.
    StructuredContentOk = "structured-content-ok",
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing doctor found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Finding {
    /// How bad it is.
    pub(crate) severity: Severity,
    /// The stable code.
    pub(crate) code: Code,
    /// What it is about: `server`, `tool NAME`, `resource URI`.
    pub(crate) subject: String,
    /// What is wrong (or, for OK, what was checked).
    pub(crate) message: String,
    /// What to change; `None` for OK findings.
    pub(crate) fix: Option<String>,
}

impl Finding {
    /// An error finding.
    pub(crate) fn error(
        code: Code,
        subject: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Error, code, subject, message, Some(fix.into()))
    }

    /// A warning finding.
    pub(crate) fn warning(
        code: Code,
        subject: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, code, subject, message, Some(fix.into()))
    }

    /// A passed check.
    pub(crate) fn ok(code: Code, subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Ok, code, subject, message, None)
    }

    fn new(
        severity: Severity,
        code: Code,
        subject: impl Into<String>,
        message: impl Into<String>,
        fix: Option<String>,
    ) -> Self {
        Self {
            severity,
            code,
            subject: subject.into(),
            message: message.into(),
            fix,
        }
    }
}

/// The subject string of a tool.
pub(crate) fn tool_subject(name: &str) -> String {
    format!("tool {name}")
}

/// The subject string of a resource.
pub(crate) fn resource_subject(uri: &str) -> String {
    format!("resource {uri}")
}

/// The subject of server-level findings.
pub(crate) const SERVER: &str = "server";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_stable_strings() {
        let f = Finding::error(Code::TemplateWrongMime, "resource ui://a", "m", "f");
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["code"], "template-wrong-mime");
        assert_eq!(v["severity"], "error");
        assert_eq!(v["fix"], "f");
    }

    #[test]
    fn severities_order_from_ok_to_error() {
        assert!(Severity::Ok < Severity::Warning && Severity::Warning < Severity::Error);
    }
}
