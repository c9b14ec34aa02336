//! Tokens inside zip, tar, tar.gz and gz archives are found and point at the containing file;
//! nesting, size and ratio limits refuse zip bombs with a warning, never an OOM. Every
//! archive is built at test time from generated tokens: no archive with a token is committed.

mod common;

use std::io::{self, Cursor, Read, Write};
use std::path::Path;

use common::{github_pat, run_in, write, zip_of};
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::Value;
use tempfile::TempDir;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// `.env` text with the token on line 2, column 14.
fn env_text(token: &str) -> String {
    format!("# deploy\nGITHUB_TOKEN={token}\n")
}

const BINARY: &[u8] = b"\x7fELF\x00\x01\x02\x00binary\x00";
const BENIGN: &str = "just a readme\n";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(bytes).expect("gzip write");
    gz.finish().expect("gzip finish")
}

/// A tar of `(name, bytes)` members.
fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, *bytes).expect("tar member");
    }
    tar.into_inner().expect("tar finish")
}

fn standard_members(token: &str) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("README.md", BENIGN.as_bytes().to_vec()),
        ("bin/tool", BINARY.to_vec()),
        ("config/.env", env_text(token).into_bytes()),
    ]
}

fn borrowed<'a>(members: &'a [(&'static str, Vec<u8>)]) -> Vec<(&'static str, &'a [u8])> {
    members.iter().map(|(n, b)| (*n, b.as_slice())).collect()
}

fn scan_json(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec![".", "-f", "json"];
    args.extend_from_slice(extra);
    let run = run_in(dir, &args);
    (run.code, run.json(), run.stderr)
}

fn paths(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn token_in_a_zip_member_is_reported_at_archive_bang_member() {
    let dir = TempDir::new().unwrap();
    let members = standard_members(&github_pat("zip"));
    write(dir.path(), "bundle.zip", zip_of(&borrowed(&members)));
    let (code, json, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json:#}");
    let f = &findings[0];
    assert_eq!(f["path"], "bundle.zip!config/.env");
    assert_eq!(f["rule"], "github-classic-pat");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(2), Some(14)));
    // The binary member is skipped like a binary file, the benign one scanned.
    assert_eq!(json["stats"]["skipped_binary"], 1);
    assert_eq!(json["stats"]["files_scanned"], 2);
}

#[test]
fn token_in_a_tar_gz_member_is_found() {
    let dir = TempDir::new().unwrap();
    let members = standard_members(&github_pat("targz"));
    write(dir.path(), "release.tar.gz", gzip(&tar_of(&borrowed(&members))));
    let (code, json, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&json), vec!["release.tar.gz!config/.env"]);
    assert_eq!(json["findings"][0]["line"], 2);
}

#[test]
fn token_in_a_plain_tar_member_is_found() {
    let dir = TempDir::new().unwrap();
    let members = standard_members(&github_pat("tar"));
    write(dir.path(), "backup.tar", tar_of(&borrowed(&members)));
    let (_, json, _) = scan_json(dir.path(), &[]);
    assert_eq!(paths(&json), vec!["backup.tar!config/.env"]);
}

#[test]
fn token_in_a_plain_gz_is_found_under_the_gunzipped_name() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "logs/app.env.gz",
        gzip(env_text(&github_pat("gz")).as_bytes()),
    );
    let (code, json, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&json), vec!["logs/app.env.gz!app.env"]);
    assert_eq!(json["findings"][0]["column"], 14);
}

#[test]
fn archives_are_recognised_by_magic_bytes_not_by_name() {
    let dir = TempDir::new().unwrap();
    let members = standard_members(&github_pat("magic"));
    write(dir.path(), "artifact.bin", zip_of(&borrowed(&members)));
    let (_, json, _) = scan_json(dir.path(), &[]);
    assert_eq!(paths(&json), vec!["artifact.bin!config/.env"]);
}

#[test]
fn zip_inside_tar_gz_shows_both_levels() {
    let dir = TempDir::new().unwrap();
    let inner = zip_of(&[("x.env", env_text(&github_pat("nested")).as_bytes())]);
    write(
        dir.path(),
        "outer.tar.gz",
        gzip(&tar_of(&[("inner.zip", &inner)])),
    );
    let (code, json, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&json), vec!["outer.tar.gz!inner.zip!x.env"]);
}

/// Four levels: `a.zip!b.zip!c.zip!d.zip!x.env`.
fn four_deep(token: &str) -> Vec<u8> {
    let d = zip_of(&[("x.env", env_text(token).as_bytes())]);
    let c = zip_of(&[("d.zip", &d)]);
    let b = zip_of(&[("c.zip", &c)]);
    zip_of(&[("b.zip", &b)])
}

