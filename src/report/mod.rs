//! Reports: the findings of a scan rendered for people (miette code frames) or machines
//! (JSON, JSON Lines, SARIF 2.1.0, GitHub workflow annotations). One file per format.
//! Every format shows the redacted preview; the raw secret appears only when the scan kept it
//! (`--no-redact`).

mod github;
mod human;
mod json;
pub mod reach;
mod sarif;

use std::io::{self, Write};
use std::str::FromStr;

use crate::rules::RuleSet;
use crate::scan::ScanOutcome;

pub use human::summary_line;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Jsonl,
    Sarif,
    Github,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "jsonl" => Ok(Format::Jsonl),
            "sarif" => Ok(Format::Sarif),
            "github" => Ok(Format::Github),
            other => Err(format!(
                "unknown format `{other}` (human, json, jsonl, sarif, github)"
            )),
        }
    }
}

/// Everything a report may draw on.
pub struct Report<'a> {
    pub rules: &'a RuleSet,
    pub outcome: &'a ScanOutcome,
    /// Colour and Unicode for a terminal (human format only).
    pub styled: bool,
}

impl Report<'_> {
    pub fn write(&self, format: Format, out: &mut dyn Write) -> io::Result<()> {
        match format {
            Format::Human => human::write(self, out),
            Format::Json => json::write(self, out),
            Format::Jsonl => json::write_lines(self, out),
            Format::Sarif => sarif::write(self, out),
            Format::Github => github::write(self, out),
        }
    }
}
