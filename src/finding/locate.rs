//! From raw matches in a buffer to findings: line and column, the redacted preview, the
//! content-based fingerprint, and inline `tokscan:allow` suppressions.

use std::ops::Range;

use sha2::{Digest, Sha256};

use super::hints::use_hints;
use super::{Excerpt, Finding, Scope};
use crate::detect::RawMatch;
use crate::rules::RuleSet;
use crate::source::{count_chars, Origin};

/// Longest stretch of a line kept on either side of a secret in an excerpt.
const EXCERPT_REACH: usize = 80;
/// Most bytes looked at on either side of a secret for its excerpt.
const EXCERPT_BYTES: usize = 1024;

/// The marker that suppresses a finding on its own line or the line below it.
pub const ALLOW_MARKER: &[u8] = b"tokscan:allow";

/// Turns `matches` (sorted by position) into findings appended to `out`; returns how many
/// were suppressed by an inline marker. `origin` places `hay` in its file when it is one
/// chunk of a big file; `keep` says where the raw secret may stay.
pub fn locate(
    rules: &RuleSet,
    path: &str,
    hay: &[u8],
    origin: Origin,
    matches: &[RawMatch],
    keep: KeepSecret,
    out: &mut Vec<Finding>,
) -> usize {
    debug_assert!(matches.is_sorted_by_key(|m| m.secret.start));
    let mut cursor = LineCursor::default();
    let now = crate::decode::now();
    let mut suppressed = 0;
    // Whether the last line looked at allows its findings: many findings can share one
    // (minified) line, which is read once.
    let mut allowed_line: Option<(usize, bool)> = None;
    let furthest = furthest_ends(matches);
    for m in matches {
        let (line, line_start, column) = cursor.advance(hay, m.secret.start);
        let allowed = match allowed_line {
            Some((start, allowed)) if start == line_start => allowed,
            _ => {
                let allowed = allowed_inline(hay, line_start);
                allowed_line = Some((line_start, allowed));
                allowed
            }
        };
        if allowed {
            suppressed += 1;
            continue;
        }
        let (end_line, end_line_start, end_column) = cursor.clone().advance(hay, m.secret.end);
        let rule = &rules.rules[m.rule];
        let secret = match &m.decoded {
            Some(decoded) => decoded.clone(),
            None => String::from_utf8_lossy(&hay[m.secret.clone()]).into_owned(),
        };
        let secret_preview = preview(&secret);
        let mut facts = rule
            .decoder
            .map(|d| d.decode_in(&secret, &line_text(hay, line_start, m.secret.end), now))
            .unwrap_or_default();
        if m.decoded.is_some() {
            facts.insert("encoding".to_owned(), "base64".to_owned());
        }
        let mut excerpt = excerpt(hay, line, line_start, &m.secret, matches, &furthest);
        excerpt.first_line += origin.lines_before;
        // A line that began in an earlier chunk has characters this buffer does not hold.
        let column_shift = |line_start: usize| if line_start == 0 { origin.column_before } else { 0 };
        out.push(Finding {
            rule: rule.id.clone(),
            provider: rules.provider(rule).id.clone(),
            kind: rule.kind.clone(),
            description: rule.description.clone(),
            path: path.to_owned(),
            line: line + origin.lines_before,
            column: column + column_shift(line_start),
            end_line: end_line + origin.lines_before,
            end_column: end_column + column_shift(end_line_start),
            secret_preview,
            fingerprint: fingerprint(&rule.id, &secret),
            raw_secret: keep.raw.then(|| secret.clone()),
            secret: keep.in_report.then_some(secret),
            confidence: rule.confidence,
            checksum: m.checksum,
            scope: Scope::unknown(),
            stated_use: None,
            excess: Vec::new(),
            overprivileged: false,
            reachable_by: Vec::new(),
            live: None,
            severity: rule.severity,
            facts,
            alternative: None,
            hints: use_hints(hay, line_start, &m.secret),
            container: None,
            git: None,
            excerpt: Some(excerpt),
        });
    }
    suppressed
}

/// The line holding a secret, from its start to the end of the line the secret ends on,
/// bounded so a minified file costs little.
fn line_text(hay: &[u8], line_start: usize, secret_end: usize) -> String {
    const REACH: usize = 4096;
    let limit = secret_end.saturating_add(REACH).min(hay.len());
    let end = memchr::memchr(b'\n', &hay[secret_end..limit]).map_or(limit, |i| secret_end + i);
    let start = line_start.max(secret_end.saturating_sub(REACH));
    String::from_utf8_lossy(&hay[start..end]).into_owned()
}

