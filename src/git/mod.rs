//! Git sources: what a commit, a pull request or the whole history adds, read from the object
//! database with `gix` (no `git` process), for the scan stage to match like files.
//!
//! Planning ([`staged`], [`diff`], [`history`]) resolves revisions and lists the blobs to scan
//! as [`Item`]s — a path, a blob, the older blob it replaces and the role its findings play.
//! [`feed`] then reads those blobs on one thread and hands them to the scan workers, and
//! [`settle`] turns the workers' tagged findings into the findings to report: only added
//! lines, one finding per token however many blobs carry it, each with the commit that
//! introduced it. This module does not match, locate or report; it does not read the working
//! tree either (`--staged` reads the index, not the files on disk).
//!
//! Config trust: [`trusted_file`] reads `tokscan.toml` and the baseline as they are in the
//! base commit, so a pull request cannot silence its own findings by editing them.

mod diff;
mod history;
mod lines;
mod staged;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Mutex;

use gix::ObjectId;
use thiserror::Error;

use crate::finding::{Finding, GitOrigin};
use crate::source::Skip;

pub use lines::AddedLines;

/// A git source could not be read: not a repository, a revision that does not resolve, a
/// missing object (a shallow clone). Always an error: the scan would be incomplete.
#[derive(Debug, Error, miette::Diagnostic)]
#[error("git: {message}")]
#[diagnostic(code(tokscan::git))]
pub struct GitError {
    message: String,
    #[help]
    help: Option<String>,
}

impl GitError {
    pub(crate) fn new(message: impl Into<String>) -> GitError {
        GitError {
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> GitError {
        self.help = Some(help.into());
        self
    }

    /// `what` failed because of `err`, with a hint about shallow clones when an object is
    /// missing.
    pub(crate) fn from_gix(what: impl std::fmt::Display, err: impl std::fmt::Display) -> GitError {
        let message = format!("{what}: {err}");
        let shallow = message.contains("not found") || message.contains("does not exist");
        let error = GitError::new(message);
        if shallow {
            error.with_help(
                "in a shallow clone the commits may be missing: fetch them (actions/checkout with `fetch-depth: 0`)",
            )
        } else {
            error
        }
    }
}

pub type GitResult<T> = std::result::Result<T, GitError>;

/// Which git source to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// What the index holds that `HEAD` does not: the next commit.
    Staged,
    /// Lines added from the merge base of `base` and `head` to `head`.
    Diff { base: String, head: String },
    /// Every blob reachable from any reference.
    History,
}

impl Mode {
    /// `BASE..HEAD`, `BASE...HEAD` or `BASE` (HEAD defaults to `HEAD`).
    pub fn diff(range: &str) -> Mode {
        let (base, head) = match range.split_once("..") {
            Some((base, head)) => (base, head.trim_start_matches('.')),
            None => (range, ""),
        };
        let head = if head.is_empty() { "HEAD" } else { head };
        Mode::Diff {
            base: base.to_owned(),
            head: head.to_owned(),
        }
    }
}

/// A commit findings can be traced to.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: String,
    pub author_date: String,
}

/// What the findings in one blob mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Report findings on added lines; `commit` is where the blob first appeared.
    Report { commit: Option<usize> },
    /// A commit inside a `--diff` range added these lines: they trace a reported token to
    /// the commit that introduced it, or reveal one added and removed within the range.
    Introduced { commit: usize },
    /// A version outside the added lines (the base's): tokens in it are not new.
    Presence,
}

/// One blob to scan.
#[derive(Debug, Clone)]
pub struct Item {
    /// Repository-relative, forward slashes.
    pub path: String,
    pub id: ObjectId,
    /// The version this one replaces: only lines it lacks count as added. `None`: all lines.
    pub old: Option<ObjectId>,
    pub role: Role,
}

/// Everything a git scan needs once revisions are resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The repository's `.git` directory, reopened by [`feed`].
    pub git_dir: PathBuf,
    /// The working tree, if any (files on disk are never read from it).
    pub workdir: Option<PathBuf>,
    pub mode: Mode,
    pub items: Vec<Item>,
    /// Commits items refer to, oldest first.
    pub commits: Vec<CommitInfo>,
    /// `--diff`: the commit whose config and baseline are trusted.
    pub base: Option<ObjectId>,
    /// `--diff`: the head commit.
    pub head: Option<ObjectId>,
    /// `--diff`: where the head's history left the base's (what the range is compared to).
    pub merge_base: Option<ObjectId>,
}

