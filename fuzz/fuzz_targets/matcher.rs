//! Any bytes, any path: the matcher, locate, the decoders and the scope stage return
//! findings, never panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tokscan::config::Config;
use tokscan::rules::RuleSet;

fuzz_target!(|data: &[u8]| {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(|| RuleSet::builtin().expect("built-in rules load"));
    let mut findings = tokscan::scan::scan_bytes(rules, "fuzz/input.env", data, false);
    tokscan::scope::assess(&mut findings, rules, &Config::default());
});
