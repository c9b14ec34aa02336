//! `--format human`: each finding as a miette code frame (the secret replaced by its
//! preview), most severe first, then one summary line.

use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::Report;
use crate::finding::{Excerpt, Finding, Severity};
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
        writeln!(out, "{rendered}")?;
    }
    writeln!(out, "{}", summary_line(&report.outcome.stats, report.styled))
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
    ] {
        if count > 0 {
            extras.push(format!("{count} skipped ({what})"));
        }
    }
    if stats.unreadable > 0 {
        extras.push(paint("1;31", format!("{} unreadable", stats.unreadable)));
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
