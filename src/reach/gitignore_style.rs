//! Ignore files in gitignore syntax that block an agent's file tools: `.cursorignore`,
//! `.geminiignore` (and `.gitignore` for Gemini CLI), `.clineignore`, `.rooignore`. Matching
//! is the `ignore` crate's gitignore matcher, so anchoring, `**`, negation and "a file under
//! an excluded directory cannot be re-included" behave as git's do.
//!
//! Indexing-only files (`.cursorindexingignore`, `.aiexclude`, ...) never get here: they
//! block no read.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use super::{Block, Target};

struct Loaded {
    matcher: Gitignore,
    text: String,
    /// The ignore file as `blocked_by` names it (relative to the workspace root).
    shown: String,
}

/// One ignore file name, read at the workspace root (and, when hierarchical, in every
/// directory on the way to a target; the deepest decisive match wins).
pub struct IgnoreFile {
    name: String,
    root: PathBuf,
    hierarchical: bool,
    cache: Mutex<HashMap<PathBuf, Option<Arc<Loaded>>>>,
}

impl IgnoreFile {
    pub fn new(name: &str, root: &Path, hierarchical: bool) -> IgnoreFile {
        IgnoreFile {
            name: name.to_owned(),
            root: root.to_owned(),
            hierarchical,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The ignore file in `dir`, parsed once.
    fn load(&self, dir: &Path) -> Option<Arc<Loaded>> {
        // Held while the file is read: workers annotating at once would read it twice.
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(hit) = cache.get(dir) {
            return hit.clone();
        }
        let path = dir.join(&self.name);
        let loaded = fs::read_to_string(&path).ok().map(|text| {
            let mut builder = GitignoreBuilder::new(dir);
            for line in text.lines() {
                // A malformed line is skipped, as git does.
                let _ = builder.add_line(Some(path.clone()), line);
            }
            let matcher = builder.build().unwrap_or_else(|_| Gitignore::empty());
            let shown = path
                .strip_prefix(&self.root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            Arc::new(Loaded { matcher, text, shown })
        });
        cache.insert(dir.to_owned(), loaded.clone());
        loaded
    }
}

impl Block for IgnoreFile {
    fn blocked_by(&self, target: &Target) -> Option<String> {
        let rel = target.rel.as_deref()?;
        let mut dirs = vec![self.root.clone()];
        if self.hierarchical {
            let mut dir = self.root.clone();
            let parts: Vec<&str> = rel.split('/').collect();
            for part in &parts[..parts.len().saturating_sub(1)] {
                dir.push(part);
                dirs.push(dir.clone());
            }
        }
        for dir in dirs.iter().rev() {
            let Some(loaded) = self.load(dir) else {
                continue;
            };
            let Ok(sub) = target.abs.strip_prefix(dir) else {
                continue;
            };
            match loaded.matcher.matched_path_or_any_parents(dir.join(sub), false) {
                Match::Ignore(glob) => {
                    return Some(format!(
                        "{}:{}",
                        loaded.shown,
                        line_of_pattern(&loaded.text, glob.original())
                    ))
                }
                Match::Whitelist(_) => return None,
                Match::None => {}
            }
        }
        None
    }
}

/// The line a pattern came from: the last line that spells it (the last match wins in
/// gitignore, so a repeated line is decided by its last copy).
fn line_of_pattern(text: &str, original: &str) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.trim() == original.trim())
        .last()
        .map_or(1, |(i, _)| i + 1)
}
