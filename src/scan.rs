//! One scan, end to end: walk the sources (or read git blobs), read each file once, match,
//! locate, suppress. Data flows one way — source → bytes → matches → findings — and this
//! module only wires the stages together; each stage lives in its own module.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::baseline::{Baseline, BaselineEntry};
use crate::config::Config;
use crate::detect::{Matcher, RawMatch, Scratch};
use crate::finding::{locate, Finding, KeepSecret, Severity};
use crate::git::{self, AddedLines, Tagged};
use crate::introspect;
use crate::reach::{self, ReachOptions};
use crate::rules::RuleSet;
use crate::scope;
use crate::source::{self, Content, FileRef, Held, Opener, Origin, ReadBuf, Skip, Visit, WalkOptions};

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub roots: Vec<PathBuf>,
    pub walk: WalkOptions,
    /// Put the raw secret in findings (`--no-redact`).
    pub keep_secrets: bool,
    /// Also report public-by-design values (publishable keys), at `info`.
    pub include_public: bool,
    /// Which agents `reachable_by` models, and the home whose settings count.
    pub reach: ReachOptions,
    /// Keep each finding's raw secret, unserialized, for [`ScanOutcome::introspect`].
    pub keep_raw_secrets: bool,
    /// Scan these git blobs instead of walking `roots`.
    pub git: Option<git::Plan>,
}

/// Live counts a caller may watch from another thread while a scan runs (for a progress
/// bar); the scan only ever adds to them.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub findings: AtomicU64,
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
    /// Archive members and archives refused by a limit (depth, size, ratio, count).
    pub skipped_archive_limit: u64,
    /// Damaged archives and members that could not be read (encrypted, unsupported method).
    pub archive_errors: u64,
    pub unreadable: u64,
    pub suppressed_inline: u64,
    pub suppressed_config: u64,
    pub suppressed_baseline: u64,
    pub stale_baseline: Vec<BaselineEntry>,
    /// `--diff`: trusted files (config, baseline) the range changes; they were read from the
    /// base commit, not from the head.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed_in_range: Vec<String>,
    pub findings: u64,
    pub by_severity: BTreeMap<Severity, u64>,
    pub duration_ms: u64,
    /// What `--introspect` asked and learned; absent without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introspection: Option<introspect::Summary>,
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

    /// Asks each remaining finding's provider about its token (`--introspect`), then judges
    /// stated use, excess and severity again, and forgets the raw secrets. Run it after the
    /// baseline, so accepted findings never leave the machine; it needs a scan made with
    /// `keep_raw_secrets`.
    pub fn introspect(&mut self, rules: &RuleSet, config: &Config, settings: &introspect::Settings) {
        let summary = introspect::run(&mut self.findings, rules, settings);
        // The provider's answer may change scope and name: judge use and severity again.
        scope::judge(&mut self.findings, rules, config);
        for finding in &mut self.findings {
            finding.raw_secret = None;
        }
        self.stats.introspection = Some(summary);
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

/// Counts that only the final stats need.
#[derive(Default)]
struct Counters {
    binary: AtomicU64,
    too_large: AtomicU64,
    symlinks: AtomicU64,
    loops: AtomicU64,
    special: AtomicU64,
    archive_limit: AtomicU64,
    archive_errors: AtomicU64,
    unreadable: AtomicU64,
    inline: AtomicU64,
    config: AtomicU64,
}

/// What every worker thread shares.
struct Shared<'a> {
    options: &'a ScanOptions,
    rules: &'a RuleSet,
    config: &'a Config,
    matcher: Matcher<'a>,
    progress: &'a Progress,
    counters: Counters,
    /// Who can read each finding: filled in by the workers as they publish findings.
    reach: reach::Annotator<'a>,
    findings: Mutex<Vec<Finding>>,
    /// Git blobs' findings, tagged for [`git::settle`].
    tagged: Mutex<Vec<Tagged>>,
    problems: Mutex<Vec<Problem>>,
}

/// One worker thread's reusable buffers.
struct Worker<'s, 'a> {
    shared: &'s Shared<'a>,
    opener: Opener,
    buf: ReadBuf,
    scratch: Scratch,
    matches: Vec<RawMatch>,
    found: Vec<Finding>,
}

