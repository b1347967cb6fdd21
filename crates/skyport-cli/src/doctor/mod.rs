//! `skyport doctor URL`: connects to any MCP server over HTTP and explains,
//! finding by finding, why a widget would not render in ChatGPT or an MCP
//! Apps host. Exits non-zero when it finds an error (warnings alone pass).
//!
//! ```sh
//! skyport doctor http://127.0.0.1:8787/greeter/mcp
//! skyport doctor https://example.com/mcp --header 'Authorization: Bearer …' --json
//! skyport doctor http://127.0.0.1:8787/bench/mcp --call 'search_products={"query":"lamp"}'
//! ```
//!
//! ## Layout
//! - [`client`]: the MCP client (Streamable HTTP, legacy HTTP+SSE fallback).
//! - [`probe`]: the only I/O: list, read templates, make the allowed calls.
//! - [`checks`]: pure checks from the probe's snapshot to [`finding::Finding`]s.
//! - [`meta`] and [`csp`]: reading widget metadata; scanning HTML for origins.
//! - [`report`]: human and JSON output.
//!
//! Tools are never called unless asked with `--call`, except tools that
//! declare `readOnlyHint: true` and require no arguments (`--no-auto-call`
//! turns that off): a tool call may have side effects.

mod checks;
mod client;
mod csp;
mod finding;
mod meta;
mod probe;
mod report;

use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Args;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use client::ClientConfig;
use probe::CallPlan;
use report::Report;

/// Arguments of `skyport doctor`.
#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// The MCP endpoint, e.g. http://127.0.0.1:8787/greeter/mcp (a legacy SSE URL works too).
    url: String,
    /// Print the findings as JSON: {findings: [{severity, code, subject, message, fix}], errors, warnings}.
    #[arg(long)]
    json: bool,
    /// Seconds to wait for connecting and for each answer.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    timeout: u64,
    /// An extra request header, e.g. 'Authorization: Bearer TOKEN' (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Call TOOL with JSON arguments and check the result, e.g. 'search={"q":"x"}' (repeatable).
    /// Doctor calls no other tool, except read-only tools that need no arguments.
    #[arg(long = "call", value_name = "TOOL=JSON")]
    calls: Vec<String>,
    /// Do not call read-only, argument-free tools on your behalf.
    #[arg(long)]
    no_auto_call: bool,
}

/// Runs `skyport doctor`: prints the report; an `Err` (exit status 1) when
/// the report has errors or the arguments are unusable.
pub(crate) async fn run(args: DoctorArgs) -> anyhow::Result<()> {
    let url = parse_url(&args.url)?;
    let config = ClientConfig {
        url,
        timeout: Duration::from_secs(args.timeout.max(1)),
        headers: parse_headers(&args.headers)?,
    };
    let plan = CallPlan {
        explicit: args
            .calls
            .iter()
            .map(|c| parse_call(c))
            .collect::<anyhow::Result<_>>()?,
        auto_read_only: !args.no_auto_call,
    };
    let findings = match probe::probe(config, &plan).await {
        Ok(snapshot) => checks::run(&snapshot),
        Err(e) => vec![checks::init_failed(&args.url, &e)],
    };
    let report = Report::new(&args.url, findings);
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    if report.errors > 0 {
        bail!("doctor found {} (see the ERROR lines)", report.summary());
    }
    Ok(())
}

fn parse_url(raw: &str) -> anyhow::Result<Url> {
    let url = Url::parse(raw).with_context(|| {
        format!("{raw:?} is not a URL: give the full endpoint, e.g. http://127.0.0.1:8787/mcp")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!(
            "{raw:?} is not an http(s) URL: doctor speaks MCP over HTTP (for stdio servers, serve them over HTTP first)"
        );
    }
    Ok(url)
}

fn parse_headers(raw: &[String]) -> anyhow::Result<HeaderMap> {
    let mut map = HeaderMap::new();
    for h in raw {
        let (name, value) = h
            .split_once(':')
            .with_context(|| format!("--header {h:?} must look like 'Name: value'"))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .with_context(|| format!("--header {h:?}: {:?} is not a header name", name.trim()))?;
        let value = HeaderValue::from_str(value.trim()).with_context(|| {
            format!("--header {h:?}: the value has characters headers cannot carry")
        })?;
        map.append(name, value);
    }
    Ok(map)
}

fn parse_call(raw: &str) -> anyhow::Result<(String, Value)> {
    let (tool, json) = raw.split_once('=').with_context(|| {
        format!("--call {raw:?} must look like TOOL=JSON, e.g. search='{{\"q\":\"x\"}}'")
    })?;
    let args: Value = serde_json::from_str(json)
        .with_context(|| format!("--call {raw:?}: the arguments are not JSON"))?;
    if !args.is_object() {
        bail!("--call {raw:?}: the arguments must be a JSON object, e.g. {tool}={{}}");
    }
    Ok((tool.trim().to_owned(), args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_parse_tool_and_object_arguments() {
        let (t, a) = parse_call(r#"search={"q":"a=b"}"#).unwrap();
        assert_eq!(t, "search");
        assert_eq!(a["q"], "a=b");
        assert!(parse_call("search").is_err());
        assert!(parse_call("search=[1]").is_err());
        assert!(parse_call("search={").is_err());
    }

    #[test]
    fn headers_and_urls_are_checked() {
        let h = parse_headers(&["Authorization: Bearer a:b".into()]).unwrap();
        assert_eq!(h["authorization"], "Bearer a:b");
        assert!(parse_headers(&["nocolon".into()]).is_err());
        assert!(parse_url("ftp://x").is_err());
        assert!(parse_url("not a url").is_err());
        assert!(parse_url("http://127.0.0.1:1/mcp").is_ok());
    }
}
