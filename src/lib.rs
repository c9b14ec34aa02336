//! tokscan's engine: finds provider tokens in a workspace and reports them.
//!
//! The data flows one way, one module per stage:
//! [`source`] (walk and read) or [`git`] (index, diffs, history) → [`detect`] (raw matches)
//! → [`finding`] (located findings, with [`decode`]'s offline facts) → [`reach`] (which
//! agents can read each) → [`scope`] (what each token can do and is for; with
//! `--introspect`, [`introspect`] then asks each token's provider and the scope stage judges
//! again) → [`report`] (human, JSON, SARIF, GitHub annotations). [`scan`] wires the stages;
//! [`rules`] holds the compiled rule packs; [`config`] and [`baseline`] decide what is
//! suppressed. Nothing here knows about the command line.

pub mod baseline;
pub mod config;
pub mod decode;
pub mod detect;
pub mod error;
pub mod finding;
pub mod git;
pub mod introspect;
pub mod reach;
pub mod report;
pub mod rules;
pub mod scan;
pub mod scope;
pub mod source;
pub mod synth;

#[cfg(test)]
#[path = "../tests/common/rng.rs"]
mod test_rng;

pub use error::{Error, Result};
