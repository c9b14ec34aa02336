//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning consumes it — one run, the rules
//! that have results with help on rotating and narrowing the token, numeric-string
//! `security-severity`, repo-relative URIs, 1-based regions, and our own content-based
//! `partialFingerprints["tokscan/v1"]` (GitHub computes its line hash itself).
//!
//! Written with serde_json rather than a generated SARIF model: the subset is small, and a
//! test validates the output against the official schema.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{json, Value};

use super::Report;
use crate::finding::{Confidence, Finding, Severity};
use crate::rules::Rule;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/tokscan/tokscan";

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let rules = report.rules;
    let by_id: BTreeMap<&str, &Rule> = rules.rules.iter().map(|r| (r.id.as_str(), r)).collect();
    // Only the rules that have results, in a stable order, so indexes are deterministic.
    let mut used: Vec<&Rule> = report
        .outcome
        .findings
        .iter()
        .filter_map(|f| by_id.get(f.rule.as_str()).copied())
        .collect();
    used.sort_by(|a, b| a.id.cmp(&b.id));
    used.dedup_by(|a, b| a.id == b.id);
    let index: BTreeMap<&str, usize> = used.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();

    // Code scanning rates alerts by their rule's security-severity, while tokscan rates each
    // finding: a rule carries the most severe of its findings in this run.
    let mut worst: BTreeMap<&str, Severity> = BTreeMap::new();
    for f in &report.outcome.findings {
        let entry = worst.entry(f.rule.as_str()).or_insert(f.severity);
        *entry = (*entry).max(f.severity);
    }
    let descriptors: Vec<Value> = used
        .iter()
        .map(|rule| {
            let severity = worst.get(rule.id.as_str()).copied().unwrap_or(rule.severity);
            let provider = rules.provider(rule);
            let mut markdown = format!(
                "**{}** ({} `{}` token).\n\n{}\n",
                rule.description, provider.name, rule.kind, provider.remediation
            );
            if !rule.references.is_empty() {
                markdown.push_str("\nReferences:\n");
                for reference in &rule.references {
                    markdown.push_str(&format!("- <{reference}>\n"));
                }
            }
            json!({
                "id": rule.id,
                "name": rule.id,
                "shortDescription": { "text": rule.description },
                "fullDescription": {
                    "text": format!("{} found in the workspace. A leaked {} credential can be used by anyone (or any agent) who reads it.", rule.description, provider.name)
                },
                "help": { "text": markdown, "markdown": markdown },
                "defaultConfiguration": { "level": level(severity) },
                "properties": {
                    "tags": ["security", "secret", provider.id],
                    "precision": precision(rule.confidence),
                    "security-severity": security_severity(severity),
                }
            })
        })
        .collect();

    let results: Vec<Value> = report
        .outcome
        .findings
        .iter()
        .map(|f| {
            let mut properties = serde_json::to_value(f).unwrap_or(Value::Null);
            json!({
                "ruleId": f.rule,
                "ruleIndex": index.get(f.rule.as_str()).copied().unwrap_or(0),
                "level": level(f.severity),
                "message": { "text": message(f) },
                "locations": [location(f)],
                "partialFingerprints": { "tokscan/v1": f.fingerprint },
                "properties": { "tokscan": properties.take() }
            })
        })
        .collect();

    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "tokscan",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": descriptors,
                }
            },
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// Where the result is. A token inside an archive points at the archive file (the artifact
/// code scanning knows), at its first line since the member's lines are not the archive's;
/// the member is named by a logical location and in the message.
fn location(f: &Finding) -> Value {
    match &f.container {
        None => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&f.path) },
                "region": {
                    "startLine": f.line,
                    "startColumn": f.column,
                    "endLine": f.end_line,
                    "endColumn": f.end_column.max(1),
                }
            }
        }),
        Some(container) => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri(container) },
                "region": { "startLine": 1 }
            },
            "logicalLocations": [{
                "name": f.path.rsplit('!').next().unwrap_or(&f.path),
                "fullyQualifiedName": f.path,
                "kind": "resource",
            }]
        }),
    }
}

/// One paragraph: what was found, and when known, what it can do beyond its stated use.
fn message(f: &Finding) -> String {
    let mut text = format!(
        "{} {} ({} severity, fingerprint {}).",
        f.description, f.secret_preview, f.severity, f.fingerprint
    );
    if f.container.is_some() {
        text.push_str(&format!(
            " Inside an archive: {} line {}, column {}.",
            f.path, f.line, f.column
        ));
    }
    if let (true, Some(stated)) = (f.overprivileged, &f.stated_use) {
        text.push_str(&format!(
            " Over-privileged for its stated use \"{}\" ({}): it can also {}.",
            stated.text,
            stated.source,
            f.excess.join(", ")
        ));
    }
    if let Some(alternative) = &f.alternative {
        text.push_str(&format!(" Use instead: {alternative}."));
    }
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn precision(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::High => "very-high",
        Confidence::Medium => "high",
        Confidence::Low => "medium",
    }
}

/// GitHub's bands: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.5",
    }
}

/// A relative URI reference: path segments percent-encoded, `/` kept.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uri_encodes_spaces_and_keeps_slashes() {
        assert_eq!(uri("a dir/b#c.env"), "a%20dir/b%23c.env");
    }
}
