//! Agent reachability: for every finding, which AI coding agents could read the token, through
//! which channel, and what (if anything) blocks that channel.
//!
//! The model (facts and sources in `research/agents.md`):
//! - channels: `auto-context` (rule and memory files loaded into every prompt), `file-tool`
//!   (the agent's own read tools), `shell` (commands it runs as the user), `mcp-config` (config
//!   the agent hands to its MCP servers);
//! - the agents and what each honours are data: `rules/agents/<agent-id>.toml` ([`catalog`]);
//! - each blocking mechanism has its own semantics, in its own file: gitignore-style ignore
//!   files (`gitignore_style`), Claude Code settings (`claude`), Codex permission profiles
//!   (`codex`), Zed `private_files` (`zed`), OpenCode `permission.read` (`opencode`);
//!   MCP configs are located by `mcp`. Indexing-only ignore files block nothing.
//! - the shell is reachable unless a read-denying OS sandbox covers the path: no shipping
//!   agent's sandbox denies reads by default.
//!
//! Which agents: those detected in the workspace (markers such as `.cursor/`, `CLAUDE.md`);
//! with none detected, every agent of the contract, since nothing says which one will be
//! started here and the worst case must show. An [`AgentSelection`] overrides that. The
//! `reach` command's extra sources (home credential files, environment) are in [`home`].
//!
//! This stage reads only the small settings files it needs; it does not detect tokens, and it
//! does not change severity (the severity model reads [`exposure`]).

pub mod catalog;
mod claude;
mod codex;
mod gitignore_style;
pub mod home;
mod mcp;
mod opencode;
mod text;
mod zed;

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

pub use catalog::{AgentDef, BlockedChannel, Catalog, HomeFile, Mechanism, AGENT_IDS};

