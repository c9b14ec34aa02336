//! `--format human`: each finding as a miette code frame (the secret replaced by its
//! preview), most severe first, then one summary line.

use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::Report;
use crate::finding::{Breadth, Excerpt, Finding, Privilege, ScopeSource, Severity};
use crate::scan::Stats;

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let theme = if report.styled {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::none()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(110)
        .with_context_lines(1);
    let mut ordered: Vec<&Finding> = report.outcome.findings.iter().collect();
    ordered.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location_key().cmp(&b.location_key()))
    });
    for finding in ordered {
        let rule = report.rules.rules.iter().find(|r| r.id == finding.rule);
        // The first sentence of the provider's advice; SARIF carries all of it.
        let help = rule
            .map(|r| report.rules.provider(r).remediation.trim())
            .and_then(|text| text.split(". ").next())
            .map_or_else(
                || "Revoke the token and load it from a secret store instead.".to_owned(),
                |s| format!("{}.", s.trim_end_matches('.')),
            );
        let excerpt = finding.excerpt.clone().unwrap_or_default();
        let mut label = format!(
            "{} · {} · fingerprint {}",
            finding.secret_preview, finding.rule, finding.fingerprint
        );
        if let Some(git) = &finding.git {
            label.push_str(&format!(" · added in {}", short_commit(&git.commit)));
            if git.removed_in_range {
                label.push_str(", removed later in this range (still in history)");
            }
        }
        let diagnostic = MietteDiagnostic::new(format!("[{}] {}", finding.severity, finding.description))
            .with_code(format!("{}/{}", finding.provider, finding.kind))
            .with_severity(match finding.severity {
                Severity::Critical | Severity::High => miette::Severity::Error,
                Severity::Medium | Severity::Low => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            })
            .with_help(help)
            .with_label(LabeledSpan::new_primary_with_span(
                Some(label),
                SourceSpan::from(excerpt.span.clone()),
            ));
        let report = miette::Report::new(diagnostic).with_source_code(Frame {
            name: finding.path.clone(),
            excerpt,
        });
        let mut rendered = String::new();
        if handler.render_report(&mut rendered, report.as_ref()).is_err() {
            rendered = format!(
                "{}:{}:{}: {}\n",
                finding.path, finding.line, finding.column, finding.description
            );
        }
        write!(out, "{rendered}")?;
        for (name, value) in assessment(finding) {
            writeln!(out, "  {name:<11} {value}")?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(&report.outcome.stats, report.styled))
}

/// The lines under a finding that say what the token can do, what it is for and the gap.
fn assessment(finding: &Finding) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    let scope = &finding.scope;
    let scope_line = if scope.is_known() {
        let mut text = format!("{}, {}", privilege(scope.privilege), breadth(scope.breadth));
        if !scope.capabilities.is_empty() {
            text.push_str(": ");
            text.push_str(&join(scope.capabilities.iter().map(|c| c.as_str())));
        }
        if !scope.environments.is_empty() {
            text.push_str(&format!(" ({})", scope.environments.join(", ")));
        }
        if scope.source == ScopeSource::Introspected && finding.live == Some(true) {
            text.push_str(" [from the provider]");
        }
        text
    } else {
        match &scope.learn {
            Some(learn) => format!("unknown: {learn}"),
            None => "unknown".to_owned(),
        }
    };
    lines.push(("scope:", scope_line));
    // What the token says about itself, most telling facts first, on one line.
    let facts = key_facts(finding);
    if !facts.is_empty() {
        lines.push(("decoded:", facts));
    }
    if let Some(line) = provider_line(finding) {
        lines.push(("provider:", line));
    }
    if let Some(stated) = &finding.stated_use {
        let needs = match &stated.needs {
            Some(needs) if needs.is_empty() => "needs no API access".to_owned(),
            Some(needs) => format!("needs {}", join(needs.iter().map(|c| c.as_str()))),
            None => "needs unknown (not in the purpose lexicon)".to_owned(),
        };
        lines.push((
            "stated use:",
            format!("\"{}\" ({}) → {needs}", stated.text, stated.source),
        ));
    }
    if finding.overprivileged {
        let needed = finding.stated_use.as_ref().and_then(|s| s.breadth);
        let excess = finding
            .excess
            .iter()
            .map(|item| match (item.strip_prefix("breadth:"), needed) {
                (Some(wide), Some(needed)) => format!("{wide}-wide where {}-wide would do", needed.as_str()),
                _ => item.clone(),
            });
        lines.push(("excess:", excess.collect::<Vec<_>>().join(", ")));
    }
    if let Some(alternative) = &finding.alternative {
        lines.push(("instead:", alternative.clone()));
    }
    if !finding.reachable_by.is_empty() {
        lines.push(("reachable:", crate::reach::summary(&finding.reachable_by)));
    }
    lines
}

