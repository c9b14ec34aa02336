//! `tokscan.toml`: found by walking up from the scan root to the repository root (or given
//! with `--config`), validated strictly — an unknown key is an error that names its line,
//! because a misspelt allow-list silently allowing nothing (or everything) is worse.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, FileError, Result};
use crate::finding::{Capability, Finding};

pub const FILE_NAMES: [&str; 2] = ["tokscan.toml", ".tokscan.toml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    allow: AllowTable,
    /// What tokens are for, declared by the people who put them there.
    #[serde(default)]
    token: Vec<Spanned<TokenTable>>,
    #[serde(default)]
    introspect: IntrospectTable,
}

/// `[introspect]`: where `--introspect` sends each provider's tokens.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct IntrospectTable {
    /// Provider id → API base URL (self-hosted GitLab, GitHub Enterprise, Vault, a mirror).
    #[serde(default)]
    api_url: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenTable {
    fingerprint: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    variable: Option<String>,
    purpose: Option<String>,
    needs: Option<Vec<Capability>>,
}

/// A `[[token]]` declaration: which findings it is about, and what they are for. Every
/// matcher given must hold.
#[derive(Debug)]
pub struct Declaration {
    fingerprint: Option<String>,
    path: Option<GlobMatcher>,
    variable: Option<String>,
    pub purpose: Option<String>,
    pub needs: Option<Vec<Capability>>,
}

