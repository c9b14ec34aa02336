//! Baselines: a JSON file of accepted findings, so a team can adopt tokscan on a tree with
//! known findings and be told only about new ones. An entry is matched by fingerprint and
//! path, never by line, so edits around a known token do not resurface it; a known token
//! copied to a new file does. No secret is stored in it.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, FileError, Result};
use crate::finding::Finding;

const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub path: String,
    pub rule: String,
    /// Where it was when the baseline was written; informative only.
    pub line: usize,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    tool: String,
    version: u32,
    findings: Vec<BaselineEntry>,
}

#[derive(Debug, Default)]
pub struct Baseline {
    entries: Vec<BaselineEntry>,
}

/// What applying a baseline did.
#[derive(Debug, Default)]
pub struct Applied {
    pub suppressed: usize,
    /// Entries that matched nothing: the token was removed or rotated, and the entry can go.
    pub stale: Vec<BaselineEntry>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline> {
        let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Baseline::parse(&text, &path.display().to_string())
    }

    /// A baseline from `text`, named `shown` in errors (for `--diff`: the file as it is in
    /// the base commit).
    pub fn parse(text: &str, shown: &str) -> Result<Baseline> {
        let file: BaselineFile = serde_json::from_str(text).map_err(|e| {
            let offset = offset_of(text, e.line(), e.column());
            FileError::new("baseline", shown, text, Some(offset..offset), e.to_string())
                .with_help("write a fresh one with --write-baseline FILE")
        })?;
        if file.tool != "tokscan" || file.version != FORMAT_VERSION {
            return Err(FileError::new(
                "baseline",
                shown,
                text,
                None,
                format!("not a tokscan baseline of version {FORMAT_VERSION}"),
            )
            .into());
        }
        Ok(Baseline {
            entries: file.findings,
        })
    }

    pub fn write(path: &Path, findings: &[Finding]) -> Result<()> {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                path: f.path.clone(),
                rule: f.rule.clone(),
                line: f.line,
            })
            .collect();
        entries.sort_by(|a, b| (&a.path, a.line, &a.fingerprint).cmp(&(&b.path, b.line, &b.fingerprint)));
        entries.dedup();
        let file = BaselineFile {
            tool: "tokscan".to_owned(),
            version: FORMAT_VERSION,
            findings: entries,
        };
        let mut json = serde_json::to_string_pretty(&file).expect("baseline entries serialise");
        json.push('\n');
        fs::write(path, json).map_err(|source| Error::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// Removes findings the baseline knows from `findings`.
    pub fn apply(&self, findings: &mut Vec<Finding>) -> Applied {
        let known: HashSet<(&str, &str)> = self
            .entries
            .iter()
            .map(|e| (e.fingerprint.as_str(), e.path.as_str()))
            .collect();
        let mut used: HashSet<(String, String)> = HashSet::new();
        let before = findings.len();
        findings.retain(|f| {
            if known.contains(&(f.fingerprint.as_str(), f.path.as_str())) {
                used.insert((f.fingerprint.clone(), f.path.clone()));
                false
            } else {
                true
            }
        });
        let stale = self
            .entries
            .iter()
            .filter(|e| !used.contains(&(e.fingerprint.clone(), e.path.clone())))
            .cloned()
            .collect();
        Applied {
            suppressed: before - findings.len(),
            stale,
        }
    }
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}
