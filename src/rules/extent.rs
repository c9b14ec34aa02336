//! How far from its keyword a rule's match can lie, read from the regex itself. The matcher
//! runs a rule's regex only in a window around each keyword hit; the narrower the window, the
//! less it reads, and the noisiest keywords (`token`, `secret`) sit in thousands of lines.
//! Where the regex splits at a keyword ([`KeywordTail`]), a hit whose tail does not match
//! gets no window at all.
//!
//! Every bound here is proven from the regex's syntax tree, never guessed: a window cut to it
//! holds every match the full window would have held for that hit. The same goes for the
//! bytes a keyword hit may be followed by ([`Follow`]), read from the tails' DFAs.

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::start;
use regex_automata::Anchored;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Capture, Class, ClassBytes, ClassBytesRange, Hir, HirKind, Repetition};

#[derive(Debug, Default)]
pub struct Extent {
    /// Every match holds one of the rule's keywords within its first `before` bytes, so a
    /// match starts at most that far before the keyword hit that finds it. `None`: no bound
    /// could be proven (the matcher's own cap applies).
    pub before: Option<usize>,
    /// Every match holds one of the rule's keywords, so it lies around a keyword hit. Rules
    /// need not (a gitleaks rule's keywords may only sit near its match), and without it the
    /// bounds below say nothing about where a match lies relative to a hit.
    pub holds_keyword: bool,
    /// The longest match, when the regex bounds it.
    pub max_len: Option<usize>,
    /// A match holds a newline only as its first or last byte: with `holds_keyword`, it lies
    /// on the line of the keyword hit inside it, give or take the newlines around that line.
    pub one_line: bool,
    /// Where the regex splits into bytes before a keyword and the rest from the keyword on.
    pub tail: Option<KeywordTail>,
}

/// Every match of a rule's regex is a run of `lead` bytes, then text that starts with one of
/// the rule's keywords and that `dfa` matches, anchored at the keyword. So a keyword hit where
/// `dfa` finds nothing is no match's keyword, and a match around a hit that passes starts no
/// earlier than the run of `lead` bytes ending at the hit. Most hits of the noisiest keywords
/// (`token` in `tokenize(`, `pat` in `path`) fail within a few bytes.
#[derive(Debug)]
pub struct KeywordTail {
    pub lead: ByteSet,
    pub dfa: DFA,
    /// A byte that no keyword holds and every match of the tail does, so after the keyword
    /// (`@` in a URL with a password): where the text lacks it, the DFA need not run.
    pub required: Option<u8>,
}

/// The byte that may precede a keyword hit and the two bytes that may follow it where some of
/// its rules' tails can still match. Most hits of the noisiest keywords end there (`secrets`,
/// `token)`, `path/`, `xpath`), and turning them down before any rule is looked at saves a
/// tail search per rule per hit. So does a run of the byte a keyword repeats (`AAAA…` in
/// base64, for a keyword that must start a word): without it, every byte of the run is a hit.
///
/// Proven, not guessed: a hit is turned down only when every tail's DFA is dead after the
/// keyword, from the start state of the byte before it, for every case of the keyword's
/// letters; and a pair after it only when every tail's DFA is dead after the keyword and those
/// two bytes, from every start state and for every case.
#[derive(Debug)]
pub struct Follow {
    /// For each first byte: `NONE`, `ANY`, or `n` for the second bytes `seconds[n - FIRST_SET]`.
    firsts: [u8; 256],
    seconds: Vec<ByteSet>,
    /// The bytes after which the keyword may start a tail's match.
    before: ByteSet,
    /// Whether it may at the text's start.
    at_text_start: bool,
}

const NONE: u8 = 0;
const ANY: u8 = 1;
const FIRST_SET: u8 = 2;

impl Follow {
    /// Whether a match of some tail can start right after `before` (`None`: at the text's
    /// start).
    pub fn may_start_after(&self, before: Option<u8>) -> bool {
        before.map_or(self.at_text_start, |b| self.before.contains(b))
    }

    /// Whether a match of some tail can hold `first` and then `second` right after the keyword.
    pub fn allows(&self, first: u8, second: u8) -> bool {
        match self.firsts[usize::from(first)] {
            NONE => false,
            ANY => true,
            n => self.seconds[usize::from(n - FIRST_SET)].contains(second),
        }
    }
}

/// Collects, tail by tail, what a [`Follow`] allows: for each first byte after the keyword,
/// the second bytes, and the bytes before it.
pub struct FollowBuilder {
    seconds: Box<[ByteSet; 256]>,
    before: ByteSet,
    at_text_start: bool,
}

