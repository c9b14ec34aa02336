//! Matching one buffer against the compiled rules, producing raw matches (rule + byte spans).
//!
//! The cost grows with the bytes, not with rules × bytes: one pass of the keyword prefilter
//! ([`KeywordSet`]) finds the rules' keywords, and only the rules a keyword triggers run their
//! regex, and only in the window around that keyword where a match can lie. Then each
//! candidate is checked against the rule's filters (placeholder, entropy, checksum, context)
//! and against the base64 around it.
//! This module knows nothing of files, paths on disk or reports.

mod entropy;
mod keywords;

use std::ops::Range;

use regex_automata::hybrid;
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input, Match};

use crate::finding::ChecksumStatus;
use crate::rules::{AllowTarget, Extent, Patterns, Rule, RuleSet};
pub use entropy::shannon_entropy;
pub use keywords::{KeywordSet, KeywordSpec};

/// How far before a keyword a match may start: keywords sit near the start of tokens, but a
/// few (OpenAI's `T3BlbkFJ`) sit in the middle of a long one.
const LOOKBEHIND: usize = 512;
/// How far a context pattern is looked for around a match on a very long line.
const CONTEXT_REACH: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMatch {
    pub rule: usize,
    /// The whole regex match.
    pub span: Range<usize>,
    /// The `secret` capture inside it.
    pub secret: Range<usize>,
    pub checksum: ChecksumStatus,
    /// For a token found inside base64 text: the decoded secret. `span` and `secret` then
    /// cover the encoded text it came from.
    pub decoded: Option<String>,
}

/// How far around an encoded keyword base64 text is decoded: enough for any token.
const ENCODED_REACH: usize = 1024;

/// Reusable per-thread state for matching, so the hot path does not allocate per buffer.
#[derive(Default)]
pub struct Scratch {
    windows: Vec<(usize, Range<usize>)>,
    encoded_hits: Vec<usize>,
    /// For each rule, whether the buffer's path allows it.
    path_allows: Vec<bool>,
    /// The rules whose path globs match the buffer's path.
    path_rules: Vec<usize>,
    /// The cache for the rule set's check of paths against globs, made on first use.
    path_cache: Option<hybrid::dfa::Cache>,
    /// Each rule's capture slots, made on its first window and reused after.
    captures: Vec<Option<Captures>>,
    /// Each rule's cache for its keyword tail's lazy DFA, made on its first keyword hit.
    tail_caches: Vec<Option<hybrid::dfa::Cache>>,
    /// The bytes each rule's tail searches may still cover in a buffer: the buffer's number
    /// in `buffers`, and the bytes left.
    tail_left: Vec<(u64, usize)>,
    /// Buffers matched with this scratch: a count from another buffer is stale, not reset.
    buffers: u64,
    /// The scratch for matching decoded base64 text, made on first use.
    decoded: Option<Box<Scratch>>,
    /// The rule set the per-rule state above is for: a scratch may move to another matcher.
    rule_set: Option<u64>,
}

pub struct Matcher<'r> {
    rules: &'r RuleSet,
    include_public: bool,
    /// The rules that apply to some paths only.
    path_bound: Vec<usize>,
    /// How many bytes a rule's tail searches may cover in a buffer.
    tail_budget: TailBudget,
}

/// The bytes a rule's tail searches may cover in one buffer: `base`, and `per_byte` more for
/// each byte of it. A tail that stays alive (a value with no end in sight) is searched up to
/// the end of the hit's window, so hits packed closer than that (`token=token=…`, or `eyJ`
/// repeated under an 8 KiB window, on one long line) would read each byte hundreds of times.
/// A search is charged its whole span, as it may read that far. Past the budget, a rule's
/// hits keep their whole windows, which merge, and its regex reads them once.
///
/// The base is small because base64 text is decoded and matched in pieces of about 1.5 KiB,
/// each a buffer of its own. Ordinary text stays well inside the budget: on the 1 GB bench
/// corpus, 59 of 682,000 tail searches were refused.
#[derive(Debug, Clone, Copy)]
struct TailBudget {
    base: usize,
    per_byte: usize,
}

impl TailBudget {
    const DEFAULT: TailBudget = TailBudget {
        base: 1024,
        per_byte: 2,
    };

    fn for_len(self, len: usize) -> usize {
        self.base.saturating_add(len.saturating_mul(self.per_byte))
    }
}

/// What [`window`] needs to search a rule's keyword tail.
struct TailSearch<'s> {
    cache: &'s mut Option<hybrid::dfa::Cache>,
    /// The bytes the rule's searches may still cover in the buffer.
    left: &'s mut usize,
}

