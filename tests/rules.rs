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

/// As a scan with `--include-public` matches: public-by-design rules too.
fn matches_with_public(rules: &RuleSet, path: &str, text: &str) -> Vec<RawMatch> {
    let mut out = Vec::new();
    Matcher::including_public(rules).find(path, text.as_bytes(), &mut Scratch::default(), &mut out);
    out
}

#[test]
fn builtin_rule_packs_load_and_every_regex_compiles() {
    let rules = RuleSet::builtin().expect("built-in rules are valid");
    assert!(!rules.rules.is_empty());
    // Built-in regexes compile lazily at scan time; this is where a bad one is caught.
    rules.compile_all().expect("every built-in regex compiles");
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
            let found = matches_with_public(&rules, example.path(), &text);
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
            // Another rule's negative example may well be a public value (a publishable key
            // next to a secret key): only a public rule's own negatives run with public rules.
            let found = if rule.public {
                matches_with_public(&rules, example.path(), &text)
            } else {
                matches(&rules, example.path(), &text)
            };
            for m in found {
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

/// A placeholder marker that occurs inside a real token by chance must not hide it: a value
/// whose checksum verifies, or a key body, is checked as a whole, not for marker words.
#[test]
fn marker_words_inside_real_tokens_do_not_hide_them() {
    let rules = RuleSet::builtin().unwrap();
    let synth = |template: &str| {
        Synth::new("markers")
            .expand(template, None)
            .expect("valid template")
    };
    let github = synth("GH_TOKEN=ghp_{{lit:Example}}{{alnum:23}}{{checksum:crc32-base62}}\n");
    let key_body = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW";
    let openssh = synth(&format!(
        "-----{{{{lit:BEGIN}}}} OPENSSH PRIVATE {{{{lit:KEY}}}}-----\n{key_body}\n\
         {{{{base64:30}}}}xxxxxdummy{{{{base64:30}}}}\n{{{{base64:70}}}}\n{{{{base64:20}}}}=\n\
         -----{{{{lit:END}}}} OPENSSH PRIVATE {{{{lit:KEY}}}}-----\n"
    ));
    for (text, rule) in [(&github, "github-classic-pat"), (&openssh, "privatekey-openssh")] {
        let found = matches(&rules, "config.txt", text);
        assert!(
            found.iter().any(|m| rules.rules[m.rule].id == rule),
            "{rule} not found in {text}"
        );
    }
    // The same marker in a value with no checksum still marks a placeholder.
    let fake = synth("OPENAI_API_KEY=sk-proj-{{lit:example}}{{alnum:60}}\n");
    assert!(matches(&rules, "config.txt", &fake).is_empty(), "{fake}");
}

/// A provider with a scope catalog describes every one of its token kinds, so no finding of
/// that provider falls back to "no scope data".
#[test]
fn catalogued_providers_describe_every_kind() {
    let rules = RuleSet::builtin().unwrap();
    let mut missing = Vec::new();
    for rule in &rules.rules {
        let provider = rules.provider(rule);
        if !provider.kinds.is_empty() && !provider.kinds.iter().any(|k| k.kind == rule.kind) {
            missing.push(format!("{} {} (rule {})", provider.id, rule.kind, rule.id));
        }
    }
    assert!(missing.is_empty(), "kinds without a [[kind]] entry: {missing:?}");
}

#[test]
fn public_rules_report_at_info_and_only_when_asked() {
    let rules = RuleSet::builtin().unwrap();
    let public: Vec<_> = rules.rules.iter().filter(|r| r.public).collect();
    assert!(!public.is_empty(), "at least one public-by-design rule");
    for rule in public {
        assert_eq!(rule.severity, tokscan::finding::Severity::Info, "{}", rule.id);
        let text = Synth::new(&format!("{}#0", rule.id))
            .expand(rule.examples[0].text(), rule.checksum)
            .unwrap();
        assert!(
            matches(&rules, rule.examples[0].path(), &text).is_empty(),
            "{} fires without --include-public",
            rule.id
        );
    }
}

/// A rule that names a decoder gets facts out of at least one of its examples: the decoder
/// and the token format agree.
#[test]
fn decoders_decode_their_rules_examples() {
    let rules = RuleSet::builtin().unwrap();
    let mut failures = Vec::new();
    for rule in rules.rules.iter().filter(|r| r.decoder.is_some()) {
        let decoded = rule.examples.iter().enumerate().any(|(n, example)| {
            let text = Synth::new(&format!("{}#{n}", rule.id))
                .expand(example.text(), rule.checksum)
                .unwrap();
            tokscan::scan::scan_bytes(&rules, example.path(), text.as_bytes(), false)
                .iter()
                .any(|f| f.rule == rule.id && !f.facts.is_empty())
        });
        if !decoded {
            failures.push(rule.id.as_str());
        }
    }
    assert!(failures.is_empty(), "no example decodes to facts: {failures:?}");
}

#[test]
fn a_scratch_used_with_another_rule_set_finds_what_a_fresh_one_does() {
    // The scratch keeps capture slots per rule index; another set numbers its rules apart.
    let all = RuleSet::builtin().unwrap();
    let text: String = all
        .rules
        .iter()
        .map(|rule| {
            Synth::new(&format!("{}#0", rule.id))
                .expand(rule.examples[0].text(), rule.checksum)
                .unwrap()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let without_first: Vec<String> = all.rules[1..].iter().map(|r| r.id.clone()).collect();
    let shifted = RuleSet::load_enabled(&[] as &[&str], &without_first).unwrap();
    let found = |rules: &RuleSet, scratch: &mut Scratch| {
        let mut out = Vec::new();
        Matcher::new(rules).find("app/config.txt", text.as_bytes(), scratch, &mut out);
        out.iter()
            .map(|m| (rules.rules[m.rule].id.clone(), m.secret.clone()))
            .collect::<Vec<_>>()
    };
    let fresh = found(&shifted, &mut Scratch::default());
    assert!(fresh.len() > 100, "most examples are found: {}", fresh.len());
    let mut reused = Scratch::default();
    found(&all, &mut reused);
    assert_eq!(found(&shifted, &mut reused), fresh);
}