impl Default for FollowBuilder {
    fn default() -> Self {
        FollowBuilder {
            seconds: Box::new([ByteSet::default(); 256]),
            before: ByteSet::default(),
            at_text_start: false,
        }
    }
}

impl FollowBuilder {
    /// Adds the bytes before and the pairs after which `tail`'s DFA may still match, `keyword`
    /// (lowercase) read in any case. `cache` is the DFA's cache; `None` when nothing can be proven
    /// (the DFA gave up or its cache was cleared under the states held here): then any pair
    /// must be allowed.
    pub fn add(&mut self, tail: &KeywordTail, cache: &mut Cache, keyword: &[u8]) -> Option<()> {
        let dfa = &tail.dfa;
        let clears = cache.clear_count();
        // Each step checks that the states held so far are still valid.
        let step = |cache: &mut Cache, from: LazyStateID, byte: u8| {
            let to = dfa.next_state(cache, from, byte).ok()?;
            (cache.clear_count() == clears).then_some(to)
        };
        // The start states, each with the bytes before the keyword that lead to it (`None`:
        // the text's start). Look-arounds (`\b`) make them differ.
        let mut starts: Vec<(LazyStateID, ByteSet, bool)> = Vec::new();
        for look_behind in std::iter::once(None).chain((0..=u8::MAX).map(Some)) {
            let config = start::Config::new()
                .anchored(Anchored::Yes)
                .look_behind(look_behind);
            let state = dfa.start_state(cache, &config).ok()?;
            if cache.clear_count() != clears {
                return None;
            }
            let index = match starts.iter().position(|(s, ..)| *s == state) {
                Some(index) => index,
                None => {
                    starts.push((state, ByteSet::default(), false));
                    starts.len() - 1
                }
            };
            match look_behind {
                Some(byte) => starts[index].1.insert(byte),
                None => starts[index].2 = true,
            }
        }
        let mut states: Vec<LazyStateID> = Vec::new();
        for (start, before, at_text_start) in starts {
            let mut walked = Vec::new();
            push_live(&mut walked, start)?;
            for &byte in keyword {
                let mut next = Vec::with_capacity(walked.len());
                for &state in &walked {
                    for case in [byte, byte.to_ascii_uppercase()] {
                        push_live(&mut next, step(cache, state, case)?)?;
                    }
                }
                walked = next;
            }
            if !walked.is_empty() {
                self.before = self.before.union(before);
                self.at_text_start |= at_text_start;
            }
            for state in walked {
                push_live(&mut states, state)?;
            }
        }
        // The DFA moves alike on every byte of a class: one byte stands for each.
        let byte_classes = dfa.byte_classes();
        let mut classes: Vec<(u8, ByteSet)> = Vec::new();
        let mut class_of = [usize::MAX; 256];
        for byte in 0..=u8::MAX {
            let class = usize::from(byte_classes.get(byte));
            if class_of[class] == usize::MAX {
                class_of[class] = classes.len();
                classes.push((byte, ByteSet::default()));
            }
            classes[class_of[class]].1.insert(byte);
        }
        for &state in &states {
            for &(first, firsts) in &classes {
                let after_first = step(cache, state, first)?;
                if after_first.is_dead() {
                    continue;
                }
                let mut seconds = ByteSet::default();
                if after_first.is_match() || after_first.is_quit() {
                    seconds = ByteSet::ALL;
                } else {
                    for &(second, members) in &classes {
                        if !step(cache, after_first, second)?.is_dead() {
                            seconds = seconds.union(members);
                        }
                    }
                }
                for b in (0..=u8::MAX).filter(|&b| firsts.contains(b)) {
                    self.seconds[usize::from(b)] = self.seconds[usize::from(b)].union(seconds);
                }
            }
        }
        Some(())
    }

    pub fn build(self) -> Follow {
        let mut firsts = [NONE; 256];
        let mut seconds: Vec<ByteSet> = Vec::new();
        for first in 0..=u8::MAX {
            let set = self.seconds[usize::from(first)];
            firsts[usize::from(first)] = if set == ByteSet::ALL {
                ANY
            } else if set == ByteSet::default() {
                NONE
            } else if let Some(index) = seconds.iter().position(|s| *s == set) {
                FIRST_SET + index as u8
            } else if seconds.len() < usize::from(u8::MAX - FIRST_SET) {
                seconds.push(set);
                FIRST_SET + (seconds.len() - 1) as u8
            } else {
                // Out of indexes (never with real rules): allowing more is always safe.
                ANY
            };
        }
        Follow {
            firsts,
            seconds,
            before: self.before,
            at_text_start: self.at_text_start,
        }
    }
}