use crate::finding::{Finding, Reach};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    AutoContext,
    McpConfig,
    FileTool,
    Shell,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::AutoContext => "auto-context",
            Channel::McpConfig => "mcp-config",
            Channel::FileTool => "file-tool",
            Channel::Shell => "shell",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which agents to model (`--agents`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AgentSelection {
    /// The agents detected in the workspace; every agent when none is.
    #[default]
    Detected,
    All,
    None,
    List(Vec<String>),
}

impl FromStr for AgentSelection {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "all" => Ok(AgentSelection::All),
            "none" => Ok(AgentSelection::None),
            "detected" => Ok(AgentSelection::Detected),
            list => {
                let ids: Vec<String> = list
                    .split(',')
                    .map(|id| id.trim().to_owned())
                    .filter(|id| !id.is_empty())
                    .collect();
                if let Some(bad) = ids.iter().find(|id| !AGENT_IDS.contains(&id.as_str())) {
                    return Err(format!(
                        "unknown agent `{bad}` (all, none, detected, or a comma-separated list of: {})",
                        AGENT_IDS.join(", ")
                    ));
                }
                if ids.is_empty() {
                    return Err("empty agent list".to_owned());
                }
                Ok(AgentSelection::List(ids))
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReachOptions {
    pub agents: AgentSelection,
    /// The home directory whose user-level settings and markers count. `None` in a plain
    /// scan, so results do not depend on the machine: then only workspace files are read
    /// (user-level deny rules are not credited, which can only overstate reach).
    pub home: Option<PathBuf>,
}

/// Where a finding sits, as a blocker sees it.
pub struct Target {
    /// Relative to the workspace root (forward slashes), when inside it.
    pub rel: Option<String>,
    pub abs: PathBuf,
}

/// Something that stops one channel for some paths. Shared by the workers that annotate
/// findings as they find them.
pub(crate) trait Block: Send + Sync {
    /// What blocks `target` (`FILE:LINE`, or `built-in default: GLOB`), or `None`.
    fn blocked_by(&self, target: &Target) -> Option<String>;
}

/// A settings file a mechanism reads.
pub(crate) struct SettingsFile {
    /// As `blocked_by` names it: relative to the workspace root, or `~/...`.
    pub shown: String,
    pub abs: PathBuf,
    pub text: String,
    pub in_home: bool,
}

/// Built-in default ignores of an agent's file tools.
struct Defaults {
    set: GlobSet,
    globs: Vec<String>,
    allows: GlobSet,
}

impl Block for Defaults {
    fn blocked_by(&self, target: &Target) -> Option<String> {
        let rel = target.rel.as_deref()?;
        if self.allows.is_match(rel) {
            return None;
        }
        self.set
            .matches(rel)
            .first()
            .map(|&i| format!("built-in default: {}", self.globs[i]))
    }
}

/// An agent whose sandbox denies reads out of the box (none in the catalog today).
struct SandboxDefault;

impl Block for SandboxDefault {
    fn blocked_by(&self, _target: &Target) -> Option<String> {
        Some("built-in sandbox".to_owned())
    }
}

enum McpPath {
    Workspace(GlobSet),
    Home(String),
}

struct AgentModel {
    id: String,
    file_tool: bool,
    shell: bool,
    reads_outside_workspace: bool,
    context: GlobSet,
    mcp: Vec<(McpPath, String)>,
    file_blocks: Vec<Box<dyn Block>>,
    shell_blocks: Vec<Box<dyn Block>>,
}

/// One scan root as the agents see it: which agents are modelled and what blocks them.
pub struct Workspace {
    root: PathBuf,
    home: PathBuf,
    home_given: Option<PathBuf>,
    agents: Vec<AgentModel>,
    /// Agents whose markers were found (in the workspace, or the home when given).
    pub detected: Vec<String>,
    /// No agent was detected, so every agent is modelled.
    pub modelled_all: bool,
    /// Settings files that could not be parsed (their rules are not credited).
    pub warnings: Vec<String>,
    mcp_cache: Mutex<HashMap<PathBuf, Vec<RangeInclusive<usize>>>>,
}

fn glob_set(globs: &[String], literal_separator: bool) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        if let Ok(g) = GlobBuilder::new(glob)
            .literal_separator(literal_separator)
            .build()
        {
            builder.add(g);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

fn absolute(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_owned())
    })
}

impl Workspace {
    pub fn new(catalog: &Catalog, root: &Path, options: &ReachOptions) -> Workspace {
        let root = absolute(root);
        let home_given = options.home.as_deref().map(absolute);
        // `~` in deny rules still needs a meaning without --home: the user's own home.
        let home = home_given
            .clone()
            .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("/nonexistent-home"));
        let marker_present = |base: &Path, marker: &str| {
            let path = base.join(marker.trim_end_matches('/'));
            if marker.ends_with('/') {
                path.is_dir()
            } else {
                path.exists()
            }
        };
        let detected: Vec<String> = catalog
            .agents
            .iter()
            .filter(|a| {
                a.markers.iter().any(|m| marker_present(&root, m))
                    || home_given
                        .as_deref()
                        .is_some_and(|h| a.home_markers.iter().any(|m| marker_present(h, m)))
            })
            .map(|a| a.id.get_ref().clone())
            .collect();
        let (chosen, modelled_all): (Vec<&AgentDef>, bool) = match &options.agents {
            AgentSelection::All => (catalog.agents.iter().collect(), false),
            AgentSelection::None => (Vec::new(), false),
            AgentSelection::List(ids) => (
                catalog
                    .agents
                    .iter()
                    .filter(|a| ids.contains(a.id.get_ref()))
                    .collect(),
                false,
            ),
            AgentSelection::Detected if detected.is_empty() => (catalog.agents.iter().collect(), true),
            AgentSelection::Detected => (
                catalog
                    .agents
                    .iter()
                    .filter(|a| detected.contains(a.id.get_ref()))
                    .collect(),
                false,
            ),
        };
        let mut workspace = Workspace {
            root,
            home,
            home_given,
            agents: Vec::new(),
            detected,
            modelled_all,
            warnings: Vec::new(),
            mcp_cache: Mutex::new(HashMap::new()),
        };
        workspace.agents = chosen.into_iter().map(|def| workspace.model(def)).collect();
        workspace
    }

    /// Reads the settings files `paths` names that exist: home files first (lowest
    /// precedence), then the workspace's, in the catalog's order.
    fn settings_files(&self, paths: &[String]) -> Vec<SettingsFile> {
        let mut home_files = Vec::new();
        let mut project_files = Vec::new();
        for path in paths {
            let (abs, in_home) = match path.strip_prefix("~/") {
                Some(rest) => match &self.home_given {
                    Some(home) => (home.join(rest), true),
                    None => continue,
                },
                None => (self.root.join(path), false),
            };
            let Ok(text) = fs::read_to_string(&abs) else {
                continue;
            };
            let file = SettingsFile {
                shown: path.clone(),
                abs,
                text,
                in_home,
            };
            if in_home {
                home_files.push(file);
            } else {
                project_files.push(file);
            }
        }
        home_files.extend(project_files);
        home_files
    }

    /// Whether the last of the `FILE#POINTER` settings that is set says `false`.
    fn turned_off(&self, toggles: &[String]) -> bool {
        let mut off = false;
        for toggle in toggles {
            let Some((file, pointer)) = toggle.split_once('#') else {
                continue;
            };
            for settings in self.settings_files(&[file.to_owned()]) {
                if let Some(value) = text::parse_jsonc(&settings.text)
                    .as_ref()
                    .and_then(|v| v.pointer(pointer))
                    .and_then(serde_json::Value::as_bool)
                {
                    off = !value;
                }
            }
        }
        off
    }

    /// Files pulled into the prompt by `@path` imports in the context files at the root (and
    /// in the files they import, up to five hops), relative to the root.
    fn imported_context(&self, context: &GlobSet) -> Vec<String> {
        let mut queue: Vec<(String, usize)> = Vec::new();
        if let Ok(entries) = fs::read_dir(&self.root) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if context.is_match(&name) {
                    queue.push((name, 0));
                }
            }
        }
        for nested in [".claude/CLAUDE.md"] {
            if context.is_match(nested) && self.root.join(nested).is_file() {
                queue.push((nested.to_owned(), 0));
            }
        }
        let mut seen: Vec<String> = queue.iter().map(|(p, _)| p.clone()).collect();
        let mut imported = Vec::new();
        while let Some((rel, depth)) = queue.pop() {
            if depth >= 5 {
                continue;
            }
            let Ok(text) = fs::read_to_string(self.root.join(&rel)) else {
                continue;
            };
            let dir = Path::new(&rel).parent().unwrap_or(Path::new(""));
            for target in text::imports(&text) {
                let Some(resolved) = text::normalize(&dir.join(target)) else {
                    continue;
                };
                if seen.contains(&resolved) || !self.root.join(&resolved).is_file() {
                    continue;
                }
                seen.push(resolved.clone());
                imported.push(resolved.clone());
                queue.push((resolved, depth + 1));
            }
        }
        imported.sort();
        imported
    }

    fn model(&mut self, def: &AgentDef) -> AgentModel {
        let mut file_blocks: Vec<Box<dyn Block>> = Vec::new();
        let mut shell_blocks: Vec<Box<dyn Block>> = Vec::new();
        for ignore in &def.ignore_file {
            if self.turned_off(&ignore.disabled_when_false) {
                continue;
            }
            let blocker = Box::new(gitignore_style::IgnoreFile::new(
                &ignore.name,
                &self.root,
                ignore.hierarchical,
            ));
            match ignore.blocks {
                BlockedChannel::FileTool => file_blocks.push(blocker),
                BlockedChannel::Shell => shell_blocks.push(blocker),
            }
        }
        if def.sandbox_denies_reads {
            shell_blocks.push(Box::new(SandboxDefault));
        }
        let mut defaults_handled = false;
        for settings in &def.settings {
            let files = self.settings_files(&settings.files);
            match settings.mechanism {
                Mechanism::ClaudeSettings => {
                    let (deny, sandbox) = claude::load(&files, &self.root, &self.home, &mut self.warnings);
                    file_blocks.push(Box::new(deny));
                    if let Some(sandbox) = sandbox {
                        shell_blocks.push(Box::new(sandbox));
                    }
                }
                Mechanism::CodexPermissions => {
                    shell_blocks.push(Box::new(codex::load(
                        &files,
                        &self.root,
                        &self.home,
                        &mut self.warnings,
                    )));
                }
                Mechanism::ZedPrivateFiles => {
                    if let Some(private) = zed::load(&files, &mut self.warnings) {
                        file_blocks.push(Box::new(private));
                        defaults_handled = true;
                    }
                }
                Mechanism::OpencodePermission => {
                    file_blocks.push(Box::new(opencode::load(
                        &files,
                        &def.default_ignores,
                        &def.default_allows,
                        &self.home,
                        &mut self.warnings,
                    )));
                    defaults_handled = true;
                }
            }
        }
        if !defaults_handled && !def.default_ignores.is_empty() {
            file_blocks.push(Box::new(Defaults {
                set: glob_set(&def.default_ignores, false),
                globs: def.default_ignores.clone(),
                allows: glob_set(&def.default_allows, false),
            }));
        }
        let mcp = def
            .mcp_config
            .iter()
            .map(|m| {
                let path = match m.path.strip_prefix("~/") {
                    Some(_) => McpPath::Home(m.path.clone()),
                    None => McpPath::Workspace(glob_set(std::slice::from_ref(&m.path), true)),
                };
                (path, m.key.clone())
            })
            .collect();
        let mut context_globs = def.context_files.clone();
        if def.context_imports {
            let imported = self.imported_context(&glob_set(&def.context_files, true));
            context_globs.extend(imported.iter().map(|p| globset::escape(p)));
        }
        AgentModel {
            id: def.id.get_ref().clone(),
            file_tool: def.file_tool,
            shell: def.shell,
            reads_outside_workspace: def.reads_outside_workspace,
            context: glob_set(&context_globs, true),
            mcp,
            file_blocks,
            shell_blocks,
        }
    }

    /// The agents modelled, in contract order.
    pub fn agents(&self) -> impl Iterator<Item = &str> {
        self.agents.iter().map(|a| a.id.as_str())
    }

    /// Where `path` points: relative to the workspace root, `~/...` in the home, or `$NAME`
    /// for an environment variable (which every agent's shell inherits).
    fn target(&self, path: &str) -> Option<Target> {
        if path.starts_with('$') {
            return None;
        }
        Some(match path.strip_prefix("~/") {
            Some(rest) => Target {
                rel: None,
                abs: self.home.join(rest),
            },
            None => Target {
                rel: Some(path.to_owned()),
                abs: self.root.join(path),
            },
        })
    }

    fn in_mcp_servers(&self, agent: &AgentModel, path: &str, target: &Target, line: usize) -> bool {
        agent.mcp.iter().any(|(mcp_path, key)| {
            let hit = match (mcp_path, &target.rel) {
                (McpPath::Workspace(set), Some(rel)) => set.is_match(rel),
                (McpPath::Home(home_path), None) => home_path == path,
                _ => false,
            };
            if !hit {
                return false;
            }
            let mut cache = self.mcp_cache.lock().unwrap_or_else(PoisonError::into_inner);
            let ranges = cache.entry(target.abs.clone()).or_insert_with(|| {
                fs::read_to_string(&target.abs)
                    .map(|text| mcp::server_lines(&text, key, path))
                    .unwrap_or_default()
            });
            ranges.iter().any(|r| r.contains(&line))
        })
    }

    /// Every (agent, channel) that reaches the token at `path` (as findings show it) and
    /// `line`, with what blocks it.
    pub fn reach(&self, path: &str, line: usize) -> Vec<Reach> {
        let mut out = Vec::new();
        let entry = |agent: &AgentModel, channel: Channel, blocked_by: Option<String>| Reach {
            agent: agent.id.clone(),
            channel: channel.as_str().to_owned(),
            blocked_by,
        };
        let Some(target) = self.target(path) else {
            for agent in self.agents.iter().filter(|a| a.shell) {
                out.push(entry(agent, Channel::Shell, None));
            }
            return out;
        };
        for agent in &self.agents {
            if let Some(rel) = &target.rel {
                if agent.context.is_match(rel) {
                    out.push(entry(agent, Channel::AutoContext, None));
                }
            }
            if self.in_mcp_servers(agent, path, &target, line) {
                out.push(entry(agent, Channel::McpConfig, None));
            }
            if agent.file_tool && (target.rel.is_some() || agent.reads_outside_workspace) {
                let blocked = agent.file_blocks.iter().find_map(|b| b.blocked_by(&target));
                out.push(entry(agent, Channel::FileTool, blocked));
            }
            if agent.shell {
                let blocked = agent.shell_blocks.iter().find_map(|b| b.blocked_by(&target));
                out.push(entry(agent, Channel::Shell, blocked));
            }
        }
        out
    }
}

