//! Bad input gets a clear error and loses nothing: broken config and rule packs fail with
//! the file, line and what is wrong (exit 2); unreadable, binary, invalid-UTF-8, huge and
//! looping inputs are reported while the rest of the scan goes on.

mod common;

use std::os::unix::fs::{symlink, PermissionsExt};
use std::process::Command;

use common::*;
use tempfile::TempDir;

fn tree_with_token() -> TempDir {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "ok.sh", format!("T={}\n", github_pat("bad-input")));
    dir
}

#[test]
fn unknown_config_key_names_file_line_and_key() {
    let dir = tree_with_token();
    write(
        dir.path(),
        "tokscan.toml",
        "[allow]\npaths = [\"docs/\"]\nfingerprint = []\n",
    );
    let run = run_in(dir.path(), &["."]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("tokscan.toml:3"), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown field `fingerprint`"),
        "{}",
        run.stderr
    );
}

#[test]
fn config_syntax_error_names_its_line() {
    let dir = tree_with_token();
    write(dir.path(), "tokscan.toml", "[allow]\n\npaths = [\"docs/\"\n");
    let run = run_in(dir.path(), &["."]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("tokscan.toml:"), "{}", run.stderr);
}

#[test]
fn invalid_fingerprint_in_config_is_rejected() {
    let dir = tree_with_token();
    write(
        dir.path(),
        "tokscan.toml",
        "[allow]\nfingerprints = [\"ghp_not_a_fingerprint\"]\n",
    );
    let run = run_in(dir.path(), &["."]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("tokscan.toml:2"), "{}", run.stderr);
    assert!(run.stderr.contains("not a fingerprint"), "{}", run.stderr);
}

const PACK_HEAD: &str = "[provider]\nid = \"acme\"\nname = \"Acme\"\nremediation = \"Rotate it.\"\n\n";

fn rule(regex: &str, extra: &str) -> String {
    format!(
        "[[rule]]\nid = \"acme-key\"\nkind = \"api-key\"\ndescription = \"Acme API key\"\nkeywords = [\"acme_\"]\nregex = '''{regex}'''\nconfidence = \"high\"\nseverity = \"high\"\n{extra}examples = [\"acme_{{{{alnum:20}}}}\"]\nnegative_examples = [\"acme_\"]\n"
    )
}