/// Adds `state` to `states` unless it is dead or there already. `None` when it is a match
/// state: a match can end inside the keyword, so no byte after it can be turned down.
fn push_live(states: &mut Vec<LazyStateID>, state: LazyStateID) -> Option<()> {
    if state.is_match() || state.is_quit() {
        return None;
    }
    if !state.is_dead() && !states.contains(&state) {
        states.push(state);
    }
    Some(())
}

/// A set of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ByteSet([u64; 4]);

impl ByteSet {
    const ALL: ByteSet = ByteSet([u64::MAX; 4]);

    pub fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] >> (b & 63) & 1 == 1
    }

    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    fn len(&self) -> usize {
        self.0.iter().map(|word| word.count_ones() as usize).sum()
    }

    fn intersection(mut self, other: ByteSet) -> ByteSet {
        for (word, theirs) in self.0.iter_mut().zip(other.0) {
            *word &= theirs;
        }
        self
    }

    fn union(mut self, other: ByteSet) -> ByteSet {
        for (word, theirs) in self.0.iter_mut().zip(other.0) {
            *word |= theirs;
        }
        self
    }

    /// The set with both cases of every ASCII letter in it.
    fn any_case(mut self) -> ByteSet {
        for b in b'A'..=b'Z' {
            if self.contains(b) || self.contains(b.to_ascii_lowercase()) {
                self.insert(b);
                self.insert(b.to_ascii_lowercase());
            }
        }
        self
    }
}

impl Extent {
    /// The extent of a rule's regex (`hir`, parsed as the matcher compiles it), whose matches
    /// the lowercase `keywords` find.
    pub fn of(hir: &Hir, keywords: &[String]) -> Extent {
        let keywords: Vec<Vec<u8>> = keywords
            .iter()
            .map(|k| k.to_ascii_lowercase().into_bytes())
            .collect();
        let folded = fold_case(hir);
        let tail = split_at_keyword(&folded, &keywords).and_then(|(lead, tail)| {
            Some(KeywordTail {
                lead: lead.any_case(),
                dfa: tail_dfa(&any_case(&tail))?,
                required: required_byte(&tail, &keywords),
            })
        });
        Extent {
            before: keyword_within(&folded, &keywords),
            holds_keyword: holds_keyword(&folded, &keywords),
            max_len: hir.properties().maximum_len(),
            one_line: newline_only_at(hir, Ends::Both),
            tail,
        }
    }
}

/// The lazy DFA that says whether a tail matches at a keyword: without captures, as only
/// whether it matches counts. `None` if it does not build (a regex too big for it).
fn tail_dfa(hir: &Hir) -> Option<DFA> {
    let nfa = thompson::Compiler::new()
        .configure(thompson::Config::new().which_captures(WhichCaptures::None))
        .build_from_hir(hir)
        .ok()?;
    DFA::builder().build_from_nfa(nfa).ok()
}

/// When every match of the case-folded `hir` is bytes of a set, then text that starts with
/// a keyword: the set, and the regex from that keyword on.
fn split_at_keyword(hir: &Hir, keywords: &[Vec<u8>]) -> Option<(ByteSet, Hir)> {
    if starts_with_keyword(hir, keywords) {
        return Some((ByteSet::default(), hir.clone()));
    }
    match hir.kind() {
        HirKind::Capture(capture) => split_at_keyword(&capture.sub, keywords),
        HirKind::Alternation(branches) => {
            let mut lead = ByteSet::default();
            let mut tails = Vec::with_capacity(branches.len());
            for branch in branches {
                let (branch_lead, tail) = split_at_keyword(branch, keywords)?;
                lead = lead.union(branch_lead);
                tails.push(tail);
            }
            Some((lead, Hir::alternation(tails)))
        }
        HirKind::Concat(parts) => {
            let mut lead = ByteSet::default();
            for (i, part) in parts.iter().enumerate() {
                // A keyword may start across parts (regex-syntax factors `P(?:ASSWORD|WD)`).
                if i > 0 {
                    let rest = Hir::concat(parts[i..].to_vec());
                    if starts_with_keyword(&rest, keywords) {
                        return Some((lead, rest));
                    }
                }
                if let Some((part_lead, tail)) = split_at_keyword(part, keywords) {
                    let tail =
                        Hir::concat([tail].into_iter().chain(parts[i + 1..].iter().cloned()).collect());
                    return Some((lead.union(part_lead), tail));
                }
                lead = lead.union(bytes_of(part));
            }
            None
        }
        _ => None,
    }
}

