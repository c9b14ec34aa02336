//! Tokens in text that is not plain UTF-8 on disk: UTF-16 files and Jupyter notebooks
//! (sources and outputs JSON-escaped). Findings point at the containing file.

mod common;

use common::{github_pat, run_in, token, write};
use tempfile::TempDir;

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
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
