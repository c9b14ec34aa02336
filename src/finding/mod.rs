//! What the engine reports: one [`Finding`] per credential found, in the shape of the public
//! contract (`DESIGN.md`): the same names appear in JSON and under SARIF
//! `result.properties.tokscan`.
//!
//! Scope, stated use and agent reach are filled by later stages; what they cannot know stays
//! an honest unknown (`privilege: unknown`, `stated_use: null`), never a guess.

mod hints;
mod locate;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use locate::{fingerprint, locate, preview, KeepSecret, ALLOW_MARKER};

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

/// How much the token may do, from nothing to owning the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Privilege {
    None,
    Read,
    Write,
    Admin,
    Owner,
    Unknown,
}

/// The fixed capability vocabulary every provider's scopes map onto. Kept small on purpose:
/// it is what stated uses are compared with, so every word must mean the same for every
/// provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Read data and resources.
    Read,
    /// Create and change data and resources.
    Write,
    /// Destroy data or resources (databases, volumes, repositories, projects).
    Delete,
    /// Ship or run code, change infrastructure.
    Deploy,
    /// Manage members, permissions, tokens and settings.
    Admin,
    /// Read other secrets (environment variables, secret stores, CI variables).
    SecretsRead,
    /// Move money or change billing: charges, refunds, payouts, plans.
    Billing,
    /// Publish packages, images or releases that others install.
    Publish,
    /// Send messages or email in the owner's name.
    Send,
}

impl Capability {
    pub const ALL: [Capability; 9] = [
        Capability::Read,
        Capability::Write,
        Capability::Delete,
        Capability::Deploy,
        Capability::Admin,
        Capability::SecretsRead,
        Capability::Billing,
        Capability::Publish,
        Capability::Send,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Read => "read",
            Capability::Write => "write",
            Capability::Delete => "delete",
            Capability::Deploy => "deploy",
            Capability::Admin => "admin",
            Capability::SecretsRead => "secrets-read",
            Capability::Billing => "billing",
            Capability::Publish => "publish",
            Capability::Send => "send",
        }
    }

    /// Capabilities whose misuse cannot be undone by restoring data: the incident's class.
    pub fn is_destructive(self) -> bool {
        matches!(self, Capability::Delete | Capability::Deploy | Capability::Admin)
    }
}

/// How far the token reaches, narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Breadth {
    Resource,
    Environment,
    Project,
    Workspace,
    Account,
    Unknown,
}

impl Breadth {
    pub fn as_str(self) -> &'static str {
        match self {
            Breadth::Resource => "resource",
            Breadth::Environment => "environment",
            Breadth::Project => "project",
            Breadth::Workspace => "workspace",
            Breadth::Account => "account",
            Breadth::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScopeSource {
    Static,
    Introspected,
}

/// What the token can do: from its kind and what can be decoded offline (`static`), or from
/// its provider (`introspected`). Unknown is said as such, with how to learn it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scope {
    pub source: ScopeSource,
    pub privilege: Privilege,
    pub capabilities: Vec<Capability>,
    pub breadth: Breadth,
    /// `production`, `test`: where the token acts, when the token says so.
    pub environments: Vec<String>,
    /// Provider scopes as the provider names them.
    pub raw: Vec<String>,
    /// When the scope is not known offline: how to learn it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learn: Option<String>,
}

impl Scope {
    pub fn unknown() -> Scope {
        Scope {
            source: ScopeSource::Static,
            privilege: Privilege::Unknown,
            capabilities: Vec::new(),
            breadth: Breadth::Unknown,
            environments: Vec::new(),
            raw: Vec::new(),
            learn: None,
        }
    }

    pub fn is_known(&self) -> bool {
        self.privilege != Privilege::Unknown
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatedUse {
    /// Where it was learned, most trusted first: `config`, `name` (the token's name at its
    /// provider, from `--introspect`), `comment`, `variable`, `path`.
    pub source: String,
    /// The words that state it, as written there.
    pub text: String,
    /// The capabilities the purpose needs (empty: none at all); null when a declared purpose
    /// maps to nothing known, so no excess can be computed.
    pub needs: Option<Vec<Capability>>,
    /// The narrowest breadth the purpose needs, when the purpose says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breadth: Option<Breadth>,
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
    /// The raw secret for `--introspect` to send to its provider: set only when
    /// introspection is on, and never serialized, whatever the format.
    #[serde(skip)]
    pub raw_secret: Option<String>,
    pub fingerprint: String,
    pub confidence: Confidence,
    pub checksum: ChecksumStatus,
    pub scope: Scope,
    pub stated_use: Option<StatedUse>,
    /// Capabilities the token has beyond its stated use, and `breadth:<breadth>` when it
    /// reaches wider than the use needs.
    pub excess: Vec<String>,
    pub overprivileged: bool,
    pub reachable_by: Vec<Reach>,
    pub live: Option<bool>,
    pub severity: Severity,
    /// Facts decoded offline from the token itself (JWT claims, macaroon caveats, embedded
    /// account ids; keys documented in `decode`, unverified claims) and, with `--introspect`,
    /// what its provider said: `introspection` (`live`, `rejected` or `failed: <why>`), the
    /// owner (redacted), the token's `name`, `expires`, ...
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, String>,
    /// The least-privileged token that would do the stated job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<String>,
    /// What the lines around the token say about its purpose, gathered while the file is at
    /// hand for the stated-use stage. Not part of the machine-readable contract.
    #[serde(skip)]
    pub hints: UseHints,
    /// For a token inside an archive (`path` is `bundle.zip!config/.env`): the file on disk
    /// that holds it (`bundle.zip`), which is what agents can reach and what SARIF points at.
    #[serde(skip)]
    pub container: Option<String>,
    /// Where in git history the token came from (`--diff`, `--history`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitOrigin>,
    /// The lines around the secret, already redacted, for code frames. Not part of the
    /// machine-readable contract.
    #[serde(skip)]
    pub excerpt: Option<Excerpt>,
}

/// Evidence of a token's purpose found next to it in its file, or (its name) at its provider.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UseHints {
    /// The variable or key the token is assigned to (`RAILWAY_API_TOKEN`, `api_key`).
    pub variable: Option<String>,
    /// Comments on the token's line and the three lines above it, nearest first.
    pub comments: Vec<String>,
    /// The token's own name at its provider, learned by `--introspect`.
    pub name: Option<String>,
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

    /// The file on disk the finding is in: the archive for an archive member, else `path`.
    pub fn file_path(&self) -> &str {
        self.container.as_deref().unwrap_or(&self.path)
    }
}
