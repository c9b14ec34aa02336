//! Claude Code settings: `permissions.deny` `Read(...)` rules block the file tools, and
//! `sandbox.filesystem.denyRead` (with `sandbox.enabled`) blocks the shell. Each covers only
//! its own channel, so a path is out of reach only with both [CL15][CL16].
//!
//! Rules merge across `~/.claude/settings.json` (with a home), `.claude/settings.json` and
//! `.claude/settings.local.json`; evaluation is deny > ask > allow, so an allow never lifts a
//! deny and an ask (a prompt) blocks nothing: only deny rules matter here. Paths in
//! `Read(...)` follow the gitignore spec with anchors: `//abs`, `~/home`, `/` relative to the
//! project root, `./x` at the working directory (the workspace root), and a bare pattern as
//! gitignore reads it there (no `/`: at any depth).
//! Sandbox paths: `//abs`, `~/home`, `/x` relative to the settings file's directory, `./x` or
//! bare relative to the project root (to `~/.claude` in user settings); a directory covers
//! everything under it. Managed settings are not read.

use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde_json::Value;

use super::text::{line_of, parse_jsonc, quoted};
use super::{Block, SettingsFile, Target};

/// One path rule, anchored at `base`.
struct PathRule {
    base: PathBuf,
    /// `None` matches everything (`Read` with no pattern).
    matcher: Option<Gitignore>,
    shown: String,
}

impl PathRule {
    fn new(base: PathBuf, pattern: Option<&str>, shown: String) -> PathRule {
        let matcher = pattern.and_then(|p| {
            let mut builder = GitignoreBuilder::new(&base);
            builder.add_line(None, p).ok()?;
            builder.build().ok()
        });
        PathRule { base, matcher, shown }
    }

    fn matches(&self, abs: &Path) -> bool {
        if !abs.starts_with(&self.base) {
            return false;
        }
        match &self.matcher {
            None => true,
            Some(m) => m.matched_path_or_any_parents(abs, false).is_ignore(),
        }
    }
}

fn first_match(rules: &[PathRule], target: &Target) -> Option<String> {
    rules
        .iter()
        .find(|r| r.matches(&target.abs))
        .map(|r| r.shown.clone())
}

/// `permissions.deny` `Read(...)` rules: the file-tool channel.
pub struct ReadDeny(Vec<PathRule>);

impl Block for ReadDeny {
    fn blocked_by(&self, target: &Target) -> Option<String> {
        first_match(&self.0, target)
    }
}

/// `sandbox.filesystem.denyRead` with the sandbox enabled: the shell channel.
pub struct SandboxDenyRead(Vec<PathRule>);

impl Block for SandboxDenyRead {
    fn blocked_by(&self, target: &Target) -> Option<String> {
        first_match(&self.0, target)
    }
}

/// Reads the settings files (already in precedence order, lowest first) into the two blockers.
pub fn load(
    files: &[SettingsFile],
    root: &Path,
    home: &Path,
    warnings: &mut Vec<String>,
) -> (ReadDeny, Option<SandboxDenyRead>) {
    let mut deny = Vec::new();
    let mut sandbox_rules = Vec::new();
    let mut sandbox_enabled = false;
    for file in files {
        let Some(value) = parse_jsonc(&file.text) else {
            warnings.push(format!(
                "{}: not valid JSON; its Claude Code rules are ignored",
                file.shown
            ));
            continue;
        };
        let user_scope = file.in_home;
        if let Some(rules) = value.pointer("/permissions/deny").and_then(Value::as_array) {
            // The same rule may also sit under `allow`: name the line under `deny`.
            let deny_at = file.text.find("\"deny\"").unwrap_or(0);
            for rule in rules.iter().filter_map(Value::as_str) {
                let Some(pattern) = read_pattern(rule) else {
                    continue;
                };
                let shown = format!("{}:{}", file.shown, line_of(&file.text, &quoted(rule), deny_at));
                let rule = match pattern {
                    None => PathRule::new(PathBuf::from("/"), None, shown),
                    Some(p) => {
                        let (base, pattern) = anchor_read(p, root, home);
                        PathRule::new(base, Some(&pattern), shown)
                    }
                };
                deny.push(rule);
            }
        }
        if let Some(enabled) = value.pointer("/sandbox/enabled").and_then(Value::as_bool) {
            sandbox_enabled = enabled;
        }
        if let Some(paths) = value
            .pointer("/sandbox/filesystem/denyRead")
            .and_then(Value::as_array)
        {
            let settings_dir = file.abs.parent().unwrap_or(root).to_owned();
            let relative_base = if user_scope {
                home.join(".claude")
            } else {
                root.to_owned()
            };
            let deny_at = file.text.find("\"denyRead\"").unwrap_or(0);
            for path in paths.iter().filter_map(Value::as_str) {
                let shown = format!("{}:{}", file.shown, line_of(&file.text, &quoted(path), deny_at));
                let (base, pattern) = anchor_sandbox(path, &settings_dir, &relative_base, home);
                sandbox_rules.push(PathRule::new(base, Some(&pattern), shown));
            }
        }
    }
    let sandbox = (sandbox_enabled && !sandbox_rules.is_empty()).then_some(SandboxDenyRead(sandbox_rules));
    (ReadDeny(deny), sandbox)
}

