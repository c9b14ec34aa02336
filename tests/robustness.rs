//! No input breaks the engine: seeded random and mutated inputs through the matcher (with
//! locate, decoding and scope), the config parser and the rule-pack loader. Each must return
//! findings or a pointed error, never panic. The same targets run under libFuzzer in `fuzz/`;
//! this is their deterministic, always-on cousin.

mod common;

use common::rng::Rng;
use tokscan::config::Config;
use tokscan::rules::RuleSet;
use tokscan::synth::Synth;

/// `seed` with a few bytes flipped, inserted, deleted or duplicated.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(out.len() + 1);
        match rng.below(5) {
            0 if at < out.len() => out[at] ^= 1 << rng.below(8),
            1 => out.insert(at, rng.next() as u8),
            2 if at < out.len() => {
                out.remove(at);
            }
            3 => {
                let end = (at + rng.below(64)).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
            _ => out.insert(at, b"\n\"'\\=:{}[]$\0\xff"[rng.below(13)]),
        }
    }
    out
}

/// Every rule's examples, expanded: realistic seeds that reach deep into each rule.
fn example_corpus(rules: &RuleSet) -> Vec<(String, Vec<u8>)> {
    rules
        .rules
        .iter()
        .flat_map(|rule| {
            rule.examples.iter().enumerate().filter_map(move |(n, example)| {
                let text = Synth::new(&format!("{}#{n}", rule.id))
                    .expand(example.text(), rule.checksum)
                    .ok()?;
                Some((example.path().to_owned(), text.into_bytes()))
            })
        })
        .collect()
}

#[test]
fn mutated_examples_and_random_bytes_never_panic_the_scan_pipeline() {
    let rules = RuleSet::builtin().unwrap();
    let corpus = example_corpus(&rules);
    let mut rng = Rng(0x746f_6b73_6361_6e01);
    for round in 0..3000 {
        let (path, input) = if round % 10 == 0 {
            let len = rng.below(4096);
            (
                "random.bin".to_owned(),
                (0..len).map(|_| rng.next() as u8).collect(),
            )
        } else {
            let (path, seed) = &corpus[rng.below(corpus.len())];
            (path.clone(), mutate(&mut rng, seed))
        };
        let mut findings = tokscan::scan::scan_bytes(&rules, &path, &input, false);
        tokscan::scope::assess(&mut findings, &rules, &Config::default());
        for f in &findings {
            assert!(f.line >= 1 && f.end_line >= f.line, "{f:?}");
        }
    }
}

#[test]
fn mutated_configs_are_parsed_or_rejected_never_panic() {
    let seed = b"[allow]\npaths = [\"docs/\", \"*.snap\"]\nfingerprints = [\"0123456789abcdef0123456789abcdef\"]\n\n[[token]]\nvariable = \"RAILWAY_API_TOKEN\"\npath = \"scripts/**\"\npurpose = \"custom domains\"\nneeds = [\"read\", \"write\"]\n";
    let mut rng = Rng(0x636f_6e66_6967_0002);
    for _ in 0..3000 {
        let text = String::from_utf8_lossy(&mutate(&mut rng, seed)).into_owned();
        let _ = Config::parse(&text, "tokscan.toml", None);
    }
}

#[test]
fn mutated_rule_packs_load_or_fail_with_an_error_never_panic() {
    let dir = tempfile::TempDir::new().unwrap();
    let builtin = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/providers/stripe.toml"
    ))
    .unwrap();
    // The built-in pack with its provider and rule ids renamed, so that it loads next to the
    // built-in rules and mutations reach regexes, examples and matching, not only the
    // duplicate-id check.
    let mut section = "";
    let seed: String = builtin
        .lines()
        .map(|line| {
            if line.starts_with('[') {
                section = line;
            }
            let renamed = match line.strip_prefix("id = \"") {
                Some(rest) if section == "[provider]" || section == "[[rule]]" => {
                    format!("id = \"fuzz{rest}\n")
                }
                _ => format!("{line}\n"),
            };
            renamed
        })
        .collect();
    assert!(
        RuleSet::load(&[&common::write(dir.path(), "seed.toml", &seed)]).is_ok(),
        "the renamed seed pack loads"
    );
    let mut rng = Rng(0x7275_6c65_7300_0003);
    let mut loaded = 0;
    for n in 0..600 {
        let pack = dir.path().join(format!("pack{n}.toml"));
        let text = mutate(&mut rng, seed.as_bytes());
        std::fs::write(&pack, &text).unwrap();
        // A loaded pack's own text holds its keywords: matching it runs the mutated regexes.
        // Loaded alone: the built-in packs would be most of each load.
        if let Ok(rules) = RuleSet::load_packs(&[&pack]) {
            loaded += 1;
            let _ = tokscan::scan::scan_bytes(&rules, "pack.toml", &text, false);
        }
    }
    assert!(
        loaded > 0,
        "no mutated pack loaded: the test reaches only the parser"
    );
}
