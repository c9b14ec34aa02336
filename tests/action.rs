//! The GitHub Action's script (`action/run.sh`) run as Actions would run it: fake `GITHUB_*`
//! variables, an event payload from `fixtures/action/`, a temporary repository, and the
//! tokscan binary under test (`TOKSCAN_BIN`). Checks the SARIF file, the job summary, the
//! annotations and the step outputs. Needs `bash`, `git` and `jq` (all on GitHub's runners).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{commit_all, fixture_dir, git, git_repo, github_pat, write};
use serde_json::Value;
use tempfile::TempDir;

struct Action {
    code: i32,
    /// Standard output: the log, with the annotations.
    log: String,
    stderr: String,
    summary: String,
    outputs: BTreeMap<String, String>,
    sarif: Option<Value>,
}

impl Action {
    fn results(&self) -> Vec<(String, u64)> {
        self.sarif.as_ref().expect("a SARIF file")["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                let location = &r["locations"][0]["physicalLocation"];
                (
                    location["artifactLocation"]["uri"].as_str().unwrap().to_owned(),
                    location["region"]["startLine"].as_u64().unwrap(),
                )
            })
            .collect()
    }
}

/// Writes `fixtures/action/<fixture>` with `@BASE@`/`@HEAD@` replaced, and runs the script.
fn run_action(
    repo: &Path,
    event: &str,
    fixture: Option<(&str, &str, &str)>,
    inputs: &[(&str, &str)],
) -> Action {
    let work = TempDir::new().unwrap();
    let summary = work.path().join("summary.md");
    let outputs = work.path().join("outputs");
    let sarif = work.path().join("out/tokscan.sarif");
    std::fs::create_dir_all(sarif.parent().unwrap()).unwrap();
    let script: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("action/run.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(&script)
        .current_dir(work.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_WORKSPACE", repo)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "octo/demo")
        .env("TOKSCAN_BIN", env!("CARGO_BIN_EXE_tokscan"))
        .env("INPUT_SARIF_FILE", &sarif)
        .env("INPUT_FAIL_ON", "low")
        .env("INPUT_INTROSPECT", "false");
    if let Some((name, base, head)) = fixture {
        let text = std::fs::read_to_string(fixture_dir("action").join(name)).unwrap();
        let payload = work.path().join("event.json");
        std::fs::write(&payload, text.replace("@BASE@", base).replace("@HEAD@", head)).unwrap();
        cmd.env("GITHUB_EVENT_PATH", &payload);
    }
    for (name, value) in inputs {
        cmd.env(format!("INPUT_{}", name.to_uppercase().replace('-', "_")), value);
    }
    let output = cmd.output().expect("bash runs");
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    Action {
        code: output.status.code().expect("exited"),
        log: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        summary: read(&summary),
        outputs: read(&outputs)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        sarif: std::fs::read_to_string(&sarif)
            .ok()
            .map(|t| serde_json::from_str(&t).expect("SARIF is JSON")),
    }
}

fn output<'a>(action: &'a Action, name: &str) -> &'a str {
    action.outputs.get(name).map_or("", String::as_str)
}

/// main holds an old token; `feature` adds a new one at line 2 of app.env.
fn repo_with_feature() -> (TempDir, String, String) {
    let dir = git_repo();
    write(dir.path(), "legacy.env", format!("OLD={}\n", github_pat("old")));
    let base = commit_all(dir.path(), "legacy token");
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    write(dir.path(), "notes.md", "nothing here\n");
    commit_all(dir.path(), "notes");
    write(
        dir.path(),
        "app.env",
        format!("# app\nGITHUB_TOKEN={}\n", github_pat("new")),
    );
    let head = commit_all(dir.path(), "add app.env");
    (dir, base, head)
}

#[test]
fn pull_request_scans_only_what_the_pr_adds() {
    let (dir, base, head) = repo_with_feature();
    let action = run_action(
        dir.path(),
        "pull_request",
        Some(("pull_request.json", &base, &head)),
        &[],
    );
    assert_eq!(action.code, 1, "{}\n{}", action.log, action.stderr);
    assert_eq!(action.results(), vec![("app.env".to_owned(), 2)]);
    assert!(
        action
            .log
            .lines()
            .any(|l| l.starts_with("::error file=app.env,line=2,")),
        "{}",
        action.log
    );
    assert!(action.summary.contains("pull request #7"), "{}", action.summary);
    assert!(
        action.summary.contains("| Severity | Rule | File | Line |"),
        "{}",
        action.summary
    );
    assert!(
        action.summary.contains(&format!(
            "| high | github-classic-pat | [`app.env`](https://github.com/octo/demo/blob/{head}/app.env#L2) | 2 |"
        )),
        "{}",
        action.summary
    );
    assert!(!action.summary.contains("legacy.env"), "{}", action.summary);
    assert_eq!(output(&action, "findings-count"), "1");
    assert_eq!(output(&action, "exit-code"), "1");
    assert!(output(&action, "sarif-file").ends_with("tokscan.sarif"));
}

#[test]
fn push_scans_before_to_after() {
    let (dir, base, head) = repo_with_feature();
    let action = run_action(dir.path(), "push", Some(("push.json", &base, &head)), &[]);
    assert_eq!(action.code, 1, "{}\n{}", action.log, action.stderr);
    assert_eq!(action.results(), vec![("app.env".to_owned(), 2)]);
    assert!(
        action.summary.contains("push: lines added from"),
        "{}",
        action.summary
    );
    assert_eq!(output(&action, "findings-count"), "1");
}

