//! Any bytes as a rule pack given with `--rules` (tokscan or gitleaks format): rules or a
//! pointed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("tokscan-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let pack = dir.join("pack.toml");
    if std::fs::write(&pack, data).is_ok() {
        let _ = tokscan::rules::RuleSet::load(&[&pack]);
    }
});
