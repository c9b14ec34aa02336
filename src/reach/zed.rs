//! Zed's `private_files`: the agent's `read_file` refuses paths matching these globs [ZD1].
//! The default list is in the catalog; a `private_files` setting in `.zed/settings.json` (or,
//! with a home, `~/.config/zed/settings.json`) replaces it, the project file winning. The
//! terminal is not filtered, so this blocks the file-tool channel only.

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde_json::Value;

use super::text::{line_of, parse_jsonc, quoted};
use super::{Block, SettingsFile, Target};

pub struct PrivateFiles {
    set: GlobSet,
    shown: Vec<String>,
}

impl Block for PrivateFiles {
    fn blocked_by(&self, target: &Target) -> Option<String> {
        let rel = target.rel.as_deref()?;
        self.set.matches(rel).first().map(|&i| self.shown[i].clone())
    }
}

/// The globs from the highest-precedence file that sets `private_files`, or `None` when no
/// file does (the built-in default then applies).
pub fn load(files: &[SettingsFile], warnings: &mut Vec<String>) -> Option<PrivateFiles> {
    let mut chosen = None;
    for file in files {
        let Some(value) = parse_jsonc(&file.text) else {
            warnings.push(format!(
                "{}: not valid JSON; its Zed settings are ignored",
                file.shown
            ));
            continue;
        };
        let Some(globs) = value.get("private_files").and_then(Value::as_array) else {
            continue;
        };
        let key_at = file.text.find("\"private_files\"").unwrap_or(0);
        let mut builder = GlobSetBuilder::new();
        let mut shown = Vec::new();
        for glob in globs.iter().filter_map(Value::as_str) {
            if let Ok(g) = Glob::new(glob) {
                builder.add(g);
                shown.push(format!(
                    "{}:{}",
                    file.shown,
                    line_of(&file.text, &quoted(glob), key_at)
                ));
            }
        }
        if let Ok(set) = builder.build() {
            // Project settings are listed after user settings and win.
            if !file.in_home || chosen.is_none() {
                chosen = Some(PrivateFiles { set, shown });
            }
        }
    }
    chosen
}