#[test]
fn archives_nested_past_the_depth_limit_are_not_opened_and_say_so() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a.zip", four_deep(&github_pat("deep")));
    let (code, json, stderr) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["stats"]["skipped_archive_limit"], 1);
    assert!(
        stderr.contains("a.zip!b.zip!c.zip!d.zip") && stderr.contains("nested deeper than 3"),
        "{stderr}"
    );
    let (code, json, _) = scan_json(dir.path(), &["--max-archive-depth", "4"]);
    assert_eq!(code, 1);
    assert_eq!(paths(&json), vec!["a.zip!b.zip!c.zip!d.zip!x.env"]);
}

#[test]
fn depth_zero_leaves_archives_unopened_as_binary() {
    let dir = TempDir::new().unwrap();
    let members = standard_members(&github_pat("zero"));
    write(dir.path(), "bundle.zip", zip_of(&borrowed(&members)));
    let (code, json, _) = scan_json(dir.path(), &["--max-archive-depth", "0"]);
    assert_eq!(code, 0);
    assert_eq!(json["stats"]["skipped_binary"], 1);
}

/// `len` zeros streamed into `sink` (a compressor), never held in memory.
fn zeros_into<W: Write>(mut sink: W, len: u64) -> W {
    io::copy(&mut io::repeat(0).take(len), &mut sink).expect("compress zeros");
    sink
}

const BOMB: u64 = 200 << 20;

#[test]
fn zip_bomb_is_refused_with_a_warning() {
    let dir = TempDir::new().unwrap();
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("zeros.txt", options).unwrap();
    let mut zip = zeros_into(zip, BOMB);
    zip.start_file("readme.txt", options).unwrap();
    zip.write_all(BENIGN.as_bytes()).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert!(bytes.len() < 1 << 20, "the bomb is small on disk");
    write(dir.path(), "bomb.zip", bytes);
    write(dir.path(), "ok.txt", "nothing here\n");

    let (code, json, stderr) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["stats"]["skipped_archive_limit"], 1);
    assert!(
        stderr.contains("bomb.zip!zeros.txt") && stderr.contains("zip bomb?"),
        "{stderr}"
    );
    // The rest of the archive and the tree are still scanned.
    assert_eq!(json["stats"]["files_scanned"], 2);
}

#[test]
fn gzip_bomb_is_refused_with_a_warning() {
    let dir = TempDir::new().unwrap();
    let gz = zeros_into(GzEncoder::new(Vec::new(), Compression::default()), BOMB)
        .finish()
        .unwrap();
    write(dir.path(), "dump.sql.gz", gz);
    let (code, json, stderr) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["stats"]["skipped_archive_limit"], 1);
    assert!(
        stderr.contains("dump.sql.gz!dump.sql") && stderr.contains("zip bomb?"),
        "{stderr}"
    );
}

#[test]
fn tar_gz_bomb_is_refused_and_earlier_members_are_still_scanned() {
    let dir = TempDir::new().unwrap();
    let env = env_text(&github_pat("before-bomb"));
    let mut tar = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    let mut header = tar::Header::new_gnu();
    header.set_size(env.len() as u64);
    header.set_mode(0o644);
    tar.append_data(&mut header, ".env", env.as_bytes()).unwrap();
    let mut header = tar::Header::new_gnu();
    header.set_size(BOMB);
    header.set_mode(0o644);
    tar.append_data(&mut header, "zeros.bin", io::repeat(0).take(BOMB))
        .unwrap();
    let gz = tar.into_inner().unwrap().finish().unwrap();
    write(dir.path(), "site.tgz", gz);
    let (code, json, stderr) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&json), vec!["site.tgz!.env"]);
    assert_eq!(json["stats"]["skipped_archive_limit"], 1);
    assert!(
        stderr.contains("site.tgz!zeros.bin") && stderr.contains("zip bomb?"),
        "{stderr}"
    );
}

#[test]
fn truncated_zip_is_a_warning_and_its_readable_members_are_scanned() {
    let dir = TempDir::new().unwrap();
    let members = standard_members(&github_pat("truncated"));
    let full = zip_of(&borrowed(&members));
    // Cut off the central directory: only local headers remain.
    write(dir.path(), "cut.zip", &full[..full.len() - 40]);
    write(dir.path(), "src/.env", env_text(&github_pat("beside")));
    let (code, json, stderr) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&json), vec!["cut.zip!config/.env", "src/.env"]);
    assert_eq!(json["stats"]["archive_errors"], 1);
    assert!(
        stderr.contains("cut.zip") && stderr.contains("corrupt archive"),
        "{stderr}"
    );
}

