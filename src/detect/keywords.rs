//! The keyword prefilter: every occurrence of every rule keyword in a buffer, as an
//! overlapping Aho-Corasick search would report them, at a fraction of its cost.
//!
//! With a thousand keywords an Aho-Corasick DFA walks every byte through a table of several
//! megabytes, one dependent load after another. Here every position is tested on its own, so
//! the CPU overlaps the work: the buffer is lowercased once, the four bytes at each position
//! are hashed into a bitmap, and only a position whose bit is set (about one in a hundred in
//! source code) is compared with the keywords behind that bit. Each keyword is represented
//! by its rarest four bytes, so common words inside keywords (`secret` in
//! `bitbucket_secret`) do not make every line a candidate; a three-byte keyword by its three
//! bytes followed by any byte.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Bits of the hash: a 128 KiB bitmap, which stays in the L2 cache with about one bit in two
/// hundred set for a thousand keywords.
const HASH_BITS: u32 = 20;
/// The bytes hashed at each position.
const GRAM: usize = 4;

#[derive(Debug)]
struct Keyword {
    /// Lowercased when `ignore_case`; as given otherwise.
    bytes: Box<[u8]>,
    ignore_case: bool,
}

/// A keyword behind a bit of the bitmap: it starts `offset` bytes before the hashed position.
#[derive(Debug, Clone, Copy)]
struct Entry {
    hash: u32,
    keyword: u32,
    offset: u32,
}

/// A compiled set of keywords. Build it with [`KeywordSet::new`]; search with
/// [`KeywordSet::find`].
#[derive(Debug)]
pub struct KeywordSet {
    keywords: Vec<Keyword>,
    /// One bit per hash: the only table the hot loop reads.
    bits: Box<[u64]>,
    /// For each 64-bit word of the bitmap, its entries: `entries[slots[w]..slots[w + 1]]`,
    /// sorted by hash. Per word rather than per bit keeps the table small enough to stay in
    /// cache.
    slots: Box<[u32]>,
    entries: Box<[Entry]>,
    /// Keywords of one or two bytes (none among the built-in rules; a user's pack may have
    /// them), with their indexes in `keywords`.
    short: Option<(AhoCorasick, Vec<usize>)>,
}

/// What a keyword in a [`KeywordSet`] is to match.
pub struct KeywordSpec<'a> {
    pub text: &'a [u8],
    /// Rule keywords match in any ASCII case; the base64 forms of keywords do not.
    pub ignore_case: bool,
}

impl KeywordSet {
    /// A set of the given keywords, indexed in the order given. Empty keywords never match.
    pub fn new<'a>(specs: impl IntoIterator<Item = KeywordSpec<'a>>) -> Result<KeywordSet, String> {
        let keywords: Vec<Keyword> = specs
            .into_iter()
            .map(|spec| Keyword {
                bytes: if spec.ignore_case {
                    spec.text.to_ascii_lowercase().into()
                } else {
                    spec.text.into()
                },
                ignore_case: spec.ignore_case,
            })
            .collect();
        let mut grams: Vec<Entry> = Vec::new();
        for (index, keyword) in keywords.iter().enumerate() {
            let folded: Vec<u8> = keyword.bytes.iter().map(|&b| fold(b)).collect();
            let keyword_index = index as u32;
            if folded.len() >= GRAM {
                let offset = (0..=folded.len() - GRAM)
                    .min_by_key(|&o| folded[o..o + GRAM].iter().map(|&b| commonness(b)).sum::<u32>())
                    .unwrap_or(0);
                let gram = [
                    folded[offset],
                    folded[offset + 1],
                    folded[offset + 2],
                    folded[offset + 3],
                ];
                grams.push(Entry {
                    hash: hash(u32::from_le_bytes(gram)) as u32,
                    keyword: keyword_index,
                    offset: offset as u32,
                });
            } else if folded.len() == GRAM - 1 {
                // Any fourth byte, the buffer's end padding (NUL) included.
                for next in (0..=u8::MAX).filter(|&b| fold(b) == b) {
                    let gram = [folded[0], folded[1], folded[2], next];
                    grams.push(Entry {
                        hash: hash(u32::from_le_bytes(gram)) as u32,
                        keyword: keyword_index,
                        offset: 0,
                    });
                }
            }
        }
        grams.sort_by_key(|e| (e.hash, e.keyword));
        grams.dedup_by_key(|e| (e.hash, e.keyword));
        let words = (1 << HASH_BITS) / 64;
        let mut bits = vec![0u64; words];
        let mut slots = vec![0u32; words + 1];
        for entry in &grams {
            let h = entry.hash as usize;
            bits[h / 64] |= 1 << (h % 64);
            slots[h / 64 + 1] += 1;
        }
        for w in 0..words {
            slots[w + 1] += slots[w];
        }
        let entries = grams;
        let short_ids: Vec<usize> = (0..keywords.len())
            .filter(|&i| (1..GRAM - 1).contains(&keywords[i].bytes.len()))
            .collect();
        let short = if short_ids.is_empty() {
            None
        } else {
            let automaton = AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(short_ids.iter().map(|&i| &keywords[i].bytes))
                .map_err(|e| e.to_string())?;
            Some((automaton, short_ids))
        };
        Ok(KeywordSet {
            keywords,
            bits: bits.into(),
            slots: slots.into(),
            entries: entries.into(),
            short,
        })
    }

    pub fn len(&self) -> usize {
        self.keywords.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keywords.is_empty()
    }

    /// Calls `on_hit(keyword, start, end)` for every occurrence of every keyword in `hay`,
    /// overlapping ones included, in no particular order. `lowered` is scratch space.
    pub fn find(&self, hay: &[u8], lowered: &mut Vec<u8>, mut on_hit: impl FnMut(usize, usize, usize)) {
        if let Some((automaton, ids)) = &self.short {
            for hit in automaton.find_overlapping_iter(hay) {
                let keyword = ids[hit.pattern().as_usize()];
                // The case-sensitive ones are checked here: the automaton ignores case.
                if self.keywords[keyword].ignore_case || hay[hit.range()] == *self.keywords[keyword].bytes {
                    on_hit(keyword, hit.start(), hit.end());
                }
            }
        }
        lowered.clear();
        lowered.extend(hay.iter().map(|&b| fold(b)));
        // Padding, so that every position has four bytes to read; no keyword holds a NUL.
        lowered.extend_from_slice(&[0; GRAM]);
        let bits = &self.bits[..1 << HASH_BITS >> 6];
        for (at, gram) in lowered.windows(GRAM).take(hay.len()).enumerate() {
            let h = hash(u32::from_le_bytes([gram[0], gram[1], gram[2], gram[3]]));
            if bits[h >> 6] & (1 << (h & 63)) != 0 {
                self.confirm(hay, &lowered[..hay.len()], at, h, &mut on_hit);
            }
        }
    }

    /// Compares the keywords behind hash `h` with the text around `at`.
    #[inline(never)]
    fn confirm(
        &self,
        hay: &[u8],
        lowered: &[u8],
        at: usize,
        h: usize,
        on_hit: &mut impl FnMut(usize, usize, usize),
    ) {
        let word = h / 64;
        for entry in &self.entries[self.slots[word] as usize..self.slots[word + 1] as usize] {
            if entry.hash as usize != h {
                continue;
            }
            let Some(start) = at.checked_sub(entry.offset as usize) else {
                continue;
            };
            let keyword = &self.keywords[entry.keyword as usize];
            let text = if keyword.ignore_case { lowered } else { hay };
            // A byte loop, not `memcmp`: keywords are short and most differ early.
            let same = text
                .get(start..start + keyword.bytes.len())
                .is_some_and(|t| t.iter().zip(keyword.bytes.iter()).all(|(a, b)| a == b));
            if same {
                on_hit(entry.keyword as usize, start, start + keyword.bytes.len());
            }
        }
    }
}

