//! Big files are read in overlapping chunks: a token on a chunk boundary is still found once,
//! with the line and column it has in the file, and memory stays bounded by the chunk size.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use common::rng::Rng;
use common::{github_pat, run_in, token, write};
use serde_json::Value;
use tempfile::TempDir;
use tokscan::config::Config;
use tokscan::reach::{AgentSelection, ReachOptions};
use tokscan::rules::RuleSet;
use tokscan::scan::{scan, Progress, ScanOptions};
use tokscan::source::{ChunkPolicy, WalkOptions};
use tokscan::synth::Synth;

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

/// Past the first mebibyte a file is asked its size before more is read: one under the limit
/// is still read whole, one over it skipped.
#[test]
fn a_file_of_a_few_mebibytes_is_read_whole_under_the_limit_and_skipped_over_it() {
    let dir = TempDir::new().unwrap();
    let filler = "# filler line with some words to move things along\n".repeat(70_000);
    let text = format!(
        "{filler}export GITHUB_TOKEN=\"{}\"\n",
        github_pat("past-first-read")
    );
    assert!(text.len() > 3 << 20);
    write(dir.path(), "big.sh", &text);
    let lines = filler.lines().count() as u64;

    let run = run_in(dir.path(), &["-f", "json", "big.sh"]);
    assert_eq!(
        located(&run),
        vec![("github-classic-pat".to_owned(), lines + 1, 22)]
    );
    assert_eq!(run.json()["stats"]["bytes_scanned"], text.len());

    let run = run_in(dir.path(), &["-f", "json", "--max-file-size", "2M", "big.sh"]);
    assert_eq!(located(&run), vec![]);
    assert_eq!(run.json()["stats"]["skipped_too_large"], 1);
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
fn many_tokens_on_one_minified_line_are_each_placed_at_their_column() {
    // Locating walks the line once for all its findings (it used to count each finding's
    // column, look for the allow marker and for a variable name from the line's start).
    let dir = TempDir::new().unwrap();
    let filler = "var a=b.c(d),e={f:1,g:[2,3]};".repeat(200);
    let mut line = String::new();
    let mut expected = Vec::new();
    for i in 0..400 {
        line.push_str(&filler);
        line.push_str("const t=\"");
        expected.push((
            "github-classic-pat".to_owned(),
            1,
            line.chars().count() as u64 + 1,
        ));
        line.push_str(&github_pat(&format!("minified{i}")));
        line.push_str("\";");
    }
    write(dir.path(), "bundle.min.js", &line);
    let run = run_in(dir.path(), &["-f", "json", "bundle.min.js"]);
    assert_eq!(located(&run), expected);
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

/// Every finding of an in-process scan of `dir` as the JSON report has it (all contract
/// fields: place, fingerprint, facts, scope, stated use, reach), and the byte count.
fn scan_dir(rules: &RuleSet, dir: &Path, chunks: ChunkPolicy) -> (Vec<Value>, u64) {
    let options = ScanOptions {
        roots: vec![dir.to_path_buf()],
        walk: WalkOptions {
            no_ignore: true,
            follow_links: false,
            threads: 1,
            max_file_size: u64::MAX,
            chunks,
            max_archive_depth: tokscan::source::archive::DEFAULT_MAX_DEPTH,
        },
        keep_secrets: true,
        include_public: true,
        reach: ReachOptions {
            agents: AgentSelection::None,
            home: None,
        },
        keep_raw_secrets: false,
        git: None,
    };
    let outcome = scan(&options, rules, &Config::default(), &Progress::default());
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    let mut findings: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| serde_json::to_value(f).unwrap())
        .collect();
    findings.sort_by_cached_key(|f| f.to_string());
    (findings, outcome.stats.bytes_scanned)
}

/// The property behind chunked reading: wherever a file is split, the findings (and every
/// field of them) are those of the file read whole. Each round shuffles every rule's
/// plain-text examples, freshly expanded, into one file with random filler between them (on
/// their own lines, or all on one line so columns carry across chunks), and scans it in
/// chunks of random sizes, which puts the splits at random places, inside tokens, inside
/// the names before them and on newlines.
#[test]
fn a_file_split_anywhere_gives_the_findings_of_the_whole_file() {
    let rules = RuleSet::builtin().unwrap();
    // The overlap must hold a whole match and the context around it (the longest examples
    // are PEM blocks, under 1 KB); the chunk sizes then decide where the splits fall, five
    // to ten times in each ~80 KB file.
    const HALF_OVERLAP: usize = 4096;
    let mut rng = Rng(0x6368_756e_6b73_0001);
    let mut rules_seen = BTreeSet::new();
    let mut splits = 0;
    for round in 0..4 {
        let mut pieces: Vec<String> = rules
            .rules
            .iter()
            .flat_map(|rule| {
                rule.examples
                    .iter()
                    .enumerate()
                    .filter(|(_, example)| example.path() == "example.txt")
                    .map(move |(n, example)| {
                        Synth::new(&format!("{}#{n}#split{round}", rule.id))
                            .expand(example.text(), rule.checksum)
                            .unwrap()
                    })
            })
            .collect();
        for i in (1..pieces.len()).rev() {
            pieces.swap(i, rng.below(i + 1));
        }
        let one_line = round % 2 == 1;
        let mut text = String::new();
        for piece in &pieces {
            let filler = rng.below(120);
            text.push_str(&"x".repeat(filler));
            if one_line {
                // Examples that span lines keep them: the file is as one-line as it can be.
                text.push_str(" ; ");
                text.push_str(piece);
                text.push_str(" ; ");
            } else {
                text.push('\n');
                text.push_str(piece);
                text.push('\n');
            }
        }
        let dir = TempDir::new().unwrap();
        write(dir.path(), "example.txt", &text);
        let (whole, bytes) = scan_dir(&rules, dir.path(), ChunkPolicy::DEFAULT);
        assert_eq!(bytes, text.len() as u64);
        assert!(whole.len() > 200, "round {round}: {} findings", whole.len());
        rules_seen.extend(whole.iter().map(|f| f["rule"].as_str().unwrap().to_owned()));
        for _ in 0..3 {
            let size = 2 * HALF_OVERLAP + 1 + rng.below(2 * HALF_OVERLAP);
            splits += text.len() / size;
            let policy = ChunkPolicy {
                size,
                half_overlap: HALF_OVERLAP,
            };
            let (chunked, bytes) = scan_dir(&rules, dir.path(), policy);
            assert_eq!(bytes, text.len() as u64, "round {round}, chunk size {size}");
            if chunked != whole {
                let only = |a: &[Value], b: &[Value]| -> Vec<String> {
                    a.iter()
                        .filter(|f| !b.contains(f))
                        .map(|f| f.to_string())
                        .collect()
                };
                panic!(
                    "round {round}, chunk size {size}:\nonly whole: {:#?}\nonly chunked: {:#?}",
                    only(&whole, &chunked),
                    only(&chunked, &whole)
                );
            }
        }
    }
    // Many rules, and many splits, took part.
    assert!(rules_seen.len() > 200, "{} rules", rules_seen.len());
    assert!(splits > 50, "{splits} splits");
}
