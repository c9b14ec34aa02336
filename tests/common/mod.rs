//! Shared helpers for the integration tests: build token-shaped strings at test time,
//! materialise fixture trees into temporary directories, and run the real binary.

#![allow(dead_code)] // each test crate uses a different subset

pub mod rng;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;
use tokscan::synth::Synth;

/// Expands a template (see `tokscan::synth`) with a generator seeded by `seed`.
pub fn token(seed: &str, template: &str) -> String {
    Synth::new(seed).expand(template, None).expect("valid template")
}

/// A GitHub classic PAT with a valid checksum.
pub fn github_pat(seed: &str) -> String {
    token(seed, "ghp_{{alnum:30}}{{checksum:crc32-base62}}")
}

/// A GitHub-shaped string whose checksum fails: must never be reported.
pub fn github_lookalike(seed: &str) -> String {
    let real = github_pat(seed);
    let mut chars: Vec<char> = real.chars().collect();
    let last = chars.len() - 1;
    chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

pub fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

/// Copies `fixtures/<name>` into a fresh temporary directory with templates expanded.
pub fn materialize(name: &str) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    tokscan::synth::materialize(&fixture_dir(name), dir.path()).expect("fixture materialises");
    dir
}

pub fn write(dir: &Path, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, contents).unwrap();
    path
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// `(rule, path, line)` of every finding in a `--format json` report.
    pub fn findings(&self) -> Vec<(String, String, u64)> {
        self.json()["findings"]
            .as_array()
            .expect("findings array")
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_owned(),
                    f["path"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect()
    }
}

pub fn tokscan_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tokscan"));
    cmd.env_remove("NO_COLOR").env("TERM", "dumb");
    cmd
}

/// Runs tokscan with `args` in `cwd`.
pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    finish(
        tokscan_command()
            .current_dir(cwd)
            .args(args)
            .output()
            .expect("tokscan runs"),
    )
}

pub fn finish(output: Output) -> Run {
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

pub mod mock_server;
/// Runs `git args` in `dir` with a fixed identity and no user or system config, panicking
/// with git's output on failure; returns standard output, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A repository with one commit holding `README.md`, on branch `main`.
pub fn git_repo() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    git(dir.path(), &["init", "-q"]);
    write(dir.path(), "README.md", "# demo\n");
    commit_all(dir.path(), "init");
    dir
}

/// Stages everything and commits it; returns the new commit's id.
pub fn commit_all(dir: &Path, message: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// A zip of `(name, bytes)` members, deflated.
pub fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in members {
        zip.start_file(*name, options).expect("zip member");
        zip.write_all(bytes).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

/// `text` in UTF-16 with its byte-order mark.
pub fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut bytes = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        let pair = if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        };
        bytes.extend_from_slice(&pair);
    }
    bytes
}
