//! The severity model: points for what the token can do and how far, where it acts, whether
//! it can do more than its job, and which agents can read it. Documented in the README; the
//! tests pin the cases that matter.
//!
//! | factor | points |
//! | --- | --- |
//! | privilege: read 1, write 2, admin 3, owner 4 (none 0) | 0–4 |
//! | breadth: project 1, workspace or account 2 (resource, environment 0) | 0–2 |
//! | can delete, deploy or administer | +1 |
//! | acts in production | +1; test only −2 |
//! | over-privileged for its stated use | +1 |
//! | readable by an agent: in an auto-loaded file +2, by any unblocked channel +1 | 0–2 |
//!
//! 8 or more is critical, 6–7 high, 4–5 medium, 2–3 low, less is info. When the scope is
//! unknown the rule's own severity stands (it rates the kind's usual power), raised one
//! level for a token in an auto-loaded agent file: an unknown is never rated as harmless.

use crate::finding::{Breadth, Finding, Privilege, Severity};
use crate::rules::RuleSet;

pub fn rate(finding: &Finding, rules: &RuleSet) -> Severity {
    let base = rules
        .rules
        .iter()
        .find(|r| r.id == finding.rule)
        .map_or(finding.severity, |r| r.severity);
    let scope = &finding.scope;
    let auto_context = finding
        .reachable_by
        .iter()
        .any(|r| r.channel == "auto-context" && r.blocked_by.is_none());
    let reachable = finding.reachable_by.iter().any(|r| r.blocked_by.is_none());
    if scope.privilege == Privilege::Unknown {
        return if auto_context { raise(base) } else { base };
    }
    let mut points: i32 = match scope.privilege {
        Privilege::None | Privilege::Unknown => 0,
        Privilege::Read => 1,
        Privilege::Write => 2,
        Privilege::Admin => 3,
        Privilege::Owner => 4,
    };
    points += match scope.breadth {
        Breadth::Project => 1,
        Breadth::Workspace | Breadth::Account => 2,
        Breadth::Resource | Breadth::Environment | Breadth::Unknown => 0,
    };
    if scope.capabilities.iter().any(|c| c.is_destructive()) {
        points += 1;
    }
    let env = |name: &str| scope.environments.iter().any(|e| e == name);
    if env("production") {
        points += 1;
    } else if env("test") {
        points -= 2;
    }
    if finding.overprivileged {
        points += 1;
    }
    points += if auto_context {
        2
    } else if reachable {
        1
    } else {
        0
    };
    match points {
        8.. => Severity::Critical,
        6..=7 => Severity::High,
        4..=5 => Severity::Medium,
        2..=3 => Severity::Low,
        _ => Severity::Info,
    }
}

fn raise(severity: Severity) -> Severity {
    match severity {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}
