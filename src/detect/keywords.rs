//! The keyword prefilter: every occurrence of every rule keyword in a buffer, as an
//! overlapping Aho-Corasick search would report them, at a fraction of its cost.
//!
//! With a thousand keywords an Aho-Corasick DFA walks every byte through a table of several
//! megabytes, one dependent load after another. Here positions are tested on their own, so
//! the CPU overlaps the work: the four bytes at every second position of a block, roughly
//! lowercased (`PROBE_CASE`), are hashed (in SIMD lanes), then looked up in a bitmap, and
//! only a position whose bit is set (a few in a hundred in source code) and whose exact gram's
//! bit is set in a second bitmap under another hash too is compared with the keywords behind
//! that bit.
//! A keyword is entered by its rarest two consecutive four-byte grams, one of which starts
//! at a tested position wherever the keyword lies, so common words inside keywords (`secret`
//! in `bitbucket_secret`, `table` in `airtable`) do not make every line a candidate: how
//! common a gram is comes from a table counted over real code (`code-grams.txt`, made by
//! `scripts/code-grams.py`). Three- and four-byte keywords are entered with any byte before
//! or after them, and so are longer ones whose every pair of grams code often holds
//! (`codecov`: `code`, `deco`); a gram's first three bytes pick a 32-bit word of the bitmap
//! and its fourth the bit, so that "followed by any byte" is one word, not a bit for each
//! byte.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Bits of the hash: a 256 KiB bitmap, which stays in the L2 cache with about one bit in
/// 170 set for the built-in keywords (most of them for the three- and four-byte ones).
const HASH_BITS: u32 = 21;
/// The bytes hashed at each position.
const GRAM: usize = 4;
const BITMAP_WORDS: usize = 1 << (HASH_BITS - 6);
/// Bits of the index of a bitmap's 32-bit word.
const WORD_BITS: u32 = HASH_BITS - 5;
/// Every `STRIDE`th position is hashed: each keyword of five bytes or more is entered by two
/// consecutive grams, one of which starts at a hashed position; shorter keywords by grams
/// with any byte around them.
const STRIDE: usize = 2;
/// Positions hashed at a time: one bit each in a `u64`.
const BLOCK: usize = 64;
/// Blocks whose candidates are found before any of them is confirmed: 16 KiB of text.
const BATCH: usize = 128;
/// The bytes a block of hashed positions reads.
const BLOCK_BYTES: usize = STRIDE * (BLOCK - 1) + GRAM;

/// How far ahead of the probe the text is asked for. A file bigger than the cache is no
/// longer cached when its copy has been read in, and the probe's gathers would wait on
/// memory for each of its lines in turn; asked for ahead, they stream.
const PREFETCH_AHEAD: usize = 1024;

/// What entering a gram with any byte before it costs beyond how often code holds its three
/// bytes, in the code table's units (grams per million): it sets a bit for each of 230
/// bytes, and a bit of the bitmap makes about one candidate in two million probed positions
/// (half a candidate per million grams of text, as every second position is probed).
const ANY_BEFORE_COST: u32 = 115;
/// The same for a gram with any byte after it: one 32-bit word of the bitmap.
const ANY_AFTER_COST: u32 = 16;

/// Bits of the sieve's hash: 128 KiB, with about one bit in eighty set.
const SIEVE_BITS: u32 = 20;
const SIEVE_WORDS: usize = 1 << (SIEVE_BITS - 6);

#[derive(Debug, Clone)]
struct Keyword {
    /// Lowercased when `ignore_case`; as given otherwise.
    bytes: Box<[u8]>,
    ignore_case: bool,
}

/// A candidate position, its gram and where that gram's entries are: all looked up for a run
/// of candidates before any is compared, so their table loads overlap instead of each
/// waiting behind the last candidate's mispredicted comparisons.
struct Lookup {
    position: usize,
    gram: u32,
    entries: Range<u32>,
}

/// Candidates looked up at a time.
const LOOKUPS: usize = 64;

/// A keyword behind a bit of the bitmap: its four (lowercased) bytes `gram` start `offset`
/// bytes into it (-1: a byte before it). Comparing the gram first turns away hash collisions
/// without reading the keyword.
#[derive(Debug, Clone, Copy)]
struct Entry {
    gram: u32,
    /// Which bytes of the gram are compared: all four, or the first three for a keyword that
    /// may be followed by any byte.
    mask: u32,
    keyword: u32,
    offset: i32,
    /// The keyword's length, and whether it matches in any case: with `head`, most compares
    /// need not read the keyword.
    len: u32,
    ignore_case: bool,
    /// The keyword's first eight bytes (all of a shorter one, then zeros), little-endian.
    head: u64,
}

