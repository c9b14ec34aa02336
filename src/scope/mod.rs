//! What each token can do, what it is for, and the difference: the stage after detection.
//!
//! Scope comes from the token kind's entry in the provider's catalog (`[[kind]]`), chosen
//! by the facts decoded from the token; stated use from a `[[token]]` declaration or the words
//! around the token, read through the purpose lexicon (`stated_use`); excess is what the
//! scope has beyond what the use needs, and severity follows from all of it (`severity`).
//! Nothing here guesses: a scope the token does not reveal stays `unknown`, with how to
//! learn it, and an unknown on either side means no excess and no over-privilege.

mod severity;
mod stated_use;

use crate::config::Config;
use crate::finding::{Capability, Finding, Privilege, Scope, ScopeSource, StatedUse};
use crate::rules::RuleSet;

pub use severity::rate;

/// Fills scope, stated use, excess, over-privilege and the narrower alternative of every
/// finding, then rates its severity.
pub fn assess(findings: &mut [Finding], rules: &RuleSet, config: &Config) {
    for finding in findings.iter_mut() {
        finding.scope = static_scope(finding, rules);
    }
    judge(findings, rules, config);
}

/// Everything after the scope: stated use, excess, over-privilege, the narrower
/// alternative and severity. Run again after `--introspect` replaced a scope or learned a
/// token's name.
pub fn judge(findings: &mut [Finding], rules: &RuleSet, config: &Config) {
    for finding in findings {
        finding.stated_use = stated_use::infer(finding, rules, config);
        finding.excess = excess(&finding.scope, finding.stated_use.as_ref());
        finding.overprivileged = !finding.excess.is_empty();
        if finding.alternative.is_none() {
            finding.alternative = rules
                .providers
                .iter()
                .find(|p| p.id == finding.provider)
                .and_then(|p| p.kind_scope(&finding.kind, &finding.facts))
                .and_then(|k| k.alternative.clone());
        }
        finding.severity = rate(finding, rules);
    }
}

fn static_scope(finding: &Finding, rules: &RuleSet) -> Scope {
    let Some(kind) = rules
        .providers
        .iter()
        .find(|p| p.id == finding.provider)
        .and_then(|p| p.kind_scope(&finding.kind, &finding.facts))
    else {
        return Scope {
            learn: Some(format!(
                "tokscan has no scope data for {} {} tokens yet",
                finding.provider, finding.kind
            )),
            ..Scope::unknown()
        };
    };
    Scope {
        source: ScopeSource::Static,
        privilege: kind.privilege,
        capabilities: kind.capabilities.clone(),
        breadth: kind.breadth,
        environments: kind.environments.clone(),
        raw: Vec::new(),
        learn: kind.learn.clone(),
    }
}

/// Capabilities beyond the stated need, and the breadth beyond it. Empty unless both sides
/// are known.
pub fn excess(scope: &Scope, stated: Option<&StatedUse>) -> Vec<String> {
    let Some(stated) = stated else {
        return Vec::new();
    };
    let Some(needs) = &stated.needs else {
        return Vec::new();
    };
    if scope.privilege == Privilege::Unknown {
        return Vec::new();
    }
    let mut excess: Vec<String> = Capability::ALL
        .into_iter()
        .filter(|c| scope.capabilities.contains(c) && !needs.contains(c))
        .map(|c| c.as_str().to_owned())
        .collect();
    if let Some(needed) = stated.breadth {
        if scope.breadth > needed && scope.breadth != crate::finding::Breadth::Unknown {
            excess.push(format!("breadth:{}", scope.breadth.as_str()));
        }
    }
    excess
}
