//! Micro-benchmark of the matcher alone (no walking, no reading, no reporting):
//!
//!     cargo bench --bench matcher
//!
//! Builds the built-in rules (timed: the rule compilation a one-file pre-commit scan pays on
//! every run), fills a ~16 MiB buffer with code-like text (keyword-bearing lines such as
//! `token`, `key`, `secret`, `password`, a few valid GitHub tokens generated at run time and
//! checksum look-alikes), then times `Matcher::find` over it, plus the Aho-Corasick keyword
//! prefilter on its own, to show how the time splits.
//!
//! `BENCH_SECS` (default 2) is the time spent on each measurement; `BENCH_INPUT=FILE` times
//! that file's content instead of the generated buffer. Last, every keyword is packed onto one
//! long line, and the slowest such lines are printed. No external harness: std's `Instant`
//! only.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use tokscan::detect::{Matcher, Scratch};
use tokscan::rules::RuleSet;
use tokscan::synth::Synth;

const TARGET_BYTES: usize = 16 * 1024 * 1024;
/// The buffer when run as a test (`cargo test --benches`): just enough to exercise the code.
const QUICK_BYTES: usize = 256 * 1024;
const PLANT_EVERY: usize = 2 * 1024 * 1024;

#[path = "../tests/common/rng.rs"]
mod rng;

use rng::Rng;

const WORDS: &[&str] = &[
    "user", "account", "config", "request", "response", "handler", "cache", "client", "server", "session",
    "item", "order", "payment", "buffer", "stream", "parser", "router", "metrics", "event", "queue",
    "worker", "task", "node", "cluster", "region", "bucket", "table", "index", "record", "entry", "value",
    "result", "error", "status", "limit", "offset", "name", "path", "url", "host", "port", "timeout",
    "retry", "state", "context", "options", "manager", "service", "provider", "builder", "store", "model",
    "schema", "field", "query", "update", "create", "fetch", "load", "save", "render", "encode", "decode",
    "hash", "digest", "profile",
];
/// Words that rule keywords (present and future generic rules) are likely to hit.
const KEYWORDS: &[&str] = &[
    "token",
    "key",
    "secret",
    "password",
    "api_key",
    "auth",
    "credential",
    "access_key",
];

fn ident(rng: &mut Rng, out: &mut String) {
    let n = 1 + rng.below(3);
    for i in 0..n {
        if i > 0 {
            out.push('_');
        }
        out.push_str(rng.pick(WORDS));
    }
}

fn hex(rng: &mut Rng, n: usize, out: &mut String) {
    const HEX: &[u8] = b"0123456789abcdef";
    for _ in 0..n {
        out.push(HEX[rng.below(16)] as char);
    }
}

/// One line of code-like text; about one line in eight carries a keyword.
fn line(rng: &mut Rng, out: &mut String) {
    let indent = ["", "    ", "        ", "\t"][rng.below(4)];
    out.push_str(indent);
    match rng.below(10) {
        0 => {
            out.push_str("let ");
            ident(rng, out);
            out.push_str(" = self.");
            ident(rng, out);
            out.push_str(".get(&");
            ident(rng, out);
            out.push_str(")?;");
        }
        1 => {
            out.push_str("// ");
            for _ in 0..6 + rng.below(8) {
                out.push_str(rng.pick(WORDS));
                out.push(' ');
            }
        }
        2 => {
            out.push_str("if ");
            ident(rng, out);
            out.push_str(" > ");
            out.push_str(&rng.below(10_000).to_string());
            out.push_str(" { return Err(Error::Limit); }");
        }
        3 => {
            out.push_str("\"commit\": \"");
            hex(rng, 40, out);
            out.push_str("\", \"id\": \"");
            hex(rng, 8, out);
            out.push('-');
            hex(rng, 4, out);
            out.push_str("-4");
            hex(rng, 3, out);
            out.push('-');
            hex(rng, 12, out);
            out.push_str("\",");
        }
        4 => {
            // A keyword in an ordinary, harmless position.
            let kw = rng.pick(KEYWORDS);
            match rng.below(4) {
                0 => {
                    out.push_str(kw);
                    out.push_str(" = os.environ.get(\"");
                    out.push_str(&kw.to_ascii_uppercase());
                    out.push_str("\", \"\")");
                }
                1 => {
                    out.push_str(kw);
                    out.push_str(": ${{ secrets.");
                    out.push_str(&kw.to_ascii_uppercase());
                    out.push_str(" }}");
                }
                2 => {
                    out.push_str("let ");
                    out.push_str(kw);
                    out.push_str(" = config.");
                    out.push_str(kw);
                    out.push_str(".as_deref().unwrap_or_default();");
                }
                _ => {
                    out.push('"');
                    out.push_str(kw);
                    out.push_str("\": \"<your ");
                    out.push_str(kw);
                    out.push_str(" here>\",");
                }
            }
        }
        5 => {
            out.push_str("\"integrity\": \"sha512-");
            const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            for _ in 0..86 {
                out.push(B64[rng.below(64)] as char);
            }
            out.push_str("==\",");
        }
        6 => {
            out.push_str("fn ");
            ident(rng, out);
            out.push_str("(&self, ");
            ident(rng, out);
            out.push_str(": &str) -> Result<(), Error> {");
        }
        7 => {
            out.push_str("for ");
            ident(rng, out);
            out.push_str(" in ");
            ident(rng, out);
            out.push_str(".iter() { ");
            ident(rng, out);
            out.push_str(".push(x); }");
        }
        8 => {
            out.push_str("logger.info(\"");
            for _ in 0..3 + rng.below(6) {
                out.push_str(rng.pick(WORDS));
                out.push(' ');
            }
            out.push_str("%s\", ");
            ident(rng, out);
            out.push(')');
        }
        _ => out.push('}'),
    }
    out.push('\n');
}