pub fn scan(options: &ScanOptions, rules: &RuleSet, config: &Config, progress: &Progress) -> ScanOutcome {
    let started = Instant::now();
    let shared = Shared {
        options,
        rules,
        config,
        matcher: if options.include_public {
            Matcher::including_public(rules)
        } else {
            Matcher::new(rules)
        },
        progress,
        counters: Counters::default(),
        reach: reach::Annotator::new(&options.roots, &options.reach),
        findings: Mutex::new(Vec::new()),
        tagged: Mutex::new(Vec::new()),
        problems: Mutex::new(Vec::new()),
    };
    let worker = || Worker {
        shared: &shared,
        opener: Opener::default(),
        buf: ReadBuf::default(),
        scratch: Scratch::default(),
        matches: Vec::new(),
        found: Vec::new(),
    };
    match &options.git {
        None => source::walk(&options.roots, &options.walk, &rules.credential_files, || {
            let mut worker = worker();
            move |visit| worker.visit(visit)
        }),
        Some(plan) => git::feed(plan, options.walk.threads, options.walk.max_file_size, || {
            let mut worker = worker();
            move |visit| worker.visit_git(visit)
        }),
    }

    let Shared {
        counters,
        reach,
        findings,
        tagged,
        problems,
        ..
    } = shared;
    let mut findings = findings.into_inner().unwrap_or_default();
    if let Some(plan) = &options.git {
        // Which of a blob's findings stay is known only once every blob is in.
        findings = git::settle(plan, tagged.into_inner().unwrap_or_default());
        judge_findings(&mut findings, &reach, rules, config);
    }
    findings.sort_by(|a, b| a.location_key().cmp(&b.location_key()));
    let mut problems = problems.into_inner().unwrap_or_default();
    problems.extend(reach_problems(reach));
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let stats = Stats {
        files_scanned: load(&progress.files),
        bytes_scanned: load(&progress.bytes),
        skipped_binary: load(&counters.binary),
        skipped_too_large: load(&counters.too_large),
        skipped_symlinks: load(&counters.symlinks),
        symlink_loops: load(&counters.loops),
        skipped_special: load(&counters.special),
        skipped_archive_limit: load(&counters.archive_limit),
        archive_errors: load(&counters.archive_errors),
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

impl Worker<'_, '_> {
    fn visit(&mut self, visit: Visit) {
        let (file, skip) = match visit {
            Visit::File(file) => {
                let walk = &self.shared.options.walk;
                match source::read(
                    &file.path,
                    walk.max_file_size,
                    walk.chunks,
                    &mut self.opener,
                    &mut self.buf,
                ) {
                    Content::Text(text) => {
                        let origin = Origin::whole(text.len());
                        self.scan_read(&file, origin);
                        return;
                    }
                    Content::Archive(archive) if walk.max_archive_depth > 0 => {
                        self.scan_archive(&file, archive);
                        return;
                    }
                    Content::Archive(_) => (file, Skip::Binary),
                    Content::Chunked(mut chunks) => loop {
                        match chunks.next_into(&mut self.buf) {
                            Ok(Some(origin)) => self.scan_read(&file, origin),
                            Ok(None) => return,
                            Err(err) => break (file, Skip::Unreadable(err.to_string())),
                        }
                    },
                    Content::Skipped(skip) => (file, skip),
                }
            }
            Visit::Skipped(file, skip) => (file, skip),
        };
        self.skipped(&file, skip);
    }

    /// Scans what was just read into `self.buf` for `file`, and publishes its findings.
    fn scan_read(&mut self, file: &FileRef, origin: Origin) {
        let buf = std::mem::take(&mut self.buf);
        self.scan_buffer(&file.display, Some(&file.path), None, buf.as_slice(), origin);
        self.buf = buf;
        self.publish();
    }

    /// Scans each text member of an archive (read whole into `self.buf`, or still on disk)
    /// as its own buffer, shown as `archive!member`.
    fn scan_archive(&mut self, file: &FileRef, archive: source::archive::Archive) {
        let walk = &self.shared.options.walk;
        let limits = source::archive::Limits::new(walk.max_archive_depth, walk.max_file_size);
        let buf = std::mem::take(&mut self.buf);
        let read = buf.as_slice();
        source::archive::walk(archive, read, &file.display, &limits, &mut |event| match event {
            source::archive::Event::Text { display, text } => {
                let origin = Origin::whole(text.len());
                self.scan_buffer(display, Some(&file.path), Some(&file.display), text, origin);
                self.publish();
            }
            source::archive::Event::Skipped { display, skip } => {
                let member = FileRef {
                    path: file.path.clone(),
                    display: display.to_owned(),
                };
                self.skipped(&member, skip);
            }
        });
        self.buf = buf;
    }

    /// A blob read from git: matched like a file (an archive member by member), its
    /// findings tagged with the item they came from and whether they lie on added lines, for
    /// [`git::settle`].
    fn visit_git(&mut self, visit: git::Visit) {
        match visit {
            git::Visit::Blob(mut blob) => match source::classify(&mut blob.data) {
                Held::Text => {
                    self.scan_buffer(&blob.path, None, None, &blob.data, Origin::whole(blob.data.len()));
                    // Diffed only when something was found: most blobs hold nothing.
                    if self.found.is_empty() {
                        return;
                    }
                    let added = blob.old.map(|mut old| {
                        // A file that was UTF-16 before is compared as the text it held.
                        source::classify(&mut old);
                        AddedLines::between(&old, &blob.data)
                    });
                    self.tag_found(blob.item, added.as_ref());
                }
                Held::Archive(_) if self.shared.options.walk.max_archive_depth > 0 => {
                    self.scan_git_archive(&blob);
                }
                Held::Archive(_) | Held::Binary => self.skipped(&blob_ref(blob.path), Skip::Binary),
            },
            git::Visit::Skipped { path, skip } => self.skipped(&blob_ref(path), skip),
        }
    }

    /// Scans each text member of an archive blob, shown as `blob!member`. Where only added
    /// lines count, a member's lines count as they would for a file: those added to the
    /// member of the same name in the older version of the archive.
    fn scan_git_archive(&mut self, blob: &git::Blob) {
        let walk = &self.shared.options.walk;
        let limits = source::archive::Limits::new(walk.max_archive_depth, walk.max_file_size);
        // Members with findings and their text, until the older archive is read: only these
        // are held, not every member of both versions.
        let mut pending: HashMap<String, (Vec<u8>, Vec<Finding>)> = HashMap::new();
        source::archive::walk_bytes(&blob.data, &blob.path, &limits, &mut |event| match event {
            source::archive::Event::Text { display, text } => {
                self.scan_buffer(display, None, Some(&blob.path), text, Origin::whole(text.len()));
                if blob.old.is_none() {
                    self.tag_found(blob.item, None);
                } else if !self.found.is_empty() {
                    pending.insert(
                        display.to_owned(),
                        (text.to_vec(), std::mem::take(&mut self.found)),
                    );
                }
            }
            source::archive::Event::Skipped { display, skip } => {
                self.skipped(&blob_ref(display.to_owned()), skip);
            }
        });
        if let Some(old) = blob.old.as_deref().filter(|_| !pending.is_empty()) {
            source::archive::walk_bytes(old, &blob.path, &limits, &mut |event| {
                if let source::archive::Event::Text {
                    display,
                    text: old_text,
                } = event
                {
                    if let Some((text, found)) = pending.remove(display) {
                        self.found = found;
                        self.tag_found(blob.item, Some(&AddedLines::between(old_text, &text)));
                    }
                }
            });
        }
        // Members the older archive did not hold: every line is added.
        for (_, (_, found)) in pending {
            self.found = found;
            self.tag_found(blob.item, None);
        }
    }

    /// Hands the findings of the last git buffer to [`git::settle`], tagged with their item
    /// and whether they lie on lines `added` (all lines count without it).
    fn tag_found(&mut self, item: usize, added: Option<&AddedLines>) {
        if self.found.is_empty() {
            return;
        }
        let tagged = self.found.drain(..).map(|finding| Tagged {
            item,
            on_added: added.is_none_or(|a| a.touches(finding.line, finding.end_line)),
            finding,
        });
        if let Ok(mut all) = self.shared.tagged.lock() {
            all.extend(tagged);
        }
    }

    /// Matches `hay` (the content of `display`, read from `disk` when it is a file, a member
    /// of the archive shown as `container` when it is one; all of it, or the chunk of a big
    /// file that `origin` places), then locates and filters its findings into `self.found`.
    fn scan_buffer(
        &mut self,
        display: &str,
        disk: Option<&Path>,
        container: Option<&str>,
        hay: &[u8],
        origin: Origin,
    ) {
        let Shared {
            options,
            rules,
            config,
            matcher,
            progress,
            counters,
            ..
        } = self.shared;
        self.found.clear();
        if origin.owned_from == 0 {
            progress.files.fetch_add(1, Ordering::Relaxed);
        }
        let fresh = origin.owned_to - origin.owned_from;
        progress.bytes.fetch_add(fresh as u64, Ordering::Relaxed);
        matcher.find(display, hay, &mut self.scratch, &mut self.matches);
        // Of two overlapping chunks, the one that holds a match's first byte reports it.
        self.matches.retain(|m| origin.owns(m.span.start));
        if self.matches.is_empty() {
            return;
        }
        let inline = locate(
            rules,
            display,
            hay,
            origin,
            &self.matches,
            KeepSecret {
                in_report: options.keep_secrets,
                raw: options.keep_raw_secrets,
            },
            &mut self.found,
        );
        counters.inline.fetch_add(inline as u64, Ordering::Relaxed);
        // An archive member is allowed by its own path (`bundle.zip!config/.env`) or by the
        // archive's (`bundle.zip`).
        let path_allowed = config.has_path_allows()
            && (match disk {
                Some(path) => config.allows_path(path, display),
                None => config.allows_display(display),
            } || container.is_some_and(|outer| config.allows_display(outer)));
        if let Some(outer) = container {
            for finding in &mut self.found {
                finding.container = Some(outer.to_owned());
            }
        }
        let before = self.found.len();
        self.found
            .retain(|f| !path_allowed && !config.allows_fingerprint(f));
        counters
            .config
            .fetch_add((before - self.found.len()) as u64, Ordering::Relaxed);
        progress
            .findings
            .fetch_add(self.found.len() as u64, Ordering::Relaxed);
    }

    /// Judges the findings of the last buffer and hands them to the scan: on the workers,
    /// so that no stage is left to run on one thread after the walk.
    fn publish(&mut self) {
        if self.found.is_empty() {
            return;
        }
        let shared = self.shared;
        judge_findings(&mut self.found, &shared.reach, shared.rules, shared.config);
        if let Ok(mut all) = shared.findings.lock() {
            all.append(&mut self.found);
        }
    }

    fn skipped(&self, file: &FileRef, skip: Skip) {
        let counters = &self.shared.counters;
        let (counter, problem) = match skip {
            Skip::Binary => (&counters.binary, None),
            Skip::Symlink => (&counters.symlinks, None),
            Skip::TooLarge(len) => (
                &counters.too_large,
                Some((format!("skipped: {len} bytes is over --max-file-size"), false)),
            ),
            Skip::SymlinkLoop(message) => (&counters.loops, Some((message, false))),
            Skip::Special => (
                &counters.special,
                Some(("skipped: not a regular file".to_owned(), false)),
            ),
            Skip::Unreadable(message) => (&counters.unreadable, Some((message, true))),
            Skip::ArchiveLimit(message) => (&counters.archive_limit, Some((message, false))),
            Skip::ArchiveCorrupt(message) => (&counters.archive_errors, Some((message, false))),
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if let Some((message, error)) = problem {
            if let Ok(mut problems) = self.shared.problems.lock() {
                problems.push(Problem {
                    path: file.display.clone(),
                    message,
                    error,
                });
            }
        }
    }
}

/// A git path, for the problems and counters that name files.
fn blob_ref(path: String) -> FileRef {
    FileRef {
        path: PathBuf::from(&path),
        display: path,
    }
}

/// The stages after a finding is located: who can read it, then its scope, stated use and
/// severity. Reach first: the severity model reads `reachable_by`.
fn judge_findings(findings: &mut [Finding], reach: &reach::Annotator, rules: &RuleSet, config: &Config) {
    reach.annotate(findings);
    scope::assess(findings, rules, config);
}

/// The reach stage's problems: a settings file it cannot parse is a warning (its blocks are
/// not credited); a broken built-in catalog is an error.
fn reach_problems(reach: reach::Annotator) -> Vec<Problem> {
    let (broken, warnings) = reach.finish();
    let broken = broken.map(|message| Problem {
        path: "rules/agents".to_owned(),
        message,
        error: true,
    });
    let warnings = warnings.into_iter().map(|warning| {
        let (path, message) = warning.split_once(": ").unwrap_or(("", warning.as_str()));
        Problem {
            path: path.to_owned(),
            message: message.to_owned(),
            error: false,
        }
    });
    broken.into_iter().chain(warnings).collect()
}

/// Matches one in-memory buffer (a home credential file, an environment variable) shown as
/// `display`, with no suppression: the caller decides what the buffer is.
pub fn scan_bytes(rules: &RuleSet, display: &str, hay: &[u8], keep_secrets: bool) -> Vec<Finding> {
    let mut matches = Vec::new();
    Matcher::new(rules).find(display, hay, &mut Scratch::default(), &mut matches);
    let mut found = Vec::new();
    locate(
        rules,
        display,
        hay,
        Origin::whole(hay.len()),
        &matches,
        KeepSecret {
            in_report: keep_secrets,
            raw: false,
        },
        &mut found,
    );
    found
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
