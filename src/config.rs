//! `tokscan.toml`: found by walking up from the scan root to the repository root (or given
//! with `--config`), validated strictly — an unknown key is an error that names its line,
//! because a misspelt allow-list silently allowing nothing (or everything) is worse.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, FileError, Result};
use crate::finding::Finding;

pub const FILE_NAMES: [&str; 2] = ["tokscan.toml", ".tokscan.toml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    allow: AllowTable,
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
        for fp in &file.allow.fingerprints {
            let value = fp.get_ref();
            if value.len() != 32 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad(
                    fp.span(),
                    format!("`{value}` is not a fingerprint (32 hex digits, as in the `fingerprint` of a finding)"),
                ));
            }
            fingerprints.insert(value.to_ascii_lowercase());
        }
        Ok(Config {
            path: Some(path.to_owned()),
            base,
            allow_paths: globs.build().map_err(|e| bad(0..0, e.to_string()))?,
            allow_fingerprints: fingerprints,
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