/// Whether every match of `hir` starts with one of a finite set of literals that each start
/// with a keyword.
fn starts_with_keyword(hir: &Hir, keywords: &[Vec<u8>]) -> bool {
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let seq = extractor.extract(hir);
    seq.literals().is_some_and(|literals| {
        !literals.is_empty()
            && literals.iter().all(|literal| {
                let text = literal.as_bytes().to_ascii_lowercase();
                keywords.iter().any(|k| !k.is_empty() && text.starts_with(k))
            })
    })
}

/// Every byte a match of `hir` can hold (for a character beyond ASCII, every byte from 0x80,
/// which its UTF-8 bytes are among).
fn bytes_of(hir: &Hir) -> ByteSet {
    let mut set = ByteSet::default();
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => literal.0.iter().for_each(|&b| set.insert(b)),
        HirKind::Class(Class::Bytes(class)) => {
            for range in class.ranges() {
                (range.start()..=range.end()).for_each(|b| set.insert(b));
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            for range in class.ranges() {
                let ascii_end = u8::try_from(range.end()).unwrap_or(u8::MAX).min(0x7f);
                if let Ok(start) = u8::try_from(range.start()) {
                    (start..=ascii_end).for_each(|b| set.insert(b));
                }
                if !range.end().is_ascii() {
                    (0x80..=u8::MAX).for_each(|b| set.insert(b));
                }
            }
        }
        HirKind::Capture(capture) => return bytes_of(&capture.sub),
        HirKind::Repetition(repetition) => return bytes_of(&repetition.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            for part in parts {
                set = set.union(bytes_of(part));
            }
        }
    }
    set
}

/// The rarest byte in code, by a rough ranking, that every match of the case-folded `hir`
/// holds and no keyword does; not a letter, as `hir` stands for both its cases, nor a
/// newline, which the matcher looks for beside it.
fn required_byte(hir: &Hir, keywords: &[Vec<u8>]) -> Option<u8> {
    const RAREST_FIRST: &[u8] = b"@#|^~`$%!&\\<>?;[]{}*+'\"=,:/()._-0123456789 ";
    let required = bytes_in_every(hir);
    RAREST_FIRST
        .iter()
        .copied()
        .find(|&b| required.contains(b) && !keywords.iter().any(|k| k.contains(&b)))
}

/// The bytes every match of `hir` holds (a letter as `hir` spells it).
fn bytes_in_every(hir: &Hir) -> ByteSet {
    match hir.kind() {
        HirKind::Literal(_) => bytes_of(hir),
        HirKind::Class(_) => match bytes_of(hir) {
            one if one.len() == 1 => one,
            _ => ByteSet::default(),
        },
        HirKind::Capture(capture) => bytes_in_every(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min > 0 => bytes_in_every(&repetition.sub),
        HirKind::Concat(parts) => {
            (parts.iter()).fold(ByteSet::default(), |set, part| set.union(bytes_in_every(part)))
        }
        HirKind::Alternation(branches) => (branches.iter().map(bytes_in_every))
            .reduce(ByteSet::intersection)
            .unwrap_or_default(),
        HirKind::Empty | HirKind::Look(_) | HirKind::Repetition(_) => ByteSet::default(),
    }
}

/// `hir` with every ASCII letter of its literals in either case: a superset of what the regex
/// before [`fold_case`] matched.
fn any_case(hir: &Hir) -> Hir {
    map_leaves(hir, &|leaf| match leaf.kind() {
        HirKind::Literal(literal) => Hir::concat(
            literal
                .0
                .iter()
                .map(|&b| {
                    if b.is_ascii_alphabetic() {
                        let (lower, upper) = (b.to_ascii_lowercase(), b.to_ascii_uppercase());
                        Hir::class(Class::Bytes(ClassBytes::new([
                            ClassBytesRange::new(upper, upper),
                            ClassBytesRange::new(lower, lower),
                        ])))
                    } else {
                        Hir::literal([b])
                    }
                })
                .collect(),
        ),
        _ => leaf.clone(),
    })
}

/// `hir` with every letter in lower case, `[Ss]` included: keywords match in any case, and
/// `(?i)private_?key` would otherwise stand for 2 048 literals. For finding keywords only: the
/// folded regex matches other text.
fn fold_case(hir: &Hir) -> Hir {
    map_leaves(hir, &|leaf| match leaf.kind() {
        HirKind::Literal(literal) => Hir::literal(literal.0.to_ascii_lowercase()),
        HirKind::Class(Class::Bytes(class)) => match class.ranges() {
            [upper, lower]
                if upper.start() == upper.end()
                    && lower.start() == lower.end()
                    && upper.start().is_ascii_uppercase()
                    && upper.start().to_ascii_lowercase() == lower.start() =>
            {
                Hir::literal([lower.start()])
            }
            _ => leaf.clone(),
        },
        _ => leaf.clone(),
    })
}

/// `hir` rebuilt with `leaf` applied to each literal, class, look-around and empty part.
fn map_leaves(hir: &Hir, leaf: &impl Fn(&Hir) -> Hir) -> Hir {
    match hir.kind() {
        HirKind::Capture(capture) => Hir::capture(Capture {
            index: capture.index,
            name: capture.name.clone(),
            sub: Box::new(map_leaves(&capture.sub, leaf)),
        }),
        HirKind::Repetition(repetition) => Hir::repetition(Repetition {
            min: repetition.min,
            max: repetition.max,
            greedy: repetition.greedy,
            sub: Box::new(map_leaves(&repetition.sub, leaf)),
        }),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(|part| map_leaves(part, leaf)).collect()),
        HirKind::Alternation(branches) => {
            Hir::alternation(branches.iter().map(|branch| map_leaves(branch, leaf)).collect())
        }
        HirKind::Empty | HirKind::Look(_) | HirKind::Literal(_) | HirKind::Class(_) => leaf(hir),
    }
}