impl Plan {
    /// Opens the repository holding `start` and lists what `mode` scans.
    pub fn new(start: &Path, mode: Mode) -> GitResult<Plan> {
        // A file (pre-commit passes file names) is looked up from its directory.
        let start = match start.parent() {
            Some(parent) if start.is_file() && !parent.as_os_str().is_empty() => parent,
            Some(_) if start.is_file() => Path::new("."),
            _ => start,
        };
        let mut repo = gix::discover(start)
            .map_err(|e| GitError::new(format!("{} is not in a git repository ({e})", start.display())))?;
        repo.object_cache_size_if_unset(16 << 20);
        let mut plan = Plan {
            git_dir: repo.git_dir().to_owned(),
            workdir: repo.workdir().map(Path::to_owned),
            mode: mode.clone(),
            items: Vec::new(),
            commits: Vec::new(),
            base: None,
            head: None,
            merge_base: None,
        };
        match &mode {
            Mode::Staged => staged::plan(&repo, &mut plan)?,
            Mode::Diff { base, head } => diff::plan(&repo, base, head, &mut plan)?,
            Mode::History => history::plan(&repo, &mut plan)?,
        }
        Ok(plan)
    }

    fn commit_info(&mut self, repo: &gix::Repository, id: ObjectId) -> GitResult<usize> {
        let commit = repo
            .find_commit(id)
            .map_err(|e| GitError::from_gix(format!("reading commit {id}"), e))?;
        let author_date = commit
            .author()
            .ok()
            .and_then(|a| a.time().ok())
            .and_then(|t| t.format(gix::date::time::format::ISO8601_STRICT).ok())
            .unwrap_or_default();
        self.commits.push(CommitInfo {
            id: id.to_string(),
            author_date,
        });
        Ok(self.commits.len() - 1)
    }

    /// Paths of trusted files (config, baseline; repository-relative) that the range of a
    /// `--diff` plan changes (merge base to head: a change made on the base's side since is
    /// not the range's doing).
    pub fn changed_in_range(&self, paths: &[String]) -> GitResult<Vec<String>> {
        let (Some(base), Some(head)) = (self.merge_base.or(self.base), self.head) else {
            return Ok(Vec::new());
        };
        let repo = self.open()?;
        let mut changed = Vec::new();
        for path in paths {
            if blob_at(&repo, base, path)? != blob_at(&repo, head, path)? {
                changed.push(path.clone());
            }
        }
        Ok(changed)
    }

    /// The content of `path` (repository-relative) in the trusted base commit, or `None` when
    /// it does not exist there.
    pub fn trusted_file(&self, path: &str) -> GitResult<Option<Vec<u8>>> {
        let Some(base) = self.base else {
            return Ok(None);
        };
        let repo = self.open()?;
        match blob_at(&repo, base, path)? {
            None => Ok(None),
            Some(id) => repo
                .find_blob(id)
                .map(|blob| Some(blob.data.clone()))
                .map_err(|e| GitError::from_gix(format!("reading {path} at {base}"), e)),
        }
    }

    /// `path` (on disk) relative to the working tree, with forward slashes, if it is inside.
    pub fn repo_relative(&self, path: &Path) -> Option<String> {
        let workdir = std::fs::canonicalize(self.workdir.as_ref()?).ok()?;
        let abs = std::path::absolute(path).ok()?;
        // The file may not exist on disk (deleted in the head), so canonicalize its parent.
        let parent = abs.parent().and_then(|p| std::fs::canonicalize(p).ok())?;
        let full = parent.join(abs.file_name()?);
        let rel = full.strip_prefix(&workdir).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    }

    fn open(&self) -> GitResult<gix::Repository> {
        gix::open(&self.git_dir)
            .map_err(|e| GitError::new(format!("cannot open {}: {e}", self.git_dir.display())))
    }
}

/// The blob at `path` in `commit`'s tree.
fn blob_at(repo: &gix::Repository, commit: ObjectId, path: &str) -> GitResult<Option<ObjectId>> {
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(|e| GitError::from_gix(format!("reading the tree of {commit}"), e))?;
    let entry = tree
        .lookup_entry_by_path(path)
        .map_err(|e| GitError::from_gix(format!("looking up {path} in {commit}"), e))?;
    Ok(entry.filter(|e| e.mode().is_blob()).map(|e| e.object_id()))
}

/// Resolves `spec` to a commit.
fn resolve_commit(repo: &gix::Repository, spec: &str) -> GitResult<ObjectId> {
    repo.rev_parse_single(format!("{spec}^{{commit}}").as_str())
        .map(|id| id.detach())
        .map_err(|e| {
            GitError::new(format!("`{spec}` is not a commit here ({e})")).with_help(
                "in a shallow clone older commits are missing: fetch them (actions/checkout with `fetch-depth: 0`)",
            )
        })
}

