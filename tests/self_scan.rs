//! The repository scans itself clean: no token-shaped literal is committed anywhere
//! (rule examples and fixtures are templates expanded at test time).

mod common;

use std::path::Path;

use common::run_in;

#[test]
fn repository_scans_itself_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = run_in(root, &[".", "-f", "json"]);
    assert_eq!(
        run.code, 0,
        "tokscan . on this repository:\n{}\n{}",
        run.stdout, run.stderr
    );
    assert_eq!(run.json()["stats"]["findings"], 0);
    assert!(run.json()["stats"]["files_scanned"].as_u64().unwrap() > 20);
}
