//! Big files are read in overlapping chunks: a token on a chunk boundary is still found once,
//! with the line and column it has in the file, and memory stays bounded by the chunk size.

mod common;

use std::io::Write;

use common::{github_pat, run_in, token, write};
use serde_json::Value;
use tempfile::TempDir;

/// `(rule, line, column)` of every finding.
fn located(run: &common::Run) -> Vec<(String, u64, u64)> {
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f: &Value| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn chunking_at_any_boundary_finds_the_same_tokens() {
    let dir = TempDir::new().unwrap();
    let mut text = String::new();
    for i in 0..12 {
        text.push_str(&format!(
            "# filler line {i} with some words to move things along\n"
        ));
        text.push_str(&format!(
            "export GITHUB_TOKEN=\"{}\"\n",
            github_pat(&format!("chunk{i}"))
        ));
        text.push_str(&format!(
            "RAILWAY_API_TOKEN={}\n",
            token(&format!("uuid{i}"), "{{uuid}}")
        ));
    }
    write(dir.path(), "big.sh", &text);
    let whole = run_in(dir.path(), &["-f", "json", "big.sh"]);
    let expected = located(&whole);
    assert_eq!(expected.len(), 24, "{expected:?}");
    // Chunk sizes that put a boundary at every kind of place: inside tokens, inside the
    // variable names that give them context, on newlines.
    for size in (512..1400).step_by(37) {
        let chunked = run_in(
            dir.path(),
            &["-f", "json", "--chunk-size", &size.to_string(), "big.sh"],
        );
        assert_eq!(located(&chunked), expected, "chunk size {size}");
        assert_eq!(
            chunked.json()["stats"]["bytes_scanned"],
            text.len(),
            "chunk size {size}"
        );
        assert_eq!(chunked.json()["stats"]["files_scanned"], 1, "chunk size {size}");
    }
}

#[test]
fn a_200_mb_single_line_file_is_scanned_in_chunks() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("bundle.min.js");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    const SIZE: usize = 200 << 20;
    let filler = b"var a=function(b){return b+1};";
    let boundary = 16 << 20; // the default chunk size
                             // Tokens at the start, across the first chunk boundary, and near the end.
    let plants = [
        (10, github_pat("start")),
        (boundary - 20, github_pat("boundary")),
        (SIZE - 100, github_pat("end")),
    ];
    let mut written = 0;
    for (offset, secret) in &plants {
        let planted = format!("t=\"{secret}\";");
        while written + filler.len() <= *offset {
            file.write_all(filler).unwrap();
            written += filler.len();
        }
        let pad = offset - written;
        file.write_all(&b";".repeat(pad)).unwrap();
        file.write_all(planted.as_bytes()).unwrap();
        written += pad + planted.len();
    }
    while written < SIZE {
        let n = filler.len().min(SIZE - written);
        file.write_all(&filler[..n]).unwrap();
        written += n;
    }
    file.flush().unwrap();
    drop(file);

    let run = run_in(
        dir.path(),
        &["-f", "json", "--max-file-size", "300M", "bundle.min.js"],
    );
    let columns: Vec<(String, u64, u64)> = plants
        .iter()
        .map(|(offset, _)| ("github-classic-pat".to_owned(), 1, (offset + 4) as u64))
        .collect();
    assert_eq!(located(&run), columns, "stderr: {}", run.stderr);
    assert_eq!(run.json()["stats"]["bytes_scanned"], SIZE);

    // The default size limit skips it, and says so.
    let skipped = run_in(dir.path(), &["-f", "json", "bundle.min.js"]);
    assert_eq!(skipped.json()["stats"]["skipped_too_large"], 1);
    assert!(skipped.stderr.contains("--max-file-size"), "{}", skipped.stderr);
}
