//! What keeps a finding out of a report: inline `tokscan:allow`, `tokscan.toml` allow
//! lists, and baselines — and that fingerprints survive a moved line.

mod common;

use common::*;
use serde_json::Value;
use tempfile::TempDir;

fn fingerprints(run: &Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn fingerprint_is_stable_when_the_line_moves() {
    let dir = TempDir::new().unwrap();
    let token = github_pat("moves");
    write(dir.path(), "a.sh", format!("export T={token}\n"));
    let before = run_in(dir.path(), &[".", "-f", "json"]);
    write(
        dir.path(),
        "a.sh",
        format!("#!/bin/sh\n\n# moved down\nexport T={token}\n"),
    );
    let after = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(before.findings()[0].2, 1);
    assert_eq!(after.findings()[0].2, 4);
    assert_eq!(fingerprints(&before), fingerprints(&after));
}

#[test]
fn different_tokens_have_different_fingerprints() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "a.sh",
        format!("A={}\nB={}\n", github_pat("one"), github_pat("two")),
    );
    let fps = fingerprints(&run_in(dir.path(), &[".", "-f", "json"]));
    assert_eq!(fps.len(), 2);
    assert_ne!(fps[0], fps[1]);
}

#[test]
fn inline_allow_on_the_line_or_the_line_above_suppresses() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "a.py",
        format!(
            "A = \"{}\"  # tokscan:allow\n# tokscan:allow (revoked)\nB = \"{}\"\n\nC = \"{}\"\n",
            github_pat("a"),
            github_pat("b"),
            github_pat("c")
        ),
    );
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), "a.py".into(), 5)]
    );
    assert_eq!(run.json()["stats"]["suppressed_inline"], 2);
}

#[test]
fn config_allow_paths_and_fingerprints_suppress() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "docs/example.md",
        format!("token: {}\n", github_pat("docs")),
    );
    write(dir.path(), "src/a.sh", format!("T={}\n", github_pat("src")));
    write(dir.path(), "src/b.sh", format!("T={}\n", github_pat("reviewed")));
    let reviewed = fingerprints(&run_in(dir.path(), &["src/b.sh", "-f", "json"]))[0].clone();
    write(
        dir.path(),
        "tokscan.toml",
        format!("[allow]\npaths = [\"docs/\"]\nfingerprints = [\"{reviewed}\"]\n"),
    );
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), "src/a.sh".into(), 1)]
    );
    assert_eq!(run.json()["stats"]["suppressed_config"], 2);
}

#[test]
fn config_is_found_above_the_scan_root_and_paths_are_relative_to_it() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        "tokscan.toml",
        "[allow]\npaths = [\"app/fixtures/**\"]\n",
    );
    write(
        dir.path(),
        "app/fixtures/t.env",
        format!("T={}\n", github_pat("fx")),
    );
    write(dir.path(), "app/src/t.env", format!("T={}\n", github_pat("real")));
    let run = run_in(&dir.path().join("app"), &[".", "-f", "json"]);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), "src/t.env".into(), 1)]
    );
}

#[test]
fn no_config_ignores_the_config_file() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "tokscan.toml", "[allow]\npaths = [\"*.env\"]\n");
    write(dir.path(), "t.env", format!("T={}\n", github_pat("nc")));
    assert_eq!(run_in(dir.path(), &["."]).code, 0);
    assert_eq!(run_in(dir.path(), &[".", "--no-config"]).code, 1);
}

#[test]
fn baseline_reports_only_new_findings_and_counts_stale_entries() {
    let dir = TempDir::new().unwrap();
    let old = github_pat("old");
    let gone = github_pat("gone");
    write(dir.path(), "a.sh", format!("A={old}\nG={gone}\n"));
    let baseline = dir.path().join("baseline.json");
    let first = run_in(dir.path(), &[".", "--write-baseline", baseline.to_str().unwrap()]);
    assert_eq!(first.code, 1, "writing a baseline still reports");
    let saved = std::fs::read_to_string(&baseline).unwrap();
    assert!(!saved.contains(&old), "the baseline must not hold secrets");

    // The old token moves, one is removed, one is added.
    write(
        dir.path(),
        "a.sh",
        format!("# moved\nA={old}\nN={}\n", github_pat("new")),
    );
    let run = run_in(
        dir.path(),
        &["a.sh", "-f", "json", "--baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), "a.sh".into(), 3)]
    );
    let stats = &run.json()["stats"];
    assert_eq!(stats["suppressed_baseline"], 1);
    assert_eq!(stats["stale_baseline"].as_array().unwrap().len(), 1);
    assert_eq!(stats["stale_baseline"][0]["line"], 2);
}

#[test]
fn baselined_tree_exits_0() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a.sh", format!("A={}\n", github_pat("bl")));
    let baseline = dir.path().join("tokscan-baseline.json");
    run_in(dir.path(), &[".", "--write-baseline", baseline.to_str().unwrap()]);
    let run = run_in(dir.path(), &["a.sh", "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn broken_baseline_exits_2_with_its_line() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "b.json",
        "{\n  \"tool\": \"tokscan\",\n  \"version\": 1,\n  \"findings\": [oops]\n}\n",
    );
    let run = run_in(dir.path(), &[".", "--baseline", "b.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("b.json:4"), "{}", run.stderr);
}

#[test]
fn stale_entries_do_not_change_the_exit_code() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a.sh", format!("A={}\n", github_pat("stale")));
    let baseline = dir.path().join("b.json");
    run_in(
        dir.path(),
        &["a.sh", "--write-baseline", baseline.to_str().unwrap()],
    );
    write(dir.path(), "a.sh", "A=gone\n");
    let run = run_in(
        dir.path(),
        &["a.sh", "-f", "json", "--baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(run.code, 0);
    assert_eq!(
        run.json()["stats"]["stale_baseline"][0]["rule"],
        Value::from("github-classic-pat")
    );
}