/// Fills `reachable_by` for the findings of a scan over `roots` (paths as the walker shows
/// them: relative to the only root when it is a directory, otherwise as given), from any
/// thread, as findings turn up: the catalog is read and each root's workspace modelled on
/// the first finding that needs them.
pub struct Annotator<'a> {
    roots: &'a [PathBuf],
    /// The only root is a directory: findings' paths are relative to it.
    single_dir: bool,
    options: &'a ReachOptions,
    catalog: OnceLock<Result<Catalog, String>>,
    workspaces: Mutex<HashMap<PathBuf, Arc<Workspace>>>,
}

impl<'a> Annotator<'a> {
    pub fn new(roots: &'a [PathBuf], options: &'a ReachOptions) -> Annotator<'a> {
        Annotator {
            roots,
            single_dir: matches!(roots, [only] if only.is_dir()),
            options,
            catalog: OnceLock::new(),
            workspaces: Mutex::new(HashMap::new()),
        }
    }

    /// Fills `reachable_by` of each finding; leaves it empty when the built-in catalog is
    /// broken, which [`Annotator::finish`] reports.
    pub fn annotate(&self, findings: &mut [Finding]) {
        if findings.is_empty() {
            return;
        }
        let catalog = self
            .catalog
            .get_or_init(|| Catalog::builtin().map_err(|err| err.to_string()));
        let Ok(catalog) = catalog else {
            return;
        };
        for finding in findings {
            // A token inside an archive is reached by reading the archive.
            let (root, rel) = if self.single_dir {
                (self.roots[0].clone(), finding.file_path().to_owned())
            } else {
                locate_root(self.roots, finding.file_path())
            };
            let workspace = {
                // Held while a workspace is modelled, so that it is modelled once.
                let mut workspaces = self.workspaces.lock().unwrap_or_else(PoisonError::into_inner);
                let workspace = workspaces
                    .entry(root)
                    .or_insert_with_key(|root| Arc::new(Workspace::new(catalog, root, self.options)));
                Arc::clone(workspace)
            };
            finding.reachable_by = workspace.reach(&rel, finding.line);
        }
    }

    /// Why the built-in catalog could not be read, if it could not, and the warnings of
    /// the workspaces modelled (settings files that could not be parsed), sorted.
    pub fn finish(self) -> (Option<String>, Vec<String>) {
        let broken = self.catalog.into_inner().and_then(Result::err);
        let workspaces = self
            .workspaces
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let mut warnings: Vec<String> = workspaces
            .into_values()
            .flat_map(|w| w.warnings.clone())
            .collect();
        warnings.sort();
        warnings.dedup();
        (broken, warnings)
    }
}

