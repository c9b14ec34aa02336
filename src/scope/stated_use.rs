//! What a token is for, and where that was learned, in order of trust: a `[[token]]`
//! declaration in `tokscan.toml`, then the token's own name at its provider (learned by
//! `--introspect`), a comment beside or above the token, the variable it is assigned to,
//! and the file's path. Free text becomes needs only through the purpose
//! lexicon (`rules/purposes.toml`); words it does not know state no use.

use crate::config::Config;
use crate::finding::{Breadth, Capability, Finding, StatedUse};
use crate::rules::{normalize, Purpose, RuleSet};

pub fn infer(finding: &Finding, rules: &RuleSet, config: &Config) -> Option<StatedUse> {
    if let Some(declared) = config.declarations.iter().find(|d| d.matches(finding)) {
        let text = declared.purpose.clone().unwrap_or_default();
        let from_lexicon = lexicon_needs(&text, &finding.provider, &rules.purposes);
        let (needs, breadth) = match (&declared.needs, from_lexicon) {
            // Declared needs are the ground truth; a declared purpose only adds its breadth.
            (Some(needs), found) => (Some(sorted(needs.clone())), found.and_then(|f| f.1)),
            (None, Some((needs, breadth))) => (Some(needs), breadth),
            (None, None) => (None, None),
        };
        return Some(StatedUse {
            source: "config".to_owned(),
            text,
            needs,
            breadth,
        });
    }
    let hints = &finding.hints;
    let candidates = hints
        .name
        .iter()
        .map(|n| ("name", n.as_str()))
        .chain(hints.comments.iter().map(|c| ("comment", c.as_str())))
        .chain(hints.variable.iter().map(|v| ("variable", v.as_str())))
        .chain(std::iter::once(("path", finding.path.as_str())));
    for (source, text) in candidates {
        if let Some((needs, breadth)) = lexicon_needs(text, &finding.provider, &rules.purposes) {
            return Some(StatedUse {
                source: source.to_owned(),
                text: text.to_owned(),
                needs: Some(needs),
                breadth,
            });
        }
    }
    None
}

/// The needs of every purpose `text` names (added up), and the widest breadth among them.
fn lexicon_needs(
    text: &str,
    provider: &str,
    purposes: &[Purpose],
) -> Option<(Vec<Capability>, Option<Breadth>)> {
    let normalized = normalize(text);
    let mut needs = Vec::new();
    let mut breadth: Option<Breadth> = None;
    let mut any = false;
    for purpose in purposes.iter().filter(|p| p.applies_to(provider)) {
        if purpose.find_in(&normalized).is_some() {
            any = true;
            needs.extend(purpose.needs.iter().copied());
            breadth = match (breadth, purpose.breadth) {
                (Some(a), Some(b)) => Some(a.max(b)),
                // A purpose that does not say how broad it is may need anything.
                (_, None) => Some(Breadth::Account),
                (None, b) => b,
            };
        }
    }
    any.then(|| (sorted(needs), breadth.filter(|b| *b != Breadth::Account)))
}

fn sorted(mut needs: Vec<Capability>) -> Vec<Capability> {
    needs.sort();
    needs.dedup();
    needs
}
