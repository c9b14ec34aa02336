//! Any bytes, any path: the matcher, locate, the decoders and the scope stage return
//! findings, never panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tokscan::config::Config;
use tokscan::rules::RuleSet;

/// Paths that path-restricted rules and decoders look for; the input's length picks one, so
/// every seed reaches each of them as it grows or shrinks.
const PATHS: [&str; 8] = [
    "fuzz/input.env",
    "example.txt",
    ".npmrc",
    ".mcp.json",
    "home/dev/.kube/config",
    "home/dev/.docker/config.json",
    "home/dev/.netrc",
    "notebook.ipynb",
];

fuzz_target!(|data: &[u8]| {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(|| RuleSet::builtin().expect("built-in rules load"));
    let path = PATHS[data.len() % PATHS.len()];
    let mut findings = tokscan::scan::scan_bytes(rules, path, data, false);
    tokscan::scope::assess(&mut findings, rules, &Config::default());
});