/// A bound on how far into any match of `hir` a keyword starts.
fn keyword_within(hir: &Hir, keywords: &[Vec<u8>]) -> Option<usize> {
    if let Some(n) = covered_by_prefix(hir, keywords) {
        return Some(n);
    }
    match hir.kind() {
        HirKind::Capture(capture) => keyword_within(&capture.sub, keywords),
        HirKind::Alternation(branches) => branches
            .iter()
            .map(|b| keyword_within(b, keywords))
            .try_fold(0, |most, n| Some(most.max(n?))),
        HirKind::Concat(parts) => {
            // Skip leading parts of bounded length until the rest starts with a keyword.
            let mut skipped = 0usize;
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    if let Some(n) = covered_by_prefix(&Hir::concat(parts[i..].to_vec()), keywords) {
                        return Some(skipped + n);
                    }
                }
                if let Some(n) = keyword_within(part, keywords) {
                    return Some(skipped + n);
                }
                skipped = skipped.checked_add(part.properties().maximum_len()?)?;
            }
            None
        }
        _ => None,
    }
}

/// Whether every match of `hir` holds a keyword somewhere.
fn holds_keyword(hir: &Hir, keywords: &[Vec<u8>]) -> bool {
    if covered_by_prefix(hir, keywords).is_some() {
        return true;
    }
    match hir.kind() {
        HirKind::Capture(capture) => holds_keyword(&capture.sub, keywords),
        HirKind::Alternation(branches) => branches.iter().all(|b| holds_keyword(b, keywords)),
        HirKind::Concat(parts) => (0..parts.len()).any(|i| {
            holds_keyword(&parts[i], keywords)
                || (i > 0 && covered_by_prefix(&Hir::concat(parts[i..].to_vec()), keywords).is_some())
        }),
        _ => false,
    }
}

/// When every match of `hir` starts with one of a finite set of literals that each contain a
/// keyword: the longest literal.
fn covered_by_prefix(hir: &Hir, keywords: &[Vec<u8>]) -> Option<usize> {
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let seq = extractor.extract(hir);
    let literals = seq.literals()?;
    let covered = !literals.is_empty()
        && literals.iter().all(|literal| {
            let text = literal.as_bytes().to_ascii_lowercase();
            keywords
                .iter()
                .any(|k| !k.is_empty() && text.windows(k.len()).any(|w| w == k.as_slice()))
        });
    covered.then(|| literals.iter().map(|l| l.len()).max().unwrap_or(0))
}

/// Which end of a match a newline may sit at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ends {
    First,
    Last,
    Both,
}

