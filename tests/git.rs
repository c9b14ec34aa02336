//! Git sources end to end: temporary repositories built with the `git` binary, scanned with
//! `--staged`, `--diff` and `--history`.

mod common;

use common::{commit_all, git, git_repo as repo, github_pat, run_in, utf16, write, zip_of, Run};
use serde_json::Value;
use tempfile::TempDir;

fn findings(run: &Run) -> Vec<Value> {
    run.json()["findings"].as_array().expect("findings").clone()
}

#[test]
fn staged_sees_staged_content_and_ignores_unstaged_edits() {
    let dir = repo();
    let staged = github_pat("staged");
    write(dir.path(), "app.env", format!("# app\nGITHUB_TOKEN={staged}\n"));
    git(dir.path(), &["add", "app.env"]);
    // Edits after `git add` are not what will be committed.
    write(
        dir.path(),
        "app.env",
        format!("# app\nGITHUB_TOKEN={staged}\nOTHER={}\n", github_pat("unstaged")),
    );
    write(
        dir.path(),
        "untracked.env",
        format!("T={}\n", github_pat("untracked")),
    );

    let run = run_in(dir.path(), &["--staged", "-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".to_owned(), "app.env".to_owned(), 2)]
    );
}

#[test]
fn staged_reports_only_lines_added_to_head() {
    let dir = repo();
    write(
        dir.path(),
        "app.env",
        format!("OLD={}\n", github_pat("committed")),
    );
    commit_all(dir.path(), "known token");
    write(
        dir.path(),
        "app.env",
        format!("OLD={}\nNEW={}\n", github_pat("committed"), github_pat("new")),
    );
    git(dir.path(), &["add", "app.env"]);

    let run = run_in(dir.path(), &["--staged", "-f", "json"]);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".to_owned(), "app.env".to_owned(), 2)]
    );
}

