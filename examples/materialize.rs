//! Expands a fixture tree of templates into real files, e.g. to see tokscan's output on the
//! test workspace: `cargo run --example materialize -- fixtures/workspace /tmp/ws`, then
//! `cargo run -- /tmp/ws`. The generated tokens are random and valid in shape only.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [from, to] = args.as_slice() else {
        eprintln!("usage: materialize FIXTURE_DIR OUT_DIR");
        return ExitCode::from(2);
    };
    match tokscan::synth::materialize(from, to) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("materialize: {err}");
            ExitCode::from(2)
        }
    }
}
