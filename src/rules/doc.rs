//! The rules described for people: `tokscan rules list` (a table, Markdown or JSON) and
//! `tokscan rules explain ID`. `RULES.md` is the Markdown listing of the built-in rules,
//! generated from the rule data so that the documentation cannot drift from it; a test
//! fails when it is out of date.
//!
//! This module only renders; it never changes a rule.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Rule, RuleSet};

/// How `RULES.md` is regenerated; printed in the file and by the test that checks it.
pub const REGENERATE: &str = "cargo run -q -- rules list --format markdown > RULES.md";

/// The filters a rule applies beyond its regex, in words: `checksum crc32-base62`,
/// `entropy ≥ 3.5`, `context`, `paths`, `decode jwt`, `public`.
pub fn checks(rule: &Rule) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(checksum) = rule.checksum {
        out.push(format!("checksum {}", checksum.name()));
    }
    if let Some(min) = rule.min_entropy {
        out.push(format!("entropy ≥ {min}"));
    }
    if rule.context_pattern.is_some() {
        out.push("context".to_owned());
    }
    if !rule.paths.is_empty() {
        out.push("paths".to_owned());
    }
    if let Some(decoder) = rule.decoder {
        out.push(format!("decode {decoder}"));
    }
    if rule.public {
        out.push("public".to_owned());
    }
    out
}

/// One line per rule, aligned: id, provider, kind, severity, confidence, description.
pub fn table(rules: &RuleSet) -> String {
    let rows: Vec<[String; 6]> = rules
        .rules
        .iter()
        .map(|r| {
            [
                r.id.clone(),
                rules.provider(r).id.clone(),
                r.kind.clone(),
                r.severity.to_string(),
                r.confidence.as_str().to_owned(),
                r.description.clone(),
            ]
        })
        .collect();
    let header = ["RULE", "PROVIDER", "KIND", "SEVERITY", "CONFIDENCE", "WHAT IT IS"].map(str::to_owned);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter().zip(row) {
            let _ = write!(out, "{cell:<w$}  ");
        }
        out.push_str(&row[5]);
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\n{} rules for {} providers",
        rules.rules.len(),
        rules.providers.len()
    );
    out
}

#[derive(Serialize)]
struct RuleJson<'a> {
    id: &'a str,
    provider: &'a str,
    kind: &'a str,
    description: &'a str,
    severity: String,
    confidence: &'a str,
    checks: Vec<String>,
    keywords: &'a [String],
    examples: usize,
    negative_examples: usize,
    references: &'a [String],
}

/// The rules as a JSON array, one object per rule.
pub fn json(rules: &RuleSet) -> String {
    let items: Vec<RuleJson<'_>> = rules
        .rules
        .iter()
        .map(|r| RuleJson {
            id: &r.id,
            provider: &rules.provider(r).id,
            kind: &r.kind,
            description: &r.description,
            severity: r.severity.to_string(),
            confidence: r.confidence.as_str(),
            checks: checks(r),
            keywords: &r.keywords,
            examples: r.examples.len(),
            negative_examples: r.negative_examples.len(),
            references: &r.references,
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned()) + "\n"
}

/// `RULES.md`: one section per provider (sorted by id), a table of its rules, and the
/// references they cite. Neither regexes nor examples appear, so the file holds nothing
/// token-shaped.
pub fn markdown(rules: &RuleSet) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# tokscan rules\n");
    let _ = writeln!(
        out,
        "<!-- Generated from rules/providers/*.toml; do not edit. Regenerate with:\n     {REGENERATE} -->\n"
    );
    let _ = writeln!(
        out,
        "{} rules for {} providers. Severity is the rule's own; the scope stage may raise or lower it \
         for a finding. Checks: `checksum` (the token's built-in checksum must verify), `entropy` \
         (minimum Shannon bits per byte), `context` (a variable or key name must sit on the line), \
         `paths` (only some files), `decode` (facts read from the token offline), `public` \
         (public by design: reported only with `--include-public`, at `info`). \
         `tokscan rules explain ID` shows a rule's keywords, regex and remediation.\n",
        rules.rules.len(),
        rules.providers.len()
    );
    let mut providers: Vec<usize> = (0..rules.providers.len()).collect();
    providers.sort_by(|&a, &b| rules.providers[a].id.cmp(&rules.providers[b].id));
    for index in providers {
        let provider = &rules.providers[index];
        let members: Vec<&Rule> = rules.rules.iter().filter(|r| r.provider == index).collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {} (`{}`)\n", provider.name, provider.id);
        let _ = writeln!(
            out,
            "| Rule | Kind | What it is | Severity | Confidence | Checks |"
        );
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
        for rule in &members {
            let checks = checks(rule).join(", ");
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} |",
                rule.id,
                rule.kind,
                cell(&rule.description),
                rule.severity,
                rule.confidence.as_str(),
                if checks.is_empty() {
                    "—".to_owned()
                } else {
                    cell(&checks)
                }
            );
        }
        let mut references: Vec<&str> = members
            .iter()
            .flat_map(|r| r.references.iter().map(String::as_str))
            .collect();
        references.sort_unstable();
        references.dedup();
        if !references.is_empty() {
            let _ = writeln!(out, "\nReferences:\n");
            for reference in references {
                let _ = writeln!(out, "- <{reference}>");
            }
        }
        out.push('\n');
    }
    out
}

/// A table cell: pipes escaped, on one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Everything about one rule, for `tokscan rules explain ID`.
pub fn explain(rules: &RuleSet, rule: &Rule) -> String {
    let provider = rules.provider(rule);
    let checks = checks(rule);
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}\n", rule.id, rule.description);
    let fields = [
        ("provider", format!("{} ({})", provider.name, provider.id)),
        ("kind", rule.kind.clone()),
        ("severity", rule.severity.to_string()),
        ("confidence", rule.confidence.as_str().to_owned()),
        ("keywords", rule.keywords.join(", ")),
        ("regex", rule.pattern.clone()),
        (
            "checks",
            if checks.is_empty() {
                "none beyond the regex and the placeholder filter".to_owned()
            } else {
                checks.join(", ")
            },
        ),
        (
            "examples",
            format!(
                "{} (and {} negative examples)",
                rule.examples.len(),
                rule.negative_examples.len()
            ),
        ),
        ("from", rule.origin.clone()),
    ];
    for (name, value) in fields {
        let _ = writeln!(out, "{name:>10}: {value}");
    }
    if !rule.references.is_empty() {
        let _ = writeln!(out, "\nreferences:");
        for reference in &rule.references {
            let _ = writeln!(out, "  {reference}");
        }
    }
    let _ = writeln!(out, "\nremediation:\n{}", indent(provider.remediation.trim()));
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("  {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
