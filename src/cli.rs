//! The command line: clap definitions only. `main.rs` turns these into engine calls.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use tokscan::finding::Severity;
use tokscan::reach::AgentSelection;

#[derive(Debug, Parser)]
#[command(
    name = "tokscan",
    version,
    about = "Finds provider tokens in a workspace and says what each can do and who can reach it.",
    after_help = "Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage, config or I/O error.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Without a command, tokscan scans PATH.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Files or directories to scan.
    #[arg(default_value = ".", value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Scan what is staged for the next commit (the index), not the working tree: the lines
    /// it adds to HEAD. PATH locates the repository.
    #[arg(long, help_heading = "Git", conflicts_with_all = ["diff", "history"])]
    pub staged: bool,

    /// Scan only the lines added from the merge base of BASE to HEAD (HEAD defaults to
    /// `HEAD`), with HEAD's line numbers; tokscan.toml and the baseline are read from BASE.
    #[arg(
        long,
        value_name = "BASE[..HEAD]",
        help_heading = "Git",
        conflicts_with = "history"
    )]
    pub diff: Option<String>,

    /// Scan every blob reachable from any reference, each once, with the commit that
    /// introduced it.
    #[arg(long, help_heading = "Git")]
    pub history: bool,

    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Add rule packs: a TOML file, or a directory of them. Repeatable.
    #[arg(long = "rules", value_name = "FILE|DIR")]
    pub rules: Vec<PathBuf>,

    /// Run only this rule (an id from `tokscan rules list`). Repeatable.
    #[arg(long = "enable-rule", value_name = "ID")]
    pub enable_rule: Vec<String>,

    /// Use this config file instead of looking for tokscan.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Use no config file.
    #[arg(long)]
    pub no_config: bool,

    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the findings of this scan to FILE as a baseline.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Exit 1 when a finding is at least this severe.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_severity)]
    pub fail_on: Severity,

    /// Also scan files that .gitignore and .ignore exclude.
    #[arg(long)]
    pub no_ignore: bool,

    /// Skip files larger than this (bytes, or with K, M, G).
    #[arg(long, value_name = "SIZE", default_value = "25M", value_parser = parse_size)]
    pub max_file_size: u64,

    /// Read files bigger than this in chunks of this size (default 16M). For tests and tuning.
    #[arg(long, value_name = "SIZE", value_parser = parse_chunk_size, hide = true)]
    pub chunk_size: Option<usize>,

    /// Open archives (zip, tar, gzip) nested up to this deep; 0 leaves archives unopened.
    #[arg(long, value_name = "N", default_value_t = tokscan::source::archive::DEFAULT_MAX_DEPTH)]
    pub max_archive_depth: u32,

    /// Worker threads (default: one per core; one when the only path is a file).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Follow symbolic links.
    #[arg(short = 'L', long)]
    pub follow: bool,

    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    /// Ask each token's own provider, read-only, what the token is: live or revoked, its
    /// scopes, owner and name. Off by default: without it nothing leaves the machine.
    #[arg(long)]
    pub introspect: bool,

    /// Show raw secrets in every output format (they are redacted by default).
    #[arg(long)]
    pub no_redact: bool,

    /// Also report values that are public by design (publishable keys), at severity info.
    #[arg(long)]
    pub include_public: bool,

    /// Agents to model in `reachable_by`: a comma-separated list of agent ids, `all`, `none`,
    /// or `detected` (the default: agents found in the workspace, every agent if none is).
    #[arg(long, value_name = "LIST|all|none", default_value = "detected", value_parser = parse_agents)]
    pub agents: AgentSelection,

    /// Print only findings and errors.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say more on standard error (repeatable).
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the detection rules (a directory named `rules` is scanned with `tokscan ./rules`).
    Rules {
        #[command(subcommand)]
        action: RulesCommand,
    },
    /// What an agent started in this workspace could reach: the workspace scan, the usual
    /// credential files in the home directory, and the environment variables; ranked, with
    /// a fix for each.
    Reach(ReachArgs),
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule: id, provider, kind, severity, confidence and what it is.
    List {
        /// Output format (`markdown` writes RULES.md).
        #[arg(short = 'f', long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Add rule packs (tokscan or gitleaks TOML), as for a scan.
        #[arg(long = "rules", value_name = "FILE|DIR")]
        rules: Vec<PathBuf>,
    },
    /// Explain one rule: description, keywords, regex, checks, examples, references, remediation.
    Explain {
        /// The rule id (see `tokscan rules list`).
        id: String,
        /// Add rule packs (tokscan or gitleaks TOML), as for a scan.
        #[arg(long = "rules", value_name = "FILE|DIR")]
        rules: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct ReachArgs {
    /// The workspace an agent would be started in.
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,

    /// The home directory to look in (default: $HOME).
    #[arg(long, value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = ReachFormatArg::Human)]
    pub format: ReachFormatArg,

    /// Agents to model (see `tokscan --help`).
    #[arg(long, value_name = "LIST|all|none", default_value = "detected", value_parser = parse_agents)]
    pub agents: AgentSelection,

    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Do not look at environment variables.
    #[arg(long)]
    pub no_env: bool,

    /// Exit 1 when a finding is at least this severe.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_severity)]
    pub fail_on: Severity,

    /// Show raw secrets (they are redacted by default).
    #[arg(long)]
    pub no_redact: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReachFormatArg {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
    Jsonl,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

fn parse_agents(s: &str) -> Result<AgentSelection, String> {
    s.parse()
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (digits, multiplier) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        None => (s, 1),
        Some((i, _)) => {
            let unit = s[i..].trim().to_ascii_uppercase();
            let multiplier = match unit.trim_end_matches("IB").trim_end_matches('B') {
                "" => 1,
                "K" => 1 << 10,
                "M" => 1 << 20,
                "G" => 1 << 30,
                _ => return Err(format!("unknown size unit in `{s}` (use K, M or G)")),
            };
            (&s[..i], multiplier)
        }
    };
    let n: u64 = digits.parse().map_err(|_| format!("`{s}` is not a size"))?;
    n.checked_mul(multiplier)
        .ok_or_else(|| format!("`{s}` is too large"))
}

fn parse_chunk_size(text: &str) -> Result<usize, String> {
    let bytes = parse_size(text)?;
    usize::try_from(bytes).map_err(|_| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_with_units() {
        assert_eq!(parse_size("25M"), Ok(25 << 20));
        assert_eq!(parse_size("1KiB"), Ok(1024));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("3X").is_err());
    }
}
