//! Any bytes as a rule pack given with `--rules` (tokscan or gitleaks format): rules or a
//! pointed error, never a panic. The pack is loaded on its own: loading the built-in packs
//! too would be most of each run. A pack that loads is then used on its own text (its
//! examples hold its keywords), so its regexes are compiled and run too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokscan::rules::RuleSet;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("tokscan-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let pack = dir.join("pack.toml");
    if std::fs::write(&pack, data).is_ok() {
        if let Ok(rules) = RuleSet::load_packs(&[&pack]) {
            let _ = tokscan::scan::scan_bytes(&rules, "pack.toml", data, false);
        }
    }
});
