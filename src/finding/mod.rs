//! What the engine reports: one [`Finding`] per credential found, in the shape of the public
//! contract (`DESIGN.md`): the same names appear in JSON and under SARIF
//! `result.properties.tokscan`.
//!
//! Scope, stated use and agent reach are filled by later stages; until they exist, a finding
//! carries honest unknowns (`privilege: unknown`, `stated_use: null`, `reachable_by: []`),
//! never guesses.

mod locate;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use locate::{fingerprint, locate, preview, ALLOW_MARKER};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity `{s}` (critical, high, medium, low, info)"))
    }
}

/// How sure the rule is that a match is a real credential of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// Whether the token's built-in checksum was verified. Failing tokens are never reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChecksumStatus {
    Valid,
    Invalid,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Privilege {
    None,
    Read,
    Write,
    Admin,
    Owner,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScopeSource {
    Static,
    Introspected,
}

/// What the token can do. Until the scope stage exists every field says "not known".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scope {
    pub source: ScopeSource,
    pub privilege: Privilege,
    pub capabilities: Vec<String>,
    pub breadth: String,
    pub environments: Vec<String>,
    pub raw: Vec<String>,
}

impl Scope {
    pub fn unknown() -> Scope {
        Scope {
            source: ScopeSource::Static,
            privilege: Privilege::Unknown,
            capabilities: Vec::new(),
            breadth: "unknown".to_owned(),
            environments: Vec::new(),
            raw: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatedUse {
    pub source: String,
    pub text: String,
    pub needs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reach {
    pub agent: String,
    pub channel: String,
    pub blocked_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub provider: String,
    pub kind: String,
    pub description: String,
    /// Relative to the scan root, forward slashes.
    pub path: String,
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub end_line: usize,
    /// 1-based and exclusive (the column after the secret's last character), as in SARIF.
    pub end_column: usize,
    pub secret_preview: String,
    /// The raw secret: only with `--no-redact`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub fingerprint: String,
    pub confidence: Confidence,
    pub checksum: ChecksumStatus,
    pub scope: Scope,
    pub stated_use: Option<StatedUse>,
    pub excess: Vec<String>,
    pub overprivileged: bool,
    pub reachable_by: Vec<Reach>,
    pub live: Option<bool>,
    pub severity: Severity,
    /// Where in git history the token came from (`--diff`, `--history`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitOrigin>,
    /// The lines around the secret, already redacted, for code frames. Not part of the
    /// machine-readable contract.
    #[serde(skip)]
    pub excerpt: Option<Excerpt>,
}

/// The commit that introduced a token found in git history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitOrigin {
    pub commit: String,
    /// The commit's author date, ISO 8601 with offset.
    pub author_date: String,
    /// `--diff`: added and removed again within the range — not in HEAD, but in history.
    pub removed_in_range: bool,
}

/// A few lines of source around a finding with the secret replaced by its preview.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Excerpt {
    /// The 1-based line number of the excerpt's first line.
    pub first_line: usize,
    pub text: String,
    /// Where the (redacted) secret sits in `text`.
    pub span: std::ops::Range<usize>,
}

impl Finding {
    /// The order every report uses: by place in the tree, so output is deterministic.
    pub fn location_key(&self) -> (&str, usize, usize, &str) {
        (&self.path, self.line, self.column, &self.rule)
    }
}