/// The gram that starts some bytes into a keyword.
enum Gram {
    /// A byte before the keyword, any byte there, then its first three bytes.
    AnyBefore([u8; 3]),
    Inside([u8; GRAM]),
    /// The keyword's last three bytes, then any byte after it.
    AnyAfter([u8; 3]),
}

/// A compiled set of keywords. Build it with [`KeywordSet::new`]; search with
/// [`KeywordSet::find`].
#[derive(Debug)]
pub struct KeywordSet {
    keywords: Vec<Keyword>,
    /// One bit per hash: the only table the hot loop reads.
    bits: Box<[u64; BITMAP_WORDS]>,
    /// For each 64-bit word of the bitmap, its entries: `entries[slots[w]..slots[w + 1]]`,
    /// grouped by hash. Per word rather than per bit keeps the table small enough to stay in
    /// cache.
    slots: Box<[u32]>,
    entries: Box<[Entry]>,
    /// The entered grams again, under another hash: most grams whose bit in `bits` another
    /// gram set (more than half of all candidates in code) find their bit here clear, and are
    /// dropped before their entries are read.
    sieve: Box<[u64; SIEVE_WORDS]>,
    /// Whether the CPU has AVX2.
    #[cfg(target_arch = "x86_64")]
    avx2: bool,
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
        let code = CodeGrams::parse(CODE_GRAMS);
        let mut grams: Vec<Entry> = Vec::new();
        for (index, keyword) in keywords.iter().enumerate() {
            let folded: Vec<u8> = keyword.bytes.iter().map(|&b| fold(b)).collect();
            let (len, ignore_case) = (keyword.bytes.len() as u32, keyword.ignore_case);
            let mut head = [0; 8];
            let shared = keyword.bytes.len().min(8);
            head[..shared].copy_from_slice(&keyword.bytes[..shared]);
            let head = u64::from_le_bytes(head);
            let keyword = index as u32;
            // Any byte, the buffer's end padding (NUL) included.
            let any = || (0..=u8::MAX).filter(|&b| fold(b) == b);
            let last = folded.len() as i32 - GRAM as i32;
            // The gram `offset` bytes into the keyword (-1: from the byte before it).
            let gram_at = |offset: i32| -> Gram {
                let three = |at: usize| folded[at..at + 3].try_into().expect("three bytes");
                if offset < 0 {
                    Gram::AnyBefore(three(0))
                } else if offset <= last {
                    let at = offset as usize;
                    Gram::Inside(folded[at..at + GRAM].try_into().expect("four bytes"))
                } else {
                    Gram::AnyAfter(three(offset as usize))
                }
            };
            let mut enter = |offset: i32| {
                let mut push = |bytes: [u8; GRAM], mask: u32| {
                    grams.push(Entry {
                        gram: u32::from_le_bytes(bytes) & mask,
                        mask,
                        keyword,
                        offset,
                        len,
                        ignore_case,
                        head,
                    })
                };
                match gram_at(offset) {
                    Gram::AnyBefore([a, b, c]) => {
                        for x in any() {
                            push([x, a, b, c], ALL);
                        }
                    }
                    Gram::Inside(gram) => push(gram, ALL),
                    Gram::AnyAfter([a, b, c]) => push([a, b, c, 0], ANY_LAST),
                }
            };
            match *folded {
                [_, _, _] => {
                    // At a hashed position, or one past it.
                    enter(0);
                    enter(-1);
                }
                [a, b, c, d] => {
                    enter(0);
                    // At an odd position: by the gram before it or the one after, whichever
                    // shares its three bytes with less code.
                    if code.with_prefix([b, c, d]) <= code.with_suffix([a, b, c]) {
                        enter(1);
                    } else {
                        enter(-1);
                    }
                }
                _ if folded.len() >= GRAM + STRIDE - 1 => {
                    // The rarest two consecutive grams, the first of which may start a byte
                    // before the keyword and the second end a byte after it, with any byte
                    // there: for a keyword whose every gram pair holds a common word
                    // (`codecov`: `code`, `deco`; `prod:`: `prod`).
                    let in_code = |offset: i32| match gram_at(offset) {
                        Gram::AnyBefore(three) => code.with_suffix(three) + ANY_BEFORE_COST,
                        Gram::Inside(gram) => code.frequency(&gram),
                        Gram::AnyAfter(three) => code.with_prefix(three) + ANY_AFTER_COST,
                    };
                    let first = (-1..=last)
                        .min_by_key(|&o| {
                            let span = (GRAM + STRIDE - 1) as i32;
                            let held = o.max(0) as usize..(o + span).min(folded.len() as i32) as usize;
                            let letters = folded[held].iter().map(|&b| commonness(b));
                            (in_code(o) + in_code(o + 1), letters.sum::<u32>())
                        })
                        .unwrap_or(0);
                    (first..first + STRIDE as i32).for_each(&mut enter);
                }
                // One or two bytes: the automaton in `short`.
                _ => {}
            }
        }
        KeywordSet::from_entries(keywords, grams)
    }

    /// This set without the keywords `keep` turns down, indexed as before. Cheaper than
    /// [`KeywordSet::new`]: the grams that enter each keyword are chosen already.
    pub fn subset(&self, keep: impl Fn(usize) -> bool) -> Result<KeywordSet, String> {
        let keywords = (self.keywords.iter().enumerate())
            .map(|(index, keyword)| {
                if keep(index) {
                    keyword.clone()
                } else {
                    // Empty: never matches.
                    Keyword {
                        bytes: Box::default(),
                        ignore_case: keyword.ignore_case,
                    }
                }
            })
            .collect();
        let grams = (self.entries.iter())
            .filter(|entry| keep(entry.keyword as usize))
            .copied()
            .collect();
        KeywordSet::from_entries(keywords, grams)
    }

    /// The set of `keywords`, entered by `grams`.
    fn from_entries(keywords: Vec<Keyword>, grams: Vec<Entry>) -> Result<KeywordSet, String> {
        let mut sieve = vec![0u64; SIEVE_WORDS];
        for entry in &grams {
            set_bits(&mut sieve, sieve_hash(entry.gram), entry.mask);
        }
        let mut bits = vec![0u64; BITMAP_WORDS];
        let mut slots = vec![0u32; BITMAP_WORDS + 1];
        for entry in &grams {
            set_bits(&mut bits, hash(entry.gram | PROBE_CASE), entry.mask);
            slots[hash(entry.gram) as usize / 64 + 1] += 1;
        }
        for w in 0..BITMAP_WORDS {
            slots[w + 1] += slots[w];
        }
        // Each word's entries into its slot: a counting sort, as loading the rules is part of
        // every one-file scan.
        let mut entries = grams.clone();
        let mut next = slots.clone();
        for entry in grams {
            let word = hash(entry.gram) as usize / 64;
            entries[next[word] as usize] = entry;
            next[word] += 1;
        }
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
            bits: bits
                .into_boxed_slice()
                .try_into()
                .expect("bitmap of BITMAP_WORDS words"),
            slots: slots.into(),
            entries: entries.into(),
            sieve: sieve
                .into_boxed_slice()
                .try_into()
                .expect("sieve of SIEVE_WORDS words"),
            short,
            #[cfg(target_arch = "x86_64")]
            avx2: std::arch::is_x86_feature_detected!("avx2"),
        })
    }

    /// The keyword at `index`, lowercased when it matches in any case.
    pub fn keyword(&self, index: usize) -> &[u8] {
        &self.keywords[index].bytes
    }

    pub fn len(&self) -> usize {
        self.keywords.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keywords.is_empty()
    }

    /// Calls `on_hit(keyword, start, end)` for every occurrence of every keyword in `hay`,
    /// overlapping ones included, in no particular order.
    pub fn find(&self, hay: &[u8], on_hit: impl FnMut(usize, usize, usize)) {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: the CPU has AVX2; `new` asked.
            return unsafe { self.find_avx2(hay, on_hit) };
        }
        self.find_portable(hay, on_hit)
    }

    /// `find_with` compiled for AVX2, probing eight positions at a time with gathers.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn find_avx2(&self, hay: &[u8], on_hit: impl FnMut(usize, usize, usize)) {
        self.find_with(hay, on_hit, |set, window| set.block_candidates_avx2(window))
    }

    /// The portable search.
    fn find_portable(&self, hay: &[u8], on_hit: impl FnMut(usize, usize, usize)) {
        self.find_with(hay, on_hit, Self::block_candidates)
    }

    /// The search, inlined into `find_portable` and `find_avx2` with their probes.
    #[inline(always)]
    fn find_with(
        &self,
        hay: &[u8],
        mut on_hit: impl FnMut(usize, usize, usize),
        block_candidates: impl Fn(&Self, &[u8; BLOCK_BYTES]) -> u64,
    ) {
        if let Some((automaton, ids)) = &self.short {
            for hit in automaton.find_overlapping_iter(hay) {
                let keyword = ids[hit.pattern().as_usize()];
                // The case-sensitive ones are checked here: the automaton ignores case.
                if self.keywords[keyword].ignore_case || hay[hit.range()] == *self.keywords[keyword].bytes {
                    on_hit(keyword, hit.start(), hit.end());
                }
            }
        }
        // Past the end, grams read NUL padding; no keyword holds a NUL.
        let mut padded = [0; BLOCK_BYTES];
        // The candidates of a batch of blocks are all found before any is confirmed: the
        // probe loop then has no branch that depends on the text, so the CPU keeps many
        // blocks' bitmap loads in flight instead of starting over after each mispredicted one.
        let mut masks = [0u64; BATCH];
        let mut lookups = [const {
            Lookup {
                position: 0,
                gram: 0,
                entries: 0..0,
            }
        }; LOOKUPS];
        let mut at = 0;
        while at < hay.len() {
            let batch_start = at;
            let mut blocks = 0;
            while blocks < BATCH && at < hay.len() {
                prefetch(hay, at + PREFETCH_AHEAD);
                prefetch(hay, at + PREFETCH_AHEAD + 64);
                masks[blocks] = match hay.get(at..at + BLOCK_BYTES) {
                    Some(window) => block_candidates(self, window.try_into().expect("block-sized window")),
                    None => {
                        let rest = &hay[at..];
                        padded.fill(0);
                        padded[..rest.len()].copy_from_slice(rest);
                        let positions = rest.len().div_ceil(STRIDE).min(BLOCK);
                        block_candidates(self, &padded) & (u64::MAX >> (BLOCK - positions))
                    }
                };
                blocks += 1;
                at += STRIDE * BLOCK;
            }
            let mut pending = 0;
            for (block, &mask) in masks[..blocks].iter().enumerate() {
                let block_start = batch_start + block * STRIDE * BLOCK;
                let mut candidates = mask;
                while candidates != 0 {
                    let position = block_start + STRIDE * candidates.trailing_zeros() as usize;
                    candidates &= candidates - 1;
                    let lookup = self.look_up(hay, position);
                    // Kept or overwritten without a branch: which candidates the sieve
                    // drops is as good as random.
                    let kept = self.sieved(lookup.gram);
                    lookups[pending] = lookup;
                    pending += usize::from(kept);
                    if pending == LOOKUPS {
                        self.confirm(hay, &lookups, &mut on_hit);
                        pending = 0;
                    }
                }
            }
            self.confirm(hay, &lookups[..pending], &mut on_hit);
        }
    }

    /// The positions of a block whose four bytes hash to a set bit, as a bit mask. Hashing
    /// a whole block first lets the compiler vectorise it, and the bitmap loads that follow
    /// do not wait on one another.
    #[inline(always)]
    fn block_candidates(&self, window: &[u8; BLOCK_BYTES]) -> u64 {
        let folded = window.map(|b| b | PROBE_CASE as u8);
        let mut hashes = [0u32; BLOCK];
        for (j, h) in hashes.iter_mut().enumerate() {
            let at = STRIDE * j;
            let gram = u32::from_le_bytes([folded[at], folded[at + 1], folded[at + 2], folded[at + 3]]);
            *h = hash(gram);
        }
        let mut flags = [0u8; BLOCK];
        for (flag, &h) in flags.iter_mut().zip(&hashes) {
            let h = h as usize;
            *flag = ((self.bits[h >> 6] >> (h & 63)) & 1) as u8;
        }
        // Eight 0/1 bytes to eight bits at a time: the multiplication moves byte i's bit to
        // bit 56 + i without carries, where one `or` per position would chain 64 deep.
        let mut candidates = 0u64;
        for (k, eight) in flags.chunks_exact(8).enumerate() {
            let eight = u64::from_le_bytes(eight.try_into().expect("eight flags"));
            candidates |= (eight.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
        }
        candidates
    }

    /// `block_candidates` with AVX2: the grams of eight positions are built, lowercased and
    /// hashed in one register, and their bitmap words fetched with one gather, instead of
    /// eight hashes stored, reloaded and looked up one by one.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn block_candidates_avx2(&self, window: &[u8; BLOCK_BYTES]) -> u64 {
        use std::arch::x86_64::*;
        // The four-byte grams at 0, 2, 4, 6 of the low lane and at 6, 8, 10, 12 of the high
        // lane, which is loaded two bytes further on, so that no load reads past the window.
        let spread = _mm256_setr_epi8(
            0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9, //
            6, 7, 8, 9, 8, 9, 10, 11, 10, 11, 12, 13, 12, 13, 14, 15,
        );
        let case_bit = _mm256_set1_epi8(PROBE_CASE as i8);
        let multiplier = _mm256_set1_epi32(HASH_MULTIPLIER as i32);
        let first_three = _mm256_set1_epi32(ANY_LAST as i32);
        let bit_in_word = _mm256_set1_epi32(31);
        let bitmap = self.bits.as_ptr().cast::<i32>();
        let mut candidates = 0u64;
        for group in 0..BLOCK / 8 {
            let at = 2 * 8 * group;
            let low: &[u8; 16] = window[at..at + 16].try_into().expect("16 bytes");
            let high: &[u8; 16] = window[at + 2..at + 18].try_into().expect("16 bytes");
            // SAFETY: both loads read 16 bytes of the arrays they are given.
            let bytes = unsafe {
                _mm256_inserti128_si256::<1>(
                    _mm256_castsi128_si256(_mm_loadu_si128(low.as_ptr().cast())),
                    _mm_loadu_si128(high.as_ptr().cast()),
                )
            };
            let folded = _mm256_or_si256(bytes, case_bit);
            let grams = _mm256_shuffle_epi8(folded, spread);
            // `hash`: the word by the first three bytes, the bit by the fourth.
            let prefixes = _mm256_and_si256(grams, first_three);
            let word_indexes =
                _mm256_srli_epi32::<{ 32 - WORD_BITS as i32 }>(_mm256_mullo_epi32(prefixes, multiplier));
            // SAFETY: a word index is below 2^WORD_BITS, so the word is inside the bitmap.
            let words = unsafe { _mm256_i32gather_epi32::<4>(bitmap, word_indexes) };
            // Each gram's bit to the sign bit: shifted left by 31 less its index.
            let shifts = _mm256_andnot_si256(_mm256_srli_epi32::<24>(grams), bit_in_word);
            let signs = _mm256_sllv_epi32(words, shifts);
            let eight = _mm256_movemask_ps(_mm256_castsi256_ps(signs)) as u32 as u64;
            candidates |= eight << (8 * group);
        }
        candidates
    }

    /// The gram at a candidate position, and the range of entries of its bitmap word. The
    /// probe had the gram in a SIMD lane; reading it again from the text is cheaper than
    /// keeping every lane's gram for the few positions that become candidates.
    #[inline(always)]
    fn look_up(&self, hay: &[u8], position: usize) -> Lookup {
        let gram = match hay.get(position..position + GRAM) {
            Some(four) => {
                let four = u32::from_le_bytes(four.try_into().expect("four bytes"));
                fold_eight(u64::from(four)) as u32
            }
            None => {
                let byte = |i: usize| hay.get(position + i).map_or(0, |&b| fold(b));
                u32::from_le_bytes([byte(0), byte(1), byte(2), byte(3)])
            }
        };
        let word = hash(gram) as usize / 64;
        Lookup {
            position,
            gram,
            entries: self.slots[word]..self.slots[word + 1],
        }
    }

    /// Whether the sieve lets `gram` through: always when it was entered.
    #[inline(always)]
    fn sieved(&self, gram: u32) -> bool {
        let h = sieve_hash(gram) as usize;
        (self.sieve[h / 64] >> (h % 64)) & 1 == 1
    }

    /// Compares the keywords behind each looked-up candidate with the text there.
    #[inline(never)]
    fn confirm(&self, hay: &[u8], lookups: &[Lookup], on_hit: &mut impl FnMut(usize, usize, usize)) {
        for Lookup {
            position,
            gram,
            entries,
        } in lookups
        {
            for entry in &self.entries[entries.start as usize..entries.end as usize] {
                if entry.gram != *gram & entry.mask {
                    continue;
                }
                let Some(start) = position.checked_add_signed(-entry.offset as isize) else {
                    continue;
                };
                let len = entry.len as usize;
                let Some(text) = hay.get(start..start + len) else {
                    continue;
                };
                let same = match hay.get(start..start + 8) {
                    // The first eight bytes in one word, the rest (rarely reached) from the
                    // keyword.
                    Some(eight) => {
                        let eight = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
                        let eight = if entry.ignore_case {
                            fold_eight(eight)
                        } else {
                            eight
                        };
                        let head_mask = u64::MAX >> (64 - 8 * len.min(8));
                        (eight ^ entry.head) & head_mask == 0
                            && (len <= 8 || self.same(entry.keyword, &text[8..], 8))
                    }
                    None => self.same(entry.keyword, text, 0),
                };
                if same {
                    on_hit(entry.keyword as usize, start, start + len);
                }
            }
        }
    }

    /// Whether `text` is the keyword's bytes from `from` on.
    fn same(&self, keyword: u32, text: &[u8], from: usize) -> bool {
        let keyword = &self.keywords[keyword as usize];
        let bytes = &keyword.bytes[from..];
        if !keyword.ignore_case {
            return text == bytes;
        }
        let len = bytes.len().min(text.len());
        if len < 8 {
            return text.len() == bytes.len() && text.iter().zip(bytes).all(|(&a, &b)| fold(a) == b);
        }
        // Eight bytes at a time, the last eight overlapping those before: a long keyword
        // repeated in the text (a run of `A`s) is compared at every byte of it.
        let word =
            |slice: &[u8], at: usize| u64::from_le_bytes(slice[at..at + 8].try_into().expect("eight bytes"));
        text.len() == bytes.len()
            && (0..len - 8)
                .step_by(8)
                .chain([len - 8])
                .all(|at| fold_eight(word(text, at)) == word(bytes, at))
    }
}

