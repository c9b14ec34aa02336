//! A finding says what its token is without the network: the rule's decoder reads claims,
//! caveats and embedded ids, and they appear under `facts` in every machine format.

mod common;

use common::{materialize, run_in};
use serde_json::Value;

fn finding<'a>(findings: &'a [Value], rule: &str, path: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["rule"] == rule && f["path"] == path)
        .unwrap_or_else(|| panic!("no {rule} finding in {path}: {findings:#?}"))
}

fn scan() -> Vec<Value> {
    let dir = materialize("decode");
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.json()["findings"].as_array().unwrap().clone()
}

#[test]
fn supabase_service_role_key_carries_its_claims() {
    let findings = scan();
    let facts = &finding(&findings, "supabase-service-role-key", ".env")["facts"];
    assert_eq!(facts["role"], "service_role");
    assert_eq!(facts["issuer"], "supabase");
    assert_eq!(facts["project_ref"], "abcdefghijklmnopqrst");
}

#[test]
fn aws_key_id_names_its_account_and_kind() {
    let findings = scan();
    let facts = &finding(&findings, "aws-session-access-key-id", ".env")["facts"];
    assert_eq!(facts["key_type"], "temporary");
    assert_eq!(facts["account_id"], "609629065308");
}

#[test]
fn project_scoped_pypi_token_lists_its_projects_and_expiry() {
    let findings = scan();
    let facts = &finding(&findings, "pypi-upload-token", ".pypirc")["facts"];
    assert_eq!(facts["token_scope"], "project");
    assert_eq!(facts["projects"], "tokscan,tokscan-rules");
    assert_eq!(facts["expires"], "2001-09-09T01:46:40Z");
    assert_eq!(facts["expired"], "true");
}

#[test]
fn account_wide_pypi_token_is_said_to_be_so() {
    let findings = scan();
    let facts = &finding(&findings, "pypi-upload-token", "publish.sh")["facts"];
    assert_eq!(facts["token_scope"], "account");
    assert_eq!(facts["user"], "0d6b3f3c2a1e4f5b8c9d0e1f2a3b4c5d");
    assert!(facts.get("projects").is_none());
}

#[test]
fn gitlab_routable_token_has_a_valid_checksum() {
    let findings = scan();
    let f = finding(&findings, "gitlab-pat", ".env");
    assert_eq!(f["checksum"], "valid");
    assert_eq!(f["facts"]["token_type"], "routable");
}

#[test]
fn findings_without_facts_have_no_facts_field() {
    let dir = tempfile::TempDir::new().unwrap();
    common::write(
        dir.path(),
        "a.env",
        format!("GH_TOKEN={}\n", common::github_pat("nofacts")),
    );
    let run = run_in(dir.path(), &[".", "-f", "jsonl"]);
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains("\"facts\""), "{}", run.stdout);
}

#[test]
fn a_gitlab_token_with_a_wrong_crc_is_not_reported() {
    let dir = tempfile::TempDir::new().unwrap();
    let good = common::token(
        "crc",
        "glpat-{{base64url:38}}.{{lit:01}}.{{lit:12}}{{checksum:gitlab-crc32-base36}}",
    );
    // Change one payload character: the CRC no longer matches.
    let mut chars: Vec<char> = good.chars().collect();
    chars[8] = if chars[8] == 'a' { 'b' } else { 'a' };
    let tampered: String = chars.into_iter().collect();
    common::write(dir.path(), "ci.env", format!("GITLAB_TOKEN={tampered}\n"));
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn unknown_decoder_is_a_load_error_at_its_line() {
    let dir = tempfile::TempDir::new().unwrap();
    let pack = common::write(
        dir.path(),
        "pack.toml",
        r#"[provider]
id = "acme"
name = "Acme"
remediation = "Revoke it."

[[rule]]
id = "acme-key"
kind = "api-key"
description = "Acme key"
keywords = ["acme_"]
regex = '''(?P<secret>acme_[a-z]{20})'''
decode = "base64-guess"
confidence = "high"
severity = "high"
examples = []
negative_examples = []
"#,
    );
    let run = run_in(dir.path(), &[".", "--rules", pack.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("pack.toml:12:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown decoder `base64-guess`"),
        "{}",
        run.stderr
    );
}

#[test]
fn human_output_shows_the_decoded_facts() {
    let dir = materialize("decode");
    let run = run_in(dir.path(), &[".", "--color", "never"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("decoded:    role=service_role, issuer=supabase"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("token_scope=project, projects=tokscan,tokscan-rules"),
        "{}",
        run.stdout
    );
}
