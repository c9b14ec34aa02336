//! Exit codes are part of the public contract: 0 nothing at or above `--fail-on`,
//! 1 findings, 2 usage, config or I/O error.

mod common;

use common::*;
use tempfile::TempDir;

fn tree_with_token() -> TempDir {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "deploy.sh",
        format!("export GITHUB_TOKEN={}\n", github_pat("exit")),
    );
    dir
}

#[test]
fn clean_tree_exits_0() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "main.rs", "fn main() { println!(\"hello\"); }\n");
    let run = run_in(dir.path(), &["."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn findings_exit_1() {
    let dir = tree_with_token();
    assert_eq!(run_in(dir.path(), &["."]).code, 1);
}

#[test]
fn findings_below_fail_on_exit_0() {
    let dir = tree_with_token();
    // The GitHub classic PAT rule is `high`.
    assert_eq!(run_in(dir.path(), &[".", "--fail-on", "critical"]).code, 0);
    assert_eq!(run_in(dir.path(), &[".", "--fail-on", "high"]).code, 1);
}

#[test]
fn unknown_flag_exits_2() {
    let dir = TempDir::new().unwrap();
    let run = run_in(dir.path(), &["--no-such-flag"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--no-such-flag"), "{}", run.stderr);
}

#[test]
fn bad_fail_on_value_exits_2() {
    let dir = TempDir::new().unwrap();
    let run = run_in(dir.path(), &[".", "--fail-on", "urgent"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("urgent"), "{}", run.stderr);
}

#[test]
fn missing_path_exits_2_and_names_it() {
    let dir = TempDir::new().unwrap();
    let run = run_in(dir.path(), &["does-not-exist"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does-not-exist"), "{}", run.stderr);
}

#[test]
fn single_file_argument_is_scanned() {
    let dir = tree_with_token();
    let run = run_in(dir.path(), &["deploy.sh", "-f", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), "deploy.sh".into(), 1)]
    );
}
