//! `--rules` also takes gitleaks/Betterleaks configs: their `[[rules]]` become tokscan rules
//! (regex, secretGroup, entropy, keywords, path, allowlists), and what cannot be translated
//! is an error that names the rule and its line.

mod common;

use common::{materialize, run_in, write};

fn scan_fixture() -> Vec<(String, String, u64)> {
    let dir = materialize("gitleaks");
    let run = run_in(dir.path(), &["ws", "--rules", "gitleaks.toml", "-f", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    // The built-in generic rule also sees the fixture's deliberately weak values; only what the
    // imported rules report is under test here.
    run.findings()
        .into_iter()
        .filter(|(rule, _, _)| !rule.starts_with("generic-"))
        .collect()
}

#[test]
fn gitleaks_rules_find_exactly_what_they_should() {
    let mut found = scan_fixture();
    found.sort();
    let expected = [
        ("acme-deploy-key", "app.env", 1),
        ("internal-api-secret", "settings.ini", 2),
        ("widget-service-token", "config.yml", 1),
    ];
    let expected: Vec<(String, String, u64)> = expected
        .iter()
        .map(|(r, p, l)| (r.to_string(), p.to_string(), *l))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn imported_rules_take_their_provider_from_the_id() {
    let dir = materialize("gitleaks");
    let run = run_in(dir.path(), &["ws", "--rules", "gitleaks.toml", "-f", "json"]);
    let findings = run.json()["findings"].as_array().unwrap().clone();
    let acme = findings.iter().find(|f| f["rule"] == "acme-deploy-key").unwrap();
    assert_eq!(acme["provider"], "acme");
    assert_eq!(acme["kind"], "deploy-key");
    assert_eq!(acme["confidence"], "medium");
    // secretGroup 1: the secret is the group, not the whole match.
    assert!(acme["secret_preview"].as_str().unwrap().starts_with("acmedk"));
}

#[test]
fn gitleaks_rules_show_up_in_rules_list() {
    let dir = materialize("gitleaks");
    let run = run_in(dir.path(), &["rules", "list", "--rules", "gitleaks.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("widget-service-token"), "{}", run.stdout);
}

fn load_error(config: &str) -> String {
    let dir = tempfile::TempDir::new().unwrap();
    write(dir.path(), "gitleaks.toml", config);
    write(dir.path(), "empty.txt", "");
    let run = run_in(dir.path(), &["empty.txt", "--rules", "gitleaks.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    run.stderr
}

#[test]
fn regex_syntax_tokscan_cannot_compile_names_the_rule_and_line() {
    let err = load_error(
        "[[rules]]\nid = \"ok\"\nregex = '''ok_[a-z]{8}'''\n\n[[rules]]\nid = \"greek-token\"\nregex = '''token_\\p{Greek}+'''\nkeywords = [\"token_\"]\n",
    );
    assert!(err.contains("gitleaks.toml:7:"), "{err}");
    assert!(err.contains("rule `greek-token`"), "{err}");
}

#[test]
fn path_only_rules_cannot_be_translated() {
    let err = load_error("[[rules]]\nid = \"pkcs12-file\"\npath = '''\\.p12$'''\n");
    assert!(err.contains("rule `pkcs12-file`"), "{err}");
    assert!(err.contains("only `path`"), "{err}");
}

#[test]
fn a_rule_without_keywords_or_literals_is_refused() {
    let err = load_error("[[rules]]\nid = \"hex40\"\nregex = '''[a-f0-9]{40}'''\n");
    assert!(err.contains("rule `hex40`"), "{err}");
    assert!(err.contains("keywords"), "{err}");
}

#[test]
fn unknown_keys_are_errors() {
    let err = load_error("[[rules]]\nid = \"x\"\nregex = '''x_[a-z]{9}'''\nsecretgrup = 1\n");
    assert!(err.contains("gitleaks.toml:4:"), "{err}");
}

#[test]
fn betterleaks_and_lowercase_keys_are_accepted() {
    let dir = tempfile::TempDir::new().unwrap();
    write(
        dir.path(),
        "betterleaks.toml",
        "minVersion = \"2.0.0\"\n\n[[rules]]\nid = \"acme-key\"\nregex = '''(acmek_[a-z0-9]{24})'''\nsecretgroup = 1\n\n[[rules.allowlists]]\nregextarget = \"line\"\nregexes = ['''example''']\nresources = [\"fs.content\"]\n",
    );
    write(
        dir.path(),
        "ws/a.env",
        format!("KEY={}\n", common::token("bl", "acmek_{{lowalnum:24}}")),
    );
    let run = run_in(dir.path(), &["ws", "--rules", "betterleaks.toml", "-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.findings()[0].0, "acme-key");
}