/// The scan root a shown path came from, and the path relative to that root's workspace.
fn locate_root(roots: &[PathBuf], shown: &str) -> (PathBuf, String) {
    let path = Path::new(shown);
    for root in roots {
        let trimmed = root.to_string_lossy();
        let trimmed = trimmed.trim_start_matches("./");
        if root.is_dir() {
            if trimmed.is_empty() || trimmed == "." {
                return (root.clone(), shown.to_owned());
            }
            if let Ok(rel) = path.strip_prefix(trimmed) {
                return (root.clone(), rel.to_string_lossy().replace('\\', "/"));
            }
        } else if path == Path::new(trimmed) {
            let dir = root
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let name = root
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            return (dir.to_owned(), name);
        }
    }
    (PathBuf::from("."), shown.to_owned())
}

/// How exposed a token is, worst last: the severity model reads this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exposure {
    /// No modelled agent reaches it (every channel blocked, or no agent).
    None,
    Shell,
    FileTool,
    McpConfig,
    /// Loaded into every prompt: the worst.
    AutoContext,
}

/// The worst unblocked channel among `reach`.
pub fn exposure(reach: &[Reach]) -> Exposure {
    reach
        .iter()
        .filter(|r| r.blocked_by.is_none())
        .map(|r| match r.channel.as_str() {
            "auto-context" => Exposure::AutoContext,
            "mcp-config" => Exposure::McpConfig,
            "file-tool" => Exposure::FileTool,
            _ => Exposure::Shell,
        })
        .max()
        .unwrap_or(Exposure::None)
}