/// `fold` on the eight bytes of a `u64` at once: a byte gets the lowercase bit when its low
/// seven bits are at least `A` and below `[`, and its high bit is clear.
fn fold_eight(x: u64) -> u64 {
    let low = x & 0x7f7f_7f7f_7f7f_7f7f;
    let from_a = low + 0x3f3f_3f3f_3f3f_3f3f;
    let past_z = low + 0x2525_2525_2525_2525;
    let upper = from_a & !past_z & !x & 0x8080_8080_8080_8080;
    x | (upper >> 2)
}

/// Asks for the cache line holding `hay[at]`, if any: a hint that never faults.
#[inline(always)]
fn prefetch(hay: &[u8], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(byte) = hay.get(at) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: every x86_64 CPU has SSE, and a prefetch neither reads nor writes memory.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(byte).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (hay, at);
}

/// ASCII lowercase, without a branch.
fn fold(b: u8) -> u8 {
    b | (u8::from(b.wrapping_sub(b'A') < 26) << 5)
}

/// The commonest grams of real source code, counted per million grams.
const CODE_GRAMS: &str = include_str!("code-grams.txt");

/// How often grams occur in code, by [`CODE_GRAMS`]: zero for the grams it leaves out, which
/// are all rarer than those it lists.
struct CodeGrams {
    /// Big-endian grams and their counts, sorted: a prefix's grams are a range.
    by_gram: Vec<(u32, u32)>,
    /// The same with each gram's last three bytes as the key.
    by_suffix: Vec<(u32, u32)>,
}

