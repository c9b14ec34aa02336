//! OpenCode `permission.read` (in `opencode.json`): patterns mapped to `allow`, `ask` or
//! `deny`, simple wildcards (`*` also crosses `/`), **last matching rule wins** [OC1]. The
//! built-in default rules come first (from the catalog), then the user's config, then the
//! project's, so a later `allow` lifts a default deny. Only `deny` blocks; `ask` is a prompt.
//! `read` rules do not filter `bash` [OC1]: this blocks the file-tool channel only.

use std::path::Path;

use serde_json::Value;

use super::text::{line_of, parse_jsonc, quoted, wildcard_match};
use super::{Block, SettingsFile, Target};

struct Rule {
    pattern: String,
    deny: bool,
    shown: String,
}

pub struct ReadRules {
    rules: Vec<Rule>,
    home: String,
}

impl Block for ReadRules {
    fn blocked_by(&self, target: &Target) -> Option<String> {
        let abs = target.abs.to_string_lossy().replace('\\', "/");
        let candidates: Vec<&str> = target.rel.as_deref().into_iter().chain([abs.as_str()]).collect();
        let last = self.rules.iter().rev().find(|rule| {
            let pattern = expand_home(&rule.pattern, &self.home);
            candidates.iter().any(|c| wildcard_match(&pattern, c))
        })?;
        last.deny.then(|| last.shown.clone())
    }
}

fn expand_home(pattern: &str, home: &str) -> String {
    if let Some(rest) = pattern.strip_prefix("~/") {
        format!("{home}/{rest}")
    } else if let Some(rest) = pattern.strip_prefix("$HOME/") {
        format!("{home}/{rest}")
    } else {
        pattern.to_owned()
    }
}

pub fn load(
    files: &[SettingsFile],
    default_denies: &[String],
    default_allows: &[String],
    home: &Path,
    warnings: &mut Vec<String>,
) -> ReadRules {
    let mut rules: Vec<Rule> = default_denies
        .iter()
        .map(|p| (p, true))
        .chain(default_allows.iter().map(|p| (p, false)))
        .map(|(p, deny)| Rule {
            pattern: p.clone(),
            deny,
            shown: format!("built-in default: {p}"),
        })
        .collect();
    for file in files {
        let Some(value) = parse_jsonc(&file.text) else {
            warnings.push(format!(
                "{}: not valid JSON; its OpenCode permissions are ignored",
                file.shown
            ));
            continue;
        };
        let read = match value.get("permission") {
            Some(Value::String(action)) => Some(Value::String(action.clone())),
            Some(p) => p.get("read").cloned(),
            None => None,
        };
        let key_at = file.text.find("\"read\"").unwrap_or(0);
        match read {
            Some(Value::String(action)) => rules.push(Rule {
                pattern: "*".to_owned(),
                deny: action == "deny",
                shown: format!("{}:{}", file.shown, line_of(&file.text, &quoted(&action), key_at)),
            }),
            Some(Value::Object(map)) => {
                // serde_json keeps insertion order only with `preserve_order`; recover the
                // file's order from where each pattern sits.
                let mut entries: Vec<(usize, String, bool)> = map
                    .iter()
                    .filter_map(|(pattern, action)| {
                        let at = file.text[key_at..]
                            .find(&quoted(pattern))
                            .map_or(usize::MAX, |i| i + key_at);
                        Some((at, pattern.clone(), action.as_str()? == "deny"))
                    })
                    .collect();
                entries.sort();
                for (_, pattern, deny) in entries {
                    rules.push(Rule {
                        shown: format!(
                            "{}:{}",
                            file.shown,
                            line_of(&file.text, &quoted(&pattern), key_at)
                        ),
                        pattern,
                        deny,
                    });
                }
            }
            _ => {}
        }
    }
    ReadRules {
        rules,
        home: home.to_string_lossy().replace('\\', "/"),
    }
}
