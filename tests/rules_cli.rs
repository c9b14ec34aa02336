//! `tokscan rules list` and `tokscan rules explain ID` describe the rules, and `RULES.md` is
//! their generated documentation, kept in sync with the rule data by a test.

mod common;

use std::path::Path;

use common::run_in;
use tokscan::rules::{doc, RuleSet};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn rules_md_is_in_sync_with_the_rule_data() {
    let expected = doc::markdown(&RuleSet::builtin().unwrap());
    let actual = std::fs::read_to_string(root().join("RULES.md")).unwrap_or_default();
    assert!(
        actual == expected,
        "RULES.md is out of date with rules/providers/*.toml; regenerate it with:\n\n    {}\n",
        doc::REGENERATE
    );
}

#[test]
fn list_shows_every_rule_with_its_provider_and_severity() {
    let run = run_in(root(), &["rules", "list"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rules = RuleSet::builtin().unwrap();
    for rule in &rules.rules {
        let line = run
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(rule.id.as_str()))
            .unwrap_or_else(|| panic!("{} not listed", rule.id));
        assert!(line.contains(&rules.provider(rule).id), "{line}");
        assert!(line.contains(rule.severity.as_str()), "{line}");
    }
}

#[test]
fn list_as_json_is_an_array_of_rules() {
    let run = run_in(root(), &["rules", "list", "--format", "json"]);
    assert_eq!(run.code, 0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let gitlab = value
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "gitlab-pat")
        .unwrap();
    assert_eq!(gitlab["provider"], "gitlab");
    assert!(gitlab["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "checksum gitlab-crc32-base36"));
}

#[test]
fn explain_shows_keywords_regex_checks_and_remediation() {
    let run = run_in(root(), &["rules", "explain", "pypi-upload-token"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for expected in [
        "PyPI API token",
        "keywords: pypi-",
        "regex: ",
        "decode pypi-macaroon",
        "examples: ",
        "https://pypi.org/help/#apitoken",
        "remediation:",
        "trusted publishing",
    ] {
        assert!(
            run.stdout.contains(expected),
            "missing {expected:?}:\n{}",
            run.stdout
        );
    }
}

#[test]
fn explain_of_an_unknown_rule_is_a_usage_error_with_suggestions() {
    let run = run_in(root(), &["rules", "explain", "gitlab"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no rule `gitlab`"), "{}", run.stderr);
    assert!(run.stderr.contains("gitlab-pat"), "{}", run.stderr);
}

#[test]
fn plain_scan_form_still_works_beside_the_subcommand() {
    let dir = tempfile::TempDir::new().unwrap();
    common::write(dir.path(), "x.env", format!("T={}\n", common::github_pat("cli")));
    let run = run_in(dir.path(), &["-f", "json", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.findings().len(), 1);
    let bare = run_in(dir.path(), &[]);
    assert_eq!(bare.code, 1, "{}", bare.stderr);
}

#[test]
fn enable_rule_runs_only_the_rules_named() {
    let dir = tempfile::tempdir().unwrap();
    let github = common::github_pat("enable-rule");
    let npm = common::token("enable-rule", "npm_{{alnum:30}}{{checksum:crc32-base62}}");
    common::write(
        dir.path(),
        "a.env",
        format!("GITHUB_TOKEN={github}\nNPM_TOKEN={npm}\n"),
    );

    let all = run_in(dir.path(), &["-f", "json", "--agents", "none", "."]);
    let mut rules: Vec<String> = all.findings().into_iter().map(|(rule, _, _)| rule).collect();
    rules.sort();
    assert_eq!(
        rules,
        ["github-classic-pat", "npm-access-token"],
        "{}",
        all.stdout
    );

    let one = run_in(
        dir.path(),
        &[
            "-f",
            "json",
            "--agents",
            "none",
            "--enable-rule",
            "npm-access-token",
            ".",
        ],
    );
    assert_eq!(one.code, 1, "{}", one.stderr);
    let rules: Vec<String> = one.findings().into_iter().map(|(rule, _, _)| rule).collect();
    assert_eq!(rules, ["npm-access-token"]);

    let unknown = run_in(dir.path(), &["--enable-rule", "github-pat-classic", "."]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no rule `github-pat-classic`"),
        "{}",
        unknown.stderr
    );
    assert!(
        unknown.stderr.contains("github-classic-pat"),
        "{}",
        unknown.stderr
    );
}