fn corpus(target: usize) -> (Vec<u8>, usize) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut synth = Synth::new("bench-matcher");
    // The prefix is assembled so that no token-shaped literal sits in this file.
    let template = format!("{}{}", "gh", "p_{{alnum:30}}{{checksum:crc32-base62}}");
    let mut text = String::with_capacity(target + 4096);
    let mut next_plant = (target / 2).min(PLANT_EVERY / 2);
    let mut planted = 0;
    while text.len() < target {
        if text.len() >= next_plant {
            let token = synth.expand(&template, None).expect("template expands");
            text.push_str("GITHUB_TOKEN=");
            text.push_str(&token);
            text.push('\n');
            // A look-alike with a broken checksum: the checksum filter must reject it.
            let mut decoy = synth.expand(&template, None).expect("template expands");
            let last = if decoy.ends_with('A') { "B" } else { "A" };
            decoy.replace_range(decoy.len() - 1.., last);
            text.push_str("test_token = \"");
            text.push_str(&decoy);
            text.push_str("\"\n");
            planted += 1;
            next_plant += PLANT_EVERY;
        }
        line(&mut rng, &mut text);
    }
    (text.into_bytes(), planted)
}

/// Runs `f` until `budget` is spent (at least `min_iters` times); returns per-iteration times.
fn time_it(budget: Duration, min_iters: usize, mut f: impl FnMut()) -> Vec<Duration> {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < min_iters || start.elapsed() < budget {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    times
}

fn median(times: &[Duration]) -> Duration {
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let budget = Duration::from_secs_f64(if quick {
        0.0
    } else {
        std::env::var("BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(2.0)
    });

    // Rule compilation: the first build is the cold one a one-file scan pays.
    let t = Instant::now();
    let rules = RuleSet::builtin().expect("built-in rules load");
    let cold = t.elapsed();
    let builds = time_it(budget / 2, 3, || {
        black_box(RuleSet::builtin().expect("built-in rules load"));
    });
    println!(
        "RuleSet::builtin(): {} rules, cold {:.2} ms, median {:.2} ms, min {:.2} ms ({} builds)",
        rules.rules.len(),
        ms(cold),
        ms(median(&builds)),
        ms(builds[0]),
        builds.len()
    );

    let t = Instant::now();
    let (buf, planted) = match std::env::var_os("BENCH_INPUT") {
        // A real file instead (e.g. a minified bundle or a lockfile), to see what its content costs.
        Some(path) => {
            let buf = std::fs::read(&path).unwrap_or_else(|e| panic!("BENCH_INPUT {path:?}: {e}"));
            println!(
                "buffer: {:.1} MiB from {}",
                buf.len() as f64 / (1024.0 * 1024.0),
                path.to_string_lossy()
            );
            (buf, None)
        }
        None => {
            let (buf, planted) = corpus(if quick { QUICK_BYTES } else { TARGET_BYTES });
            println!(
                "buffer: {:.1} MiB of code-like text, {planted} valid tokens + {planted} look-alikes planted \
                 (built in {:.0} ms)",
                buf.len() as f64 / (1024.0 * 1024.0),
                ms(t.elapsed())
            );
            (buf, Some(planted))
        }
    };

    let matcher = Matcher::new(&rules);
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    matcher.find("bench.txt", &buf, &mut scratch, &mut out);
    let found = out.len();
    let times = time_it(budget, 3, || {
        matcher.find("bench.txt", black_box(&buf), &mut scratch, &mut out);
        black_box(&out);
    });
    println!(
        "Matcher::find: median {:.1} ms = {:.0} MB/s (best {:.0} MB/s, {} iterations), {} matches",
        ms(median(&times)),
        mb_per_s(buf.len(), median(&times)),
        mb_per_s(buf.len(), times[0]),
        times.len(),
        found
    );
    if let Some(planted) = planted.filter(|&p| p != found) {
        println!("  note: expected {planted} matches (one per planted valid token)");
    }

    // The keyword prefilter alone: the floor under `find` on text with few candidates.
    // As a file off the path-bound rules' paths (most files) is searched.
    let keywords = rules.keywords_anywhere();
    let mut hits = 0usize;
    let times = time_it(budget, 3, || {
        hits = 0;
        keywords.find(black_box(&buf[..]), |_, _, _| hits += 1);
    });
    println!(
        "prefilter (KeywordSet): median {:.1} ms = {:.0} MB/s, {} keyword hits, {} keywords",
        ms(median(&times)),
        mb_per_s(buf.len(), median(&times)),
        hits,
        keywords.len(),
    );

    // The same rule keywords in an Aho-Corasick DFA, the usual tool for the job: what the
    // prefilter is measured against. Informational: the matcher does not use it.
    let mut plain: Vec<String> = rules
        .rules
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
        .collect();
    plain.sort_unstable();
    plain.dedup();
    let t = Instant::now();
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&plain)
        .expect("keywords build");
    let built = t.elapsed();
    let times = time_it(budget / 2, 3, || {
        hits = ac.find_overlapping_iter(black_box(&buf[..])).count();
    });
    println!(
        "  for comparison, Aho-Corasick DFA (case-insensitive, overlapping) on the {} rule keywords \
         alone: median {:.1} ms = {:.0} MB/s, {} hits, {} KiB, built in {:.2} ms",
        plain.len(),
        ms(median(&times)),
        mb_per_s(buf.len(), median(&times)),
        hits,
        ac.memory_usage() / 1024,
        ms(built)
    );

    // Many small buffers, as a scan of a tree of small files sees them: per-call overhead.
    let chunk = 4 * 1024;
    let chunks = buf.len() / chunk;
    let times = time_it(budget, 3, || {
        for piece in buf.chunks(chunk) {
            matcher.find("src/lib.rs", black_box(piece), &mut scratch, &mut out);
        }
    });
    println!(
        "Matcher::find on {} x 4 KiB buffers: median {:.1} ms = {:.0} MB/s",
        chunks,
        ms(median(&times)),
        mb_per_s(buf.len(), median(&times))
    );

    if !quick {
        worst_packed_lines(&rules);
    }
}

/// Adversarial text: each keyword repeated across one 64 KiB line, bare and followed by `=`,
/// `: ` or a space, in both cases. Prints the slowest, so that a change that makes some
/// keyword's hits cost more than linear time shows up. Each line is timed on its second run.
/// Takes a few seconds.
fn worst_packed_lines(rules: &RuleSet) {
    const LINE: usize = 64 * 1024;
    let matcher = Matcher::new(rules);
    let (mut scratch, mut out) = (Scratch::default(), Vec::new());
    let keywords = rules.keywords();
    let mut timed: Vec<(Duration, String)> = Vec::new();
    for keyword in 0..keywords.len() {
        let lower = String::from_utf8_lossy(keywords.keyword(keyword)).into_owned();
        for text in [lower.clone(), lower.to_ascii_uppercase()] {
            for suffix in ["", "=", ": ", " "] {
                let unit = format!("{text}{suffix}");
                let line: Vec<u8> = unit.bytes().cycle().take(LINE).collect();
                // The first run pays for lazily built automata, once per process.
                matcher.find("app/.env", black_box(&line), &mut scratch, &mut out);
                let t = Instant::now();
                matcher.find("app/.env", black_box(&line), &mut scratch, &mut out);
                timed.push((t.elapsed(), unit));
            }
        }
    }
    timed.sort_by_key(|(elapsed, _)| std::cmp::Reverse(*elapsed));
    let ns_per_byte = |d: Duration| d.as_nanos() as f64 / LINE as f64;
    let total: Duration = timed.iter().map(|(d, _)| *d).sum();
    println!(
        "keywords packed on one 64 KiB line ({} lines): {:.1} ns/B on average, slowest:",
        timed.len(),
        ns_per_byte(total) / timed.len() as f64
    );
    for (d, unit) in timed.iter().take(5) {
        println!("  {:6.1} ns/B  {unit:?}", ns_per_byte(*d));
    }
}
