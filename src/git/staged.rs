//! `--staged`: what the next commit adds — index entries whose blob differs from `HEAD`'s,
//! and within them only the lines `HEAD` lacks. Read from the index and the object
//! database, never from the working tree, so unstaged edits are not seen (what a pre-commit
//! hook wants). Before the first commit, everything staged is new.

use gix::index::entry::{Flags, Mode as EntryMode, Stage};

use super::{flatten_tree, GitError, GitResult, Item, Plan, Role};

pub(super) fn plan(repo: &gix::Repository, plan: &mut Plan) -> GitResult<()> {
    let head = match repo.head_commit() {
        Ok(commit) => {
            let tree = commit
                .tree_id()
                .map_err(|e| GitError::from_gix("reading HEAD's tree", e))?;
            flatten_tree(repo, tree.detach())?
        }
        // An unborn branch: nothing is committed yet.
        Err(_) => Default::default(),
    };
    let index = repo
        .index_or_empty()
        .map_err(|e| GitError::from_gix("reading the index", e))?;
    for entry in index.entries() {
        let is_file = entry.mode == EntryMode::FILE || entry.mode == EntryMode::FILE_EXECUTABLE;
        // Conflicted entries (stages 1-3) are not what will be committed; intent-to-add
        // entries have no content yet.
        if !is_file || entry.stage() != Stage::Unconflicted || entry.flags.contains(Flags::INTENT_TO_ADD) {
            continue;
        }
        let path = entry.path(&index).to_string();
        let old = head.get(&path).copied();
        if old == Some(entry.id) {
            continue;
        }
        plan.items.push(Item {
            path,
            id: entry.id,
            old,
            role: Role::Report { commit: None },
        });
    }
    Ok(())
}
