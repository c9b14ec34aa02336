//! Prints every built-in rule's examples and negative examples, expanded into fresh tokens,
//! as JSON lines — the input of `scripts/recall.py`, which plants them into realistic files
//! and measures recall and precision. `cargo run --example rule_examples -- [VARIANTS]`
//! expands each template VARIANTS times (default 3) with different seeds.
//!
//! Each line: `{"rule", "provider", "public", "role": "positive"|"negative", "path", "text"}`;
//! `path` is the file the example must be found in, or null when any file will do.

use std::io::Write;
use std::process::ExitCode;

use tokscan::rules::RuleSet;
use tokscan::synth::Synth;

fn main() -> ExitCode {
    let variants: usize = std::env::args().nth(1).and_then(|v| v.parse().ok()).unwrap_or(3);
    let rules = match RuleSet::builtin() {
        Ok(rules) => rules,
        Err(err) => {
            eprintln!("rule_examples: {err}");
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    for rule in &rules.rules {
        let sets = [
            ("positive", &rule.examples),
            ("negative", &rule.negative_examples),
        ];
        for (role, examples) in sets {
            for (n, example) in examples.iter().enumerate() {
                for v in 0..variants {
                    let seed = format!("{}#{role}{n}#corpus{v}", rule.id);
                    let text = match Synth::new(&seed).expand(example.text(), rule.checksum) {
                        Ok(text) => text,
                        Err(err) => {
                            eprintln!("rule_examples: {}: {err}", rule.id);
                            return ExitCode::from(2);
                        }
                    };
                    let path = match example {
                        tokscan::rules::Example::InFile { path, .. } => Some(path.as_str()),
                        tokscan::rules::Example::Text(_) => None,
                    };
                    let line = serde_json::json!({
                        "rule": rule.id,
                        "provider": rules.provider(rule).id,
                        "public": rule.public,
                        "role": role,
                        "path": path,
                        "text": text,
                    });
                    // A closed pipe (`| head`) ends the listing quietly.
                    if writeln!(out, "{line}").is_err() {
                        return ExitCode::SUCCESS;
                    }
                }
            }
        }
    }
    ExitCode::SUCCESS
}
