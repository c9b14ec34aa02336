//! Every rule ships examples that must be found and negative examples that must not be:
//! this is the specification of each rule, run against the built-in packs.

use tokscan::detect::{Matcher, RawMatch, Scratch};
use tokscan::rules::RuleSet;
use tokscan::synth::Synth;

fn matches(rules: &RuleSet, path: &str, text: &str) -> Vec<RawMatch> {
    let mut out = Vec::new();
    Matcher::new(rules).find(path, text.as_bytes(), &mut Scratch::default(), &mut out);
    out
}

#[test]
fn builtin_rule_packs_load() {
    let rules = RuleSet::builtin().expect("built-in rules are valid");
    assert!(!rules.rules.is_empty());
}

#[test]
fn every_rule_has_examples_and_negative_examples() {
    let rules = RuleSet::builtin().unwrap();
    let missing: Vec<&str> = rules
        .rules
        .iter()
        .filter(|r| r.examples.is_empty() || r.negative_examples.is_empty())
        .map(|r| r.id.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "rules without examples or negative examples: {missing:?}"
    );
}

#[test]
fn every_rule_finds_its_examples() {
    let rules = RuleSet::builtin().unwrap();
    let mut failures = Vec::new();
    for (index, rule) in rules.rules.iter().enumerate() {
        for (n, example) in rule.examples.iter().enumerate() {
            let text = Synth::new(&format!("{}#{n}", rule.id))
                .expand(example.text(), rule.checksum)
                .unwrap_or_else(|e| panic!("{}: example {n}: {e}", rule.id));
            let found = matches(&rules, example.path(), &text);
            if !found.iter().any(|m| m.rule == index) {
                let others: Vec<&str> = found.iter().map(|m| rules.rules[m.rule].id.as_str()).collect();
                failures.push(format!(
                    "{} example {n} not found (found instead: {others:?}): {text}",
                    rule.id
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn no_rule_fires_on_any_negative_example() {
    let rules = RuleSet::builtin().unwrap();
    let mut failures = Vec::new();
    for rule in &rules.rules {
        for (n, example) in rule.negative_examples.iter().enumerate() {
            let text = Synth::new(&format!("{}#neg{n}", rule.id))
                .expand(example.text(), rule.checksum)
                .unwrap_or_else(|e| panic!("{}: negative example {n}: {e}", rule.id));
            for m in matches(&rules, example.path(), &text) {
                failures.push(format!(
                    "{} negative example {n} matched by {}: {text}",
                    rule.id, rules.rules[m.rule].id
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn rule_and_provider_ids_follow_the_contract() {
    let rules = RuleSet::builtin().unwrap();
    for provider in &rules.providers {
        assert!(
            provider
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
            "provider id {} is not one lowercase word",
            provider.id
        );
    }
    for rule in &rules.rules {
        assert!(
            rule.id.starts_with(&rules.provider(rule).id),
            "rule {} should start with its provider id {}",
            rule.id,
            rules.provider(rule).id
        );
    }
}