/// `Read` -> `Some(None)` (everything); `Read(p)` -> `Some(Some(p))`; other tools -> `None`.
fn read_pattern(rule: &str) -> Option<Option<&str>> {
    let rule = rule.trim();
    if rule == "Read" {
        return Some(None);
    }
    let inner = rule.strip_prefix("Read(")?.strip_suffix(')')?.trim();
    match inner {
        "" | "*" | "**" | "//**" => Some(None),
        p => Some(Some(p)),
    }
}

/// The base directory and the gitignore line for a `Read(...)` pattern.
fn anchor_read(pattern: &str, root: &Path, home: &Path) -> (PathBuf, String) {
    if let Some(abs) = pattern.strip_prefix("//") {
        (PathBuf::from("/"), format!("/{abs}"))
    } else if let Some(rest) = pattern.strip_prefix("~/") {
        (home.to_owned(), format!("/{rest}"))
    } else if pattern.starts_with('/') {
        (root.to_owned(), pattern.to_owned())
    } else if let Some(rest) = pattern.strip_prefix("./") {
        // Anchored at the working directory: whether Claude also applies `./.env` deeper is
        // not documented, and crediting a block that may not exist would understate reach.
        (root.to_owned(), format!("/{rest}"))
    } else {
        (root.to_owned(), pattern.to_owned())
    }
}

/// The base directory and an anchored gitignore line for a sandbox path.
fn anchor_sandbox(path: &str, settings_dir: &Path, relative_base: &Path, home: &Path) -> (PathBuf, String) {
    let (base, rest) = if let Some(abs) = path.strip_prefix("//") {
        (PathBuf::from("/"), abs)
    } else if let Some(rest) = path.strip_prefix("~/") {
        (home.to_owned(), rest)
    } else if let Some(rest) = path.strip_prefix('/') {
        (settings_dir.to_owned(), rest)
    } else {
        (relative_base.to_owned(), path.trim_start_matches("./"))
    };
    let rest = rest.trim_end_matches('/');
    let line = if rest.is_empty() {
        "/**".to_owned()
    } else {
        format!("/{rest}")
    };
    (base, line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocked(settings: &str, abs: &str) -> Option<String> {
        let file = SettingsFile {
            shown: ".claude/settings.json".to_owned(),
            abs: PathBuf::from("/ws/.claude/settings.json"),
            text: settings.to_owned(),
            in_home: false,
        };
        let (deny, _) = load(&[file], Path::new("/ws"), Path::new("/home/dev"), &mut Vec::new());
        let rel = abs.strip_prefix("/ws/").map(str::to_owned);
        deny.blocked_by(&Target {
            rel,
            abs: PathBuf::from(abs),
        })
    }

    #[test]
    fn read_rule_anchors() {
        let s = r#"{"permissions": {"deny": ["Read(*.env)"]}}"#;
        assert!(
            blocked(s, "/ws/.env").is_some(),
            "bare pattern matches at any depth"
        );
        assert!(blocked(s, "/ws/app/prod.env").is_some());
        let s = r#"{"permissions": {"deny": ["Read(./.env)"]}}"#;
        assert!(blocked(s, "/ws/.env").is_some());
        assert!(
            blocked(s, "/ws/app/.env").is_none(),
            "`./` anchors at the working directory"
        );
        let s = r#"{"permissions": {"deny": ["Read(/config/*.json)"]}}"#;
        assert!(
            blocked(s, "/ws/config/a.json").is_some(),
            "`/` is the project root"
        );
        assert!(blocked(s, "/ws/app/config/a.json").is_none());
        let s = r#"{"permissions": {"deny": ["Read(~/.aws/**)"]}}"#;
        assert!(blocked(s, "/home/dev/.aws/credentials").is_some());
        assert!(blocked(s, "/ws/.aws/credentials").is_none());
        let s = r#"{"permissions": {"deny": ["Read(//etc/secrets/**)"]}}"#;
        assert!(blocked(s, "/etc/secrets/token").is_some());
        let s = r#"{"permissions": {"deny": ["Read"]}}"#;
        assert_eq!(
            blocked(s, "/ws/anything").as_deref(),
            Some(".claude/settings.json:1")
        );
        let s = r#"{"permissions": {"deny": ["Edit(*.env)"], "ask": ["Read(*.env)"]}}"#;
        assert!(
            blocked(s, "/ws/.env").is_none(),
            "ask prompts, Edit is not a read rule"
        );
    }

    #[test]
    fn sandbox_needs_to_be_enabled() {
        let file = |text: &str| SettingsFile {
            shown: ".claude/settings.json".to_owned(),
            abs: PathBuf::from("/ws/.claude/settings.json"),
            text: text.to_owned(),
            in_home: false,
        };
        let off = r#"{"sandbox": {"filesystem": {"denyRead": ["~/.aws"]}}}"#;
        let (_, sandbox) = load(
            &[file(off)],
            Path::new("/ws"),
            Path::new("/home/dev"),
            &mut Vec::new(),
        );
        assert!(sandbox.is_none());
        let on = r#"{"sandbox": {"enabled": true, "filesystem": {"denyRead": ["~/.aws"]}}}"#;
        let (_, sandbox) = load(
            &[file(on)],
            Path::new("/ws"),
            Path::new("/home/dev"),
            &mut Vec::new(),
        );
        let target = Target {
            rel: None,
            abs: PathBuf::from("/home/dev/.aws/credentials"),
        };
        assert!(
            sandbox.and_then(|s| s.blocked_by(&target)).is_some(),
            "a directory covers what is under it"
        );
    }
}