/// Git findings are settled after every blob is in, and judged then: who reaches them and
/// their severity are there as in a plain scan.
#[test]
fn staged_findings_carry_reach_and_severity() {
    let dir = repo();
    std::fs::create_dir(dir.path().join(".cursor")).expect("mkdir .cursor");
    write(dir.path(), ".cursorignore", "app.env\n");
    write(
        dir.path(),
        "app.env",
        format!("GITHUB_TOKEN={}\n", github_pat("staged")),
    );
    git(dir.path(), &["add", "app.env"]);

    let run = run_in(dir.path(), &["--staged", "-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = findings(&run);
    assert_eq!(found.len(), 1, "{found:?}");
    let reach: Vec<(&str, &str, Option<&str>)> = found[0]["reachable_by"]
        .as_array()
        .expect("reachable_by")
        .iter()
        .map(|r| {
            (
                r["agent"].as_str().unwrap(),
                r["channel"].as_str().unwrap(),
                r["blocked_by"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        reach,
        vec![
            ("cursor", "file-tool", Some(".cursorignore:1")),
            ("cursor", "shell", None)
        ]
    );
    assert_eq!(found[0]["scope"]["source"], "static");
    assert_eq!(found[0]["severity"], "high", "{:#}", found[0]);
}

/// An archive is scanned member by member in git modes too, and a member's lines count
/// as a file's do: only those added to the member of the same name in the older archive.
#[test]
fn staged_archive_members_count_only_their_added_lines() {
    let dir = repo();
    let (old, new, other) = (
        github_pat("zip-old"),
        github_pat("zip-new"),
        github_pat("zip-other"),
    );
    let env = |lines: &[&str]| lines.join("\n").into_bytes();
    let before = env(&["# deploy", &format!("OLD={old}"), ""]);
    write(dir.path(), "bundle.zip", zip_of(&[("config/.env", &before)]));
    commit_all(dir.path(), "archive with one token");
    let after = env(&["# deploy", &format!("OLD={old}"), &format!("NEW={new}"), ""]);
    let added = env(&[&format!("T={other}"), ""]);
    write(
        dir.path(),
        "bundle.zip",
        zip_of(&[("config/.env", &after), ("more/.env", &added)]),
    );
    git(dir.path(), &["add", "bundle.zip"]);

    let run = run_in(dir.path(), &["--staged", "-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        sorted_findings(&run),
        pats_at(&[("bundle.zip!config/.env", 3), ("bundle.zip!more/.env", 1)])
    );
    // With archives left unopened, the blob is binary, as on disk.
    let unopened = run_in(
        dir.path(),
        &["--staged", "-f", "json", "--max-archive-depth", "0"],
    );
    assert_eq!(unopened.code, 0, "{}", unopened.stderr);
    assert_eq!(unopened.json()["stats"]["skipped_binary"], 1);

    // Every member of every version in the history, each token once.
    commit_all(dir.path(), "archive with three tokens");
    let history = run_in(dir.path(), &["--history", "-f", "json"]);
    assert_eq!(
        sorted_findings(&history),
        pats_at(&[
            ("bundle.zip!config/.env", 2),
            ("bundle.zip!config/.env", 3),
            ("bundle.zip!more/.env", 1),
        ])
    );
}

/// `(rule, path, line)` of the findings, sorted.
fn sorted_findings(run: &Run) -> Vec<(String, String, u64)> {
    let mut found = run.findings();
    found.sort();
    found
}

/// GitHub classic tokens at `(path, line)`, as `Run::findings` shows them.
fn pats_at(places: &[(&str, u64)]) -> Vec<(String, String, u64)> {
    places
        .iter()
        .map(|&(path, line)| ("github-classic-pat".to_owned(), path.to_owned(), line))
        .collect()
}

/// A UTF-16 file is transcoded in git modes as on disk, the older version too, so that only
/// its added lines count.
#[test]
fn staged_utf16_files_are_transcoded_and_diffed_as_text() {
    let dir = repo();
    let (old, new) = (github_pat("utf16-old"), github_pat("utf16-new"));
    write(
        dir.path(),
        "profile.ps1",
        utf16(&format!("$env:A = \"{old}\"\r\n"), true),
    );
    commit_all(dir.path(), "utf-16 profile");
    let text = format!("$env:A = \"{old}\"\r\n$env:B = \"{new}\"\r\n");
    write(dir.path(), "profile.ps1", utf16(&text, true));
    git(dir.path(), &["add", "profile.ps1"]);

    let run = run_in(dir.path(), &["--staged", "-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".to_owned(), "profile.ps1".to_owned(), 2)]
    );
}

#[test]
fn staged_with_nothing_staged_is_clean() {
    let dir = repo();
    write(dir.path(), "app.env", format!("T={}\n", github_pat("unstaged")));
    let run = run_in(dir.path(), &["--staged", "-f", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.findings().is_empty());
}

#[test]
fn diff_reports_only_added_tokens_with_head_line_numbers() {
    let dir = repo();
    write(dir.path(), "config.env", format!("OLD={}\n", github_pat("base")));
    let base = commit_all(dir.path(), "base");
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    // The old token moves down three lines; a new one is added below it.
    write(
        dir.path(),
        "config.env",
        format!(
            "# a\n# b\n# c\nOLD={}\nNEW={}\n",
            github_pat("base"),
            github_pat("added")
        ),
    );
    let added_in = commit_all(dir.path(), "add a token");

    let run = run_in(dir.path(), &["--diff", &format!("{base}..HEAD"), "-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".to_owned(), "config.env".to_owned(), 5)]
    );
    let git_origin = &findings(&run)[0]["git"];
    assert_eq!(git_origin["commit"], added_in.as_str());
    assert_eq!(git_origin["removed_in_range"], false);
    assert!(git_origin["author_date"].as_str().unwrap().starts_with("20"));
}

#[test]
fn diff_head_defaults_to_head_and_accepts_branch_names() {
    let dir = repo();
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    write(dir.path(), "new.env", format!("T={}\n", github_pat("branch")));
    commit_all(dir.path(), "add");
    let run = run_in(dir.path(), &["--diff", "main", "-f", "json"]);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".to_owned(), "new.env".to_owned(), 1)]
    );
    let run = run_in(dir.path(), &["--diff", "main..feature", "-f", "json"]);
    assert_eq!(run.findings().len(), 1);
}

#[test]
fn diff_reports_a_token_added_then_removed_within_the_range() {
    let dir = repo();
    let base = git(dir.path(), &["rev-parse", "HEAD"]);
    write(
        dir.path(),
        "leak.env",
        format!("# x\nT={}\n", github_pat("transient")),
    );
    let added_in = commit_all(dir.path(), "oops");
    std::fs::remove_file(dir.path().join("leak.env")).unwrap();
    commit_all(dir.path(), "remove it");

    let run = run_in(dir.path(), &["--diff", &base, "-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".to_owned(), "leak.env".to_owned(), 2)]
    );
    let git_origin = &findings(&run)[0]["git"];
    assert_eq!(git_origin["commit"], added_in.as_str());
    assert_eq!(git_origin["removed_in_range"], true);
}

#[test]
fn diff_reads_the_allow_list_from_base_and_says_when_the_range_changes_it() {
    let dir = repo();
    write(dir.path(), "tokscan.toml", "[allow]\npaths = [\"docs/\"]\n");
    let base = commit_all(dir.path(), "config");
    write(
        dir.path(),
        "docs/example.env",
        format!("T={}\n", github_pat("docs")),
    );
    write(dir.path(), "app.env", format!("T={}\n", github_pat("app")));
    // The range tries to silence its own finding.
    write(
        dir.path(),
        "tokscan.toml",
        "[allow]\npaths = [\"docs/\", \"app.env\"]\n",
    );
    commit_all(dir.path(), "add tokens, widen the allow-list");

    let run = run_in(dir.path(), &["--diff", &base, "-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".to_owned(), "app.env".to_owned(), 1)],
        "the base's allow-list applies (docs/ allowed), the head's does not"
    );
    assert_eq!(
        run.json()["stats"]["changed_in_range"],
        serde_json::json!(["tokscan.toml"])
    );
    assert!(
        run.stderr.contains("tokscan.toml is changed in this range"),
        "{}",
        run.stderr
    );

    let human = run_in(dir.path(), &["--diff", &base, "--color", "never"]);
    assert!(
        human.stdout.contains("tokscan.toml changed in this range"),
        "{}",
        human.stdout
    );
}

#[test]
fn diff_reads_the_baseline_from_base() {
    let dir = repo();
    let base = commit_all(dir.path(), "nothing yet");
    write(dir.path(), "app.env", format!("T={}\n", github_pat("baselined")));
    // The head writes a baseline that accepts its own token.
    let run = run_in(
        dir.path(),
        &["--write-baseline", "baseline.json", "-f", "json", "."],
    );
    assert_eq!(run.code, 1);
    commit_all(dir.path(), "token and a baseline for it");

    let run = run_in(
        dir.path(),
        &["--diff", &base, "--baseline", "baseline.json", "-f", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.findings().len(), 1);
    assert_eq!(
        run.json()["stats"]["changed_in_range"],
        serde_json::json!(["baseline.json"])
    );
}

#[test]
fn diff_with_an_unknown_base_is_an_error_not_an_empty_scan() {
    let dir = repo();
    let run = run_in(
        dir.path(),
        &["--diff", "0123456789abcdef0123456789abcdef01234567", "-f", "json"],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("is not a commit"), "{}", run.stderr);
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
}

#[test]
fn outside_a_repository_git_modes_fail_with_exit_2() {
    let dir = TempDir::new().unwrap();
    let run = run_in(dir.path(), &["--history"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not in a git repository"), "{}", run.stderr);
}

#[test]
fn history_finds_a_token_deleted_in_a_later_commit_once() {
    let dir = repo();
    let token = github_pat("history");
    write(dir.path(), "old.env", format!("# one\nT={token}\n"));
    let introduced = commit_all(dir.path(), "add");
    // A new blob of the same file still holds the token: one finding, not two.
    write(dir.path(), "old.env", format!("# one, edited\nT={token}\n"));
    commit_all(dir.path(), "edit");
    std::fs::remove_file(dir.path().join("old.env")).unwrap();
    commit_all(dir.path(), "delete");
    git(dir.path(), &["checkout", "-q", "-b", "side"]);
    write(dir.path(), "side.env", format!("S={}\n", github_pat("side")));
    let side = commit_all(dir.path(), "side branch");
    git(dir.path(), &["checkout", "-q", "main"]);

    let run = run_in(dir.path(), &["--history", "-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![
            ("github-classic-pat".to_owned(), "old.env".to_owned(), 2),
            ("github-classic-pat".to_owned(), "side.env".to_owned(), 1),
        ]
    );
    let found = findings(&run);
    assert_eq!(found[0]["git"]["commit"], introduced.as_str());
    assert_eq!(found[1]["git"]["commit"], side.as_str());
}

#[test]
fn sarif_carries_the_git_origin_in_properties() {
    let dir = repo();
    write(dir.path(), "old.env", format!("T={}\n", github_pat("sarif")));
    let introduced = commit_all(dir.path(), "add");
    let run = run_in(dir.path(), &["--history", "-f", "sarif"]);
    let sarif = run.json();
    let origin = &sarif["runs"][0]["results"][0]["properties"]["tokscan"]["git"];
    assert_eq!(origin["commit"], introduced.as_str());
}

#[test]
fn findings_outside_git_modes_have_no_git_field() {
    let dir = repo();
    write(dir.path(), "a.env", format!("T={}\n", github_pat("plain")));
    let run = run_in(dir.path(), &["-f", "json", "."]);
    assert!(findings(&run)[0].get("git").is_none());
}

#[test]
fn a_config_change_on_the_base_side_is_not_blamed_on_the_range() {
    let dir = repo();
    write(dir.path(), "tokscan.toml", "[allow]\npaths = []\n");
    commit_all(dir.path(), "config");
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    write(dir.path(), "app.env", format!("T={}\n", github_pat("feature")));
    commit_all(dir.path(), "token");
    git(dir.path(), &["checkout", "-q", "main"]);
    write(dir.path(), "tokscan.toml", "[allow]\npaths = [\"docs/\"]\n");
    commit_all(dir.path(), "main moves on");
    git(dir.path(), &["checkout", "-q", "feature"]);

    let run = run_in(dir.path(), &["--diff", "main..feature", "-f", "json"]);
    assert_eq!(run.findings().len(), 1, "{}", run.stderr);
    assert!(run.json()["stats"].get("changed_in_range").is_none());
}
