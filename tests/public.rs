//! Values that are public by design (publishable keys) are not findings by default; with
//! `--include-public` they are listed at `info`, so an inventory can include them without
//! failing a build that fails on `low`.

mod common;

use common::{run_in, token, write};
use tempfile::TempDir;

fn workspace() -> TempDir {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "web/checkout.js",
        format!(
            "const stripe = Stripe('{}');\n",
            token("pk", "pk_live_{{alnum:24}}")
        ),
    );
    dir
}

#[test]
fn publishable_key_is_not_reported_by_default() {
    let dir = workspace();
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["stats"]["findings"], 0);
}

#[test]
fn include_public_reports_it_at_info() {
    let dir = workspace();
    let run = run_in(dir.path(), &[".", "-f", "json", "--include-public"]);
    let findings = run.json()["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "stripe-live-publishable-key");
    assert_eq!(findings[0]["severity"], "info");
    // The default --fail-on is `low`: information does not fail the run.
    assert_eq!(run.code, 0);
    let strict = run_in(
        dir.path(),
        &[".", "-f", "json", "--include-public", "--fail-on", "info"],
    );
    assert_eq!(strict.code, 1);
}