#[test]
fn clean_push_writes_an_empty_sarif_and_exit_code_0() {
    let dir = git_repo();
    let base = git(dir.path(), &["rev-parse", "HEAD"]);
    write(dir.path(), "docs.md", "no secrets\n");
    let head = commit_all(dir.path(), "docs");
    let action = run_action(dir.path(), "push", Some(("push.json", &base, &head)), &[]);
    assert_eq!(action.code, 0, "{}\n{}", action.log, action.stderr);
    assert_eq!(action.results(), vec![]);
    assert!(!action.log.contains("::error"), "{}", action.log);
    assert!(action.summary.contains("No findings"), "{}", action.summary);
    assert_eq!(output(&action, "findings-count"), "0");
    assert_eq!(output(&action, "exit-code"), "0");
}

#[test]
fn new_branch_scans_the_commits_not_on_the_default_branch() {
    let (dir, _base, head) = repo_with_feature();
    let action = run_action(dir.path(), "push", Some(("push_new_branch.json", "", &head)), &[]);
    assert_eq!(action.code, 1, "{}\n{}", action.log, action.stderr);
    // legacy.env is on main: not reported, so the whole history was not scanned.
    assert_eq!(action.results(), vec![("app.env".to_owned(), 2)]);
    assert!(
        action.summary.contains("new branch: commits not on `main`"),
        "{}",
        action.summary
    );
}

#[test]
fn new_branch_without_the_default_branch_is_an_error() {
    let (dir, _base, head) = repo_with_feature();
    git(dir.path(), &["branch", "-q", "-m", "main", "trunk"]);
    let action = run_action(dir.path(), "push", Some(("push_new_branch.json", "", &head)), &[]);
    assert_eq!(action.code, 2, "{}\n{}", action.log, action.stderr);
    assert!(
        action.log.contains("::error title=tokscan::new branch"),
        "{}",
        action.log
    );
    assert!(action.summary.contains("fetch-depth: 0"), "{}", action.summary);
    assert_eq!(output(&action, "exit-code"), "2");
}

#[test]
fn pr_that_edits_the_allow_list_cannot_silence_its_findings() {
    let dir = git_repo();
    write(dir.path(), "tokscan.toml", "[allow]\npaths = [\"docs/\"]\n");
    let base = commit_all(dir.path(), "config");
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    write(dir.path(), "app.env", format!("T={}\n", github_pat("sneaky")));
    write(
        dir.path(),
        "tokscan.toml",
        "[allow]\npaths = [\"docs/\", \"*.env\"]\n",
    );
    let head = commit_all(dir.path(), "token, and allow it");

    let action = run_action(
        dir.path(),
        "pull_request",
        Some(("pull_request.json", &base, &head)),
        &[],
    );
    assert_eq!(action.code, 1, "{}\n{}", action.log, action.stderr);
    assert_eq!(action.results(), vec![("app.env".to_owned(), 1)]);
    assert!(
        action
            .summary
            .contains("`tokscan.toml` is changed in this range. The base commit's version was used"),
        "{}",
        action.summary
    );
    assert_eq!(output(&action, "findings-count"), "1");
}

#[test]
fn other_events_scan_the_tree() {
    let (dir, _base, _head) = repo_with_feature();
    let action = run_action(dir.path(), "workflow_dispatch", None, &[("fail-on", "critical")]);
    // Both tokens are in the tree; GitHub PATs are high, below fail-on critical.
    assert_eq!(action.code, 0, "{}\n{}", action.log, action.stderr);
    assert_eq!(
        action.results(),
        vec![("app.env".to_owned(), 2), ("legacy.env".to_owned(), 1)]
    );
    assert!(
        action.summary.contains("Scanned the checked-out tree"),
        "{}",
        action.summary
    );
    assert_eq!(output(&action, "findings-count"), "2");
    assert_eq!(output(&action, "exit-code"), "0");
}

#[test]
fn base_input_overrides_the_event_and_args_pass_through() {
    let (dir, base, _head) = repo_with_feature();
    let action = run_action(
        dir.path(),
        "workflow_dispatch",
        None,
        &[("base", base.as_str()), ("args", "--no-redact -j 1")],
    );
    assert_eq!(action.code, 1, "{}\n{}", action.log, action.stderr);
    assert_eq!(action.results(), vec![("app.env".to_owned(), 2)]);
    let secret = &action.sarif.as_ref().unwrap()["runs"][0]["results"][0]["properties"]["tokscan"]["secret"];
    assert_eq!(secret.as_str(), Some(github_pat("new").as_str()));
}

#[test]
fn a_base_missing_from_the_clone_fails_with_exit_2_and_outputs() {
    let (dir, _base, head) = repo_with_feature();
    let missing = "0123456789abcdef0123456789abcdef01234567";
    let action = run_action(
        dir.path(),
        "pull_request",
        Some(("pull_request.json", missing, &head)),
        &[],
    );
    assert_eq!(action.code, 2, "{}\n{}", action.log, action.stderr);
    assert!(action.stderr.contains("fetch-depth: 0"), "{}", action.stderr);
    assert_eq!(output(&action, "exit-code"), "2");
    assert_eq!(output(&action, "findings-count"), "0");
}
