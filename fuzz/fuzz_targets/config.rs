//! Any text as `tokscan.toml`: a config or a pointed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = tokscan::config::Config::parse(&text, "tokscan.toml", None);
});
