//! Every output format: shape per the contract, SARIF valid against the official schema,
//! and the raw secret in none of them unless `--no-redact`.

mod common;

use common::*;
use serde_json::Value;
use tempfile::TempDir;

struct Tree {
    dir: TempDir,
    secret: String,
}

fn tree() -> Tree {
    let dir = TempDir::new().unwrap();
    let secret = github_pat("formats");
    write(
        dir.path(),
        "src/app config.ts",
        format!("// deploy helper\nconst token = \"{secret}\";\nexport default token;\n"),
    );
    write(dir.path(), "README.md", "nothing to see\n");
    Tree { dir, secret }
}

const FORMATS: [&str; 5] = ["human", "json", "jsonl", "sarif", "github"];

#[test]
fn no_format_prints_the_raw_secret() {
    let t = tree();
    for format in FORMATS {
        let run = run_in(t.dir.path(), &[".", "-f", format]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert!(!run.stdout.is_empty(), "{format} printed nothing");
        assert!(
            !run.stdout.contains(&t.secret),
            "{format} leaked the secret:\n{}",
            run.stdout
        );
        assert!(
            !run.stderr.contains(&t.secret),
            "{format} leaked the secret on stderr"
        );
    }
}

#[test]
fn no_redact_shows_the_secret_in_json() {
    let t = tree();
    let run = run_in(t.dir.path(), &[".", "-f", "json", "--no-redact"]);
    assert_eq!(
        run.json()["findings"][0]["secret"],
        Value::String(t.secret.clone())
    );
}

#[test]
fn json_finding_carries_every_contract_field() {
    let t = tree();
    let doc = run_in(t.dir.path(), &[".", "-f", "json"]).json();
    assert_eq!(doc["tool"], "tokscan");
    assert_eq!(doc["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["stats"]["files_scanned"], 2);
    let f = &doc["findings"][0];
    for field in [
        "rule",
        "provider",
        "kind",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "secret_preview",
        "fingerprint",
        "confidence",
        "checksum",
        "scope",
        "stated_use",
        "excess",
        "overprivileged",
        "reachable_by",
        "live",
        "severity",
    ] {
        assert!(f.get(field).is_some(), "missing field {field}");
    }
    assert!(
        f.get("secret").is_none(),
        "the raw secret is present without --no-redact"
    );
    assert_eq!(f["rule"], "github-classic-pat");
    assert_eq!(f["provider"], "github");
    assert_eq!(f["path"], "src/app config.ts");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(2), Some(16)));
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(2), Some(56))
    );
    assert_eq!(f["checksum"], "valid");
    assert_eq!(f["scope"]["privilege"], "unknown");
    assert_eq!(f["scope"]["source"], "static");
    assert_eq!(f["stated_use"]["source"], "comment");
    assert_eq!(f["stated_use"]["text"], "deploy helper");
    assert_eq!(f["live"], Value::Null);
    assert_eq!(f["overprivileged"], false);
    assert_eq!(
        f["secret_preview"],
        format!("{}…{}", &t.secret[..6], &t.secret[t.secret.len() - 4..])
    );
}

#[test]
fn jsonl_prints_one_finding_per_line() {
    let t = tree();
    write(
        t.dir.path(),
        "b.env",
        format!("A={}\nB={}\n", github_pat("l1"), github_pat("l2")),
    );
    let run = run_in(t.dir.path(), &[".", "-f", "jsonl"]);
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|f| f["rule"] == "github-classic-pat"));
}

fn sarif_schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sarif-schema-2.1.0.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn assert_valid_sarif(sarif: &Value) {
    let validator = jsonschema::validator_for(&sarif_schema()).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF is not valid:\n{}", errors.join("\n"));
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let t = tree();
    let sarif: Value = serde_json::from_str(&run_in(t.dir.path(), &[".", "-f", "sarif"]).stdout).unwrap();
    assert_valid_sarif(&sarif);
}

#[test]
fn sarif_of_a_clean_tree_is_valid_and_has_empty_results() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a.txt", "hello\n");
    let run = run_in(dir.path(), &[".", "-f", "sarif"]);
    assert_eq!(run.code, 0);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"], Value::Array(vec![]));
}

#[test]
fn sarif_follows_the_code_scanning_profile() {
    let t = tree();
    let sarif: Value = serde_json::from_str(&run_in(t.dir.path(), &[".", "-f", "sarif"]).stdout).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(sarif["runs"].as_array().unwrap().len(), 1);
    assert_eq!(run["tool"]["driver"]["name"], "tokscan");
    let rule = &run["tool"]["driver"]["rules"][0];
    assert_eq!(rule["id"], "github-classic-pat");
    assert!(rule["help"]["markdown"].as_str().unwrap().contains("Revoke"));
    let severity: f64 = rule["properties"]["security-severity"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((0.1..=10.0).contains(&severity));
    assert!(rule["properties"]["tags"]
        .as_array()
        .unwrap()
        .contains(&Value::from("security")));
    assert!(rule["properties"]["precision"].is_string());
    let result = &run["results"][0];
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "src/app%20config.ts");
    assert_eq!(location["region"]["startLine"], 2);
    assert_eq!(location["region"]["startColumn"], 16);
    let fingerprint = result["partialFingerprints"]["tokscan/v1"].as_str().unwrap();
    assert_eq!(result["properties"]["tokscan"]["fingerprint"], fingerprint);
    assert_eq!(result["properties"]["tokscan"]["rule"], "github-classic-pat");
}

#[test]
fn github_format_prints_workflow_annotations() {
    let t = tree();
    let run = run_in(t.dir.path(), &[".", "-f", "github"]);
    let line = run.stdout.lines().next().unwrap();
    assert!(
        line.starts_with("::error file=src/app config.ts,line=2,col=16,endLine=2,endColumn=56,title=tokscan github-classic-pat (high)::"),
        "{line}"
    );
}

#[test]
fn human_output_has_a_code_frame_and_a_summary() {
    let t = tree();
    let run = run_in(t.dir.path(), &[".", "--color", "never"]);
    assert!(run.stdout.contains("src/app config.ts:2:16"), "{}", run.stdout);
    assert!(run.stdout.contains("GitHub classic personal access token"));
    assert!(
        run.stdout.contains("const token = \"ghp_"),
        "the frame shows the line: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains("// deploy helper"),
        "the frame shows context: {}",
        run.stdout
    );
    let last = run.stdout.lines().last().unwrap();
    assert!(last.starts_with("1 finding (1 high) in 2 files"), "{last}");
    assert!(!run.stdout.contains('\u{1b}'), "no colour when asked for none");
}

#[test]
fn color_always_colours_human_output() {
    let t = tree();
    let run = run_in(t.dir.path(), &[".", "--color", "always"]);
    assert!(run.stdout.contains('\u{1b}'));
}

#[test]
fn output_file_receives_the_report() {
    let t = tree();
    let out = t.dir.path().join("report.sarif");
    let run = run_in(t.dir.path(), &["src", "-f", "sarif", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
}

#[test]
fn schema_check_is_not_vacuous() {
    let t = tree();
    let mut sarif: Value = serde_json::from_str(&run_in(t.dir.path(), &[".", "-f", "sarif"]).stdout).unwrap();
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    assert!(!validator.is_valid(&sarif), "a 0 line must fail the schema");
}
