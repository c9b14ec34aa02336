//! The on-disk shape of a rule pack (`rules/providers/*.toml`, or a file given with `--rules`).
//!
//! Only deserialisation lives here; compiling and validating a pack is `rules::compile`.
//! Every table rejects unknown keys, so a typo in a pack is an error rather than a rule that
//! silently never fires.

use serde::Deserialize;
use toml::Spanned;

use crate::finding::{Confidence, Severity};

/// One provider family: its identity, the advice shown with its findings, and its rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    pub provider: ProviderDef,
    #[serde(default)]
    pub rule: Vec<Spanned<RuleDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderDef {
    /// Lowercase, one word: `github`, `railway`, `digitalocean`.
    pub id: Spanned<String>,
    /// The name people know it by: `GitHub`, `DigitalOcean`.
    pub name: String,
    /// Markdown: how to rotate a leaked token and replace it with a narrower one.
    pub remediation: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: Spanned<String>,
    pub kind: String,
    pub description: String,
    /// Literal strings, matched case-insensitively, one of which must occur near a match.
    pub keywords: Spanned<Vec<String>>,
    /// A regex with a named `secret` capture.
    pub regex: Spanned<String>,
    #[serde(default)]
    pub min_entropy: Option<f64>,
    #[serde(default)]
    pub checksum: Option<Spanned<String>>,
    /// The offline decoder whose facts go into the finding (`jwt`, `pypi-macaroon`, …; see
    /// `decode`).
    #[serde(default)]
    pub decode: Option<Spanned<String>>,
    /// Public by design (a publishable key): reported only with `--include-public`, at `info`.
    #[serde(default)]
    pub public: bool,
    /// A regex that must match the line(s) holding the match, for tokens with no prefix.
    #[serde(default)]
    pub context: Option<Spanned<String>>,
    /// Globs; when present the rule only looks at files whose path matches one of them.
    #[serde(default)]
    pub paths: Option<Spanned<Vec<String>>>,
    /// How many bytes after a keyword a match may end (default 1 KiB; PEM blocks need more).
    #[serde(default)]
    pub window: Option<usize>,
    pub confidence: Confidence,
    pub severity: Severity,
    pub examples: Vec<Example>,
    pub negative_examples: Vec<Example>,
    #[serde(default)]
    pub references: Vec<String>,
}

/// An example is a template (see `synth`), optionally with the path it must be found under.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Example {
    Text(String),
    InFile { path: String, text: String },
}

impl Example {
    pub fn text(&self) -> &str {
        match self {
            Example::Text(text) | Example::InFile { text, .. } => text,
        }
    }

    pub fn path(&self) -> &str {
        match self {
            Example::Text(_) => "example.txt",
            Example::InFile { path, .. } => path,
        }
    }
}

/// `rules/placeholders.toml`: values that are never real secrets.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceholderFile {
    /// Case-insensitive substrings that mark a value as a placeholder.
    pub contains: Vec<String>,
    /// Whole values (case-insensitive) that are stock defaults, not secrets.
    pub exact: Vec<String>,
}

/// `rules/credential-files.toml`: file names that mark a credential store.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialFileList {
    /// Globs matched against the file name (and against the path when they contain a `/`).
    pub globs: Vec<String>,
}