/// What `--introspect` learned: live or rejected, and who and what the token is.
fn provider_line(finding: &Finding) -> Option<String> {
    let facts = &finding.facts;
    match finding.live {
        Some(true) => {
            let details: Vec<String> = [("owner", "owner"), ("name", "named"), ("expires", "expires")]
                .iter()
                .filter_map(|(key, label)| facts.get(*key).map(|v| format!("{label} {v}")))
                .collect();
            Some(if details.is_empty() {
                "live".to_owned()
            } else {
                format!("live, {}", details.join(", "))
            })
        }
        Some(false) => Some("rejected the token: revoked, expired or never valid".to_owned()),
        None => facts
            .get("introspection")
            .and_then(|v| v.strip_prefix("failed: "))
            .map(|why| format!("not reached ({why})")),
    }
}

fn privilege(privilege: Privilege) -> &'static str {
    match privilege {
        Privilege::None => "no API access",
        Privilege::Read => "read",
        Privilege::Write => "write",
        Privilege::Admin => "admin",
        Privilege::Owner => "owner",
        Privilege::Unknown => "unknown",
    }
}

fn breadth(breadth: Breadth) -> String {
    match breadth {
        Breadth::Unknown => "reach unknown".to_owned(),
        known => format!("{}-wide", known.as_str()),
    }
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// The decoded facts worth a glance in a code frame, in a stable order.
fn key_facts(finding: &Finding) -> String {
    const ORDER: [&str; 13] = [
        "role",
        "token_scope",
        "projects",
        "scope",
        "key_type",
        "account_id",
        "org",
        "region",
        "config",
        "token_type",
        "issuer",
        "expires",
        "expired",
    ];
    ORDER
        .iter()
        .filter_map(|k| finding.facts.get(*k).map(|v| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn short_commit(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// An excerpt as miette source code, numbered with the file's own line numbers.
struct Frame {
    name: String,
    excerpt: Excerpt,
}

impl SourceCode for Frame {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .excerpt
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.excerpt.first_line.saturating_sub(1),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// "3 findings (1 critical, 2 high) in 120 files (1.2 MiB) in 0.04s; 2 suppressed; ..."
pub fn summary_line(stats: &Stats, styled: bool) -> String {
    let paint = |code: &str, text: String| {
        if styled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text
        }
    };
    let mut line = if stats.findings == 0 {
        paint("1;32", "No findings".to_owned())
    } else {
        let parts: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|sev| stats.by_severity.get(sev).map(|n| (sev, n)))
            .map(|(sev, n)| {
                let code = match sev {
                    Severity::Critical => "1;31",
                    Severity::High => "31",
                    Severity::Medium => "33",
                    Severity::Low => "36",
                    Severity::Info => "2",
                };
                paint(code, format!("{n} {sev}"))
            })
            .collect();
        format!(
            "{} ({})",
            paint(
                "1",
                format!("{} finding{}", stats.findings, plural(stats.findings))
            ),
            parts.join(", ")
        )
    };
    line.push_str(&format!(
        " in {} file{} ({}) in {:.2}s",
        stats.files_scanned,
        plural(stats.files_scanned),
        bytes(stats.bytes_scanned),
        stats.duration_ms as f64 / 1000.0
    ));
    let suppressed = stats.suppressed_inline + stats.suppressed_config + stats.suppressed_baseline;
    let mut extras = Vec::new();
    if suppressed > 0 {
        extras.push(format!("{suppressed} suppressed"));
    }
    for path in &stats.changed_in_range {
        extras.push(paint(
            "1;33",
            format!("{path} changed in this range (the base's was used)"),
        ));
    }
    if !stats.stale_baseline.is_empty() {
        extras.push(format!("{} stale baseline entries", stats.stale_baseline.len()));
    }
    for (count, what) in [
        (stats.skipped_binary, "binary"),
        (stats.skipped_too_large, "too large"),
        (stats.skipped_symlinks, "symlinks not followed"),
        (stats.symlink_loops, "symlink loops"),
        (stats.skipped_special, "not regular files"),
        (stats.skipped_archive_limit, "archive limits"),
        (stats.archive_errors, "archive damage"),
    ] {
        if count > 0 {
            extras.push(format!("{count} skipped ({what})"));
        }
    }
    if stats.unreadable > 0 {
        extras.push(paint("1;31", format!("{} unreadable", stats.unreadable)));
    }
    if let Some(asked) = &stats.introspection {
        extras.push(format!(
            "{} token{} asked about: {} live, {} rejected, {} not reached",
            asked.asked,
            plural(asked.asked),
            asked.live,
            asked.rejected,
            asked.unreachable
        ));
    }
    for extra in extras {
        line.push_str("; ");
        line.push_str(&extra);
    }
    line
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