/// Every blob under `tree` as (path, id), files only (no symlinks, no submodules).
fn flatten_tree(repo: &gix::Repository, tree: ObjectId) -> GitResult<HashMap<String, ObjectId>> {
    let mut out = HashMap::new();
    let mut stack = vec![(String::new(), tree)];
    while let Some((prefix, id)) = stack.pop() {
        let tree = repo
            .find_tree(id)
            .map_err(|e| GitError::from_gix(format!("reading tree {id}"), e))?;
        let decoded = tree
            .decode()
            .map_err(|e| GitError::from_gix(format!("decoding tree {id}"), e))?;
        for entry in &decoded.entries {
            let path = format!("{prefix}{}", entry.filename);
            if entry.mode.is_tree() {
                stack.push((format!("{path}/"), entry.oid.to_owned()));
            } else if entry.mode.is_blob() {
                out.insert(path, entry.oid.to_owned());
            }
        }
    }
    Ok(out)
}

/// Commits as a revision walk yields them (id, parents), reordered so that every commit
/// comes after its parents: "first" then means "introduced", even when commit times tie or
/// lie. Ties keep the walk's order reversed (oldest first by time).
fn oldest_first(walked: Vec<(ObjectId, Vec<ObjectId>)>) -> Vec<ObjectId> {
    let parents: HashMap<ObjectId, Vec<ObjectId>> = walked.iter().cloned().collect();
    let mut done: HashSet<ObjectId> = HashSet::new();
    let mut out = Vec::with_capacity(walked.len());
    for (start, _) in walked.iter().rev() {
        let mut stack = vec![(*start, false)];
        while let Some((id, expanded)) = stack.pop() {
            if done.contains(&id) {
                continue;
            }
            if expanded {
                done.insert(id);
                out.push(id);
                continue;
            }
            stack.push((id, true));
            for parent in parents.get(&id).into_iter().flatten().rev() {
                if parents.contains_key(parent) && !done.contains(parent) {
                    stack.push((*parent, false));
                }
            }
        }
    }
    out
}

/// One blob read for the workers, or why it was not.
pub enum Visit {
    Blob(Blob),
    Skipped { path: String, skip: Skip },
}

pub struct Blob {
    /// Index into [`Plan::items`].
    pub item: usize,
    pub path: String,
    /// As stored: text, UTF-16, an archive or binary, which the scan tells apart as it does
    /// for files ([`crate::source::classify`]).
    pub data: Vec<u8>,
    /// The older version's bytes, when only added lines count.
    pub old: Option<Vec<u8>>,
}

/// Reads every item's blob on the calling thread and hands it to one of `threads` workers
/// (`make_visitor` runs once per worker). Object reads are cheap next to matching, and one
/// reader keeps gix single-threaded.
pub fn feed<F, V>(plan: &Plan, threads: usize, max_file_size: u64, make_visitor: F)
where
    F: Fn() -> V + Sync,
    V: FnMut(Visit) + Send,
{
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let (send, receive) = mpsc::sync_channel::<Visit>(threads * 4);
    let receive = Mutex::new(receive);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let receive = &receive;
            let make_visitor = &make_visitor;
            scope.spawn(move || {
                let mut visitor = make_visitor();
                loop {
                    let next = match receive.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    match next {
                        Ok(visit) => visitor(visit),
                        Err(_) => return,
                    }
                }
            });
        }
        let repo = match plan.open() {
            Ok(repo) => Some(repo),
            Err(err) => {
                let _ = send.send(Visit::Skipped {
                    path: plan.git_dir.display().to_string(),
                    skip: Skip::Unreadable(err.to_string()),
                });
                None
            }
        };
        if let Some(mut repo) = repo {
            // Successive versions of a file are deltas of each other in packs: keep recently
            // decoded objects.
            repo.object_cache_size_if_unset(32 << 20);
            for (index, item) in plan.items.iter().enumerate() {
                if send.send(read_item(&repo, index, item, max_file_size)).is_err() {
                    break;
                }
            }
        }
        drop(send);
    });
}

