//! Scope, stated use and over-privilege, end to end: each case under `fixtures/scope/` is a
//! small workspace with one token, scanned on its own; the test pins what the finding says
//! the token can do, what it is for, the excess and the severity.

mod common;

use common::{materialize, run_in};
use serde_json::Value;

struct Case {
    dir: &'static str,
    rule: &'static str,
    /// `(source, needs)` of the stated use, or `None` when no use is stated.
    stated: Option<(&'static str, &'static [&'static str])>,
    excess: &'static [&'static str],
    severity: &'static str,
}

const CASES: &[Case] = &[
    // The incident: an account-or-workspace Railway token kept "for custom domains".
    Case {
        dir: "incident",
        rule: "railway-api-token",
        stated: Some(("comment", &["read", "write"])),
        excess: &[
            "delete",
            "deploy",
            "admin",
            "secrets-read",
            "billing",
            "breadth:workspace",
        ],
        severity: "critical",
    },
    Case {
        dir: "project-token-deploy",
        rule: "railway-project-token",
        stated: Some(("comment", &["read", "write", "deploy", "secrets-read"])),
        excess: &[],
        severity: "low",
    },
    Case {
        dir: "stripe-webhook-only",
        rule: "stripe-live-secret-key",
        stated: Some(("comment", &[])),
        excess: &["read", "write", "delete", "admin", "billing", "breadth:account"],
        severity: "critical",
    },
    // A restricted key's permissions are not in the key: unknown, so never over-privileged.
    Case {
        dir: "restricted-key-read-only",
        rule: "stripe-live-restricted-key",
        stated: Some(("comment", &["read"])),
        excess: &[],
        severity: "high",
    },
    Case {
        dir: "service-role-in-frontend",
        rule: "supabase-service-role-key",
        stated: Some(("comment", &["read"])),
        excess: &["write", "delete", "breadth:project"],
        severity: "high",
    },
    Case {
        dir: "admin-key-for-inference",
        rule: "openai-admin-key",
        stated: Some(("comment", &["read", "write"])),
        excess: &["delete", "admin", "billing", "breadth:workspace"],
        severity: "high",
    },
    // No comment next to the key: the path (`certbot/`) states the use.
    Case {
        dir: "global-key-for-dns",
        rule: "cloudflare-legacy-global-key",
        stated: Some(("path", &["read", "write"])),
        excess: &[
            "delete",
            "deploy",
            "admin",
            "secrets-read",
            "billing",
            "breadth:account",
        ],
        severity: "critical",
    },
    Case {
        dir: "webhook-notifications",
        rule: "slack-webhook-url",
        stated: Some(("comment", &["read", "write", "deploy", "secrets-read", "send"])),
        excess: &[],
        severity: "low",
    },
    Case {
        dir: "classic-pat-unknown-scope",
        rule: "github-classic-pat",
        stated: Some(("comment", &["read"])),
        excess: &[],
        severity: "high",
    },
    Case {
        dir: "admin-key-for-reporting",
        rule: "anthropic-admin-key",
        stated: Some(("comment", &["read"])),
        excess: &["write", "delete", "admin", "billing"],
        severity: "high",
    },
    // Test mode lowers the severity; the excess stays.
    Case {
        dir: "test-key-in-tests",
        rule: "stripe-test-secret-key",
        stated: Some(("comment", &["read", "write", "billing"])),
        excess: &["delete", "admin"],
        severity: "medium",
    },
    // PyPI macaroon caveats, decoded offline, tell a project-scoped token from an account-wide
    // one: the first is exactly what publishing needs, the second reaches every project.
    Case {
        dir: "pypi-project-token-publish",
        rule: "pypi-upload-token",
        stated: Some(("comment", &["read", "publish"])),
        excess: &[],
        severity: "medium",
    },
    Case {
        dir: "pypi-account-token-publish",
        rule: "pypi-upload-token",
        stated: Some(("comment", &["read", "publish"])),
        excess: &["breadth:account"],
        severity: "high",
    },
    // A declaration in tokscan.toml wins over the comment that says "custom domains".
    Case {
        dir: "declared-use-overrides-comment",
        rule: "railway-api-token",
        stated: Some((
            "config",
            &[
                "read",
                "write",
                "delete",
                "deploy",
                "admin",
                "secrets-read",
                "billing",
            ],
        )),
        excess: &[],
        severity: "high",
    },
];

fn only_finding(dir: &std::path::Path) -> Value {
    // The severities below are pinned without agent reach (`--agents none`); reach adds its
    // points on top (tests/reach.rs).
    let run = run_in(dir, &["-f", "json", "--agents", "none", "."]);
    assert_eq!(run.code, 1, "{}: {}", dir.display(), run.stderr);
    let report = run.json();
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{}: {findings:#?}", dir.display());
    findings[0].clone()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect()
}

#[test]
fn each_case_states_its_use_excess_and_severity() {
    let root = materialize("scope");
    let mut failures = Vec::new();
    for case in CASES {
        let finding = only_finding(&root.path().join(case.dir));
        let stated = match &finding["stated_use"] {
            Value::Null => None,
            stated => Some((
                stated["source"].as_str().unwrap().to_owned(),
                strings(&stated["needs"]),
            )),
        };
        let expected_stated = case
            .stated
            .map(|(source, needs)| (source.to_owned(), needs.iter().map(|n| n.to_string()).collect()));
        let excess = strings(&finding["excess"]);
        let checks = [
            ("rule", finding["rule"] == case.rule),
            ("stated_use", stated == expected_stated),
            ("excess", excess == case.excess),
            (
                "overprivileged",
                finding["overprivileged"] == !case.excess.is_empty(),
            ),
            ("severity", finding["severity"] == case.severity),
        ];
        for (what, ok) in checks {
            if !ok {
                failures.push(format!("{}: {what} differs: {finding:#}", case.dir));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn unknown_scope_says_how_to_learn_it_and_is_never_overprivileged() {
    let root = materialize("scope");
    let finding = only_finding(&root.path().join("classic-pat-unknown-scope"));
    let scope = &finding["scope"];
    assert_eq!(scope["privilege"], "unknown");
    assert_eq!(scope["capabilities"], serde_json::json!([]));
    assert!(
        scope["learn"].as_str().unwrap().contains("--introspect"),
        "{scope}"
    );
    assert_eq!(finding["overprivileged"], false);
}

#[test]
fn known_scope_lists_capabilities_breadth_and_environment() {
    let root = materialize("scope");
    let finding = only_finding(&root.path().join("stripe-webhook-only"));
    let scope = &finding["scope"];
    assert_eq!(scope["source"], "static");
    assert_eq!(scope["privilege"], "admin");
    assert_eq!(
        strings(&scope["capabilities"]),
        ["read", "write", "delete", "admin", "billing"]
    );
    assert_eq!(scope["breadth"], "account");
    assert_eq!(strings(&scope["environments"]), ["production"]);
    assert!(finding["alternative"].as_str().unwrap().contains("whsec_"));
}

#[test]
fn human_output_shows_scope_use_excess_and_the_narrower_token() {
    let root = materialize("scope");
    let run = run_in(&root.path().join("incident"), &["--color", "never", "."]);
    assert_eq!(run.code, 1);
    for expected in [
        "scope:      owner, workspace-wide: read, write, delete, deploy, admin, secrets-read, billing",
        "stated use: \"Attach the marketing site's custom domains to the web service.\" (comment) → needs read, write",
        "excess:     delete, deploy, admin, secrets-read, billing, workspace-wide where project-wide would do",
        "instead:    a Railway project token (RAILWAY_TOKEN)",
    ] {
        assert!(run.stdout.contains(expected), "missing {expected:?} in:\n{}", run.stdout);
    }
}

#[test]
fn sarif_message_names_the_excess() {
    let root = materialize("scope");
    let run = run_in(&root.path().join("incident"), &["-f", "sarif", "."]);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    let message = result["message"]["text"].as_str().unwrap();
    assert!(
        message.contains("Over-privileged for its stated use"),
        "{message}"
    );
    assert!(message.contains("delete, deploy, admin"), "{message}");
    assert_eq!(result["level"], "error");
    let rule = &sarif["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(rule["properties"]["security-severity"], "9.5");
}

#[test]
fn a_declaration_needs_a_matcher_and_a_purpose() {
    let dir = tempfile::TempDir::new().unwrap();
    common::write(dir.path(), "tokscan.toml", "[[token]]\npurpose = \"deploys\"\n");
    common::write(dir.path(), ".git/HEAD", "ref: refs/heads/main\n");
    let run = run_in(dir.path(), &["."]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("fingerprint`, `path` or `variable`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("tokscan.toml:1"), "{}", run.stderr);

    common::write(
        dir.path(),
        "tokscan.toml",
        "[[token]]\nvariable = \"X\"\nneeds = [\"fly\"]\n",
    );
    let run = run_in(dir.path(), &["."]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown variant `fly`"), "{}", run.stderr);
}