/// Where a finding's raw secret may stay; by default nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeepSecret {
    /// In the report (`--no-redact`).
    pub in_report: bool,
    /// In memory only, unserialized, for `--introspect`.
    pub raw: bool,
}

/// Walks forward through a buffer counting lines and characters, so locating sorted matches
/// is linear, however long their lines.
#[derive(Clone, Default)]
struct LineCursor {
    pos: usize,
    line: usize,
    line_start: usize,
    /// Characters from `line_start` to `pos`.
    chars: usize,
}

impl LineCursor {
    /// The 1-based line holding `offset`, that line's first byte and the 1-based column in
    /// characters. `offset` must not go back.
    fn advance(&mut self, hay: &[u8], offset: usize) -> (usize, usize, usize) {
        if self.line == 0 {
            self.line = 1;
        }
        let offset = offset.max(self.pos);
        let passed = &hay[self.pos..offset];
        match memchr::memrchr(b'\n', passed) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', passed).count();
                self.line_start = self.pos + last + 1;
                self.chars = count_chars(&hay[self.line_start..offset]);
            }
            None => self.chars += count_chars(passed),
        }
        self.pos = offset;
        (self.line, self.line_start, self.chars + 1)
    }
}

/// For each match of `all` (sorted by start), which of it and the matches before it ends
/// last: whether a secret that starts before an excerpt reaches into it.
fn furthest_ends(all: &[RawMatch]) -> Vec<usize> {
    let mut furthest = 0;
    (0..all.len())
        .map(|i| {
            if all[i].secret.end > all[furthest].secret.end {
                furthest = i;
            }
            furthest
        })
        .collect()
}

/// The secret's line with one line of context on each side, very long lines clipped around
/// it, and every secret in view (this one and any neighbour) replaced by its preview.
/// `furthest` is [`furthest_ends`] of `all`.
fn excerpt(
    hay: &[u8],
    line: usize,
    line_start: usize,
    secret: &Range<usize>,
    all: &[RawMatch],
    furthest: &[usize],
) -> Excerpt {
    // The line before, if it starts near enough to be shown; looked for only that far back.
    let prev_start = match line_start {
        0 => None,
        _ => {
            // A newline at `floor` starts the line at the furthest offset still shown.
            let floor = secret.start.saturating_sub(EXCERPT_BYTES + 1).min(line_start - 1);
            match memchr::memrchr(b'\n', &hay[floor..line_start - 1]) {
                Some(i) => Some(floor + i + 1),
                None if floor == 0 => Some(0),
                None => None,
            }
        }
    };
    // Bounded, so a finding on a huge minified line costs little.
    let (first_line, from) = match prev_start {
        Some(prev) if secret.start - prev <= EXCERPT_BYTES => (line - 1, prev),
        _ => (line, line_start.max(secret.start.saturating_sub(EXCERPT_BYTES))),
    };
    let limit = secret.end.saturating_add(EXCERPT_BYTES).min(hay.len());
    let after_end = memchr::memchr(b'\n', &hay[secret.end..limit]).map_or(limit, |i| secret.end + i);
    let to = if after_end < limit {
        memchr::memchr(b'\n', &hay[after_end + 1..limit]).map_or(limit, |i| after_end + 1 + i)
    } else {
        after_end
    };
    let mut text = String::new();
    let mut span = 0..0;
    let mut pos = from;
    // `all` is sorted by start: only the matches in view are looked at, so a buffer with many
    // findings costs each one its neighbours, not every match.
    let in_view = all.partition_point(|m| m.secret.start < from);
    // A neighbour that starts before the view and ends in it (the body of a private key
    // above the secret) shows as its preview where the view starts, not as its last lines.
    if let Some(reaching) = in_view.checked_sub(1).map(|i| &all[furthest[i]].secret) {
        if reaching.end > from && reaching.end <= secret.start {
            text.push_str(&preview(&String::from_utf8_lossy(&hay[reaching.clone()])));
            pos = reaching.end;
        }
    }
    for other in all[in_view..].iter().map(|m| &m.secret) {
        if other.start >= to {
            break;
        }
        if other.start < pos {
            // It overlaps the one shown before it: the rest of it is secret too.
            pos = pos.max(other.end.min(to));
            continue;
        }
        clip_lines(&hay[pos..other.start], other.start <= secret.start, &mut text);
        let start = text.len();
        text.push_str(&preview(&String::from_utf8_lossy(&hay[other.clone()])));
        if other == secret {
            span = start..text.len();
        }
        // A neighbour running past the view (a private key in a one-line JSON string) ends
        // it at its preview, rather than showing its first bytes.
        pos = other.end.min(to);
    }
    clip_lines(&hay[pos..to], false, &mut text);
    Excerpt {
        first_line,
        text,
        span,
    }
}