impl CodeGrams {
    fn parse(table: &str) -> CodeGrams {
        let mut by_gram: Vec<(u32, u32)> = table
            .lines()
            .filter_map(|line| {
                let (gram, count) = line.split_once(' ')?;
                let gram: [u8; GRAM] = gram.as_bytes().try_into().ok()?;
                Some((u32::from_be_bytes(gram), count.parse().ok()?))
            })
            .collect();
        by_gram.sort_unstable();
        let mut by_suffix: Vec<(u32, u32)> = by_gram.iter().map(|&(g, n)| (g & 0xff_ffff, n)).collect();
        by_suffix.sort_unstable();
        CodeGrams { by_gram, by_suffix }
    }

    fn frequency(&self, gram: &[u8]) -> u32 {
        let gram = u32::from_be_bytes(gram.try_into().expect("a four-byte gram"));
        count_in(&self.by_gram, gram..=gram)
    }

    /// How often grams starting with these three bytes occur.
    fn with_prefix(&self, [a, b, c]: [u8; 3]) -> u32 {
        let prefix = u32::from_be_bytes([a, b, c, 0]);
        count_in(&self.by_gram, prefix..=prefix | 0xff)
    }

    /// How often grams ending with these three bytes occur.
    fn with_suffix(&self, [a, b, c]: [u8; 3]) -> u32 {
        let suffix = u32::from_be_bytes([0, a, b, c]);
        count_in(&self.by_suffix, suffix..=suffix)
    }
}