#[test]
fn rule_pack_with_a_bad_regex_points_at_the_regex() {
    let dir = tree_with_token();
    write(
        dir.path(),
        "acme.toml",
        format!("{PACK_HEAD}{}", rule(r"(?P<secret>acme_[a-z+)", "")),
    );
    let run = run_in(dir.path(), &[".", "--rules", "acme.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("acme.toml:11"), "{}", run.stderr);
    assert!(run.stderr.contains("invalid regex"), "{}", run.stderr);
}

#[test]
fn rule_pack_with_an_unknown_key_names_it() {
    let dir = tree_with_token();
    write(
        dir.path(),
        "acme.toml",
        format!(
            "{PACK_HEAD}{}",
            rule(r"(?P<secret>acme_[a-z]{20})", "entropy = 3.0\n")
        ),
    );
    let run = run_in(dir.path(), &[".", "--rules", "acme.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown field `entropy`"), "{}", run.stderr);
    assert!(run.stderr.contains("acme.toml:"), "{}", run.stderr);
}

#[test]
fn rule_without_a_secret_capture_is_rejected() {
    let dir = tree_with_token();
    write(
        dir.path(),
        "acme.toml",
        format!("{PACK_HEAD}{}", rule(r"acme_[a-z]{20}", "")),
    );
    let run = run_in(dir.path(), &[".", "--rules", "acme.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("secret"), "{}", run.stderr);
}

#[test]
fn a_valid_extra_rule_pack_finds_its_tokens() {
    let dir = tree_with_token();
    write(
        dir.path(),
        "rules/acme.toml",
        format!("{PACK_HEAD}{}", rule(r"\b(?P<secret>acme_[A-Za-z0-9]{20})\b", "")),
    );
    write(
        dir.path(),
        "app.env",
        format!("ACME={}\n", token("acme", "acme_{{alnum:20}}")),
    );
    let run = run_in(dir.path(), &[".", "--rules", "rules", "-f", "json"]);
    assert_eq!(run.code, 1);
    assert!(
        run.findings().contains(&("acme-key".into(), "app.env".into(), 1)),
        "{:?}",
        run.findings()
    );
}

#[test]
fn a_rule_pack_loaded_alone_has_only_its_rules_and_the_same_checks() {
    let dir = TempDir::new().unwrap();
    let good = write(
        dir.path(),
        "good.toml",
        format!("{PACK_HEAD}{}", rule(r"\b(?P<secret>acme_[A-Za-z0-9]{20})\b", "")),
    );
    let alone = tokscan::rules::RuleSet::load_packs(&[&good]).unwrap();
    let ids: Vec<&str> = alone.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["acme-key"]);
    let text = format!(
        "ACME={}\nGH={}\n",
        token("alone", "acme_{{alnum:20}}"),
        github_pat("alone")
    );
    let found: Vec<String> = tokscan::scan::scan_bytes(&alone, "app.env", text.as_bytes(), false)
        .into_iter()
        .map(|f| format!("{}:{}", f.rule, f.line))
        .collect();
    assert_eq!(found, ["acme-key:1"]);
    // The built-in data still applies: placeholders and credential-file names.
    let filler = b"ACME=acme_placeholderAbcdefgh1\n";
    assert!(tokscan::scan::scan_bytes(&alone, "app.env", filler, false).is_empty());
    assert!(alone.credential_files.is_match(".env", &mut None));

    let bad = write(
        dir.path(),
        "bad.toml",
        format!("{PACK_HEAD}{}", rule(r"(?P<secret>acme_[a-z+)", "")),
    );
    let alone = tokscan::rules::RuleSet::load_packs(&[&bad])
        .unwrap_err()
        .to_string();
    let beside = tokscan::rules::RuleSet::load(&[&bad]).unwrap_err().to_string();
    assert_eq!(alone, beside);
}

#[test]
fn binary_files_are_skipped_and_counted() {
    let dir = tree_with_token();
    let mut blob = b"\x00\x01\x02PNG".to_vec();
    blob.extend_from_slice(github_pat("in-binary").as_bytes());
    write(dir.path(), "image.bin", blob);
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), "ok.sh".into(), 1)]
    );
    assert_eq!(run.json()["stats"]["skipped_binary"], 1);
}

#[test]
fn invalid_utf8_files_are_still_scanned() {
    let dir = TempDir::new().unwrap();
    let mut bytes = b"caf\xe9 \xff\xfe latin-1 text\nTOKEN=".to_vec();
    bytes.extend_from_slice(github_pat("latin1").as_bytes());
    bytes.extend_from_slice(b"\n\xc3\x28\n");
    write(dir.path(), "legacy.cfg", bytes);
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), "legacy.cfg".into(), 2)]
    );
}

#[test]
fn files_over_the_size_limit_are_skipped_and_reported() {
    let dir = tree_with_token();
    write(
        dir.path(),
        "big.log",
        format!("{}\nT={}\n", "x".repeat(4096), github_pat("big")),
    );
    let run = run_in(dir.path(), &[".", "-f", "json", "--max-file-size", "1K"]);
    assert_eq!(run.code, 1, "a skipped large file is not an error");
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), "ok.sh".into(), 1)]
    );
    assert_eq!(run.json()["stats"]["skipped_too_large"], 1);
    assert!(run.stderr.contains("big.log"), "the skip is said: {}", run.stderr);
}

/// The largest size `--max-file-size` accepts means "no limit": it once overflowed the
/// read guard (a panic in debug builds, an empty read that lost the file in release).
#[test]
fn the_largest_max_file_size_means_no_limit() {
    let dir = tree_with_token();
    let max = u64::MAX.to_string();
    let run = run_in(dir.path(), &[".", "-f", "json", "--max-file-size", &max]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), "ok.sh".into(), 1)]
    );
    assert_eq!(run.json()["stats"]["skipped_too_large"], 0);
}

