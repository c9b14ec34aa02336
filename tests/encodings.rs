//! Tokens in text that is not plain UTF-8 on disk: UTF-16 files and Jupyter notebooks
//! (sources and outputs JSON-escaped). Findings point at the containing file.

mod common;

use common::{github_pat, run_in, token, utf16, write};
use tempfile::TempDir;

#[test]
fn utf16_files_are_transcoded_not_skipped_as_binary() {
    let dir = TempDir::new().unwrap();
    let secret = github_pat("utf16");
    let text = format!("# profile\r\n$env:GITHUB_TOKEN = \"{secret}\"\r\n");
    write(dir.path(), "profile-le.ps1", utf16(&text, true));
    write(dir.path(), "profile-be.ps1", utf16(&text, false));
    let run = run_in(dir.path(), &["-f", "json", "."]);
    assert_eq!(
        run.findings(),
        [
            ("github-classic-pat".to_owned(), "profile-be.ps1".to_owned(), 2),
            ("github-classic-pat".to_owned(), "profile-le.ps1".to_owned(), 2),
        ]
    );
    let first = &run.json()["findings"][0];
    assert_eq!(first["column"], 22);
    assert_eq!(run.json()["stats"]["skipped_binary"], 0);
}

#[test]
fn tokens_in_notebook_sources_and_outputs_are_found() {
    let dir = TempDir::new().unwrap();
    let openai = token("nb", "sk-proj-{{base64url:74}}T3BlbkFJ{{base64url:74}}");
    let pat = github_pat("notebook-output");
    let notebook = format!(
        r#"{{
 "cells": [
  {{
   "cell_type": "code",
   "source": ["import openai\n", "client = openai.OpenAI(api_key=\"{openai}\")\n"],
   "outputs": [{{"name": "stdout", "output_type": "stream", "text": ["token: {pat}\n"]}}]
  }}
 ],
 "nbformat": 4
}}
"#
    );
    write(dir.path(), "analysis.ipynb", notebook);
    let run = run_in(dir.path(), &["-f", "json", "."]);
    assert_eq!(
        run.findings(),
        [
            ("openai-project-key".to_owned(), "analysis.ipynb".to_owned(), 5),
            ("github-classic-pat".to_owned(), "analysis.ipynb".to_owned(), 6),
        ]
    );
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn tokens_inside_base64_are_decoded_and_point_at_the_encoded_text() {
    let dir = TempDir::new().unwrap();
    let pat = github_pat("k8s");
    let npm = token("docker", "npm_{{alnum:30}}{{checksum:crc32-base62}}");
    // Each alignment of the token inside the encoded bytes.
    let secret = format!(
        "apiVersion: v1\nkind: Secret\ndata:\n  token: {}\n  a: {}\n  b: {}\n  npmrc: {}\n",
        base64(pat.as_bytes()),
        base64(format!(" {pat}").as_bytes()),
        base64(format!("t={pat}").as_bytes()),
        base64(format!("//registry.npmjs.org/:_authToken={npm}\n").as_bytes()),
    );
    write(dir.path(), "k8s/secret.yaml", &secret);
    let run = run_in(dir.path(), &["-f", "json", "."]);
    assert_eq!(
        run.findings(),
        [
            ("github-classic-pat".to_owned(), "k8s/secret.yaml".to_owned(), 4),
            ("github-classic-pat".to_owned(), "k8s/secret.yaml".to_owned(), 5),
            ("github-classic-pat".to_owned(), "k8s/secret.yaml".to_owned(), 6),
            ("npm-access-token".to_owned(), "k8s/secret.yaml".to_owned(), 7),
        ],
        "{}",
        run.stdout
    );
    let report = run.json();
    let first = &report["findings"][0];
    assert_eq!(first["facts"]["encoding"], "base64");
    assert_eq!(first["checksum"], "valid");
    assert_eq!(first["column"], 10);
    // The fingerprint is the decoded token's: the same as if it were written in plain text.
    let plain_dir = TempDir::new().unwrap();
    write(plain_dir.path(), "a.sh", format!("T={pat}\n"));
    let plain = run_in(plain_dir.path(), &["-f", "json", "."]).json();
    assert_eq!(first["fingerprint"], plain["findings"][0]["fingerprint"]);
    // No format shows the decoded token or its encoding.
    for format in ["json", "human", "sarif"] {
        let out = run_in(dir.path(), &["-f", format, "."]).stdout;
        assert!(
            !out.contains(&pat) && !out.contains(&base64(pat.as_bytes())),
            "{format}"
        );
    }
}

#[test]
fn base64_images_and_hashes_with_no_encoded_token_stay_silent() {
    let dir = TempDir::new().unwrap();
    let noise = token("noise", "{{base64:4000}}");
    write(
        dir.path(),
        "logo.css",
        format!(".a {{ background: url(data:image/png;base64,{noise}); }}\n"),
    );
    let run = run_in(dir.path(), &["-f", "json", "."]);
    assert_eq!(run.findings(), []);
}

/// The base64 of a binary, inlined in a bundle, is full of `+` and `/` that pass for word
/// boundaries, and of zero bytes that spell prefixes (`EAAAAAA…`): a token-shaped stretch of
/// it is not a token. The same text as a value, or as a segment of a URL, still is, and so is
/// a token whose checksum holds, which no chance stretch of base64 has.
#[test]
fn token_shapes_inside_base64_of_binary_data_are_not_reported() {
    let dir = TempDir::new().unwrap();
    let square = token("blob", "EAAA{{alnum:60}}");
    // Bytes like an executable's: random stretches between runs of zeros.
    let mut rng = common::rng::Rng(0x5eed_b10b);
    let binary: Vec<u8> = (0..60_000)
        .map(|i| if i % 512 < 96 { 0 } else { rng.next() as u8 })
        .collect();
    let blob = base64(&binary);
    let (head, tail) = blob.split_at(blob.len() / 2);
    write(
        dir.path(),
        "dist/bundle.js",
        format!("const wasm = \"{head}/{square}+{tail}\";\nconst end = \"{head}/{square}\";\n"),
    );
    let pat = github_pat("blob");
    write(
        dir.path(),
        "dist/vendor.js",
        format!("const data = \"{head}/{pat}+{tail}\";\n"),
    );
    write(
        dir.path(),
        "config.env",
        format!("SQUARE_ACCESS_TOKEN={square}\n"),
    );
    write(
        dir.path(),
        "revoke.sh",
        format!("curl -X POST https://api.acme.dev/v2/tokens/{square}/revoke\n"),
    );
    let run = run_in(dir.path(), &["-f", "json", "."]);
    assert_eq!(
        run.findings(),
        [
            ("square-access-token".to_owned(), "config.env".to_owned(), 1),
            ("github-classic-pat".to_owned(), "dist/vendor.js".to_owned(), 1),
            ("square-access-token".to_owned(), "revoke.sh".to_owned(), 1),
        ],
        "{}",
        run.stdout
    );
}
