//! What `tokscan reach` adds to a workspace scan: the usual credential files in a home
//! directory (listed as data in `rules/home-credentials.toml`, plus every user-level MCP config
//! of the agent catalog) and the environment variables an agent would inherit.
//!
//! Each file is read (small files only) and matched with the ordinary rule packs, whose
//! path-restricted rules parse the formats (`user.token` in `~/.railway/config.json`,
//! `password` in `~/.netrc`, ...). Findings show home paths as `~/...` and variables as
//! `$NAME`. Nothing here walks the home directory.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::finding::Finding;
use crate::rules::RuleSet;
use crate::scan::{scan_bytes, Problem};

use super::Catalog;

/// Credential files are small; anything larger is not one.
const MAX_HOME_FILE: u64 = 4 << 20;

/// Every home path to look at, as `~/...`, without duplicates.
pub fn home_paths(catalog: &Catalog) -> Vec<String> {
    let mut paths: Vec<String> = catalog
        .home_files
        .iter()
        .map(|f| format!("~/{}", f.path))
        .collect();
    for agent in &catalog.agents {
        for mcp in &agent.mcp_config {
            if mcp.path.starts_with("~/") && !paths.contains(&mcp.path) {
                paths.push(mcp.path.clone());
            }
        }
    }
    paths
}

/// Findings in the credential files under `home` that exist. Files under `skip_under` (the
/// workspace, when it lies in the home) are left out: the workspace scan already read them.
pub fn home_findings(
    rules: &RuleSet,
    catalog: &Catalog,
    home: &Path,
    skip_under: Option<&Path>,
    keep_secrets: bool,
) -> (Vec<Finding>, Vec<Problem>) {
    let mut findings = Vec::new();
    let mut problems = Vec::new();
    for shown in home_paths(catalog) {
        let path = home.join(shown.trim_start_matches("~/"));
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        if let (Some(skip), Ok(real)) = (skip_under, fs::canonicalize(&path)) {
            if real.starts_with(skip) {
                continue;
            }
        }
        let mut buf = Vec::new();
        let read = fs::File::open(&path).and_then(|f| f.take(MAX_HOME_FILE).read_to_end(&mut buf));
        if let Err(err) = read {
            problems.push(Problem {
                path: shown,
                message: format!("cannot read: {err}"),
                error: false,
            });
            continue;
        }
        findings.extend(scan_bytes(rules, &shown, &buf, keep_secrets));
    }
    (findings, problems)
}

/// Findings in environment variables, one buffer `NAME=value` per variable, shown as `$NAME`.
pub fn env_findings(
    rules: &RuleSet,
    vars: impl IntoIterator<Item = (String, String)>,
    keep_secrets: bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (name, value) in vars {
        let text = format!("{name}={value}\n");
        findings.extend(scan_bytes(
            rules,
            &format!("${name}"),
            text.as_bytes(),
            keep_secrets,
        ));
    }
    findings
}