/// Whether a match can hold a newline only at the given end(s): a boundary such as
/// `(?:^|[^a-z])` may take the newline before a token, and a terminator the one after it.
fn newline_only_at(hir: &Hir, ends: Ends) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) | HirKind::Class(_) => true,
        HirKind::Literal(literal) => {
            let bytes = &literal.0[..];
            let skip_first = usize::from(ends != Ends::Last).min(bytes.len());
            let skip_last = usize::from(ends != Ends::First);
            let inner = &bytes[skip_first..bytes.len().saturating_sub(skip_last).max(skip_first)];
            !inner.contains(&b'\n')
        }
        HirKind::Capture(capture) => newline_only_at(&capture.sub, ends),
        HirKind::Repetition(repetition) => {
            if repetition.max.is_some_and(|max| max <= 1) {
                newline_only_at(&repetition.sub, ends)
            } else {
                !matches_newline(&repetition.sub)
            }
        }
        HirKind::Concat(parts) => {
            // Zero-width parts (`\b`, `$`) do not move where the ends are.
            let parts: Vec<&Hir> = parts
                .iter()
                .filter(|p| p.properties().maximum_len() != Some(0))
                .collect();
            let Some((&first, rest)) = parts.split_first() else {
                return true;
            };
            let Some((&last, middle)) = rest.split_last() else {
                return newline_only_at(first, ends);
            };
            let first_ok = match ends {
                Ends::Last => !matches_newline(first),
                _ => newline_only_at(first, Ends::First),
            };
            let last_ok = match ends {
                Ends::First => !matches_newline(last),
                _ => newline_only_at(last, Ends::Last),
            };
            first_ok && last_ok && !middle.iter().any(|p| matches_newline(p))
        }
        HirKind::Alternation(branches) => branches.iter().all(|b| newline_only_at(b, ends)),
    }
}

