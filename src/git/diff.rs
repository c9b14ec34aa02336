//! `--diff BASE..HEAD`: the lines added from the merge base of BASE and HEAD to HEAD (what a
//! pull request's "files changed" shows), with HEAD's paths and line numbers. A token that
//! was already in the merge base and is untouched is not new.
//!
//! Each non-merge commit of the range is diffed against its parent too, to trace a reported
//! token to the commit that added it, and to catch a token added and removed again inside
//! the range: it is gone from HEAD but now in the history, so it is reported from the commit
//! that added it (`removed_in_range`). Merge commits only join histories and are not diffed.

use std::collections::{BTreeSet, HashMap};

use gix::revision::walk::Sorting;
use gix::traverse::commit::simple::CommitTimeOrder;
use gix::ObjectId;

use super::{flatten_tree, oldest_first, resolve_commit, GitError, GitResult, Item, Plan, Role};

pub(super) fn plan(repo: &gix::Repository, base: &str, head: &str, plan: &mut Plan) -> GitResult<()> {
    let base_id = resolve_commit(repo, base)?;
    let head_id = resolve_commit(repo, head)?;
    plan.base = Some(base_id);
    plan.head = Some(head_id);
    let merge_base = repo
        .merge_base(base_id, head_id)
        .map_err(|e| GitError::from_gix(format!("finding the merge base of {base} and {head}"), e))?
        .map_or(base_id, |id| id.detach());
    plan.merge_base = Some(merge_base);

    let old = tree_of(repo, Some(merge_base))?;
    let new = tree_of(repo, Some(head_id))?;
    let mut changed: Vec<(&String, &ObjectId)> =
        new.iter().filter(|(p, id)| old.get(*p) != Some(id)).collect();
    changed.sort();
    for (path, id) in changed {
        plan.items.push(Item {
            path: path.clone(),
            id: *id,
            old: old.get(path).copied(),
            role: Role::Report { commit: None },
        });
    }

    let walk = repo
        .rev_walk([head_id])
        .with_hidden([base_id])
        .sorting(Sorting::ByCommitTime(CommitTimeOrder::NewestFirst))
        .all()
        .map_err(|e| GitError::from_gix(format!("walking {base}..{head}"), e))?;
    let mut walked = Vec::new();
    for info in walk {
        let info = info.map_err(|e| GitError::from_gix(format!("walking {base}..{head}"), e))?;
        walked.push((info.id, info.parent_ids.to_vec()));
    }
    let parents: HashMap<ObjectId, Vec<ObjectId>> = walked.iter().cloned().collect();
    let mut touched = BTreeSet::new();
    for id in oldest_first(walked) {
        let parent = match parents.get(&id).map(Vec::as_slice) {
            Some([]) | None => None,
            Some([parent]) => Some(*parent),
            Some(_) => continue,
        };
        let before = tree_of(repo, parent)?;
        let after = tree_of(repo, Some(id))?;
        let mut added: Vec<(&String, &ObjectId)> = after
            .iter()
            .filter(|(p, blob)| before.get(*p) != Some(blob))
            .collect();
        if added.is_empty() {
            continue;
        }
        added.sort();
        let index = plan.commit_info(repo, id)?;
        for (path, blob) in added {
            touched.insert(path.clone());
            plan.items.push(Item {
                path: path.clone(),
                id: *blob,
                old: before.get(path).copied(),
                role: Role::Introduced { commit: index },
            });
        }
    }
    // The merge base's version of every path a commit touched: tokens in it are not new.
    for path in touched {
        if let Some(id) = old.get(&path) {
            plan.items.push(Item {
                path,
                id: *id,
                old: None,
                role: Role::Presence,
            });
        }
    }
    Ok(())
}

fn tree_of(repo: &gix::Repository, commit: Option<ObjectId>) -> GitResult<HashMap<String, ObjectId>> {
    let Some(commit) = commit else {
        return Ok(HashMap::new());
    };
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree_id())
        .map_err(|e| GitError::from_gix(format!("reading commit {commit}"), e))?;
    flatten_tree(repo, tree.detach())
}