#[test]
fn huge_single_line_file_is_scanned() {
    let dir = TempDir::new().unwrap();
    let filler = "var a=function(b){return b+1};".repeat(120_000); // ~3.6 MB on one line
    let token = github_pat("minified");
    write(
        dir.path(),
        "bundle.min.js",
        format!("{filler}var t=\"{token}\";{filler}"),
    );
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), "bundle.min.js".into(), 1)]
    );
    let column = run.json()["findings"][0]["column"].as_u64().unwrap();
    assert_eq!(column as usize, filler.len() + "var t=\"".len() + 1);
    assert!(
        run.stdout.len() < 20_000,
        "the report does not copy the whole line"
    );
}

#[test]
fn symlink_loops_do_not_stop_the_scan() {
    let dir = tree_with_token();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
    let run = run_in(dir.path(), &[".", "-L", "-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), "ok.sh".into(), 1)]
    );
    assert_eq!(run.json()["stats"]["symlink_loops"], 1);
}

#[test]
fn symlinks_are_not_followed_by_default() {
    let dir = tree_with_token();
    symlink(dir.path().join("ok.sh"), dir.path().join("link.sh")).unwrap();
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(run.findings().len(), 1);
    assert_eq!(run.json()["stats"]["skipped_symlinks"], 1);
}

#[test]
fn fifos_are_skipped_without_blocking() {
    let dir = tree_with_token();
    let status = Command::new("mkfifo")
        .arg(dir.path().join("pipe"))
        .status()
        .unwrap();
    assert!(status.success());
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["stats"]["skipped_special"], 1);
}

/// Runs tokscan as an unprivileged user, since root reads files whatever their mode.
#[test]
fn unreadable_file_is_an_error_but_the_scan_goes_on() {
    let dir = tree_with_token();
    let locked = write(dir.path(), "locked.env", format!("T={}\n", github_pat("locked")));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let is_root = std::fs::read(&locked).is_ok();
    let output = if is_root {
        // The binary under target/ must be reachable by `nobody` too.
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_tokscan"))
            .args([".", "-f", "json"])
            .current_dir(dir.path())
            .output()
            .unwrap()
    } else {
        tokscan_command()
            .args([".", "-f", "json"])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let run = finish(output);
    assert_eq!(run.code, 2, "an incomplete scan never passes: {}", run.stderr);
    assert!(run.stderr.contains("locked.env"), "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), "ok.sh".into(), 1)]
    );
    assert_eq!(run.json()["stats"]["unreadable"], 1);
}

#[test]
fn gitignored_credential_files_are_still_scanned() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), ".gitignore", ".env\nbuild.log\nnode_modules/\n");
    write(dir.path(), ".env", format!("T={}\n", github_pat("dotenv")));
    write(dir.path(), "build.log", format!("T={}\n", github_pat("log")));
    write(
        dir.path(),
        "node_modules/pkg/index.js",
        format!("T=\"{}\"\n", github_pat("dep")),
    );
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), ".env".into(), 1)]
    );
    let all = run_in(dir.path(), &[".", "-f", "json", "--no-ignore"]);
    assert_eq!(all.findings().len(), 3, "{:?}", all.findings());
}

#[test]
fn hidden_files_are_scanned_and_git_internals_are_not() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        ".config/tool.yml",
        format!("token: {}\n", github_pat("hidden")),
    );
    write(
        dir.path(),
        ".git/config",
        format!("url = https://x:{}@github.com/a/b\n", github_pat("git")),
    );
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), ".config/tool.yml".into(), 1)]
    );
}

#[test]
fn results_are_in_a_deterministic_order() {
    let dir = TempDir::new().unwrap();
    for i in 0..30 {
        write(
            dir.path(),
            &format!("d{}/f{i}.env", i % 4),
            format!(
                "A={}\nB={}\n",
                github_pat(&format!("{i}a")),
                github_pat(&format!("{i}b"))
            ),
        );
    }
    let first = run_in(dir.path(), &[".", "-f", "jsonl", "-j", "4"]).stdout;
    let second = run_in(dir.path(), &[".", "-f", "jsonl", "-j", "4"]).stdout;
    assert_eq!(first, second);
    let paths: Vec<(String, String, u64)> = first
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 60);
}