/// Appends `bytes`, shortening the line that touches the secret (the last line when
/// `before`, the first otherwise) and any other line longer than the reach.
fn clip_lines(bytes: &[u8], before: bool, out: &mut String) {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.split('\n').collect();
    let last = lines.len() - 1;
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let chars: Vec<char> = line.chars().collect();
        if chars.len() <= EXCERPT_REACH {
            out.push_str(line);
        } else if before && i == last {
            out.push('…');
            out.extend(&chars[chars.len() - EXCERPT_REACH..]);
        } else {
            out.extend(&chars[..EXCERPT_REACH]);
            out.push('…');
        }
    }
}

fn allowed_inline(hay: &[u8], line_start: usize) -> bool {
    let line_end = memchr::memchr(b'\n', &hay[line_start..]).map_or(hay.len(), |i| line_start + i);
    if memchr::memmem::find(&hay[line_start..line_end], ALLOW_MARKER).is_some() {
        return true;
    }
    if line_start == 0 {
        return false;
    }
    let prev_end = line_start - 1;
    let prev_start = memchr::memrchr(b'\n', &hay[..prev_end]).map_or(0, |i| i + 1);
    memchr::memmem::find(&hay[prev_start..prev_end], ALLOW_MARKER).is_some()
}

/// A short, safe-to-share view of a secret: a few leading and trailing characters.
pub fn preview(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let (head, tail) = match chars.len() {
        n if n >= 24 => (6, 4),
        n if n >= 16 => (4, 2),
        n if n >= 10 => (2, 2),
        _ => (0, 0),
    };
    let head: String = chars[..head].iter().collect();
    let tail: String = chars[chars.len() - tail..].iter().collect();
    format!("{head}…{tail}")
}

