//! Any bytes as an archive (zip, tar, gzip, nested): members or warnings under the limits,
//! never a panic, a hang or an allocation past the budget.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokscan::source::archive::{walk_bytes, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::new(3, 1 << 20);
    walk_bytes(data, "fuzz", &limits, &mut |_| {});
});
