//! Codex permission profiles (`.codex/config.toml`, `~/.codex/config.toml`): with
//! `default_permissions = "NAME"`, `[permissions.NAME.filesystem]` maps paths and globs to
//! `"read"`, `"write"` or `"none"`; `"none"` denies reads at the OS sandbox, for every command
//! Codex runs [CX3]. Codex has no separate read tool, so this blocks its shell channel.
//!
//! Entries nested under a special root (`":project_roots"`, `":workspace_roots"`) are relative
//! to the workspace root, as are plain relative entries; `~/` is the home and `/` absolute.
//! Legacy `sandbox_mode`, managed `requirements.toml` and the trust prompt are not modelled:
//! a project file counts as if the project were trusted.

use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use toml::Value;

use super::{Block, SettingsFile, Target};

struct Deny {
    base: PathBuf,
    matcher: Gitignore,
    shown: String,
}

pub struct NoneEntries(Vec<Deny>);

impl Block for NoneEntries {
    fn blocked_by(&self, target: &Target) -> Option<String> {
        self.0
            .iter()
            .find(|d| {
                target.abs.starts_with(&d.base)
                    && d.matcher
                        .matched_path_or_any_parents(&target.abs, false)
                        .is_ignore()
            })
            .map(|d| d.shown.clone())
    }
}

pub fn load(files: &[SettingsFile], root: &Path, home: &Path, warnings: &mut Vec<String>) -> NoneEntries {
    let mut denies = Vec::new();
    for file in files {
        let value: Value = match toml::from_str(&file.text) {
            Ok(v) => v,
            Err(_) => {
                warnings.push(format!(
                    "{}: not valid TOML; its Codex permissions are ignored",
                    file.shown
                ));
                continue;
            }
        };
        let Some(profile) = value.get("default_permissions").and_then(Value::as_str) else {
            continue;
        };
        let Some(fs) = value
            .get("permissions")
            .and_then(|p| p.get(profile))
            .and_then(|p| p.get("filesystem"))
            .and_then(Value::as_table)
        else {
            continue;
        };
        for (key, entry) in fs {
            match entry {
                Value::String(access) if access == "none" => {
                    if key.starts_with(':') {
                        continue;
                    }
                    denies.extend(deny(key, root, home, file));
                }
                Value::Table(nested) if key == ":project_roots" || key == ":workspace_roots" => {
                    for (path, access) in nested {
                        if access.as_str() == Some("none") {
                            denies.extend(deny(path, root, home, file));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    NoneEntries(denies)
}

fn deny(path: &str, root: &Path, home: &Path, file: &SettingsFile) -> Option<Deny> {
    let (base, line) = if let Some(rest) = path.strip_prefix("~/") {
        (home.to_owned(), format!("/{rest}"))
    } else if let Some(rest) = path.strip_prefix('/') {
        (PathBuf::from("/"), format!("/{rest}"))
    } else if path == "." {
        (root.to_owned(), "/**".to_owned())
    } else {
        (root.to_owned(), path.trim_start_matches("./").to_owned())
    };
    let mut builder = GitignoreBuilder::new(&base);
    builder.add_line(None, line.trim_end_matches('/')).ok()?;
    let matcher = builder.build().ok()?;
    let line_no = line_of_key(&file.text, path);
    Some(Deny {
        base,
        matcher,
        shown: format!("{}:{line_no}", file.shown),
    })
}

/// The line of `"KEY" = "none"` (or the bare key) in the TOML text.
fn line_of_key(text: &str, key: &str) -> usize {
    let quoted = format!("\"{key}\"");
    text.lines()
        .position(|line| {
            let t = line.trim_start();
            (t.starts_with(&quoted) || t.starts_with(&format!("{key} ")) || t.starts_with(&format!("{key}=")))
                && line.contains("none")
        })
        .map_or(1, |i| i + 1)
}
