//! One scan, end to end: walk the sources, read each file once, match, locate, suppress.
//! Data flows one way — source → bytes → matches → findings — and this module only wires the
//! stages together; each stage lives in its own module.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::baseline::{Baseline, BaselineEntry};
use crate::config::Config;
use crate::detect::{Matcher, RawMatch, Scratch};
use crate::finding::{locate, Finding, Severity};
use crate::rules::RuleSet;
use crate::source::{self, Content, Skip, Visit, WalkOptions};

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub roots: Vec<PathBuf>,
    pub walk: WalkOptions,
    /// Put the raw secret in findings (`--no-redact`).
    pub keep_secrets: bool,
}

/// Counts for the summary line and `stats` in JSON: nothing is skipped silently.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Stats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped_binary: u64,
    pub skipped_too_large: u64,
    pub skipped_symlinks: u64,
    pub symlink_loops: u64,
    pub skipped_special: u64,
    pub unreadable: u64,
    pub suppressed_inline: u64,
    pub suppressed_config: u64,
    pub suppressed_baseline: u64,
    pub stale_baseline: Vec<BaselineEntry>,
    pub findings: u64,
    pub by_severity: BTreeMap<Severity, u64>,
    pub duration_ms: u64,
}

/// A file that was not (fully) scanned, with why.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
    /// An error makes the scan incomplete (exit 2); a warning does not.
    pub error: bool,
}

#[derive(Debug, Default)]
pub struct ScanOutcome {
    pub findings: Vec<Finding>,
    pub stats: Stats,
    pub problems: Vec<Problem>,
}

impl ScanOutcome {
    /// Whether something the scan was asked to read could not be read.
    pub fn incomplete(&self) -> bool {
        self.problems.iter().any(|p| p.error)
    }

    /// Drops the findings `baseline` already knows, and records what it did in the stats.
    pub fn apply_baseline(&mut self, baseline: &Baseline) {
        let applied = baseline.apply(&mut self.findings);
        self.stats.suppressed_baseline = applied.suppressed as u64;
        self.stats.stale_baseline = applied.stale;
        self.count_findings();
    }

    fn count_findings(&mut self) {
        self.stats.findings = self.findings.len() as u64;
        self.stats.by_severity.clear();
        for f in &self.findings {
            *self.stats.by_severity.entry(f.severity).or_insert(0) += 1;
        }
    }
}

#[derive(Default)]
struct Counters {
    files: AtomicU64,
    bytes: AtomicU64,
    binary: AtomicU64,
    too_large: AtomicU64,
    symlinks: AtomicU64,
    loops: AtomicU64,
    special: AtomicU64,
    unreadable: AtomicU64,
    inline: AtomicU64,
    config: AtomicU64,
}

pub fn scan(options: &ScanOptions, rules: &RuleSet, config: &Config) -> ScanOutcome {
    let started = Instant::now();
    let counters = Counters::default();
    let findings: Mutex<Vec<Finding>> = Mutex::new(Vec::new());
    let problems: Mutex<Vec<Problem>> = Mutex::new(Vec::new());
    let matcher = Matcher::new(rules);
    let problem = |path: &str, message: String, error: bool| {
        if let Ok(mut p) = problems.lock() {
            p.push(Problem {
                path: path.to_owned(),
                message,
                error,
            });
        }
    };

    source::walk(
        &options.roots,
        &options.walk,
        &rules.credential_files,
        || {
            let mut buf = Vec::new();
            let mut scratch = Scratch::default();
            let mut matches: Vec<RawMatch> = Vec::new();
            let mut found: Vec<Finding> = Vec::new();
            let (counters, findings, matcher, problem) = (&counters, &findings, &matcher, &problem);
            move |visit| {
                let (file, skip) = match visit {
                    Visit::File(file) => {
                        match source::read(&file.path, options.walk.max_file_size, &mut buf) {
                            Content::Text(hay) => {
                                counters.files.fetch_add(1, Ordering::Relaxed);
                                counters
                                    .bytes
                                    .fetch_add(hay.len() as u64, Ordering::Relaxed);
                                matcher.find(&file.display, hay, &mut scratch, &mut matches);
                                if matches.is_empty() {
                                    return;
                                }
                                found.clear();
                                let inline = locate(
                                    rules,
                                    &file.display,
                                    hay,
                                    &matches,
                                    options.keep_secrets,
                                    &mut found,
                                );
                                counters.inline.fetch_add(inline as u64, Ordering::Relaxed);
                                let path_allowed = config.has_path_allows()
                                    && config.allows_path(&file.path, &file.display);
                                let before = found.len();
                                found.retain(|f| !path_allowed && !config.allows_fingerprint(f));
                                counters
                                    .config
                                    .fetch_add((before - found.len()) as u64, Ordering::Relaxed);
                                if !found.is_empty() {
                                    if let Ok(mut all) = findings.lock() {
                                        all.append(&mut found);
                                    }
                                }
                                return;
                            }
                            Content::Skipped(skip) => (file, skip),
                        }
                    }
                    Visit::Skipped(file, skip) => (file, skip),
                };
                match skip {
                    Skip::Binary => {
                        counters.binary.fetch_add(1, Ordering::Relaxed);
                    }
                    Skip::TooLarge(len) => {
                        counters.too_large.fetch_add(1, Ordering::Relaxed);
                        problem(
                            &file.display,
                            format!("skipped: {len} bytes is over --max-file-size"),
                            false,
                        );
                    }
                    Skip::Symlink => {
                        counters.symlinks.fetch_add(1, Ordering::Relaxed);
                    }
                    Skip::SymlinkLoop(message) => {
                        counters.loops.fetch_add(1, Ordering::Relaxed);
                        problem(&file.display, message, false);
                    }
                    Skip::Special => {
                        counters.special.fetch_add(1, Ordering::Relaxed);
                        problem(
                            &file.display,
                            "skipped: not a regular file".to_owned(),
                            false,
                        );
                    }
                    Skip::Unreadable(message) => {
                        counters.unreadable.fetch_add(1, Ordering::Relaxed);
                        problem(&file.display, message, true);
                    }
                }
            }
        },
    );

    let mut findings = findings.into_inner().unwrap_or_default();
    findings.sort_by(|a, b| a.location_key().cmp(&b.location_key()));
    let mut problems = problems.into_inner().unwrap_or_default();
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let stats = Stats {
        files_scanned: load(&counters.files),
        bytes_scanned: load(&counters.bytes),
        skipped_binary: load(&counters.binary),
        skipped_too_large: load(&counters.too_large),
        skipped_symlinks: load(&counters.symlinks),
        symlink_loops: load(&counters.loops),
        skipped_special: load(&counters.special),
        unreadable: load(&counters.unreadable),
        suppressed_inline: load(&counters.inline),
        suppressed_config: load(&counters.config),
        duration_ms: duration_ms(started.elapsed()),
        ..Stats::default()
    };
    let mut outcome = ScanOutcome {
        findings,
        stats,
        problems,
    };
    outcome.count_findings();
    outcome
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
