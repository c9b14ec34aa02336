//! `--format json` (one document: tool, version, findings, stats, problems) and
//! `--format jsonl` (one finding per line, for streaming into other tools).

use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use crate::finding::Finding;
use crate::scan::{Problem, Stats};

#[derive(Serialize)]
struct Document<'a> {
    tool: &'static str,
    version: &'static str,
    findings: &'a [Finding],
    stats: &'a Stats,
    problems: &'a [Problem],
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        tool: "tokscan",
        version: env!("CARGO_PKG_VERSION"),
        findings: &report.outcome.findings,
        stats: &report.outcome.stats,
        problems: &report.outcome.problems,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

pub fn write_lines(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.outcome.findings {
        serde_json::to_writer(&mut *out, finding)?;
        writeln!(out)?;
    }
    Ok(())
}