/// One line for people: agents with the same channels are grouped,
/// `claude-code, codex (file-tool, shell); cursor (shell; file-tool blocked by .cursorignore:3)`.
pub fn summary(reach: &[Reach]) -> String {
    let mut per_agent: Vec<(String, String)> = Vec::new();
    let mut agents: Vec<&str> = Vec::new();
    for r in reach {
        if !agents.contains(&r.agent.as_str()) {
            agents.push(&r.agent);
        }
    }
    for agent in agents {
        let entries: Vec<&Reach> = reach.iter().filter(|r| r.agent == agent).collect();
        let open: Vec<&str> = entries
            .iter()
            .filter(|r| r.blocked_by.is_none())
            .map(|r| r.channel.as_str())
            .collect();
        let blocked: Vec<String> = entries
            .iter()
            .filter_map(|r| {
                r.blocked_by
                    .as_ref()
                    .map(|b| format!("{} blocked by {b}", r.channel))
            })
            .collect();
        let mut text = open.join(", ");
        if !blocked.is_empty() {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&blocked.join("; "));
        }
        per_agent.push((agent.to_owned(), text));
    }
    let mut groups: Vec<(Vec<String>, String)> = Vec::new();
    for (agent, text) in per_agent {
        match groups.iter_mut().find(|(_, t)| *t == text) {
            Some((names, _)) => names.push(agent),
            None => groups.push((vec![agent], text)),
        }
    }
    // With every agent modelled (none detected), name the exceptions and fold the largest
    // group into "every other agent": the line stays short and the JSON keeps the detail.
    let modelled: usize = groups.iter().map(|(names, _)| names.len()).sum();
    let mut folded = None;
    if modelled == AGENT_IDS.len() {
        if let Some(largest) = (0..groups.len()).max_by_key(|&i| groups[i].0.len()) {
            if groups[largest].0.len() > 6 {
                let (_, text) = groups.remove(largest);
                let label = if groups.is_empty() {
                    "every agent"
                } else {
                    "every other agent"
                };
                folded = Some(format!("{label} ({text})"));
            }
        }
    }
    groups
        .into_iter()
        .map(|(names, text)| format!("{} ({text})", names.join(", ")))
        .chain(folded)
        .collect::<Vec<_>>()
        .join("; ")
}