impl<'r> Matcher<'r> {
    /// A matcher for every rule except those for public-by-design values.
    pub fn new(rules: &'r RuleSet) -> Matcher<'r> {
        Matcher::with_public(rules, false)
    }

    /// Also runs the rules for public-by-design values (`--include-public`).
    pub fn including_public(rules: &'r RuleSet) -> Matcher<'r> {
        Matcher::with_public(rules, true)
    }

    fn with_public(rules: &'r RuleSet, include_public: bool) -> Matcher<'r> {
        let path_bound = (0..rules.rules.len())
            .filter(|&i| rules.rules[i].is_path_bound())
            .collect();
        Matcher {
            rules,
            include_public,
            path_bound,
            tail_budget: TailBudget::DEFAULT,
        }
    }

    /// All matches in `hay`, sorted by position. `path` (relative, forward slashes) decides
    /// which path-restricted rules apply.
    pub fn find(&self, path: &str, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<RawMatch>) {
        self.find_in(path, hay, scratch, out, true);
    }

    /// `find`, looking into base64 text only when `decode` (one level deep).
    fn find_in(&self, path: &str, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<RawMatch>, decode: bool) {
        out.clear();
        if scratch.rule_set != Some(self.rules.id()) {
            scratch.captures.clear();
            scratch.captures.resize(self.rules.rules.len(), None);
            scratch.tail_caches.clear();
            scratch.tail_caches.resize_with(self.rules.rules.len(), || None);
            scratch.tail_left.clear();
            scratch.tail_left.resize(self.rules.rules.len(), (0, 0));
            scratch.path_allows.clear();
            scratch.path_allows.resize(self.rules.rules.len(), true);
            scratch.path_cache = None;
            scratch.rule_set = Some(self.rules.id());
        }
        let windows = &mut scratch.windows;
        windows.clear();
        scratch.encoded_hits.clear();
        let rules = self.rules;
        let path_allows = &mut scratch.path_allows;
        let anywhere = !self.decide_paths(
            path,
            path_allows,
            &mut scratch.path_rules,
            &mut scratch.path_cache,
        );
        let keywords = if anywhere {
            rules.keywords_anywhere()
        } else {
            rules.keywords()
        };
        let encoded_hits = &mut scratch.encoded_hits;
        let tail_caches = &mut scratch.tail_caches;
        let tail_left = &mut scratch.tail_left;
        scratch.buffers += 1;
        let buffer = scratch.buffers;
        let tail_budget = self.tail_budget.for_len(hay.len());
        let mut lines = Lines::default();
        keywords.find(hay, |keyword, start, end| {
            if rules.is_encoded_keyword(keyword) {
                if decode {
                    encoded_hits.push(start);
                }
                return;
            }
            if !rules.may_match_around(
                keyword,
                anywhere,
                hay[..start].last().copied(),
                &hay[end..],
                tail_caches,
            ) {
                return;
            }
            for &rule_index in rules.rules_for_keyword(keyword) {
                let rule = &rules.rules[rule_index];
                if rule.public && !self.include_public {
                    continue;
                }
                if !path_allows[rule_index] {
                    continue;
                }
                let left = &mut tail_left[rule_index];
                if left.0 != buffer {
                    *left = (buffer, tail_budget);
                }
                let tail = TailSearch {
                    cache: &mut tail_caches[rule_index],
                    left: &mut left.1,
                };
                if let Some(window) = window(rule, hay, start..end, tail, &mut lines) {
                    windows.push((rule_index, window));
                }
            }
        });
        if !scratch.encoded_hits.is_empty() {
            scratch.encoded_hits.sort_unstable();
            let inner = scratch.decoded.get_or_insert_with(Default::default);
            self.find_encoded(path, hay, &scratch.encoded_hits, inner, out);
        }
        self.run_windows(path, hay, &mut scratch.windows, &mut scratch.captures, out);
        self.sort_and_dedup(out);
    }

    /// Whether the file at `path` is one of each path-bound rule's paths, for all of them at
    /// once: one match of the path against every rule's globs instead of one per rule.
    /// Returns whether any of them applies.
    fn decide_paths(
        &self,
        path: &str,
        path_allows: &mut [bool],
        path_rules: &mut Vec<usize>,
        path_cache: &mut Option<hybrid::dfa::Cache>,
    ) -> bool {
        self.rules.rules_with_path(path, path_cache, path_rules);
        let mut any = false;
        for &rule_index in &self.path_bound {
            let rule = &self.rules.rules[rule_index];
            let by_globs = rule.paths.is_empty() || path_rules.contains(&rule_index);
            let by_regex = rule
                .path_regex
                .as_ref()
                .is_none_or(|r| r.is_match(path.as_bytes()));
            path_allows[rule_index] = by_globs && by_regex;
            any |= path_allows[rule_index];
        }
        any
    }

    /// Runs each rule over its windows, merged where they overlap so that no match is found
    /// twice.
    fn run_windows(
        &self,
        path: &str,
        hay: &[u8],
        windows: &mut [(usize, Range<usize>)],
        captures: &mut [Option<Captures>],
        out: &mut Vec<RawMatch>,
    ) {
        windows.sort_unstable_by_key(|(rule, range)| (*rule, range.start));
        let mut i = 0;
        while i < windows.len() {
            let (rule_index, mut merged) = windows[i].clone();
            i += 1;
            while i < windows.len() && windows[i].0 == rule_index && windows[i].1.start <= merged.end {
                merged.end = merged.end.max(windows[i].1.end);
                i += 1;
            }
            self.run_rule(rule_index, path, hay, merged, &mut captures[rule_index], out);
        }
    }

    /// Decodes the base64 text around each encoded-keyword hit and matches what it says.
    fn find_encoded(
        &self,
        path: &str,
        hay: &[u8],
        hits: &[usize],
        inner_scratch: &mut Scratch,
        out: &mut Vec<RawMatch>,
    ) {
        let is_b64 = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_');
        let mut done_to = 0;
        let mut inner = Vec::new();
        for &hit in hits {
            if hit < done_to {
                continue;
            }
            let floor = hit.saturating_sub(4 * ENCODED_REACH);
            let run_start = hay[floor..hit]
                .iter()
                .rposition(|&b| !is_b64(b))
                .map_or(floor, |i| floor + i + 1);
            let ceiling = (hit + 4 * ENCODED_REACH).min(hay.len());
            let run_end = hay[hit..ceiling]
                .iter()
                .position(|&b| !is_b64(b))
                .map_or(ceiling, |i| hit + i);
            // Decode from a multiple of four characters into the run, so bytes come out whole.
            let from = run_start + (hit.saturating_sub(ENCODED_REACH).max(run_start) - run_start) / 4 * 4;
            let mut to = (hit + ENCODED_REACH).min(run_end);
            if (to - from) % 4 == 1 {
                to -= 1;
            }
            done_to = to;
            let Some(decoded) = std::str::from_utf8(&hay[from..to])
                .ok()
                .and_then(crate::decode::util::base64_decode)
            else {
                continue;
            };
            self.find_in(path, &decoded, inner_scratch, &mut inner, false);
            for m in inner.drain(..) {
                out.push(RawMatch {
                    rule: m.rule,
                    span: from..to,
                    secret: from..to,
                    checksum: m.checksum,
                    decoded: Some(String::from_utf8_lossy(&decoded[m.secret]).into_owned()),
                });
            }
        }
    }

    fn sort_and_dedup(&self, out: &mut Vec<RawMatch>) {
        let key = |m: &RawMatch| {
            let rule = &self.rules.rules[m.rule];
            (
                m.secret.start,
                m.secret.end,
                rule.public,
                m.decoded.is_none(),
                std::cmp::Reverse(rule.confidence),
                m.rule,
            )
        };
        out.sort_unstable_by_key(key);
        // One report per secret: where rules overlap, a secret rule beats a public-by-design
        // one (a value both call theirs is not public), what the text decodes to beats the
        // encoded text itself, then the most confident, then the first.
        out.dedup_by(|later, kept| {
            later.secret == kept.secret && (later.decoded.is_none() || later.decoded == kept.decoded)
        });
        // Base64 text that decodes to a token is that token, not a second secret.
        let encoded: Vec<Range<usize>> = out
            .iter()
            .filter(|m| m.decoded.is_some())
            .map(|m| m.secret.clone())
            .collect();
        if !encoded.is_empty() {
            out.retain(|m| {
                m.decoded.is_some()
                    || !encoded
                        .iter()
                        .any(|e| e.start < m.secret.end && m.secret.start < e.end)
            });
        }
    }

    /// Runs a rule's regex over one window, with the rule's capture slots kept in `caps`.
    fn run_rule(
        &self,
        rule_index: usize,
        path: &str,
        hay: &[u8],
        window: Range<usize>,
        caps: &mut Option<Captures>,
        out: &mut Vec<RawMatch>,
    ) {
        let rule = &self.rules.rules[rule_index];
        let (Some(patterns), Some(extent)) = (rule.patterns(), rule.extent()) else {
            return;
        };
        let caps = caps.get_or_insert_with(|| patterns.regex.create_captures());
        let longest = longest_window(rule, extent);
        // The span limits the search while the whole buffer stays visible to `\b` and `^`.
        let mut input = Input::new(hay).span(window);
        while let Some(m) = next_match(patterns, &input, longest, caps) {
            let next = if m.is_empty() { m.end() + 1 } else { m.end() };
            let group = if rule.secret_first_group {
                (1..caps.group_len())
                    .filter_map(|g| caps.get_group(g))
                    .find(|s| !s.is_empty())
                    .or_else(|| caps.get_group(0))
            } else {
                caps.get_group(patterns.secret_group)
            };
            if let Some(secret) = group {
                let span = m.start()..m.end();
                let secret = secret.start..secret.end;
                // Merged windows of one rule never overlap, so a match cannot be found twice.
                if let Some(checksum) = self.accept(rule, patterns, path, hay, &span, &secret) {
                    out.push(RawMatch {
                        rule: rule_index,
                        span,
                        secret,
                        checksum,
                        decoded: None,
                    });
                }
            }
            if next > input.end() {
                break;
            }
            input.set_start(next);
        }
    }

    /// The rule's filters; `Some(checksum status)` when the candidate is a finding.
    fn accept(
        &self,
        rule: &Rule,
        patterns: &Patterns,
        path: &str,
        hay: &[u8],
        span: &Range<usize>,
        secret: &Range<usize>,
    ) -> Option<ChecksumStatus> {
        let value = &hay[secret.clone()];
        let checksum = match rule.checksum {
            Some(checksum) => match checksum.status(value, &hay[..secret.start]) {
                ChecksumStatus::Invalid => return None,
                status => status,
            },
            None => ChecksumStatus::None,
        };
        let verified = checksum == ChecksumStatus::Valid;
        if value.is_empty() || self.rules.placeholders.is_placeholder(value, verified) {
            return None;
        }
        if !verified && inside_base64_run(hay, secret) {
            return None;
        }
        if let Some(min) = rule.min_entropy {
            if shannon_entropy(value) < min {
                return None;
            }
        }
        if let Some(context) = &patterns.context {
            let line = line_around(hay, span);
            if !context.is_match(Input::new(hay).span(line)) {
                return None;
            }
        }
        for allow in &rule.allowlists {
            let target = match allow.target {
                AllowTarget::Secret => value,
                AllowTarget::Match => &hay[span.clone()],
                AllowTarget::Line => &hay[line_around(hay, span)],
            };
            if allow.allows(path, value, target) {
                return None;
            }
        }
        Some(checksum)
    }
}

/// Where a rule's regex runs for one keyword hit: as far around it as a match can lie, by
/// what the rule's regex proves ([`crate::rules::Extent`]), else by the default reach. `None`
/// when the regex proves that no match holds this hit as its keyword. A search that would
/// take the rule past its tail budget is not made: the window is kept whole.
fn window(
    rule: &Rule,
    hay: &[u8],
    hit: Range<usize>,
    tail_search: TailSearch,
    lines: &mut Lines,
) -> Option<Range<usize>> {
    let extent = rule.extent()?;
    let mut from = hit.start.saturating_sub(reach_before(extent));
    let mut to = reach_end(rule, extent, hay.len(), &hit);
    if extent.holds_keyword {
        let within_budget = to - hit.start <= *tail_search.left;
        if let (Some(tail), true) = (&extent.tail, within_budget) {
            *tail_search.left -= to - hit.start;
            if let Some(byte) = tail.required {
                // In a rule kept to one line, before the next newline: a match holding a
                // newline before the byte would not end with it.
                let rest = &hay[hit.end..to];
                if extent.one_line {
                    memchr::memchr2(byte, b'\n', rest).filter(|&i| rest[i] == byte)?;
                } else {
                    memchr::memchr(byte, rest)?;
                }
            }
            let cache = tail_search.cache.get_or_insert_with(|| tail.dfa.create_cache());
            let input = Input::new(hay)
                .span(hit.start..to)
                .anchored(Anchored::Yes)
                .earliest(true);
            // An error (the DFA gave up) proves nothing either way: the window stays.
            if let Ok(None) = tail.dfa.try_search_fwd(cache, &input) {
                return None;
            }
            let lead = hay[from..hit.start]
                .iter()
                .rposition(|&b| !tail.lead.contains(b))
                .map_or(0, |i| i + 1);
            from += lead;
        }
        if extent.one_line {
            // From the newline before the hit's line to the one after it.
            let line_start = lines.around(hay, hit.start).start;
            if line_start > from {
                from = line_start - 1;
            }
            let line_end = lines.around(hay, hit.end).end;
            if line_end < to {
                to = line_end + 1;
            }
        }
    }
    Some(from..to)
}

/// How far before a keyword hit a match holding it can start.
fn reach_before(extent: &Extent) -> usize {
    extent.before.map_or(LOOKBEHIND, |b| b.min(LOOKBEHIND))
}

/// Where a match holding the keyword `hit` can end at the latest: the rule's window after it,
/// or its longest match from it.
fn reach_end(rule: &Rule, extent: &Extent, hay_len: usize, hit: &Range<usize>) -> usize {
    let to = hit.end.saturating_add(rule.window).min(hay_len);
    match extent.max_len {
        Some(longest) if extent.holds_keyword => to.min(hit.start.saturating_add(longest)).max(hit.end),
        _ => to,
    }
}

/// The longest window one keyword hit gives `rule`.
fn longest_window(rule: &Rule, extent: &Extent) -> usize {
    let keyword = rule.keywords.iter().map(String::len).max().unwrap_or(0);
    reach_before(extent) + keyword + rule.window
}

/// The line around the latest keyword hit, found once for all the rules that match within
/// one line and all the hits on it: hits packed on one long line would otherwise each look
/// for its ends, once per rule.
#[derive(Default)]
struct Lines {
    /// From after a newline (or the buffer's start) to the next newline (or the buffer's end),
    /// both ends included: no newline lies between them.
    known: Option<(usize, usize)>,
}

impl Lines {
    /// The line holding `pos`: from after the newline before it to the newline at or after it
    /// (the buffer's start and end where there is none).
    fn around(&mut self, hay: &[u8], pos: usize) -> Range<usize> {
        match self.known {
            Some((start, end)) if start <= pos && pos <= end => start..end,
            _ => {
                let start = memchr::memrchr(b'\n', &hay[..pos]).map_or(0, |i| i + 1);
                let end = memchr::memchr(b'\n', &hay[pos..]).map_or(hay.len(), |i| pos + i);
                self.known = Some((start, end));
                start..end
            }
        }
    }
}

/// The next match of the rule's regex in `input`, with its groups in `caps` unless it is
/// longer than `longest`: no one hit's window holds such a match, which only windows merged on
/// a line packed with hits (`auth0_secret=auth0_secret=…`) let through, and its groups would
/// cost a slow engine's pass over all of it.
fn next_match(patterns: &Patterns, input: &Input, longest: usize, caps: &mut Captures) -> Option<Match> {
    if input.get_span().len() <= longest {
        patterns.regex.search_captures(input, caps);
        return caps.get_match();
    }
    let m = patterns.regex.search(input)?;
    if m.len() <= longest {
        let exact = input.clone().span(m.range()).anchored(Anchored::Yes);
        patterns.regex.search_captures(&exact, caps);
    } else {
        caps.set_pattern(None);
    }
    Some(m)
}

/// How much base64 text around a token makes it a piece of the blob rather than a value.
const BASE64_RUN: usize = 128;

/// Whether `secret` sits inside a run of base64 text at least [`BASE64_RUN`] bytes longer than
/// itself: in the base64 of a binary (an inlined WebAssembly module, font or image), `+` and
/// `/` pass for the word boundaries around a token, and a run of zero bytes (`EAAAAAA…`)
/// starts many a prefix. Tokens in text are delimited by quotes, `=`, spaces or URL
/// punctuation, which no base64 run holds; a URL path's letters, digits and slashes run a
/// few dozen bytes at most. Tokens encoded in base64 are looked for by decoding, not here.
fn inside_base64_run(hay: &[u8], secret: &Range<usize>) -> bool {
    let base64 = |b: &u8| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/';
    let before = hay[..secret.start]
        .iter()
        .rev()
        .take(BASE64_RUN)
        .take_while(|b| base64(b))
        .count();
    let after = hay[secret.end..]
        .iter()
        .take(BASE64_RUN)
        .take_while(|b| base64(b))
        .count();
    before + after >= BASE64_RUN
}

/// The line(s) holding `span`, clipped on very long lines.
fn line_around(hay: &[u8], span: &Range<usize>) -> Range<usize> {
    let floor = span.start.saturating_sub(CONTEXT_REACH);
    let start = memchr::memrchr(b'\n', &hay[floor..span.start]).map_or(floor, |i| floor + i + 1);
    let ceiling = span.end.saturating_add(CONTEXT_REACH).min(hay.len());
    let end = memchr::memchr(b'\n', &hay[span.end..ceiling]).map_or(ceiling, |i| span.end + i);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Synth;

    #[test]
    fn a_token_is_inside_base64_when_the_run_around_it_is_long_enough() {
        let token = "T".repeat(40);
        let inside = |before: &str, after: &str| {
            let hay = format!("{before}{token}{after}");
            inside_base64_run(hay.as_bytes(), &(before.len()..before.len() + token.len()))
        };
        let run = |n: usize| "Ab9+/".repeat(n.div_ceil(5))[..n].to_owned();
        assert!(inside(&run(64), &run(64)) && inside(&run(128), "") && inside("", &run(128)));
        assert!(inside(&format!("\"{}", run(100)), &format!("{}\"", run(28))));
        assert!(!inside(&run(64), &run(63)) && !inside(&run(127), "\""));
        // Bytes outside the alphabet end the run: URL punctuation, quotes, `=`, `-`, `_`.
        assert!(!inside(&format!("{}.", run(200)), &format!("-{}", run(200))));
        assert!(!inside(&format!("{}=", run(200)), &format!("_{}", run(200))));
        assert!(!inside("https://api.acme.dev/v2/tokens/", "/revoke"));
    }

    #[test]
    fn a_files_path_decides_every_path_bound_rule_at_once() {
        let rules = RuleSet::builtin().unwrap();
        let matcher = Matcher::new(&rules);
        let index = |id: &str| rules.rules.iter().position(|r| r.id == id).unwrap();
        let (kube, npm) = (index("kubernetes-kubeconfig-token"), index("npm-npmrc-auth"));
        let decide = |path: &str| {
            let mut allowed = vec![true; rules.rules.len()];
            let any = matcher.decide_paths(path, &mut allowed, &mut Vec::new(), &mut None);
            (any, allowed)
        };
        let (any, at_kube) = decide("home/dev/.kube/config");
        assert_eq!((any, at_kube[kube], at_kube[npm]), (true, true, false));
        let (any, at_npm) = decide("app/.npmrc");
        assert_eq!((any, at_npm[kube], at_npm[npm]), (true, false, true));
        let (any, elsewhere) = decide("src/main.rs");
        assert_eq!((any, elsewhere[kube], elsewhere[npm]), (false, false, false));
        // Rules without paths are not path-bound: left as they were.
        assert!(elsewhere[index("github-classic-pat")]);
    }

    /// Keywords that only path-bound rules have (the MCP config rules' `key` and
    /// `credential`) are searched for on those rules' paths only; shared ones everywhere.
    #[test]
    fn keywords_of_path_bound_rules_alone_are_searched_for_on_their_paths() {
        let rules = RuleSet::builtin().unwrap();
        let hay = b"credential = client_secret";
        let found = |keywords: &KeywordSet| {
            let mut words = Vec::new();
            keywords.find(hay, |_, start, end| words.push(&hay[start..end]));
            words.sort_unstable();
            words
        };
        let all = found(rules.keywords());
        let anywhere = found(rules.keywords_anywhere());
        assert!(
            all.contains(&&b"credential"[..]) && all.contains(&&b"secret"[..]),
            "{all:?}"
        );
        assert!(!anywhere.contains(&&b"credential"[..]) && anywhere.contains(&&b"secret"[..]));
        assert!(anywhere.iter().all(|word| all.contains(word)));
    }

    /// A tail saves most on the rules behind the keywords real code holds most (`https://`,
    /// `pat` in `path`, `token`): a change to their regexes that loses the tail would slow every
    /// scan down and change no result.
    #[test]
    fn the_rules_of_the_noisiest_keywords_have_tails() {
        let rules = RuleSet::builtin().unwrap();
        for id in [
            "generic-secret-assignment",
            "url-basic-auth",
            "airtable-personal-access-token",
        ] {
            let rule = rules.rule(id).unwrap();
            assert!(
                rule.extent().is_some_and(|e| e.tail.is_some()),
                "{id} has no keyword tail"
            );
        }
    }

    /// A keyword hit is turned down by the two bytes after it only where each of its rules
    /// would find no window there either: after every keyword in three cases, behind every
    /// kind of byte, followed by random text rich in what tails look for, and at every
    /// keyword hit in every rule's examples set among noise.
    #[test]
    fn hits_turned_down_by_what_follows_have_no_window_in_any_of_their_rules() {
        let rules = RuleSet::builtin().unwrap();
        let mut caches: Vec<Option<hybrid::dfa::Cache>> = (0..rules.rules.len()).map(|_| None).collect();
        let (mut turned_down, mut let_through) = (0, 0);
        let mut check = |hay: &[u8], keyword: usize, hit: Range<usize>| {
            for anywhere in [false, true] {
                let before = hay[..hit.start].last().copied();
                if rules.may_match_around(keyword, anywhere, before, &hay[hit.end..], &mut caches) {
                    let_through += 1;
                    continue;
                }
                turned_down += 1;
                for &index in rules.rules_for_keyword(keyword) {
                    let rule = &rules.rules[index];
                    if anywhere && rule.is_path_bound() {
                        continue;
                    }
                    let tail = TailSearch {
                        cache: &mut caches[index],
                        left: &mut usize::MAX.clone(),
                    };
                    let window = window(rule, hay, hit.clone(), tail, &mut Lines::default());
                    assert_eq!(
                        window,
                        None,
                        "{} after {:?} in {:?}",
                        rule.id,
                        String::from_utf8_lossy(&hay[hit.clone()]),
                        String::from_utf8_lossy(hay)
                    );
                }
            }
        };
        let mut rng = crate::test_rng::Rng(0x9e37_79b9_7f4a_7c15);
        let mut next = |n: usize| rng.below(n);
        let alphabet = b" \t\n=:_-.\"'`\\/@(){}[],;#kKeEyY0aZz9+~!";
        let keywords = rules.keywords();
        for keyword in (0..keywords.len()).filter(|&k| !rules.is_encoded_keyword(k)) {
            let lower = keywords.keyword(keyword).to_vec();
            let upper = lower.to_ascii_uppercase();
            let mixed: Vec<u8> = lower
                .iter()
                .enumerate()
                .map(|(i, b)| if i % 2 == 0 { b.to_ascii_uppercase() } else { *b })
                .collect();
            for text in [lower, upper, mixed] {
                for _ in 0..12 {
                    let befores: [&[u8]; 13] = [
                        b"", b" ", b"_", b"a", b"\n", b"=", b"\"", b"9", b"/", b"+", b"A", b"-", b"\xc3",
                    ];
                    let before = befores[next(befores.len())];
                    let mut hay = before.to_vec();
                    hay.extend_from_slice(&text);
                    hay.extend((0..next(40)).map(|_| alphabet[next(alphabet.len())]));
                    check(&hay, keyword, before.len()..before.len() + text.len());
                }
            }
        }
        let noise = "token = tokenize(path, secret_name) # password: pat, https://acme.dev/x\n";
        for rule in &rules.rules {
            for (n, example) in rule.examples.iter().chain(&rule.negative_examples).enumerate() {
                let text = Synth::new(&format!("{}#{n}", rule.id))
                    .expand(example.text(), rule.checksum)
                    .unwrap();
                let hay = format!("{noise}{text}\n{noise}x{text}y");
                let mut hits = Vec::new();
                keywords.find(hay.as_bytes(), |keyword, start, end| {
                    hits.push((keyword, start..end))
                });
                for (keyword, hit) in hits.into_iter().filter(|(k, _)| !rules.is_encoded_keyword(*k)) {
                    check(hay.as_bytes(), keyword, hit);
                }
            }
        }
        assert!(
            turned_down > 10_000 && let_through > 10_000,
            "{turned_down} hits turned down, {let_through} let through"
        );
    }

    /// The line a position is on, asked in any order and twice over, is the one a search from
    /// that position finds: the cache never answers for a line it did not search.
    #[test]
    fn the_line_around_a_position_is_the_one_a_search_from_it_finds() {
        let mut rng = crate::test_rng::Rng(0x51a7_e3c9_0d2b_44f1);
        for _ in 0..200 {
            let len = rng.below(300);
            let hay: Vec<u8> = (0..len)
                .map(|_| if rng.below(6) == 0 { b'\n' } else { b'a' })
                .collect();
            let mut lines = Lines::default();
            for _ in 0..100 {
                // Runs of nearby positions, as hits come, among jumps back and forth.
                let pos = if rng.below(4) == 0 {
                    rng.below(len + 1)
                } else {
                    len.min(rng.below(len + 1) + 2)
                };
                let start = hay[..pos].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let end = hay[pos..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(len, |i| pos + i);
                assert_eq!(
                    lines.around(&hay, pos),
                    start..end,
                    "{pos} in {:?}",
                    String::from_utf8_lossy(&hay)
                );
            }
        }
    }

    /// A keyword hit reads where the rule's matches can lie, but the regexes are compiled
    /// only when a hit opens a window: most rules whose keywords a file holds never get one,
    /// and compiling them at the first hit took a quarter of a one-file scan of a
    /// keyword-heavy file.
    #[test]
    fn a_rules_regexes_are_compiled_at_its_first_window_not_its_first_hit() {
        let rules = RuleSet::builtin().unwrap();
        let matcher = Matcher::new(&rules);
        let (mut scratch, mut out) = (Scratch::default(), Vec::new());
        let rule = rules.rule("generic-secret-assignment").unwrap();
        // `secret =` passes the two-byte check; the tail turns it down (no value with a digit).
        matcher.find("app/config.py", b"secret = load()\n", &mut scratch, &mut out);
        assert!(out.is_empty());
        assert_eq!(rule.compiled_so_far(), (true, false));
        let text = Synth::new("deferred")
            .expand("APP_SECRET={{alnum:32}}\n", None)
            .unwrap();
        matcher.find("app/.env", text.as_bytes(), &mut scratch, &mut out);
        assert_eq!(rule.compiled_so_far(), (true, true));
        assert_eq!(
            out.iter().map(|m| &rules.rules[m.rule].id).collect::<Vec<_>>(),
            [&rule.id],
            "{text}"
        );
    }

    /// A match longer than any one keyword hit's window is not reported. Only windows merged
    /// on a line crowded with hits let the regex run that far (here, a value with `token=`
    /// every 26 bytes), and working out its groups took a slow engine's pass over all of it.
    /// The search goes on after it, and the matches around it are still reported.
    #[test]
    fn matches_longer_than_one_hits_window_are_not_reported() {
        let rules = RuleSet::builtin().unwrap();
        let matcher = Matcher::new(&rules);
        let (mut scratch, mut out) = (Scratch::default(), Vec::new());
        let mut rng = crate::test_rng::Rng(0x0dd_ba11_5eed_cafe);
        // No letter of the generic rules' names (`secret`, `token`, `api_key`, `password`…):
        // the value must not hold a name of its own.
        let alphabet = b"bfghjlmquxzBFGHJLMQUXZ0123456789";
        let mut value = |n: usize| -> String {
            (0..n)
                .map(|_| char::from(alphabet[rng.below(alphabet.len())]))
                .collect()
        };
        let short = value(40);
        let plain = value(5000);
        let crowded: String = (0..200).map(|_| value(20) + "token=").collect();
        for long in [plain, crowded] {
            let hay = format!("API_KEY={long}\nAPI_KEY={short}\n");
            matcher.find("app/.env", hay.as_bytes(), &mut scratch, &mut out);
            let mut secrets: Vec<&str> = out.iter().map(|m| &hay[m.secret.clone()]).collect();
            secrets.dedup();
            assert_eq!(secrets, [short.as_str()], "{hay}");
        }
    }

    /// Hits packed closer than their tails reach (a rule's examples back to back on one long
    /// line, or its keyword repeated before them) use up a rule's tail searches; the windows
    /// its later hits keep unsearched must find exactly what unlimited searches find.
    #[test]
    fn hits_past_the_tail_budget_find_what_unlimited_tail_searches_find() {
        let rules = RuleSet::builtin().unwrap();
        let budgeted = Matcher::including_public(&rules);
        let mut unlimited = Matcher::including_public(&rules);
        unlimited.tail_budget = TailBudget {
            base: usize::MAX,
            per_byte: 1,
        };
        let mut caches: Vec<Option<hybrid::dfa::Cache>> = (0..rules.rules.len()).map(|_| None).collect();
        let (mut scratch, mut expected, mut found) = (Scratch::default(), Vec::new(), Vec::new());
        let (mut over_budget, mut compared) = (0, 0);
        for (index, rule) in rules.rules.iter().enumerate() {
            let Some(extent) = rule.extent().filter(|e| e.tail.is_some()) else {
                continue;
            };
            for (n, example) in rule.examples.iter().enumerate() {
                let text = Synth::new(&format!("{}#{n}", rule.id))
                    .expand(example.text(), rule.checksum)
                    .unwrap();
                let keyword = rules.keywords().keyword(
                    (0..rules.keywords().len())
                        .find(|&k| rules.rules_for_keyword(k).contains(&index))
                        .unwrap(),
                );
                let keyword = String::from_utf8_lossy(keyword).to_ascii_uppercase();
                let packed = format!("{text} ").repeat(400);
                let repeated = format!("{} {text}\n", keyword.repeat(600));
                for hay in [packed, repeated] {
                    let hay = hay.as_bytes();
                    let mut searched = 0;
                    rules.keywords().find(hay, |keyword, start, end| {
                        let before = hay[..start].last().copied();
                        if rules.rules_for_keyword(keyword).contains(&index)
                            && rules.may_match_around(keyword, false, before, &hay[end..], &mut caches)
                        {
                            searched += reach_end(rule, extent, hay.len(), &(start..end)) - start;
                        }
                    });
                    over_budget += usize::from(searched > TailBudget::DEFAULT.for_len(hay.len()));
                    unlimited.find(example.path(), hay, &mut scratch, &mut expected);
                    budgeted.find(example.path(), hay, &mut scratch, &mut found);
                    assert_eq!(found, expected, "{}: {}", rule.id, String::from_utf8_lossy(hay));
                    compared += expected.len();
                }
            }
        }
        assert!(
            over_budget > 100 && compared > 10_000,
            "{over_budget} buffers over the budget, {compared} matches compared"
        );
    }

    /// Windows that start at the lead before a keyword, and no window for a keyword hit whose
    /// tail does not match, find exactly what searching the whole buffer finds: every rule's
    /// examples and negative examples, alone, crowded on one line among keyword noise, and
    /// all in one buffer.
    #[test]
    fn windows_narrowed_by_keyword_tails_find_what_the_whole_buffer_holds() {
        let rules = RuleSet::builtin().unwrap();
        let matcher = Matcher::including_public(&rules);
        let mut texts = Vec::new();
        for rule in &rules.rules {
            for (n, example) in rule.examples.iter().chain(&rule.negative_examples).enumerate() {
                let text = Synth::new(&format!("{}#{n}", rule.id))
                    .expand(example.text(), rule.checksum)
                    .unwrap();
                texts.push((example.path().to_owned(), text));
            }
        }
        // A URL whose `@` is on the next line, which the URL rules' tails require on theirs.
        let noise = "token = tokenize(path, secret_name) # password: pat, https://acme.dev/x\nops@acme.dev\n";
        let mut cases = Vec::new();
        for (path, text) in &texts {
            cases.push((path.clone(), text.clone()));
            cases.push((
                path.clone(),
                format!("{noise}x.{text} {text}\n  a_{text}=1\n{noise}"),
            ));
        }
        let all: Vec<&str> = texts.iter().map(|(_, text)| text.as_str()).collect();
        cases.push(("all.txt".to_owned(), all.join("\n")));
        cases.push(("all.txt".to_owned(), all.join(" ")));
        let mut compared = 0;
        for (path, text) in &cases {
            let hay = text.as_bytes();
            let mut hits = Vec::new();
            rules
                .keywords()
                .find(hay, |keyword, start, end| hits.push((keyword, start..end)));
            let mut allowed = vec![true; rules.rules.len()];
            matcher.decide_paths(path, &mut allowed, &mut Vec::new(), &mut None);
            for (index, rule) in rules.rules.iter().enumerate() {
                if rule.extent().is_none_or(|e| e.tail.is_none()) || !allowed[index] {
                    continue;
                }
                let (mut cache, mut lines) = (None, Lines::default());
                let mut windows: Vec<(usize, Range<usize>)> = hits
                    .iter()
                    .filter(|(keyword, _)| rules.rules_for_keyword(*keyword).contains(&index))
                    .filter_map(|(_, hit)| {
                        let tail = TailSearch {
                            cache: &mut cache,
                            left: &mut usize::MAX.clone(),
                        };
                        Some((index, window(rule, hay, hit.clone(), tail, &mut lines)?))
                    })
                    .collect();
                let mut captures = vec![None; rules.rules.len()];
                let mut windowed = Vec::new();
                matcher.run_windows(path, hay, &mut windows, &mut captures, &mut windowed);
                let mut whole = Vec::new();
                matcher.run_rule(index, path, hay, 0..hay.len(), &mut None, &mut whole);
                windowed.sort_by_key(|m| (m.span.start, m.span.end));
                assert_eq!(windowed, whole, "{} in {path}: {text}", rule.id);
                compared += whole.len();
            }
        }
        let narrowed_rules = rules
            .rules
            .iter()
            .filter(|rule| rule.extent().is_some_and(|e| e.tail.is_some()))
            .count();
        let with_required_byte = (rules.rules.iter())
            .filter(|rule| {
                rule.extent()
                    .and_then(|e| e.tail.as_ref())
                    .is_some_and(|t| t.required.is_some())
            })
            .count();
        assert!(
            narrowed_rules > rules.rules.len() / 2 && with_required_byte > 20 && compared > 1000,
            "{narrowed_rules} rules narrowed, {with_required_byte} with a required byte, {compared} matches compared"
        );
    }
}