/// ASCII lowercase, written so the compiler turns the loop over a buffer into SIMD.
fn fold(b: u8) -> u8 {
    b | (u8::from(b.wrapping_sub(b'A') < 26) << 5)
}

/// How common a (lowercased) byte is in source code, roughly: letters by their frequency in
/// English, then separators, digits and the rest. Only speed depends on it, never results.
fn commonness(b: u8) -> u32 {
    const LETTERS: &[u8] = b"etaoinsrlcdhupmgfybwvkxjqz";
    match LETTERS.iter().position(|&c| c == b) {
        Some(rank) => 40 - rank as u32,
        None => match b {
            b' ' | b'"' | b'_' | b'-' | b'.' | b'/' | b':' | b'=' => 20,
            b'0'..=b'9' => 8,
            _ => 2,
        },
    }
}

fn hash(gram: u32) -> usize {
    (gram.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(set: &KeywordSet, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        set.find(hay, &mut Vec::new(), |k, s, e| out.push((k, s, e)));
        out.sort_unstable();
        out
    }

    fn set(specs: &[(&str, bool)]) -> KeywordSet {
        KeywordSet::new(specs.iter().map(|&(text, ignore_case)| KeywordSpec {
            text: text.as_bytes(),
            ignore_case,
        }))
        .unwrap()
    }

    /// What an overlapping Aho-Corasick search reports, built the slow, obvious way.
    fn naive(specs: &[(&str, bool)], hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for (k, &(text, ignore_case)) in specs.iter().enumerate() {
            let text = text.as_bytes();
            for at in 0..hay.len() {
                let Some(slice) = hay.get(at..at + text.len()) else {
                    break;
                };
                let same = if ignore_case {
                    slice.eq_ignore_ascii_case(text)
                } else {
                    slice == text
                };
                if same && !text.is_empty() {
                    out.push((k, at, at + text.len()));
                }
            }
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn finds_overlapping_keywords_in_any_case_and_base64_forms_in_their_case() {
        let specs = [
            ("ghp_", true),
            ("token", true),
            ("oken", true),
            ("Z2hw", false),
            ("q~", true),
        ];
        let set = set(&specs);
        let hay = b"GHP_x tOkEn Z2hw z2hw 8Q~ ke";
        assert_eq!(hits(&set, hay), naive(&specs, hay));
        assert_eq!(
            hits(&set, hay),
            vec![(0, 0, 4), (1, 6, 11), (2, 7, 11), (3, 12, 16), (4, 23, 25)]
        );
    }

    #[test]
    fn agrees_with_a_naive_search_on_random_text() {
        let specs = [
            ("key", true),
            ("key-", true),
            ("sk_live_", true),
            ("abc", true),
            ("bca", true),
            ("AbC", false),
            ("ab", true),
            ("ccc", true),
        ];
        let set = set(&specs);
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let alphabet = b"abcABCkeyKEY-_sliv ";
        for len in [0, 1, 2, 3, 4, 7, 64, 1000] {
            let hay: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            assert_eq!(
                hits(&set, &hay),
                naive(&specs, &hay),
                "on {:?}",
                String::from_utf8_lossy(&hay)
            );
        }
    }

    #[test]
    fn a_keyword_at_the_very_end_is_found_and_none_runs_past_it() {
        let specs = [("end", true), ("ends", true)];
        let set = set(&specs);
        assert_eq!(hits(&set, b"the END"), vec![(0, 4, 7)]);
    }
}