/// Content-based: the rule and a digest of the secret, so moving the line (or the file)
/// keeps it, and the fingerprint reveals nothing usable about the secret.
pub fn fingerprint(rule: &str, secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"tokscan/v1\0");
    hasher.update(rule.as_bytes());
    hasher.update(b"\0");
    hasher.update(secret.as_bytes());
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_hides_the_middle() {
        let p = preview("ghp_0123456789abcdefghijklmnopqrstuvwxyz");
        assert_eq!(p, "ghp_01…wxyz");
    }

    #[test]
    fn short_secret_is_hidden_entirely() {
        assert_eq!(preview("hunter2"), "…");
    }

    #[test]
    fn fingerprint_depends_on_rule_and_secret_only() {
        assert_eq!(fingerprint("r", "s"), fingerprint("r", "s"));
        assert_ne!(fingerprint("r", "s"), fingerprint("r", "t"));
        assert_ne!(fingerprint("r", "s"), fingerprint("q", "s"));
        assert_eq!(fingerprint("r", "s").len(), 32);
    }

    #[test]
    fn the_cursor_counts_lines_and_characters_as_a_fresh_count_would() {
        let hay = "aé\n\nxyz ü€ tok\nlast line é".as_bytes();
        let mut cursor = LineCursor::default();
        for offset in (0..=hay.len()).filter(|&o| o == hay.len() || hay[o] & 0xC0 != 0x80) {
            let line_start = hay[..offset]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line = 1 + hay[..offset].iter().filter(|&&b| b == b'\n').count();
            let column = 1 + count_chars(&hay[line_start..offset]);
            assert_eq!(
                cursor.advance(hay, offset),
                (line, line_start, column),
                "at {offset}"
            );
            // A clone walks on from where the cursor is, as for a secret's end.
            assert_eq!(cursor.clone().advance(hay, hay.len()).0, 4);
        }
    }

    #[test]
    fn the_excerpt_shows_the_line_before_when_it_starts_near_enough() {
        let secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
        for gap in [
            EXCERPT_BYTES - 10,
            EXCERPT_BYTES,
            EXCERPT_BYTES + 1,
            EXCERPT_BYTES + 5,
        ] {
            // The previous line starts `gap` bytes before the secret (its own line is `k=`).
            let text = format!("first\n{}\nk={secret}\n", "p".repeat(gap - 3));
            let start = text.find(secret).unwrap();
            let line_start = start - 2;
            let span = start..start + secret.len();
            let all = [RawMatch {
                rule: 0,
                span: span.clone(),
                secret: span.clone(),
                checksum: crate::finding::ChecksumStatus::None,
                decoded: None,
            }];
            let shown = excerpt(text.as_bytes(), 3, line_start, &span, &all, &furthest_ends(&all));
            let expected_first = if gap <= EXCERPT_BYTES { 2 } else { 3 };
            assert_eq!(shown.first_line, expected_first, "gap {gap}");
        }
    }

    /// A match of `token`'s first occurrence in `text`, all of it the secret.
    fn match_of(text: &str, token: &str) -> RawMatch {
        let start = text.find(token).unwrap();
        RawMatch {
            rule: 0,
            span: start..start + token.len(),
            secret: start..start + token.len(),
            checksum: crate::finding::ChecksumStatus::None,
            decoded: None,
        }
    }

    #[test]
    fn the_excerpt_shows_neighbouring_secrets_as_previews_only() {
        let before = "ghp_".to_owned() + &"a1".repeat(18);
        let secret = "ghp_".to_owned() + &"b2".repeat(18);
        // A private key in a one-line JSON string, longer than the excerpt reaches.
        let after = "MIIEvQ".to_owned() + &"c3d4".repeat(400);
        let far = "ghp_".to_owned() + &"e5".repeat(18);
        // What another rule takes for a secret: the end of `before` and more.
        let overlapping = format!("{}Zq9Zq9Zq9Zq9", &before[10..]);
        let text = format!(
            "{far}\n{}\nA={before}Zq9Zq9Zq9Zq9\nB={secret}\n\"k\": \"{after}\"\n",
            "x".repeat(3 * EXCERPT_BYTES)
        );
        let raw = |token: &str| match_of(&text, token);
        let all = [
            raw(&far),
            raw(&before),
            raw(&overlapping),
            raw(&secret),
            raw(&after),
        ];
        let line_start = all[3].secret.start - 2;
        let shown = excerpt(
            text.as_bytes(),
            4,
            line_start,
            &all[3].secret,
            &all,
            &furthest_ends(&all),
        );
        assert_eq!(shown.first_line, 3);
        assert_eq!(&shown.text[shown.span.clone()], preview(&secret));
        assert!(
            shown.text.starts_with(&format!("A={}\nB=", preview(&before))),
            "{}",
            shown.text
        );
        assert!(
            shown.text.ends_with(&format!("\"k\": \"{}", preview(&after))),
            "{}",
            shown.text
        );
        for token in [&far, &before, &overlapping, &secret, &after] {
            assert!(
                !shown.text.contains(&token[..12]),
                "raw {token} in {}",
                shown.text
            );
        }
    }

    #[test]
    fn a_multi_line_secret_above_shows_as_its_preview_not_its_last_lines() {
        let body: Vec<String> = (0..30)
            .map(|i| format!("{i:02}Kq8Vw3Lx9Pz4Rt7Ym2Nb6Hc1Jd5Fg0Sa"))
            .collect();
        let key = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            body.join("\n")
        );
        let secret = "ghp_".to_owned() + &"b2".repeat(18);
        let text = format!("{key}\nB={secret}\n");
        let raw = |token: &str| match_of(&text, token);
        let all = [raw(&key), raw(&secret)];
        let line_start = all[1].secret.start - 2;
        let line = text[..line_start].matches('\n').count() + 1;
        let shown = excerpt(
            text.as_bytes(),
            line,
            line_start,
            &all[1].secret,
            &all,
            &furthest_ends(&all),
        );
        assert_eq!(shown.first_line, line - 1);
        assert_eq!(shown.text, format!("{}\nB={}\n", preview(&key), preview(&secret)));
        assert!(
            !body.iter().any(|line| shown.text.contains(&line[..12])),
            "{}",
            shown.text
        );
    }

    #[test]
    fn marker_on_previous_line_allows() {
        let hay = b"# tokscan:allow\nkey=abc\n";
        assert!(allowed_inline(hay, 16));
        assert!(!allowed_inline(b"x\nkey=abc\n", 2));
    }
}
