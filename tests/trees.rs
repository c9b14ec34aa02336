//! Tree shapes at scale: a very deep directory tree (with a symbolic-link loop inside it) and
//! tens of thousands of small files are walked completely, each token is reported once with
//! its path, and neither shape crashes, hangs or loses a file. Trees are built at test time.

mod common;

use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::*;
use tempfile::TempDir;

/// Nesting depth of the deep tree: far more than any real repository, well under PATH_MAX
/// (4096) with two-byte components.
const DEPTH: usize = 300;
/// Where in the deep tree the loop points back to the root.
const LOOP_AT: usize = 150;

#[test]
fn a_300_level_tree_with_a_loop_finds_the_token_at_the_bottom() {
    let dir = TempDir::new().unwrap();
    let mut rel = PathBuf::new();
    for level in 0..DEPTH {
        rel.push(format!("d{}", level % 10));
        if level + 1 == LOOP_AT {
            std::fs::create_dir_all(dir.path().join(&rel)).unwrap();
            symlink(dir.path(), dir.path().join(&rel).join("loop")).unwrap();
        }
    }
    // A token at the bottom, a file every 50 levels on the way down.
    let bottom = rel.join("deploy.env");
    write(
        dir.path(),
        bottom.to_str().unwrap(),
        format!("GITHUB_TOKEN={}\n", github_pat("deep")),
    );
    let mut partial = PathBuf::new();
    for level in 0..DEPTH {
        partial.push(format!("d{}", level % 10));
        if level % 50 == 49 {
            write(
                dir.path(),
                partial.join("notes.txt").to_str().unwrap(),
                "nothing here\n",
            );
        }
    }
    let expected_path = bottom.to_str().unwrap().replace('\\', "/");

    // Without -L the link is a skipped symlink, not a loop.
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), expected_path.clone(), 1)]
    );
    assert_eq!(run.json()["stats"]["files_scanned"], 1 + DEPTH / 50);
    assert_eq!(run.json()["stats"]["skipped_symlinks"], 1);

    // With -L the loop is found, reported as a warning with its path, and not followed: the
    // token is reported once, under its real path.
    let started = Instant::now();
    let run = run_in(dir.path(), &[".", "-L", "-f", "json"]);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![("github-classic-pat".into(), expected_path, 1)]
    );
    let json = run.json();
    assert_eq!(json["stats"]["files_scanned"], 1 + DEPTH / 50);
    assert_eq!(json["stats"]["symlink_loops"], 1);
    let problems = json["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["error"], false, "a loop is a warning");
    let loop_path = problems[0]["path"].as_str().unwrap();
    assert!(
        loop_path.ends_with("/loop") && loop_path.matches("d").count() >= LOOP_AT,
        "{loop_path}"
    );

    // Human output says so on standard error, and still exits 1 for the finding.
    let human = run_in(dir.path(), &[".", "-L"]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert!(human.stderr.contains("loop"), "{}", human.stderr);
}

/// Files in the many-files tree; ~10 s budget for a debug build on 2 shared cores.
const FILES: usize = 20_000;
const DIRS: usize = 400;

#[test]
fn twenty_thousand_small_files_are_all_scanned() {
    let dir = TempDir::new().unwrap();
    for d in 0..DIRS {
        std::fs::create_dir_all(dir.path().join(format!("pkg{:03}/src", d))).unwrap();
    }
    let token_a = github_pat("many-a");
    let token_b = token("many-b", "npm_{{alnum:30}}{{checksum:crc32-base62}}");
    let mut bytes = 0;
    for n in 0..FILES {
        let rel = format!("pkg{:03}/src/m{n}.py", n % DIRS);
        let body = match n {
            7_777 => format!("GITHUB_TOKEN = \"{token_a}\"\n"),
            19_001 => format!("NPM_TOKEN={token_b}\n"),
            _ => format!("def f{n}(x):\n    return x + {n}\n"),
        };
        bytes += body.len();
        std::fs::write(dir.path().join(rel), body).unwrap();
    }

    let started = Instant::now();
    let run = run_in(dir.path(), &[".", "-f", "json"]);
    let took = started.elapsed();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut findings = run.findings();
    findings.sort();
    assert_eq!(
        findings,
        vec![
            (
                "github-classic-pat".into(),
                format!("pkg{:03}/src/m7777.py", 7_777 % DIRS),
                1
            ),
            (
                "npm-access-token".into(),
                format!("pkg{:03}/src/m19001.py", 19_001 % DIRS),
                1
            ),
        ]
    );
    let stats = &run.json()["stats"];
    assert_eq!(stats["files_scanned"], FILES, "{stats}");
    assert_eq!(stats["bytes_scanned"], bytes, "{stats}");
    assert!(run.json()["problems"].as_array().unwrap().is_empty());
    // Generous: a walk that revisits or stalls takes minutes, not seconds.
    assert!(took < Duration::from_secs(60), "took {took:?}");
}
