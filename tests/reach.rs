//! Agent reachability end to end: for each mechanism a fixture workspace under
//! `fixtures/reach/<case>/`, and the exact `reachable_by` (agent, channel, blocked_by) of each
//! planted token; then `tokscan reach` over a fixture home (`fixtures/home/`).

mod common;

use std::path::Path;

use common::{finish, github_pat, materialize, run_in, tokscan_command};
use serde_json::Value;

type Entry = (&'static str, &'static str, Option<&'static str>);

/// `reachable_by` of the finding at `path` as `(agent, channel, blocked_by)`.
fn reach_at(report: &Value, path: &str) -> Vec<(String, String, Option<String>)> {
    let finding = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no finding at {path}: {report:#}"));
    finding["reachable_by"]
        .as_array()
        .expect("reachable_by is an array")
        .iter()
        .map(|r| {
            (
                r["agent"].as_str().unwrap().to_owned(),
                r["channel"].as_str().unwrap().to_owned(),
                r["blocked_by"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn owned(expected: &[Entry]) -> Vec<(String, String, Option<String>)> {
    expected
        .iter()
        .map(|&(a, c, b)| (a.to_owned(), c.to_owned(), b.map(str::to_owned)))
        .collect()
}

fn scan_case(case: &str, extra: &[&str]) -> Value {
    let dir = materialize(&format!("reach/{case}"));
    let mut args = vec!["-f", "json", "."];
    args.extend_from_slice(extra);
    let run = run_in(dir.path(), &args);
    assert_eq!(run.code, 1, "findings exit 1; stderr: {}", run.stderr);
    run.json()
}

#[test]
fn gitignored_env_is_skipped_by_cursor_file_tools_but_read_by_claude_code() {
    let report = scan_case("cursor-claude", &[]);
    assert_eq!(
        reach_at(&report, ".env"),
        owned(&[
            ("cursor", "file-tool", Some("built-in default: **/.env")),
            ("cursor", "shell", None),
            ("claude-code", "file-tool", None),
            ("claude-code", "shell", None),
        ])
    );
}

#[test]
fn cursorignore_blocks_cursor_file_tools_with_file_and_line() {
    let report = scan_case("cursor-claude", &[]);
    assert_eq!(
        reach_at(&report, "secrets/deploy.sh"),
        owned(&[
            ("cursor", "file-tool", Some(".cursorignore:2")),
            ("cursor", "shell", None),
            ("claude-code", "file-tool", None),
            ("claude-code", "shell", None),
        ])
    );
}

#[test]
fn cursorindexingignore_blocks_nothing() {
    let report = scan_case("cursor-claude", &[]);
    assert_eq!(
        reach_at(&report, "config/app.yaml"),
        owned(&[
            ("cursor", "file-tool", None),
            ("cursor", "shell", None),
            ("claude-code", "file-tool", None),
            ("claude-code", "shell", None),
        ])
    );
}

#[test]
fn token_in_claude_md_is_auto_context() {
    let report = scan_case("claude", &[]);
    assert_eq!(
        reach_at(&report, "CLAUDE.md"),
        owned(&[
            ("claude-code", "auto-context", None),
            ("claude-code", "file-tool", None),
            ("claude-code", "shell", None),
        ])
    );
}

#[test]
fn claude_read_deny_blocks_the_read_tool_but_not_the_shell() {
    // The same rule under `allow` lifts nothing: deny > ask > allow.
    let report = scan_case("claude", &[]);
    assert_eq!(
        reach_at(&report, "secrets/token.txt"),
        owned(&[
            ("claude-code", "file-tool", Some(".claude/settings.json:6")),
            ("claude-code", "shell", None),
        ])
    );
}

#[test]
fn claude_sandbox_deny_read_blocks_the_shell_but_not_the_read_tool() {
    let report = scan_case("claude", &[]);
    assert_eq!(
        reach_at(&report, "vault/token.txt"),
        owned(&[
            ("claude-code", "file-tool", None),
            ("claude-code", "shell", Some(".claude/settings.json:13")),
        ])
    );
}

#[test]
fn mcp_config_inline_token_is_found_and_env_reference_is_not() {
    let report = scan_case("mcp", &[]);
    let found: Vec<(&str, &str, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // One inline token per file; `${env:LINEAR_API_KEY}` is a reference, not a finding.
    assert_eq!(
        found,
        vec![
            ("github-classic-pat", ".cursor/mcp.json", 7),
            ("generic-mcp-secret", ".mcp.json", 7),
        ]
    );
    assert_eq!(
        reach_at(&report, ".cursor/mcp.json"),
        owned(&[
            ("cursor", "mcp-config", None),
            ("cursor", "file-tool", None),
            ("cursor", "shell", None),
            ("claude-code", "file-tool", None),
            ("claude-code", "shell", None),
        ])
    );
    assert_eq!(
        reach_at(&report, ".mcp.json"),
        owned(&[
            ("cursor", "file-tool", None),
            ("cursor", "shell", None),
            ("claude-code", "mcp-config", None),
            ("claude-code", "file-tool", None),
            ("claude-code", "shell", None),
        ])
    );
}

#[test]
fn codex_permission_profile_none_blocks_its_shell() {
    let report = scan_case("codex", &[]);
    assert_eq!(
        reach_at(&report, "secrets/token.txt"),
        owned(&[("codex", "shell", Some(".codex/config.toml:5"))])
    );
    assert_eq!(
        reach_at(&report, "deploy.key.txt"),
        owned(&[("codex", "shell", Some(".codex/config.toml:9"))])
    );
    assert_eq!(
        reach_at(&report, "AGENTS.md"),
        owned(&[("codex", "auto-context", None), ("codex", "shell", None)])
    );
}

#[test]
fn zed_private_files_setting_replaces_the_default_and_opencode_last_rule_wins() {
    let report = scan_case("zed-opencode", &[]);
    // `private_files` no longer lists `.env`, and OpenCode's `"*.env": "allow"` comes after
    // its built-in `*.env` deny.
    assert_eq!(
        reach_at(&report, ".env"),
        owned(&[
            ("zed", "file-tool", None),
            ("zed", "shell", None),
            ("opencode", "file-tool", None),
            ("opencode", "shell", None),
        ])
    );
    assert_eq!(
        reach_at(&report, "secrets/token.txt"),
        owned(&[
            ("zed", "file-tool", Some(".zed/settings.json:4")),
            ("zed", "shell", None),
            ("opencode", "file-tool", Some("opencode.json:7")),
            ("opencode", "shell", None),
        ])
    );
}

#[test]
fn gemini_file_tools_honour_gitignore_and_geminiignore() {
    let report = scan_case("gemini", &[]);
    assert_eq!(
        reach_at(&report, ".env"),
        owned(&[
            ("gemini-cli", "file-tool", Some(".gitignore:2")),
            ("gemini-cli", "shell", None),
        ])
    );
    assert_eq!(
        reach_at(&report, "private/token.txt"),
        owned(&[
            ("gemini-cli", "file-tool", Some(".geminiignore:1")),
            ("gemini-cli", "shell", None),
        ])
    );
    assert_eq!(
        reach_at(&report, "GEMINI.md"),
        owned(&[
            ("gemini-cli", "auto-context", None),
            ("gemini-cli", "file-tool", None),
            ("gemini-cli", "shell", None),
        ])
    );
}

#[test]
fn with_no_agent_detected_every_agent_is_modelled() {
    let report = scan_case("none", &[]);
    let reach = reach_at(&report, ".env");
    let mut agents: Vec<&str> = reach.iter().map(|(a, _, _)| a.as_str()).collect();
    agents.dedup();
    assert_eq!(agents, tokscan::reach::AGENT_IDS.to_vec());
    assert!(reach.contains(&(
        "cursor".into(),
        "file-tool".into(),
        Some("built-in default: **/.env".into())
    )));
    assert!(reach.contains(&(
        "zed".into(),
        "file-tool".into(),
        Some("built-in default: **/.env*".into())
    )));
    assert!(reach.contains(&(
        "opencode".into(),
        "file-tool".into(),
        Some("built-in default: *.env".into())
    )));
    assert!(reach.contains(&("claude-code".into(), "file-tool".into(), None)));
    // Codex and Aider have no read tool of their own; every agent has a shell.
    assert!(!reach
        .iter()
        .any(|(a, c, _)| (a == "codex" || a == "aider") && c == "file-tool"));
    assert_eq!(
        reach
            .iter()
            .filter(|(_, c, b)| c == "shell" && b.is_none())
            .count(),
        14
    );
}

#[test]
fn agents_flag_selects_the_modelled_agents() {
    let report = scan_case("cursor-claude", &["--agents", "claude-code"]);
    assert_eq!(
        reach_at(&report, ".env"),
        owned(&[("claude-code", "file-tool", None), ("claude-code", "shell", None)])
    );
    let report = scan_case("cursor-claude", &["--agents", "none"]);
    assert_eq!(reach_at(&report, ".env"), vec![]);
    let report = scan_case("none", &["--agents", "all"]);
    assert_eq!(reach_at(&report, ".env").len(), 14 + 12);
}

#[test]
fn unknown_agent_is_a_usage_error() {
    let dir = materialize("reach/none");
    let run = run_in(dir.path(), &["--agents", "cursor,vim", "."]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown agent `vim`"), "{}", run.stderr);
}

#[test]
fn human_output_shows_reach_in_one_line() {
    let dir = materialize("reach/cursor-claude");
    let run = run_in(dir.path(), &["--color", "never", "."]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "reachable:  cursor (shell; file-tool blocked by built-in default: **/.env); claude-code (file-tool, shell)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("reachable:  cursor (shell; file-tool blocked by .cursorignore:2); claude-code (file-tool, shell)"),
        "{}",
        run.stdout
    );
}

/// Every credential planted in `fixtures/home`, by `(rule, path)`.
const HOME_CREDENTIALS: &[(&str, &str)] = &[
    ("aws-access-key-id", "~/.aws/credentials"),
    ("aws-secret-access-key", "~/.aws/credentials"),
    ("openai-project-key", "~/.codex/auth.json"),
    (
        "digitalocean-personal-access-token",
        "~/.config/doctl/config.yaml",
    ),
    (
        "google-oauth-refresh-token",
        "~/.config/gcloud/application_default_credentials.json",
    ),
    ("github-oauth-token", "~/.config/gh/hosts.yml"),
    ("netlify-personal-access-token", "~/.config/netlify/config.json"),
    ("github-classic-pat", "~/.cursor/mcp.json"),
    ("docker-config-auth", "~/.docker/config.json"),
    ("fly-user-token", "~/.fly/config.yml"),
    ("url-basic-auth", "~/.git-credentials"),
    ("kubernetes-kubeconfig-token", "~/.kube/config"),
    ("vercel-cli-token", "~/.local/share/com.vercel.cli/auth.json"),
    ("url-netrc-password", "~/.netrc"),
    ("npm-access-token", "~/.npmrc"),
    ("google-oauth-access-token", "~/.gemini/oauth_creds.json"),
    ("google-oauth-refresh-token", "~/.gemini/oauth_creds.json"),
    ("pypi-upload-token", "~/.pypirc"),
    ("railway-cli-session", "~/.railway/config.json"),
    ("supabase-management-token", "~/.supabase/access-token"),
    ("terraform-api-token", "~/.terraform.d/credentials.tfrc.json"),
];

fn run_reach(workspace: &Path, home: &Path, env: &[(&str, &str)], extra: &[&str]) -> common::Run {
    let mut cmd = tokscan_command();
    cmd.env_clear().envs(env.iter().copied()).current_dir(workspace);
    cmd.arg("reach").arg(".").arg("--home").arg(home).args(extra);
    finish(cmd.output().expect("tokscan runs"))
}

#[test]
fn reach_finds_every_planted_home_credential() {
    let home = materialize("home");
    let workspace = tempfile::TempDir::new().unwrap();
    common::write(workspace.path(), "main.rs", "fn main() {}\n");
    let run = run_reach(workspace.path(), home.path(), &[], &["-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    let mut expected: Vec<(String, String)> = HOME_CREDENTIALS
        .iter()
        .map(|&(r, p)| (r.to_owned(), p.to_owned()))
        .collect();
    expected.sort();
    assert_eq!(found, expected);
    // The home's `.cursor/`, `.codex/` and `.gemini/` say which agents are used.
    assert_eq!(
        report["context"]["detected"],
        serde_json::json!(["cursor", "codex", "gemini-cli"])
    );
    for finding in report["findings"].as_array().unwrap() {
        assert!(!finding["fixes"].as_array().unwrap().is_empty());
    }
}

#[test]
fn home_credentials_are_reachable_through_the_shell_and_user_mcp_configs() {
    let home = materialize("home");
    let workspace = tempfile::TempDir::new().unwrap();
    let run = run_reach(workspace.path(), home.path(), &[], &["-f", "json"]);
    let report = run.json();
    assert_eq!(
        reach_at(&report, "~/.railway/config.json"),
        owned(&[
            ("cursor", "shell", None),
            ("codex", "shell", None),
            ("gemini-cli", "shell", None)
        ])
    );
    assert_eq!(
        reach_at(&report, "~/.cursor/mcp.json"),
        owned(&[
            ("cursor", "mcp-config", None),
            ("cursor", "shell", None),
            ("codex", "shell", None),
            ("gemini-cli", "shell", None)
        ])
    );
    // Claude Code's Read tool reaches outside the workspace without asking.
    let run = run_reach(
        workspace.path(),
        home.path(),
        &[],
        &["-f", "json", "--agents", "claude-code"],
    );
    assert_eq!(
        reach_at(&run.json(), "~/.npmrc"),
        owned(&[("claude-code", "file-tool", None), ("claude-code", "shell", None)])
    );
}

#[test]
fn reach_ranks_by_severity_and_says_how_to_fix() {
    let home = materialize("home");
    let workspace = tempfile::TempDir::new().unwrap();
    let run = run_reach(workspace.path(), home.path(), &[], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let first_high = run.stdout.find("[high]").expect("a high finding");
    let last_critical = run.stdout.rfind("[critical]").expect("a critical finding");
    assert!(last_critical < first_high, "{}", run.stdout);
    assert!(
        run.stdout.contains("at ~/.railway/config.json:4"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("fix: sandbox read-deny (Codex): map \"~/.railway/config.json\" to \"none\""),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("fix: narrow it: "), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("21 credentials found, 21 reachable by an agent"),
        "{}",
        run.stdout
    );
}

#[test]
fn reach_reads_the_environment_it_is_given() {
    let home = tempfile::TempDir::new().unwrap();
    let workspace = tempfile::TempDir::new().unwrap();
    let pat = github_pat("env");
    let run = run_reach(
        workspace.path(),
        home.path(),
        &[("GITHUB_TOKEN", &pat), ("EDITOR", "vi")],
        &["-f", "json", "--agents", "claude-code,cursor"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    assert_eq!(report["findings"][0]["rule"], "github-classic-pat");
    assert_eq!(
        reach_at(&report, "$GITHUB_TOKEN"),
        owned(&[("cursor", "shell", None), ("claude-code", "shell", None)])
    );
    let quiet = run_reach(
        workspace.path(),
        home.path(),
        &[("GITHUB_TOKEN", &pat)],
        &["--no-env"],
    );
    assert_eq!(quiet.code, 0, "{}", quiet.stdout);
}

#[test]
fn plain_scan_still_takes_paths() {
    let dir = materialize("reach/none");
    let run = run_in(dir.path(), &["-f", "json", ".env"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.findings().len(), 1);
}

#[test]
fn the_catalog_covers_every_contract_agent() {
    let catalog = tokscan::reach::Catalog::builtin().expect("the built-in catalog is valid");
    let ids: Vec<&str> = catalog.agents.iter().map(|a| a.id.get_ref().as_str()).collect();
    assert_eq!(ids, tokscan::reach::AGENT_IDS.to_vec());
    assert!(!catalog.home_files.is_empty());
}

#[test]
fn a_catalog_error_names_the_file_and_line() {
    let text =
        "id = \"cursor\"\nname = \"Cursor\"\nfile_tool = true\nshell = true\nmarkers = []\nsandbox = true\n";
    let err = tokscan::reach::Catalog::from_sources(&[("rules/agents/cursor.toml", text)], &[])
        .expect_err("unknown key");
    let message = err.to_string();
    assert!(message.contains("rules/agents/cursor.toml:6"), "{message}");
    assert!(message.contains("unknown field `sandbox`"), "{message}");

    let text = "id = \"vim\"\nname = \"Vim\"\nfile_tool = true\nshell = true\nmarkers = []\n";
    let err = tokscan::reach::Catalog::from_sources(&[("rules/agents/vim.toml", text)], &[])
        .expect_err("not a contract agent");
    assert!(err.to_string().contains("rules/agents/vim.toml:1"), "{err}");
}

#[test]
fn files_imported_by_claude_md_are_auto_context() {
    let report = scan_case("claude", &[]);
    assert_eq!(
        reach_at(&report, "docs/deploy.md"),
        owned(&[
            ("claude-code", "auto-context", None),
            ("claude-code", "file-tool", None),
            ("claude-code", "shell", None),
        ])
    );
}

#[test]
fn gemini_settings_can_turn_gitignore_filtering_off() {
    let report = scan_case("gemini-unfiltered", &[]);
    assert_eq!(
        reach_at(&report, ".env"),
        owned(&[("gemini-cli", "file-tool", None), ("gemini-cli", "shell", None)])
    );
}

#[test]
fn reach_writes_to_the_output_file() {
    let home = materialize("home");
    let workspace = tempfile::TempDir::new().unwrap();
    let out = workspace.path().join("reach.json");
    let out_arg = out.to_string_lossy().into_owned();
    let run = run_reach(
        workspace.path(),
        home.path(),
        &[],
        &["-f", "json", "-o", &out_arg],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["command"], "reach");
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        HOME_CREDENTIALS.len()
    );
}

#[test]
fn human_output_folds_the_largest_group_when_every_agent_is_modelled() {
    let dir = materialize("reach/none");
    let run = run_in(dir.path(), &["--color", "never", "."]);
    assert!(
        run.stdout.contains(
            "reachable:  cursor (shell; file-tool blocked by built-in default: **/.env); codex, aider (shell); \
             zed (shell; file-tool blocked by built-in default: **/.env*); \
             opencode (shell; file-tool blocked by built-in default: *.env); every other agent (file-tool, shell)"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_workspace_inside_the_home_is_not_read_twice() {
    let home = materialize("home");
    let run = run_reach(home.path(), home.path(), &[], &["-f", "json"]);
    let report = run.json();
    let npmrc: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "npm-access-token")
        .collect();
    assert_eq!(npmrc.len(), 1, "{report:#}");
}

#[test]
fn each_scan_root_is_its_own_workspace() {
    let dir = tempfile::TempDir::new().unwrap();
    for case in ["cursor-claude", "gemini"] {
        tokscan::synth::materialize(
            &common::fixture_dir(&format!("reach/{case}")),
            &dir.path().join(case),
        )
        .unwrap();
    }
    let run = run_in(dir.path(), &["-f", "json", "cursor-claude", "gemini/.env"]);
    let report = run.json();
    assert_eq!(
        reach_at(&report, "cursor-claude/.env"),
        owned(&[
            ("cursor", "file-tool", Some("built-in default: **/.env")),
            ("cursor", "shell", None),
            ("claude-code", "file-tool", None),
            ("claude-code", "shell", None),
        ])
    );
    assert_eq!(
        reach_at(&report, "gemini/.env"),
        owned(&[
            ("gemini-cli", "file-tool", Some(".gitignore:2")),
            ("gemini-cli", "shell", None),
        ])
    );
}

#[test]
fn user_level_claude_settings_count_for_reach() {
    let home = materialize("home");
    common::write(
        home.path(),
        ".claude/settings.json",
        r#"{
  "permissions": {
    "deny": ["Read(~/.npmrc)"]
  },
  "sandbox": {
    "enabled": true,
    "filesystem": {"denyRead": ["~/.npmrc"]}
  }
}
"#,
    );
    let workspace = tempfile::TempDir::new().unwrap();
    let run = run_reach(
        workspace.path(),
        home.path(),
        &[],
        &["-f", "json", "--agents", "claude-code"],
    );
    assert_eq!(
        reach_at(&run.json(), "~/.npmrc"),
        owned(&[
            ("claude-code", "file-tool", Some("~/.claude/settings.json:3")),
            ("claude-code", "shell", Some("~/.claude/settings.json:7")),
        ])
    );
    // Fully blocked: no fix suggests a deny rule or a sandbox, only narrowing the token.
    let run = run_reach(workspace.path(), home.path(), &[], &["--agents", "claude-code"]);
    let block = run
        .stdout
        .split("\n\n")
        .find(|b| b.contains("at ~/.npmrc:1"))
        .expect("the npmrc finding");
    assert!(!block.contains("fix: deny rule"), "{block}");
    assert!(!block.contains("fix: sandbox"), "{block}");
    assert!(block.contains("fix: narrow it"), "{block}");
}

#[test]
fn a_malformed_settings_file_is_a_warning_and_credits_no_block() {
    let dir = materialize("reach/claude");
    common::write(dir.path(), ".claude/settings.json", "{\"permissions\": ");
    let run = run_in(dir.path(), &["-f", "json", "."]);
    assert_eq!(run.code, 1, "a warning does not make the scan incomplete");
    assert!(
        run.stderr
            .contains("warning: .claude/settings.json: not valid JSON"),
        "{}",
        run.stderr
    );
    assert_eq!(
        reach_at(&run.json(), "secrets/token.txt"),
        owned(&[("claude-code", "file-tool", None), ("claude-code", "shell", None)])
    );
}

#[test]
fn reach_feeds_the_severity_model() {
    // A Railway project token (write, one environment, deploy) in a deploy script: the
    // severity model (src/scope/severity.rs) adds a point for an unblocked channel.
    let dir = tempfile::TempDir::new().unwrap();
    let token = common::token("reach-severity", "{{uuid}}");
    common::write(
        dir.path(),
        "deploy/railway.sh",
        format!("export RAILWAY_TOKEN={token}\nrailway up\n"),
    );
    let severity = |args: &[&str]| {
        let mut all = vec!["-f", "json"];
        all.extend_from_slice(args);
        all.push(".");
        run_in(dir.path(), &all).json()["findings"][0]["severity"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(severity(&["--agents", "none"]), "low");
    assert_eq!(severity(&[]), "medium");
}
