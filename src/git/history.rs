//! `--history`: every blob reachable from any reference, each scanned once, traced to the
//! oldest commit that holds it (parents before children). Trees already walked are skipped, so the
//! cost grows with the number of distinct trees and blobs, not commits × files.

use std::collections::HashSet;

use gix::revision::walk::Sorting;
use gix::traverse::commit::simple::CommitTimeOrder;
use gix::ObjectId;

use super::{oldest_first, GitError, GitResult, Item, Plan, Role};

pub(super) fn plan(repo: &gix::Repository, plan: &mut Plan) -> GitResult<()> {
    let mut tips = Vec::new();
    let refs = repo
        .references()
        .map_err(|e| GitError::from_gix("listing references", e))?;
    let all = refs
        .all()
        .map_err(|e| GitError::from_gix("listing references", e))?;
    for reference in all {
        let Ok(mut reference) = reference else { continue };
        // Tags may point at trees or blobs; only commits start a walk.
        if let Ok(commit) = reference.peel_to_commit() {
            tips.push(commit.id);
        }
    }
    if let Ok(head) = repo.head_id() {
        tips.push(head.detach());
    }
    tips.sort();
    tips.dedup();
    if tips.is_empty() {
        return Ok(());
    }
    let walk = repo
        .rev_walk(tips)
        .sorting(Sorting::ByCommitTime(CommitTimeOrder::NewestFirst))
        .all()
        .map_err(|e| GitError::from_gix("walking the history", e))?;
    let mut walked = Vec::new();
    for info in walk {
        let info = info.map_err(|e| GitError::from_gix("walking the history", e))?;
        walked.push((info.id, info.parent_ids.to_vec()));
    }
    let commits = oldest_first(walked);

    let mut seen_trees: HashSet<ObjectId> = HashSet::new();
    let mut seen_blobs: HashSet<ObjectId> = HashSet::new();
    for id in commits {
        let tree = repo
            .find_commit(id)
            .and_then(|c| c.tree_id())
            .map_err(|e| GitError::from_gix(format!("reading commit {id}"), e))?
            .detach();
        let index = plan.commit_info(repo, id)?;
        let mut stack = vec![(String::new(), tree)];
        while let Some((prefix, tree)) = stack.pop() {
            if !seen_trees.insert(tree) {
                continue;
            }
            let object = repo
                .find_tree(tree)
                .map_err(|e| GitError::from_gix(format!("reading tree {tree}"), e))?;
            let decoded = object
                .decode()
                .map_err(|e| GitError::from_gix(format!("decoding tree {tree}"), e))?;
            for entry in &decoded.entries {
                let path = format!("{prefix}{}", entry.filename);
                if entry.mode.is_tree() {
                    stack.push((format!("{path}/"), entry.oid.to_owned()));
                } else if entry.mode.is_blob() && seen_blobs.insert(entry.oid.to_owned()) {
                    plan.items.push(Item {
                        path,
                        id: entry.oid.to_owned(),
                        old: None,
                        role: Role::Report { commit: Some(index) },
                    });
                }
            }
        }
    }
    Ok(())
}