fn read_item(repo: &gix::Repository, index: usize, item: &Item, max_file_size: u64) -> Visit {
    let skipped = |skip| Visit::Skipped {
        path: item.path.clone(),
        skip,
    };
    let read = |id: ObjectId| -> Result<Vec<u8>, Skip> {
        let size = repo
            .find_header(id)
            .map_err(|e| Skip::Unreadable(format!("blob {id}: {e}")))?
            .size();
        if size > max_file_size {
            return Err(Skip::TooLarge(size));
        }
        repo.find_blob(id)
            .map(|mut blob| blob.take_data())
            .map_err(|e| Skip::Unreadable(format!("blob {id}: {e}")))
    };
    let data = match read(item.id) {
        Ok(data) => data,
        Err(skip) => return skipped(skip),
    };
    let old = match item.old.map(read) {
        None => None,
        Some(Ok(old)) => Some(old),
        // An older version over the size limit: every line of the new one counts as added.
        Some(Err(Skip::Unreadable(message))) => return skipped(Skip::Unreadable(message)),
        Some(Err(_)) => Some(Vec::new()),
    };
    Visit::Blob(Blob {
        item: index,
        path: item.path.clone(),
        data,
        old,
    })
}

/// A finding from one item, and whether it lies on a line that item adds.
#[derive(Debug, Clone)]
pub struct Tagged {
    pub item: usize,
    pub on_added: bool,
    pub finding: Finding,
}

/// From every worker's tagged findings to the findings to report (see the module docs).
pub fn settle(plan: &Plan, tagged: Vec<Tagged>) -> Vec<Finding> {
    let origin = |commit: usize, removed_in_range: bool| {
        plan.commits.get(commit).map(|c| GitOrigin {
            commit: c.id.clone(),
            author_date: c.author_date.clone(),
            removed_in_range,
        })
    };
    match plan.mode {
        Mode::Staged => tagged
            .into_iter()
            .filter(|t| t.on_added)
            .map(|t| t.finding)
            .collect(),
        Mode::History => {
            // Oldest commit first, so the kept finding is where the token was introduced.
            let mut tagged: Vec<(usize, Finding)> = tagged
                .into_iter()
                .filter_map(|t| match plan.items[t.item].role {
                    Role::Report { commit } => Some((commit.unwrap_or(usize::MAX), t.finding)),
                    _ => None,
                })
                .collect();
            tagged.sort_by(|a, b| (a.0, a.1.location_key()).cmp(&(b.0, b.1.location_key())));
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for (commit, mut finding) in tagged {
                if seen.insert((finding.fingerprint.clone(), finding.path.clone())) {
                    finding.git = origin(commit, false);
                    out.push(finding);
                }
            }
            out
        }
        Mode::Diff { .. } => {
            let mut present: HashSet<String> = HashSet::new();
            let mut introduced: Vec<(usize, Finding)> = Vec::new();
            let mut reported = Vec::new();
            for t in tagged {
                match plan.items[t.item].role {
                    Role::Report { .. } => {
                        present.insert(t.finding.fingerprint.clone());
                        if t.on_added {
                            reported.push(t.finding);
                        }
                    }
                    Role::Presence => {
                        present.insert(t.finding.fingerprint.clone());
                    }
                    Role::Introduced { commit } if t.on_added => introduced.push((commit, t.finding)),
                    Role::Introduced { .. } => {}
                }
            }
            introduced.sort_by(|a, b| (a.0, a.1.location_key()).cmp(&(b.0, b.1.location_key())));
            // The first commit that added the token at this path, else anywhere (a move).
            let mut first: HashMap<(&str, &str), usize> = HashMap::new();
            for (commit, finding) in &introduced {
                first
                    .entry((finding.fingerprint.as_str(), finding.path.as_str()))
                    .or_insert(*commit);
                first.entry((finding.fingerprint.as_str(), "")).or_insert(*commit);
            }
            for finding in &mut reported {
                let fingerprint = finding.fingerprint.as_str();
                let found = first
                    .get(&(fingerprint, finding.path.as_str()))
                    .or_else(|| first.get(&(fingerprint, "")));
                if let Some(&commit) = found {
                    finding.git = origin(commit, false);
                }
            }
            // Added and removed again within the range: gone from the head, but in history.
            let mut seen = HashSet::new();
            for (commit, mut finding) in introduced {
                if present.contains(&finding.fingerprint)
                    || !seen.insert((finding.fingerprint.clone(), finding.path.clone()))
                {
                    continue;
                }
                finding.git = origin(commit, true);
                reported.push(finding);
            }
            reported
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Mode;

    fn diff(base: &str, head: &str) -> Mode {
        Mode::Diff {
            base: base.to_owned(),
            head: head.to_owned(),
        }
    }

    #[test]
    fn diff_ranges_default_head_to_head() {
        assert_eq!(Mode::diff("main"), diff("main", "HEAD"));
        assert_eq!(Mode::diff("main.."), diff("main", "HEAD"));
        assert_eq!(Mode::diff("a..b"), diff("a", "b"));
        assert_eq!(Mode::diff("a...b"), diff("a", "b"));
    }
}