impl Declaration {
    pub fn matches(&self, finding: &Finding) -> bool {
        self.fingerprint
            .as_ref()
            .is_none_or(|fp| *fp == finding.fingerprint)
            && self.path.as_ref().is_none_or(|glob| glob.is_match(&finding.path))
            && self.variable.as_ref().is_none_or(|name| {
                finding
                    .hints
                    .variable
                    .as_ref()
                    .is_some_and(|v| v.eq_ignore_ascii_case(name))
            })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowTable {
    /// Globs of paths (relative to the config file's directory) never reported.
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    /// Fingerprints of findings reviewed and accepted.
    #[serde(default)]
    fingerprints: Vec<Spanned<String>>,
}

#[derive(Debug, Default)]
pub struct Config {
    /// The file this came from, if any.
    pub path: Option<PathBuf>,
    /// The directory allow-list paths are relative to.
    base: Option<PathBuf>,
    allow_paths: GlobSet,
    allow_fingerprints: HashSet<String>,
    /// `[[token]]` declarations, in file order: the first that matches a finding wins.
    pub declarations: Vec<Declaration>,
    /// `[introspect.api_url]`: provider id → API base URL, checked as it loads.
    pub api_urls: BTreeMap<String, String>,
}

impl Config {
    /// Walks up from `start` (a directory or file) to the repository root — the first
    /// directory holding `.git` — and loads the first config file found.
    pub fn discover(start: &Path) -> Result<Config> {
        let start = fs::canonicalize(start).map_err(|e| Error::io(start, e))?;
        let mut dir = if start.is_dir() {
            Some(start.as_path())
        } else {
            start.parent()
        };
        while let Some(d) = dir {
            for name in FILE_NAMES {
                let candidate = d.join(name);
                if candidate.is_file() {
                    return Config::load(&candidate);
                }
            }
            if d.join(".git").exists() {
                break;
            }
            dir = d.parent();
        }
        Ok(Config::default())
    }

    pub fn load(path: &Path) -> Result<Config> {
        let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let base = path.parent().and_then(|p| fs::canonicalize(p).ok());
        Config::parse(&text, &path.display().to_string(), base)
    }

    /// A config from `text` (named `shown` in errors) whose allow-list paths are relative to
    /// `base`: for `--diff`, the file as it is in the base commit.
    pub fn parse(text: &str, shown: &str, base: Option<PathBuf>) -> Result<Config> {
        let path = Path::new(shown);
        let file: ConfigFile =
            toml::from_str(text).map_err(|e| FileError::from_toml("config", shown, text, &e))?;
        let bad = |span: std::ops::Range<usize>, msg: String| -> Error {
            FileError::new("config", shown, text, Some(span), msg).into()
        };
        let mut globs = GlobSetBuilder::new();
        for pattern in &file.allow.paths {
            globs.add(
                path_glob(pattern.get_ref())
                    .map_err(|e| bad(pattern.span(), format!("invalid glob: {e}")))?,
            );
        }
        let mut fingerprints = HashSet::new();
        let fingerprint = |fp: &Spanned<String>| -> Result<String> {
            let value = fp.get_ref();
            if value.len() != 32 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad(
                    fp.span(),
                    format!("`{value}` is not a fingerprint (32 hex digits, as in the `fingerprint` of a finding)"),
                ));
            }
            Ok(value.to_ascii_lowercase())
        };
        for fp in &file.allow.fingerprints {
            fingerprints.insert(fingerprint(fp)?);
        }
        let mut declarations = Vec::new();
        for table in file.token {
            let span = table.span();
            let table = table.into_inner();
            if table.fingerprint.is_none() && table.path.is_none() && table.variable.is_none() {
                return Err(bad(
                    span,
                    "a [[token]] needs `fingerprint`, `path` or `variable` to say which token it is about"
                        .to_owned(),
                ));
            }
            if table.purpose.is_none() && table.needs.is_none() {
                return Err(bad(
                    span,
                    "a [[token]] needs `purpose` or `needs` to say what the token is for".to_owned(),
                ));
            }
            let path = match &table.path {
                Some(pattern) => Some(
                    path_glob(pattern.get_ref())
                        .map_err(|e| bad(pattern.span(), format!("invalid glob: {e}")))?
                        .compile_matcher(),
                ),
                None => None,
            };
            declarations.push(Declaration {
                fingerprint: table.fingerprint.as_ref().map(fingerprint).transpose()?,
                path,
                variable: table.variable,
                purpose: table.purpose,
                needs: table.needs,
            });
        }
        let mut api_urls = BTreeMap::new();
        for (provider, url) in &file.introspect.api_url {
            if !crate::introspect::providers().any(|p| p == provider.get_ref()) {
                return Err(bad(
                    provider.span(),
                    format!(
                        "tokscan cannot introspect `{}` tokens (known: {})",
                        provider.get_ref(),
                        crate::introspect::providers().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            crate::introspect::guard::BaseUrl::parse(url.get_ref()).map_err(|why| bad(url.span(), why))?;
            api_urls.insert(provider.get_ref().clone(), url.get_ref().clone());
        }
        Ok(Config {
            api_urls,
            path: Some(path.to_owned()),
            base,
            allow_paths: globs.build().map_err(|e| bad(0..0, e.to_string()))?,
            allow_fingerprints: fingerprints,
            declarations,
        })
    }

    pub fn allows_fingerprint(&self, finding: &Finding) -> bool {
        self.allow_fingerprints.contains(&finding.fingerprint)
    }

    pub fn has_path_allows(&self) -> bool {
        !self.allow_paths.is_empty()
    }

    /// Whether a repository-relative path (a git blob's, with no file on disk) is
    /// allow-listed; the config is taken to sit at the repository root.
    pub fn allows_display(&self, display: &str) -> bool {
        self.allow_paths.is_match(display)
    }

    /// Whether `file` (as found on disk) or its displayed path is allow-listed.
    pub fn allows_path(&self, file: &Path, display: &str) -> bool {
        if self.allow_paths.is_match(display) {
            return true;
        }
        let Some(base) = &self.base else { return false };
        fs::canonicalize(file)
            .ok()
            .and_then(|abs| {
                abs.strip_prefix(base)
                    .ok()
                    .map(|rel| rel.to_string_lossy().replace('\\', "/"))
            })
            .is_some_and(|rel| self.allow_paths.is_match(rel))
    }
}

/// Gitignore-like: `*` stays within a directory, `**` crosses them, and a pattern with no
/// `/` matches at any depth; a trailing `/` means everything below.
fn path_glob(pattern: &str) -> std::result::Result<Glob, globset::Error> {
    let pattern = pattern.trim_start_matches("./");
    let pattern = &match pattern.strip_suffix('/') {
        Some(dir) => format!("{dir}/**"),
        None => pattern.to_owned(),
    };
    let anchored = if pattern.contains('/') {
        pattern.trim_start_matches('/').to_owned()
    } else {
        format!("**/{pattern}")
    };
    GlobBuilder::new(&anchored).literal_separator(true).build()
}