/// The sum of the counts of the keys in `keys`, in a slice sorted by key.
fn count_in(sorted: &[(u32, u32)], keys: std::ops::RangeInclusive<u32>) -> u32 {
    let start = sorted.partition_point(|&(key, _)| key < *keys.start());
    sorted[start..]
        .iter()
        .take_while(|&&(key, _)| key <= *keys.end())
        .map(|&(_, n)| n)
        .sum()
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

/// Multiplicative hashing: the top `HASH_BITS` of the product. The AVX2 probe computes the
/// same in its lanes.
const HASH_MULTIPLIER: u32 = 0x9E37_79B1;

/// The sieve's hash: another multiplier, so that grams that share a bit in the bitmap
/// rarely share one in the sieve.
fn sieve_hash(gram: u32) -> u32 {
    word_and_bit(gram, 0x2545_F491, SIEVE_BITS)
}

fn hash(gram: u32) -> u32 {
    word_and_bit(gram, HASH_MULTIPLIER, HASH_BITS)
}

/// A gram's bit in a bitmap of `2^bits` bits: its first three bytes pick a 32-bit word, its
/// fourth byte the bit in it, so that the grams that share their first three bytes fill one
/// word: a keyword followed by any byte sets one word, not a bit for each byte.
fn word_and_bit(gram: u32, multiplier: u32, bits: u32) -> u32 {
    let word = (gram & ANY_LAST).wrapping_mul(multiplier) >> (32 - (bits - 5));
    word << 5 | (gram >> 24) & 31
}

/// Sets the bit of a gram `hash`ed to `h`, or its whole 32-bit word when `mask` leaves its
/// last byte out.
fn set_bits(bitmap: &mut [u64], h: u32, mask: u32) {
    let h = h as usize;
    bitmap[h / 64] |= if mask == ALL {
        1 << (h % 64)
    } else {
        0xffff_ffff << (h % 64 / 32 * 32)
    };
}

/// The probe lowercases by setting every byte's 0x20 bit: one `or` where `fold` takes five
/// instructions. That also merges a few non-letters (`[` with `{`, `_` with DEL), so the
/// bitmap holds each gram so merged and the probe finds a few more candidates, which the
/// exact gram then turns down.
const PROBE_CASE: u32 = 0x2020_2020;

/// Entry masks: all four bytes compared, or the first three.
const ALL: u32 = u32::MAX;
const ANY_LAST: u32 = 0x00ff_ffff;

#[cfg(test)]
mod tests {
    use super::*;

    /// The hits `find` reports, checked to be those of the portable search too.
    fn hits(set: &KeywordSet, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        set.find(hay, |k, s, e| out.push((k, s, e)));
        out.sort_unstable();
        let mut portable = Vec::new();
        set.find_portable(hay, |k, s, e| portable.push((k, s, e)));
        portable.sort_unstable();
        assert_eq!(out, portable, "the AVX2 and portable searches disagree");
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
    fn agrees_with_a_naive_search_on_random_text_and_so_does_a_subset() {
        let specs = [
            ("key", true),
            ("key-", true),
            ("sk_live_", true),
            ("abc", true),
            ("bca", true),
            ("AbC", false),
            ("ab", true),
            ("ccc", true),
            ("cccc", true),
            ("keyke", true),
            ("bcabc", true),
            ("ABCab", false),
        ];
        let set = set(&specs);
        // Every other keyword, the two-byte one among those left out.
        let kept = |k: usize| k % 2 == 1;
        let subset = set.subset(kept).unwrap();
        let mut rng = crate::test_rng::Rng(0x2545_f491_4f6c_dd1d);
        let alphabet = b"abcABCkeyKEY-_sliv ";
        // Around the 128-byte blocks and their overhang, and the batches of blocks.
        let blocks = [
            0, 1, 2, 3, 4, 5, 7, 63, 64, 65, 127, 128, 129, 130, 131, 132, 255, 256, 257, 258, 1000,
        ];
        let batch = BATCH * STRIDE * BLOCK;
        let batches = [batch - 1, batch, batch + 1, batch + 130, 2 * batch + 7];
        for len in blocks.into_iter().chain(batches) {
            let hay: Vec<u8> = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
            let expected = naive(&specs, &hay);
            let text = String::from_utf8_lossy(&hay);
            assert_eq!(hits(&set, &hay), expected, "on {text:?}");
            let expected_kept: Vec<_> = expected.into_iter().filter(|&(k, _, _)| kept(k)).collect();
            assert_eq!(hits(&subset, &hay), expected_kept, "subset on {text:?}");
        }
    }

    #[test]
    fn keywords_are_entered_by_grams_that_code_rarely_holds() {
        let code = CodeGrams::parse(CODE_GRAMS);
        assert!(
            code.by_gram.len() >= 4000,
            "the table of code grams did not parse"
        );
        assert!(code.frequency(b"tabl") > code.frequency(b"airt"));
        assert!(code.with_prefix(*b"api") > code.with_suffix(*b"dap"));
        let set = set(&[("airtable", true), ("dapi", true)]);
        let entered: Vec<[u8; 4]> = set.entries.iter().map(|e| e.gram.to_le_bytes()).collect();
        let any_byte = (0..=u8::MAX).filter(|&b| fold(b) == b).count();
        assert_eq!(
            entered.len(),
            2 + 1 + any_byte,
            "two grams for `airtable`, the rest `dapi`'s"
        );
        assert!(!entered.contains(b"tabl"));
        assert!(entered.contains(b"dapi") && !entered.contains(b"api_"));
    }

    #[test]
    fn keywords_whose_every_gram_pair_code_often_holds_reach_past_their_ends() {
        let specs = [
            ("codecov", true),
            ("prod:", true),
            ("ftps://", true),
            ("airtable", true),
        ];
        let set = set(&specs);
        let entered = |keyword: u32| -> Vec<(i32, u32)> {
            let mut grams: Vec<(i32, u32)> = (set.entries.iter())
                .filter(|e| e.keyword == keyword)
                .map(|e| (e.offset, e.mask))
                .collect();
            grams.sort_unstable();
            grams.dedup();
            grams
        };
        // `code` and `deco` are common in code, `ecov` and grams starting `cov` are not.
        assert_eq!(entered(0), [(3, ALL), (4, ANY_LAST)]);
        assert_eq!(entered(1), [(1, ALL), (2, ANY_LAST)]);
        // `tps:` is in every https URL; `ftp` with any byte before it is rarer.
        assert_eq!(entered(2), [(-1, ALL), (0, ALL)]);
        assert_eq!(entered(3).len(), 2);
        // Found at both alignments, in any case, before any byte and at the buffer's end.
        let mut hay = Vec::new();
        for (text, _) in specs {
            for before in ["", "x", "\n "] {
                for after in ["", "\0", "-", "\u{ff}", "s"] {
                    hay.extend_from_slice(format!("{before}{}{after} ", text.to_uppercase()).as_bytes());
                    hay.extend_from_slice(format!("{before}{text}{after}").as_bytes());
                }
            }
        }
        for end in 0..hay.len() {
            assert_eq!(hits(&set, &hay[..end]), naive(&specs, &hay[..end]));
        }
        assert_eq!(naive(&specs, &hay).len(), 4 * 2 * 3 * 5);
    }

    #[test]
    fn the_sieve_keeps_every_entered_gram_and_drops_most_collisions() {
        // Dense enough that many grams share a bit of the bitmap with an entered one.
        let mut rng = crate::test_rng::Rng(0x9e37_79b9_7f4a_7c15);
        let mut next = || rng.next();
        let keywords: Vec<String> = (0..200)
            .map(|_| (0..3).map(|_| (b'a' + (next() % 26) as u8) as char).collect())
            .collect();
        let set = KeywordSet::new(keywords.iter().map(|k| KeywordSpec {
            text: k.as_bytes(),
            ignore_case: true,
        }))
        .unwrap();
        assert!(set.entries.iter().all(|e| set.sieved(e.gram)));
        let entered: std::collections::HashSet<u32> = set.entries.iter().map(|e| e.gram).collect();
        let (mut collisions, mut dropped) = (0, 0);
        while collisions < 2000 {
            let gram = next() as u32;
            let h = hash(gram) as usize;
            if set.bits[h / 64] >> (h % 64) & 1 == 1 && !entered.contains(&gram) {
                collisions += 1;
                dropped += usize::from(!set.sieved(gram));
            }
        }
        assert!(
            dropped > collisions * 9 / 10,
            "the sieve dropped {dropped} of {collisions}"
        );
    }

    #[test]
    fn eight_bytes_fold_as_each_byte_does() {
        // Each lane sees every byte value, next to others of every kind.
        for a in 0..=u8::MAX {
            let x = [
                a,
                a ^ 0x55,
                a.wrapping_add(0x80),
                a ^ 0xaa,
                a ^ 0x20,
                a.wrapping_sub(1),
                0x5a,
                a,
            ];
            assert_eq!(
                fold_eight(u64::from_le_bytes(x)).to_le_bytes(),
                x.map(fold),
                "{x:?}"
            );
        }
    }

    /// The probe's cheap lowercasing merges `[` with `{`, `_` with DEL and the like: hits are
    /// still exact, in every case of the letters around those bytes.
    #[test]
    fn bytes_the_probe_merges_are_told_apart() {
        let specs = [("a_b{", true), ("x[y]", true), ("@key", true), ("k\\ey", true)];
        let set = set(&specs);
        let hay = "A_B{ a\x7fb[ a_b[ X[Y] x{y} X{Y] `KEY @Key k|ey K\\EY a_b{".as_bytes();
        assert_eq!(hits(&set, hay), naive(&specs, hay));
        assert_eq!(hits(&set, hay).len(), 5);
    }

    #[test]
    fn long_keywords_match_in_any_case_and_not_with_any_byte_changed() {
        let specs = [
            ("aaaaaaaaaaaaaaaaaaaaa", true),
            ("sessiontoken", true),
            ("abcdefghijklmnop", true),
            ("Fixed_Case_Token_x", false),
        ];
        let set = set(&specs);
        let mut rng = crate::test_rng::Rng(0x9e37_79b9_7f4a_7c15);
        let mut coin = || rng.below(2) == 1;
        for (keyword, _) in specs {
            for changed in 0..keyword.len() {
                let mut hay = b"x ".to_vec();
                let mut off = keyword.as_bytes().to_vec();
                off[changed] ^= 0x01;
                hay.extend(&off);
                hay.extend(b" y ");
                hay.extend(
                    keyword
                        .bytes()
                        .map(|b| if coin() { b.to_ascii_uppercase() } else { b }),
                );
                hay.extend(b" ");
                let text = String::from_utf8_lossy(&hay);
                assert_eq!(hits(&set, &hay), naive(&specs, &hay), "on {text:?}");
            }
        }
        // A run of a keyword's one byte holds it at every byte but its last twenty.
        let run = b"=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAaaaaaaaaaaaaaaaaaa=".as_slice();
        let found = hits(&set, run);
        assert_eq!(found.len(), run.len() - 2 - 20);
        assert_eq!(found, naive(&specs, run));
    }

    #[test]
    fn a_keyword_at_the_very_end_is_found_and_none_runs_past_it() {
        let specs = [("end", true), ("ends", true)];
        let set = set(&specs);
        assert_eq!(hits(&set, b"the END"), vec![(0, 4, 7)]);
    }
}