/// What to do about a reachable token, one line per fix, most effective first. `narrow` is
/// the provider's advice on a narrower token.
pub fn fixes(finding: &Finding, narrow: Option<&str>) -> Vec<String> {
    let open = |channel: &str| {
        finding
            .reachable_by
            .iter()
            .any(|r| r.channel == channel && r.blocked_by.is_none())
    };
    let open_for = |channel: &str, agent: &str| {
        finding
            .reachable_by
            .iter()
            .any(|r| r.channel == channel && r.agent == agent && r.blocked_by.is_none())
    };
    let path = finding.file_path();
    let mut out = Vec::new();
    if path.starts_with('$') {
        out.push(format!(
            "unset {} in the shell that starts agents, and load it only into the command that needs it",
            path.trim_start_matches('$')
        ));
    }
    if open("auto-context") {
        out.push(format!(
            "move the token out of {path}: it is loaded into every prompt"
        ));
    }
    if open("mcp-config") {
        out.push(format!(
            "reference the token from the environment (`${{env:NAME}}`, `${{NAME}}`) instead of inlining it in {path}"
        ));
    }
    if open("file-tool") {
        let (claude_rule, where_) = match path.strip_prefix("~/") {
            Some(rest) => (format!("Read(~/{rest})"), "~/.claude/settings.json"),
            None => (format!("Read(./{path})"), ".claude/settings.json"),
        };
        if open_for("file-tool", "claude-code") {
            out.push(format!(
                "deny rule: add \"{claude_rule}\" to permissions.deny in {where_}"
            ));
        }
        for (agent, file) in [
            ("cursor", ".cursorignore"),
            ("gemini-cli", ".geminiignore"),
            ("cline", ".clineignore"),
            ("roo", ".rooignore"),
        ] {
            if open_for("file-tool", agent) && !path.starts_with("~/") {
                out.push(format!("ignore rule: add /{path} to {file}"));
            }
        }
    }
    if open("shell") {
        let shown = if path.starts_with("~/") {
            path.to_owned()
        } else {
            format!("./{path}")
        };
        if open_for("shell", "claude-code") {
            out.push(format!(
                "sandbox read-deny (Claude Code): add \"{shown}\" to sandbox.filesystem.denyRead and set sandbox.enabled; \
                 a Read deny rule alone does not stop the shell"
            ));
        }
        if open_for("shell", "codex") {
            out.push(format!(
                "sandbox read-deny (Codex): map \"{shown}\" to \"none\" in the profile named by default_permissions"
            ));
        }
        out.push(
            "move it out of reach: keep it in a secret manager or keychain and inject it only into the command that uses it"
                .to_owned(),
        );
    }
    if let Some(narrow) = narrow {
        out.push(format!("narrow it: {narrow}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(agent: &str, channel: &str, blocked_by: Option<&str>) -> Reach {
        Reach {
            agent: agent.to_owned(),
            channel: channel.to_owned(),
            blocked_by: blocked_by.map(str::to_owned),
        }
    }

    #[test]
    fn exposure_is_the_worst_open_channel() {
        assert_eq!(exposure(&[]), Exposure::None);
        assert_eq!(exposure(&[r("cursor", "shell", Some("x"))]), Exposure::None);
        assert_eq!(
            exposure(&[
                r("cursor", "file-tool", Some(".cursorignore:1")),
                r("cursor", "shell", None)
            ]),
            Exposure::Shell
        );
        assert_eq!(
            exposure(&[
                r("claude-code", "auto-context", None),
                r("claude-code", "shell", None)
            ]),
            Exposure::AutoContext
        );
    }

    #[test]
    fn summary_groups_agents_with_the_same_channels() {
        let reach = [
            r("cursor", "file-tool", Some(".cursorignore:3")),
            r("cursor", "shell", None),
            r("claude-code", "file-tool", None),
            r("claude-code", "shell", None),
            r("copilot", "file-tool", None),
            r("copilot", "shell", None),
        ];
        assert_eq!(
            summary(&reach),
            "cursor (shell; file-tool blocked by .cursorignore:3); claude-code, copilot (file-tool, shell)"
        );
        let every: Vec<Reach> = AGENT_IDS.iter().map(|a| r(a, "shell", None)).collect();
        assert_eq!(summary(&every), "every agent (shell)");
    }

    #[test]
    fn agent_lists_parse_and_unknown_ids_are_refused() {
        assert_eq!("all".parse::<AgentSelection>(), Ok(AgentSelection::All));
        assert_eq!(
            "cursor, codex".parse::<AgentSelection>(),
            Ok(AgentSelection::List(vec!["cursor".into(), "codex".into()]))
        );
        assert!("cursor,vim".parse::<AgentSelection>().is_err());
    }
}