/// Whether any match can hold a newline anywhere.
fn matches_newline(hir: &Hir) -> bool {
    bytes_of(hir).contains(b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::{Anchored, Input};

    fn extent(pattern: &str, keywords: &[&str]) -> Extent {
        let keywords: Vec<String> = keywords.iter().map(|k| (*k).to_owned()).collect();
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
            .unwrap();
        Extent::of(&hir, &keywords)
    }

    #[test]
    fn a_prefixed_token_starts_at_its_keyword_after_a_bounded_boundary() {
        let e = extent(r"(?:^|[^A-Za-z0-9_])(?P<secret>ghp_[A-Za-z0-9]{36})\b", &["ghp_"]);
        assert_eq!(e.before, Some(1 + 4));
        assert_eq!(e.max_len, Some(1 + 40));
        assert!(e.holds_keyword && e.one_line);
    }

    #[test]
    fn a_keyword_behind_a_class_prefix_is_bounded_by_the_class_and_the_literal() {
        let e = extent(
            r"(?P<secret>[A-Za-z0-9_~.]{3}[78]Q~[A-Za-z0-9_~.-]{31,34})",
            &["7q~", "8q~"],
        );
        assert_eq!(e.before, Some(3 + 3));
    }

    #[test]
    fn a_keyword_split_by_factored_alternatives_is_still_found_in_any_case() {
        // regex-syntax factors the common `P` out of these alternatives.
        let e = extent(
            r"(?i:[a-z0-9]*?(?:PASSWORD|PWD|PRIVATE_?KEY))=(?P<secret>[a-z0-9]{8,})",
            &["password", "pwd", "private_key", "privatekey"],
        );
        assert!(e.holds_keyword && e.one_line);
    }

    #[test]
    fn case_insensitive_keywords_and_alternatives_are_covered() {
        let e = extent(
            r"(?i)\b(?:xoxb|xoxp)-(?P<secret>[0-9a-z-]{20,})",
            &["xoxb-", "xoxp-"],
        );
        assert_eq!(e.before, Some(5));
        assert_eq!(e.max_len, None);
    }

    #[test]
    fn an_unbounded_name_before_the_keyword_proves_no_bound_but_stays_on_one_line() {
        let e = extent(
            r#"(?i)[A-Z0-9_]*(?:SECRET|TOKEN)[ \t]*[:=][ \t]*["']?(?P<secret>[A-Za-z0-9]{16,})(?:["']|[ \t]*(?:\r?\n|$))"#,
            &["secret", "token"],
        );
        assert_eq!(e.before, None);
        assert!(e.holds_keyword && e.one_line);
    }

    #[test]
    fn a_keyword_the_regex_does_not_spell_out_proves_nothing() {
        let e = extent(r"(?P<secret>[a-z]{3}_[0-9]{8})", &["abc_"]);
        assert_eq!((e.before, e.holds_keyword), (None, false));
        // A keyword near the match, not in it (as gitleaks rules may have).
        let e = extent(r"\b(?P<secret>[0-9]{16})\b", &["asana"]);
        assert_eq!((e.before, e.holds_keyword, e.one_line), (None, false, true));
    }

    #[test]
    fn a_name_before_the_keyword_is_its_lead_and_the_rest_its_tail() {
        let e = extent(
            r#"(?i)\b[A-Z0-9_.]*(?:SECRET|TOKEN)[ \t]*[:=][ \t]*(?P<secret>[A-Za-z0-9]{16,})"#,
            &["secret", "token"],
        );
        let tail = e.tail.expect("a tail");
        for b in *b"aZ09_." {
            assert!(tail.lead.contains(b), "{:?} leads", b as char);
        }
        for b in *b" \n\"=" {
            assert!(!tail.lead.contains(b), "{:?} does not lead", b as char);
        }
        let mut cache = tail.dfa.create_cache();
        let mut at_keyword = |text: &str| {
            let input = Input::new(text).anchored(Anchored::Yes);
            tail.dfa.try_search_fwd(&mut cache, &input).unwrap().is_some()
        };
        assert!(at_keyword("Token = aaaaaaaaaaaaaaaa"));
        assert!(at_keyword("SECRET:aaaaaaaaaaaaaaaa"));
        assert!(!at_keyword("tokenize(aaaaaaaaaaaaaaaa)"));
        assert!(!at_keyword("x_token = aaaaaaaaaaaaaaaa"));
    }

    #[test]
    fn bytes_before_a_keyword_that_starts_no_literal_make_the_lead() {
        let tail = extent(r"\b(?:a|b)ghp_[0-9]{8}", &["ghp_"]).tail.expect("a tail");
        assert!(tail.lead.contains(b'a') && tail.lead.contains(b'B') && !tail.lead.contains(b'c'));
        let tail = extent(
            r"\b(?:https?|ftp)://[a-z]+:(?P<secret>[a-z]+)@",
            &["http://", "https://", "ftp://"],
        )
        .tail
        .expect("a tail");
        assert_eq!(tail.lead, ByteSet::default());
    }

    #[test]
    fn a_tail_requires_the_rarest_byte_every_match_holds_after_the_keyword() {
        let required =
            |pattern: &str, keywords: &[&str]| extent(pattern, keywords).tail.expect("a tail").required;
        let url = r"\b(?:https?|ftp)://[a-z]+:(?P<secret>[a-z#]+)@[a-z]";
        assert_eq!(required(url, &["http://", "https://", "ftp://"]), Some(b'@'));
        // In every branch, or in none.
        assert_eq!(required(r"ghp_(?:[0-9]+\.x|y\.[a-z]+)", &["ghp_"]), Some(b'.'));
        assert_eq!(required(r"ghp_(?:[0-9]+\.x|y-[a-z]+)", &["ghp_"]), None);
        // Not one a keyword holds, nor a letter, nor one in an optional part or a class.
        assert_eq!(required(r"ghp_[0-9]+_x", &["ghp_"]), None);
        assert_eq!(
            required(r"(?i)token[ \t]*[:=][ \t]*(?:@[a-z]+)?[a-z]{8}", &["token"]),
            None
        );
        assert_eq!(required(r"token=[a-z]{8}(?:;|,)", &["token"]), Some(b'='));
    }

    #[test]
    fn no_tail_unless_every_match_has_a_keyword_after_its_lead() {
        assert!(extent(r"(?P<secret>[a-z]{3}_[0-9]{8})", &["abc_"]).tail.is_none());
        assert!(extent(r"\b(?P<secret>[0-9]{16})\b", &["asana"]).tail.is_none());
        // One branch without its keyword.
        assert!(extent(r"(?:ghp_|gho)[0-9]{8}", &["ghp_", "gho_"]).tail.is_none());
    }

    #[test]
    fn a_character_beyond_ascii_stands_for_every_byte_from_0x80() {
        let unicode = |pattern: &str| regex_syntax::Parser::new().parse(pattern).unwrap();
        let bytes = bytes_of(&unicode("[a-cé]"));
        assert!(bytes.contains(b'b') && bytes.contains(0xc3) && bytes.contains(0xa9));
        assert!(!bytes.contains(b'd') && !bytes.contains(b'\n'));
        assert!(matches_newline(&unicode(r"\s")) && !matches_newline(&unicode(r"[^\s]")));
    }

    /// What may follow `keyword` by the tails of `patterns`; `None` when nothing may be
    /// turned down.
    fn follow(patterns: &[&str], keyword: &str) -> Option<Follow> {
        let mut follow = FollowBuilder::default();
        for pattern in patterns {
            let tail = extent(pattern, &[keyword])
                .tail
                .unwrap_or_else(|| panic!("no tail in {pattern}"));
            follow.add(&tail, &mut tail.dfa.create_cache(), keyword.as_bytes())?;
        }
        Some(follow.build())
    }

    #[test]
    fn what_follows_a_keyword_is_turned_down_only_where_no_tail_can_match() {
        let assignment = follow(
            &[r"\b(?i:token)\b[ \t]*[:=][ \t]*(?P<secret>[a-z0-9]{16})"],
            "token",
        )
        .unwrap();
        for after in [" =", "=x", "\t:", ": ", "  "] {
            let [first, second] = after.as_bytes()[..2] else {
                unreachable!()
            };
            assert!(assignment.allows(first, second), "{after:?}");
        }
        for after in ["iz", "s ", "()", ". ", " i", "_k"] {
            let [first, second] = after.as_bytes()[..2] else {
                unreachable!()
            };
            assert!(!assignment.allows(first, second), "{after:?}");
        }
        // Pairs allowed by either of two rules' tails.
        let either = follow(
            &[r"(?i:token)=(?P<secret>\w+)", r"(?i:token)_(?P<secret>[0-9]+)"],
            "token",
        )
        .unwrap();
        assert!(either.allows(b'=', b'a') && either.allows(b'_', b'7'));
        assert!(!either.allows(b'_', b'a') && !either.allows(b'-', b'1'));
        // A branch that spells the keyword in capitals is the keyword's too, with its pairs.
        let cased = follow(&[r"(?:pat[a-z]{4}|PAT[0-9]{4})"], "pat").unwrap();
        assert!(cased.allows(b'a', b'b') && cased.allows(b'1', b'2'));
        assert!(!cased.allows(b'a', b'1') && !cased.allows(b'.', b'x'));
        // A match that can end at the keyword or one byte later leaves nothing to turn down
        // after it, or after that byte.
        let whole = follow(&[r"(?P<secret>pat)"], "pat").unwrap();
        assert!((0..=u8::MAX).all(|first| whole.allows(first, b'x') && whole.allows(first, 0)));
        let short = follow(&[r"(?P<secret>pat[0-9])"], "pat").unwrap();
        assert!(short.allows(b'1', b'!') && !short.allows(b'x', b'1'));
    }

    #[test]
    fn what_precedes_a_keyword_is_turned_down_only_where_no_tail_can_start() {
        // A keyword that must start a word: not after a word byte, so not inside a run of it.
        let run = "A".repeat(21);
        let pattern = format!(r"\b(?P<secret>{run}[A-Za-z0-9%]{{30,}})");
        let word = follow(&[&pattern], &run.to_ascii_lowercase()).unwrap();
        for before in [b'A', b'a', b'7', b'_'] {
            assert!(!word.may_start_after(Some(before)), "{}", before as char);
        }
        for before in [b' ', b'/', b'+', b'"', b'\n', 0xc3] {
            assert!(word.may_start_after(Some(before)), "{}", before as char);
        }
        assert!(word.may_start_after(None));
        // Allowed after what either of two rules allows.
        let either = follow(&[r"\bre_[a-z]{8}", r"(?m:^)re_[0-9]{8}"], "re_").unwrap();
        assert!(either.may_start_after(Some(b' ')) && either.may_start_after(Some(b'\n')));
        assert!(either.may_start_after(None) && !either.may_start_after(Some(b'a')));
        let line = follow(&[r"(?m:^)re_[0-9]{8}"], "re_").unwrap();
        assert!(line.may_start_after(Some(b'\n')) && line.may_start_after(None));
        assert!(!line.may_start_after(Some(b' ')) && !line.may_start_after(Some(b'a')));
        // A name in front of the keyword is its lead, so the keyword may follow anything.
        let named = follow(&[r"[a-z_]*token=(?P<secret>[0-9]{8})"], "token").unwrap();
        assert!((0..=u8::MAX).all(|before| named.may_start_after(Some(before))));
        assert!(named.may_start_after(None));
    }

    #[test]
    fn patterns_that_cross_lines_are_not_one_line() {
        assert!(
            !extent(
                r"-----BEGIN KEY-----(?P<secret>[\s\S]{64,})-----END",
                &["-----begin"]
            )
            .one_line
        );
        assert!(!extent(r"key\s*=\s*(?P<secret>\w+)", &["key"]).one_line);
        assert!(!extent(r"(?P<secret>a\nb)", &["a"]).one_line);
        assert!(!extent(r"(?:^|\s)+key=(?P<secret>\w+)", &["key"]).one_line);
        assert!(extent(r"key=(?P<secret>\w+)\n", &["key"]).one_line);
        assert!(extent(r"(?:^|\n)key=(?P<secret>\w+)(?:\r?\n|$)", &["key"]).one_line);
    }
}