#[test]
fn garbage_behind_archive_magic_is_a_warning_not_a_crash() {
    let dir = TempDir::new().unwrap();
    let mut junk = b"PK\x03\x04".to_vec();
    junk.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    write(dir.path(), "junk.zip", &junk);
    let mut gz = vec![0x1f, 0x8b];
    gz.extend_from_slice(&junk);
    write(dir.path(), "junk.gz", &gz);
    let full = gzip(&tar_of(&[("a.env", env_text(&github_pat("cut-gz")).as_bytes())]));
    write(dir.path(), "cut.tar.gz", &full[..full.len() / 2]);
    write(dir.path(), "src/.env", env_text(&github_pat("beside2")));
    let (code, json, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1, "{json:#}");
    assert!(paths(&json).contains(&"src/.env".to_owned()));
    assert!(json["stats"]["archive_errors"].as_u64() >= Some(2), "{json:#}");
}

#[test]
fn config_allows_match_the_archive_or_the_member_path() {
    let dir = TempDir::new().unwrap();
    let members = standard_members(&github_pat("allowed"));
    let zip = zip_of(&borrowed(&members));
    write(dir.path(), "vendor/a.zip", &zip);
    write(dir.path(), "b.zip", &zip);
    write(dir.path(), "c.zip", &zip);
    write(
        dir.path(),
        "tokscan.toml",
        "[allow]\npaths = [\"vendor/\", \"b.zip!config/.env\"]\n",
    );
    let (_, json, _) = scan_json(dir.path(), &[]);
    assert_eq!(paths(&json), vec!["c.zip!config/.env"]);
    assert_eq!(json["stats"]["suppressed_config"], 2);
}

#[test]
fn agents_reach_the_archive_file() {
    let dir = TempDir::new().unwrap();
    let members = standard_members(&github_pat("reach"));
    write(dir.path(), "bundle.zip", zip_of(&borrowed(&members)));
    write(dir.path(), ".cursorignore", "bundle.zip\n");
    let (_, json, _) = scan_json(dir.path(), &["--agents", "cursor"]);
    let reach = json["findings"][0]["reachable_by"].as_array().unwrap().clone();
    let file_tool = reach
        .iter()
        .find(|r| r["agent"] == "cursor" && r["channel"] == "file-tool")
        .expect("cursor file-tool entry");
    assert_eq!(file_tool["blocked_by"], ".cursorignore:1", "{reach:?}");
}

#[test]
fn sarif_points_at_the_archive_and_names_the_member() {
    let dir = TempDir::new().unwrap();
    let members = standard_members(&github_pat("sarif"));
    write(dir.path(), "bundle.zip", zip_of(&borrowed(&members)));
    let run = run_in(dir.path(), &[".", "-f", "sarif"]);
    assert_eq!(run.code, 1);
    let sarif = run.json();
    let result = &sarif["runs"][0]["results"][0];
    let location = &result["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "bundle.zip"
    );
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "bundle.zip!config/.env"
    );
    assert_eq!(result["properties"]["tokscan"]["path"], "bundle.zip!config/.env");
    assert!(result["message"]["text"]
        .as_str()
        .unwrap()
        .contains("bundle.zip!config/.env line 2"));

    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(&sarif).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn github_annotations_point_at_the_archive() {
    let dir = TempDir::new().unwrap();
    let members = standard_members(&github_pat("annotate"));
    write(dir.path(), "bundle.zip", zip_of(&borrowed(&members)));
    let run = run_in(dir.path(), &[".", "-f", "github"]);
    let line = run.stdout.lines().next().unwrap_or_default();
    assert!(line.contains("file=bundle.zip,title="), "{line}");
    assert!(line.contains("in bundle.zip!config/.env:2:14"), "{line}");
}

#[test]
fn baseline_accepts_an_archive_finding() {
    let dir = TempDir::new().unwrap();
    let members = standard_members(&github_pat("baseline"));
    write(dir.path(), "bundle.zip", zip_of(&borrowed(&members)));
    let made = run_in(dir.path(), &[".", "--write-baseline", "baseline.json"]);
    assert!(made.code == 0 || made.code == 1, "{}", made.stderr);
    let (code, json, _) = scan_json(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["stats"]["suppressed_baseline"], 1);
}

#[test]
fn archives_bigger_than_a_chunk_are_read_from_the_file() {
    let dir = TempDir::new().unwrap();
    let members = standard_members(&github_pat("big-archive"));
    write(dir.path(), "bundle.zip", zip_of(&borrowed(&members)));
    write(dir.path(), "release.tar.gz", gzip(&tar_of(&borrowed(&members))));
    let (_, json, _) = scan_json(dir.path(), &["--chunk-size", "64"]);
    assert_eq!(
        paths(&json),
        vec!["bundle.zip!config/.env", "release.tar.gz!config/.env"]
    );
}
