//! The fixture workspace end to end: planted tokens in many file types, decoys that must stay
//! silent, a gitignore that hides credential files from git but not from the scan.

mod common;

use common::{materialize, run_in};

/// Every planted token, by `(rule, path, line)`, in the report's order (path, line, column).
const EXPECTED: &[(&str, &str, u64)] = &[
    ("railway-api-token", ".env", 2),
    ("stripe-live-secret-key", ".env", 3),
    ("database-postgres-url", ".env", 7),
    ("npm-access-token", ".npmrc", 1),
    ("slack-bot-token", "config/app.yaml", 4),
    ("slack-webhook-url", "config/app.yaml", 5),
    ("openai-project-key", "config/settings.json", 4),
    ("github-classic-pat", "deploy/deploy.sh", 3),
    ("railway-project-token", "deploy/deploy.sh", 4),
    ("aws-access-key-id", "infra/credentials", 2),
    ("aws-secret-access-key", "infra/credentials", 3),
    ("github-classic-pat", "infra/main.tf", 3),
    ("gitlab-pat", "infra/main.tf", 7),
    ("privatekey-openssh", "keys/id_ed25519", 1),
    ("anthropic-api-key", "src/client.ts", 4),
    ("aws-access-key-id", "src/main.go", 5),
    ("pypi-upload-token", "src/upload.py", 4),
];

#[test]
fn finds_exactly_the_planted_tokens() {
    let dir = materialize("workspace");
    let run = run_in(dir.path(), &["-f", "json", "."]);
    assert_eq!(run.code, 1, "findings exit 1; stderr: {}", run.stderr);
    let found = run.findings();
    let expected: Vec<(String, String, u64)> = EXPECTED
        .iter()
        .map(|&(rule, path, line)| (rule.to_owned(), path.to_owned(), line))
        .collect();
    assert_eq!(found, expected);

    let report = run.json();
    let stats = &report["stats"];
    assert_eq!(stats["suppressed_inline"], 1, "src/legacy.js is allowed inline");
    assert_eq!(stats["findings"], EXPECTED.len());
    assert_eq!(stats["unreadable"], 0);
    assert_eq!(report["problems"].as_array().map(Vec::len), Some(0));
}

#[test]
fn decoys_and_documentation_yield_nothing() {
    let dir = materialize("workspace");
    for quiet in ["decoys", "docs"] {
        let run = run_in(dir.path(), &["-f", "json", quiet]);
        assert_eq!(run.code, 0, "{quiet}: {:?}", run.findings());
        assert_eq!(run.findings(), vec![]);
        assert!(run.json()["stats"]["files_scanned"].as_u64().unwrap() > 0);
    }
}

#[test]
fn gitignored_credential_files_are_scanned_but_other_ignored_files_are_not() {
    let dir = materialize("workspace");
    // `.gitignore` lists .env, .npmrc and keys/id_*; the first two are credential stores by
    // name, and so is an SSH key. A plain ignored file stays unscanned.
    common::write(
        dir.path(),
        "notes.log",
        format!("token {}\n", common::github_pat("ignored-log")),
    );
    common::write(dir.path(), ".gitignore", ".env\n.npmrc\nkeys/id_*\n*.log\n");
    let run = run_in(dir.path(), &["-f", "json", "."]);
    let paths: Vec<String> = run.findings().into_iter().map(|(_, path, _)| path).collect();
    for credential_file in [".env", ".npmrc", "keys/id_ed25519"] {
        assert!(
            paths.iter().any(|p| p == credential_file),
            "{credential_file} missing: {paths:?}"
        );
    }
    assert!(!paths.iter().any(|p| p == "notes.log"), "{paths:?}");

    let everything = run_in(dir.path(), &["-f", "json", "--no-ignore", "."]);
    let everywhere: Vec<String> = everything
        .findings()
        .into_iter()
        .map(|(_, path, _)| path)
        .collect();
    assert!(everywhere.iter().any(|p| p == "notes.log"));
    // Each credential file is scanned once either way: found both by the walk and by the
    // second listing, or by the walk alone.
    for credential_file in [".env", ".npmrc", "keys/id_ed25519"] {
        let count = |paths: &[String]| paths.iter().filter(|p| *p == credential_file).count();
        assert_eq!(count(&everywhere), count(&paths), "{credential_file}");
    }
}
