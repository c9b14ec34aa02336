//! The on-disk shape of a rule pack (`rules/providers/*.toml`, or a file given with `--rules`).
//!
//! Only deserialisation lives here; compiling and validating a pack is `rules::compile`.
//! Every table rejects unknown keys, so a typo in a pack is an error rather than a rule that
//! silently never fires.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::finding::{Breadth, Capability, Confidence, Privilege, Severity};

/// One provider family: its identity, the advice shown with its findings, and its rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    pub provider: ProviderDef,
    #[serde(default)]
    pub rule: Vec<Spanned<RuleDef>>,
    /// What each token kind of this provider can do, known offline.
    #[serde(default)]
    pub kind: Vec<Spanned<KindDef>>,
    /// The provider's own scope names mapped onto the capability vocabulary.
    #[serde(default)]
    pub scopes: BTreeMap<String, Vec<Capability>>,
}

/// The static scope of one token kind (`[[kind]]`). A kind whose scope is chosen when the
/// token is created and is not visible in the token says so with `privilege = "unknown"` and
/// `learn`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindDef {
    /// The `kind` of the rules this describes.
    pub id: String,
    /// Decoded facts that must all hold for this entry (`{ token_scope = "project" }`);
    /// entries with `when` are tried before the plain one.
    #[serde(default)]
    pub when: BTreeMap<String, String>,
    pub privilege: Privilege,
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    pub breadth: Breadth,
    #[serde(default)]
    pub environments: Vec<String>,
    /// How to learn the scope when it is not known offline.
    #[serde(default)]
    pub learn: Option<String>,
    /// The least-privileged token that does most jobs this kind is used for.
    #[serde(default)]
    pub alternative: Option<String>,
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
    /// Regexes of values this rule's pattern admits but that are not secrets (a UUID under a
    /// generic `*_token` key is an id): a secret wholly matched by one is dropped.
    #[serde(default)]
    pub not_secrets: Option<Spanned<Vec<String>>>,
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

/// `rules/purposes.toml`: the purpose lexicon, from words that state a use to what it needs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeFile {
    pub purpose: Vec<Spanned<PurposeDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeDef {
    pub id: String,
    /// Phrases matched as whole words, case-insensitively, with `_`, `-`, `.` and `/` read as
    /// spaces (`CUSTOM_DOMAIN` and `custom-domains.sh` both say "custom domain").
    pub phrases: Vec<String>,
    /// What the use needs; empty when it needs no API access at all (verifying a webhook).
    pub needs: Vec<Capability>,
    /// The narrowest breadth the purpose needs.
    #[serde(default)]
    pub breadth: Option<Breadth>,
    /// Only for these providers (default: any).
    #[serde(default)]
    pub providers: Vec<String>,
}
