//! The agent catalog: `rules/agents/<agent-id>.toml`, one file per agent id of the contract,
//! embedded at build time like the rule packs. Each file says how to tell the agent is used
//! in a workspace, which ignore and settings files it honours for which channel, its built-in
//! default ignores, its auto-loaded context files and its MCP config files.
//!
//! This module only loads and validates the data; what the files mean is decided by the
//! mechanism modules (`gitignore_style`, `claude`, `codex`, `zed`, `opencode`, `mcp`).

use serde::Deserialize;
use toml::Spanned;

use crate::error::{FileError, Result};
use crate::rules::embedded_under;

/// Every agent id in the public contract (`DESIGN.md`).
pub const AGENT_IDS: [&str; 14] = [
    "cursor",
    "claude-code",
    "copilot",
    "codex",
    "gemini-cli",
    "windsurf",
    "cline",
    "roo",
    "continue",
    "aider",
    "zed",
    "opencode",
    "amazon-q",
    "junie",
];

const AGENTS_DIR: &str = "rules/agents/";
const HOME_FILES: &str = "rules/home-credentials.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentDef {
    pub id: Spanned<String>,
    pub name: String,
    /// Whether the agent has its own read tools (channel `file-tool`).
    pub file_tool: bool,
    /// Whether the agent runs shell commands as the user (channel `shell`).
    pub shell: bool,
    /// Whether the sandbox the agent runs commands in denies reads out of the box (no
    /// shipping agent's does: they restrict writes and network). Read-deny settings are
    /// evaluated by the `settings` mechanisms.
    pub sandbox_denies_reads: bool,
    /// Whether its file tools read outside the workspace without asking (home files).
    #[serde(default)]
    pub reads_outside_workspace: bool,
    /// Paths relative to the workspace root whose presence shows the agent is used there; a
    /// trailing `/` asks for a directory.
    pub markers: Vec<String>,
    /// The same, relative to the home directory (only looked at when a home is given).
    #[serde(default)]
    pub home_markers: Vec<String>,
    /// Globs (relative to the workspace root) of files loaded into every prompt.
    #[serde(default)]
    pub context_files: Vec<String>,
    /// Whether `@path` imports in a context file pull that file into the prompt too.
    #[serde(default)]
    pub context_imports: bool,
    /// Globs the file tools skip out of the box (`blocked_by = "built-in default: GLOB"`).
    #[serde(default)]
    pub default_ignores: Vec<String>,
    /// Exceptions to `default_ignores`.
    #[serde(default)]
    pub default_allows: Vec<String>,
    /// Ignore files the agent honours for indexing or context only, or with a prompt: they
    /// block no tool read. Listed so the catalog says so explicitly.
    #[serde(default)]
    pub indexing_only: Vec<String>,
    /// Gitignore-syntax files that block the agent's file tools.
    #[serde(default)]
    pub ignore_file: Vec<IgnoreFileDef>,
    /// Settings files read by a mechanism with its own semantics.
    #[serde(default)]
    pub settings: Vec<SettingsDef>,
    #[serde(default)]
    pub mcp_config: Vec<McpConfigDef>,
}

/// A channel an ignore file can close.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockedChannel {
    #[default]
    FileTool,
    Shell,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreFileDef {
    pub name: String,
    /// The channel it closes (`file-tool` unless said).
    #[serde(default)]
    pub blocks: BlockedChannel,
    /// Also read from every directory between the root and the file (as git does).
    #[serde(default)]
    pub hierarchical: bool,
    /// Settings that turn the file off: `FILE#JSON-POINTER` entries; the file is not honoured
    /// when the last of them that is set (home first, then the workspace) is `false`.
    #[serde(default)]
    pub disabled_when_false: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    ClaudeSettings,
    CodexPermissions,
    ZedPrivateFiles,
    OpencodePermission,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsDef {
    pub mechanism: Mechanism,
    /// Relative to the workspace root, or to the home directory with `~/`.
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpConfigDef {
    /// A glob relative to the workspace root, or a home path with `~/`.
    pub path: String,
    /// The key holding the server definitions (`mcpServers`, `servers`, `mcp_servers`, ...).
    pub key: String,
}

/// `rules/home-credentials.toml`: credential files in the home directory.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeFiles {
    pub file: Vec<HomeFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeFile {
    /// Relative to the home directory.
    pub path: String,
    /// What writes it.
    pub tool: String,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub agents: Vec<AgentDef>,
    pub home_files: Vec<HomeFile>,
}

impl Catalog {
    /// The catalog embedded in the binary.
    pub fn builtin() -> Result<Catalog> {
        let agents: Vec<(&str, &str)> = embedded_under(AGENTS_DIR).collect();
        let home: Vec<(&str, &str)> = embedded_under(HOME_FILES).collect();
        Catalog::from_sources(&agents, &home)
    }

    /// A catalog from `(path, text)` pairs: agent files (`rules/agents/<id>.toml`) and the
    /// home credential list. Errors name the file and line.
    pub fn from_sources(agent_files: &[(&str, &str)], home_lists: &[(&str, &str)]) -> Result<Catalog> {
        let mut agents: Vec<AgentDef> = Vec::new();
        let mut home_files = Vec::new();
        for &(path, text) in agent_files {
            let agent: AgentDef =
                toml::from_str(text).map_err(|e| FileError::from_toml("agent catalog", path, text, &e))?;
            let id = agent.id.get_ref();
            let expected = path.trim_start_matches(AGENTS_DIR).trim_end_matches(".toml");
            if !AGENT_IDS.contains(&id.as_str()) || id != expected {
                return Err(FileError::new(
                    "agent catalog",
                    path,
                    text,
                    Some(agent.id.span()),
                    format!("agent id `{id}` must be a contract agent id and match the file name"),
                )
                .into());
            }
            agents.push(agent);
        }
        for &(path, text) in home_lists {
            let files: HomeFiles = toml::from_str(text)
                .map_err(|e| FileError::from_toml("home credential list", path, text, &e))?;
            home_files = files.file;
        }
        if let Some(dup) = agents
            .iter()
            .enumerate()
            .find(|(i, a)| agents[..*i].iter().any(|b| b.id.get_ref() == a.id.get_ref()))
        {
            return Err(FileError::new(
                "agent catalog",
                AGENTS_DIR,
                "",
                None,
                format!("agent `{}` is defined twice", dup.1.id.get_ref()),
            )
            .into());
        }
        agents.sort_by_key(|a| AGENT_IDS.iter().position(|id| id == a.id.get_ref()));
        Ok(Catalog { agents, home_files })
    }

    pub fn agent(&self, id: &str) -> Option<&AgentDef> {
        self.agents.iter().find(|a| a.id.get_ref() == id)
    }
}
