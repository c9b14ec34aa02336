//! Archive members as scannable buffers: zip, tar, gzip (and tar.gz) are recognised by their
//! magic bytes, not by their names, and each regular member is handed to the caller with its
//! display path, `outer.zip!inner/dir/file.env` (nested: `a.zip!b.tar.gz!c/.env`, the way
//! gitleaks and Kingfisher show members). Members get the same policy as files: UTF-16 is
//! transcoded, binary is skipped, and a member that is itself an archive is opened in turn.
//!
//! Archives are hostile input, so everything is bounded, and a limit stops one member or one
//! archive with a [`Skip::ArchiveLimit`] while the scan goes on:
//! - **depth**: archives nested deeper than [`Limits::max_depth`] (default
//!   [`DEFAULT_MAX_DEPTH`]; the file on disk is depth 1) are not opened;
//! - **member size**: a member is read through [`Read::take`] up to `--max-file-size`; the
//!   size its header declares is never trusted;
//! - **total**: at most [`TOTAL_BUDGET`] decompressed bytes per archive on disk, nested
//!   members included;
//! - **ratio**: a member (or gzip stream) that expands past [`RATIO_FLOOR`] and more than
//!   [`MAX_RATIO`] times its compressed size is refused as a likely zip bomb;
//! - **members**: at most [`MAX_MEMBERS`] members per archive on disk.
//!
//! A corrupt archive is a [`Skip::ArchiveCorrupt`] warning; what could be read before the
//! damage is still scanned (a zip without its central directory is read entry by entry from
//! its local headers). Encrypted members and compression methods other than stored and
//! deflate are reported the same way. Nothing here matches rules or knows about findings, and
//! nothing is ever written to disk, so hostile member names (`../x`, `/etc/x`) only ever
//! become display strings.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek};
use std::rc::Rc;

use flate2::read::GzDecoder;

use super::{classify, Held, Skip};

/// How deep archives inside archives are opened by default (gitleaks' `--max-archive-depth`).
pub const DEFAULT_MAX_DEPTH: u32 = 3;
/// Decompressed bytes read from one archive on disk, all members and nesting levels together.
pub const TOTAL_BUDGET: u64 = 256 << 20;
/// Expansion that is allowed whatever the ratio: small members compress well legitimately.
pub const RATIO_FLOOR: u64 = 1 << 20;
/// Past [`RATIO_FLOOR`], the most a member may expand relative to its compressed size.
pub const MAX_RATIO: u64 = 100;
/// Members read from one archive on disk, nesting levels together.
pub const MAX_MEMBERS: u64 = 100_000;

/// The separator between an archive's path and a member's path in display paths.
pub const SEPARATOR: char = '!';

/// What is bounded while archives are read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Archives nested deeper than this are not opened; 0 opens none.
    pub max_depth: u32,
    /// The most bytes one member may decompress to (`--max-file-size`).
    pub max_member_size: u64,
    pub total_budget: u64,
    pub max_members: u64,
}

impl Limits {
    pub fn new(max_depth: u32, max_member_size: u64) -> Limits {
        Limits {
            max_depth,
            max_member_size,
            total_budget: TOTAL_BUDGET,
            max_members: MAX_MEMBERS,
        }
    }
}

/// Which container format the bytes are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Gzip,
    Tar,
}

/// Recognises an archive by its first bytes (at least 512 for tar).
pub fn sniff(head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"PK\x03\x04") {
        Some(Kind::Zip)
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Some(Kind::Gzip)
    } else if is_tar_header(head) {
        Some(Kind::Tar)
    } else {
        None
    }
}

/// `ustar` at offset 257 and a header checksum that adds up: the magic alone could sit in a
/// text file by chance, and a text file taken for a tar would not be scanned.
fn is_tar_header(head: &[u8]) -> bool {
    let Some(header) = head.get(..512) else {
        return false;
    };
    if &header[257..262] != b"ustar" {
        return false;
    }
    let field = &header[148..156];
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|b| *b == b' ')
        .take_while(|b| (b'0'..=b'7').contains(b))
        .collect();
    let Some(stored) = std::str::from_utf8(&digits)
        .ok()
        .and_then(|s| u32::from_str_radix(s, 8).ok())
    else {
        return false;
    };
    let sum: u32 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                u32::from(b' ')
            } else {
                u32::from(b)
            }
        })
        .sum();
    sum == stored
}

/// An archive on disk, found by [`super::read`].
#[derive(Debug)]
pub struct Archive {
    pub(super) kind: Kind,
    /// `None`: the whole file is already in the buffer `read` filled.
    pub(super) file: Option<File>,
}

/// What the caller gets for each member.
pub enum Event<'a> {
    /// A text member (UTF-16 already transcoded), to scan.
    Text { display: &'a str, text: &'a [u8] },
    /// A member or an archive that was not (fully) read, and why.
    Skipped { display: &'a str, skip: Skip },
}

/// Reads every member of `archive` (the file shown as `display`; `read_buf` is what
/// [`super::read`] filled), calling `visit` for each.
pub fn walk(archive: Archive, read_buf: &[u8], display: &str, limits: &Limits, visit: &mut dyn FnMut(Event)) {
    let mut walker = Walker {
        limits,
        visit,
        used: 0,
        members: 0,
    };
    let level = Level { display, depth: 1 };
    match archive.file {
        None => walker.open(archive.kind, &mut Cursor::new(read_buf), level),
        Some(file) => walker.open(archive.kind, &mut BufReader::new(file), level),
    }
}

/// Reads the members of an archive held in memory (a fuzz input, a blob), shown as
/// `display`; false when `bytes` is no archive.
pub fn walk_bytes(bytes: &[u8], display: &str, limits: &Limits, visit: &mut dyn FnMut(Event)) -> bool {
    let Some(kind) = sniff(bytes) else {
        return false;
    };
    walk(Archive { kind, file: None }, bytes, display, limits, visit);
    true
}

trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// One archive being read, and where it sits.
#[derive(Clone, Copy)]
struct Level<'d> {
    display: &'d str,
    /// 1 for the file on disk.
    depth: u32,
}

/// Why reading a member stopped early.
enum Stop {
    /// This member is refused; the archive goes on.
    Limit(String),
    /// The archive's budget is spent or its stream refuses to expand further: stop it.
    Exhausted(String),
    Corrupt(String),
}

struct Walker<'l, 'v> {
    limits: &'l Limits,
    visit: &'v mut dyn FnMut(Event),
    /// Decompressed bytes so far, against the total budget.
    used: u64,
    members: u64,
}

impl Walker<'_, '_> {
    fn open(&mut self, kind: Kind, reader: &mut dyn ReadSeek, level: Level<'_>) {
        match kind {
            Kind::Zip => self.zip(reader, level),
            Kind::Tar => self.tar(reader, level, None),
            Kind::Gzip => self.gzip(reader, level),
        }
    }

    fn skipped(&mut self, display: &str, skip: Skip) {
        (self.visit)(Event::Skipped { display, skip });
    }

    fn corrupt(&mut self, display: &str, what: impl std::fmt::Display) {
        self.skipped(display, Skip::ArchiveCorrupt(format!("corrupt archive: {what}")));
    }

    /// Counts one more member; false (with a warning on the archive) once the cap is hit.
    fn admit(&mut self, level: Level<'_>) -> bool {
        self.members += 1;
        if self.members > self.limits.max_members {
            let max = self.limits.max_members;
            self.skipped(
                level.display,
                Skip::ArchiveLimit(format!(
                    "skipped: archive holds more than {max} members; the rest were not read"
                )),
            );
            return false;
        }
        true
    }

    fn zip(&mut self, reader: &mut dyn ReadSeek, level: Level<'_>) {
        let mut zip = match zip::ZipArchive::new(&mut *reader) {
            Ok(zip) => zip,
            Err(err) => {
                // No central directory (a truncated download, a damaged file): read what the
                // local headers still describe.
                self.corrupt(level.display, &err);
                if reader.rewind().is_ok() {
                    self.zip_stream(reader, level);
                }
                return;
            }
        };
        let mut member = Vec::new();
        for index in 0..zip.len() {
            let name = match zip.name_for_index(index) {
                Some(Ok(name)) => clean_name(&name),
                _ => format!("#{index}"),
            };
            let display = member_display(level.display, &name);
            let mut entry = match zip.by_index(index) {
                Ok(entry) => entry,
                Err(err) => {
                    self.skipped(
                        &display,
                        Skip::ArchiveCorrupt(format!("archive member not read: {err}")),
                    );
                    continue;
                }
            };
            if !entry.is_file() {
                continue;
            }
            if !self.admit(level) {
                return;
            }
            let compressed = entry.compressed_size();
            let stop = self.read_member(&mut entry, &mut member, Some(compressed), None);
            drop(entry);
            if !self.member(&display, &mut member, stop, level) {
                return;
            }
        }
    }

    /// A zip read from its local headers, front to back, when its central directory is gone.
    fn zip_stream(&mut self, reader: &mut dyn ReadSeek, level: Level<'_>) {
        let mut member = Vec::new();
        let mut reader: &mut dyn ReadSeek = reader;
        loop {
            let mut entry = match zip::read::read_zipfile_from_stream(&mut reader) {
                Ok(Some(entry)) => entry,
                Ok(None) | Err(_) => return,
            };
            if !entry.is_file() {
                continue;
            }
            if !self.admit(level) {
                return;
            }
            let name = entry.name().map_or_else(|_| "?".to_owned(), |n| clean_name(&n));
            let compressed = entry.compressed_size();
            let display = member_display(level.display, &name);
            let stop = self.read_member(&mut entry, &mut member, Some(compressed), None);
            drop(entry);
            if !self.member(&display, &mut member, stop, level) {
                return;
            }
        }
    }

    /// `gauge` is the ratio guard of the gzip stream the tar is read from, if any: it trips
    /// while a tar header is read as well as while a member is.
    fn tar(&mut self, reader: &mut dyn Read, level: Level<'_>, gauge: Option<&Gauge>) {
        let mut tar = tar::Archive::new(reader);
        let entries = match tar.entries() {
            Ok(entries) => entries,
            Err(err) => return self.corrupt(level.display, err),
        };
        let mut member = Vec::new();
        for entry in entries {
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    match gauge.and_then(Gauge::tripped) {
                        Some(message) => self.skipped(level.display, Skip::ArchiveLimit(message)),
                        None => self.corrupt(level.display, err),
                    }
                    return;
                }
            };
            if !entry.header().entry_type().is_file() {
                continue;
            }
            if !self.admit(level) {
                return;
            }
            let name = entry
                .path()
                .map_or_else(|_| "?".to_owned(), |p| clean_name(&p.to_string_lossy()));
            let display = member_display(level.display, &name);
            let stop = self.read_member(&mut entry, &mut member, None, gauge);
            // A tar is a stream: past a damaged member there is nothing left to read, and
            // saying so again for the archive would repeat the same damage.
            let damaged = matches!(stop, Some(Stop::Corrupt(_)));
            if !self.member(&display, &mut member, stop, level) || damaged {
                return;
            }
        }
    }

    /// A gzip stream: a tar inside is read as the same archive (`x.tar.gz!member`); anything
    /// else is one member, named by the gzip header or by the file name without `.gz`.
    fn gzip(&mut self, reader: &mut dyn Read, level: Level<'_>) {
        let gauge = Gauge {
            budget: self.limits.total_budget.saturating_sub(self.used),
            ..Gauge::default()
        };
        let mut decoder = GzDecoder::new(Metered {
            inner: reader,
            read: Rc::clone(&gauge.compressed),
        });
        // Enough to tell a tar inside; the gzip header (with its file name) is read by then.
        let mut head = Vec::with_capacity(512);
        let head_stop = {
            let mut guarded = Guarded {
                inner: &mut decoder,
                gauge: &gauge,
            };
            match (&mut guarded).take(512).read_to_end(&mut head) {
                Ok(_) => None,
                Err(err) => Some(match gauge.tripped() {
                    Some(message) => Stop::Exhausted(message),
                    None => Stop::Corrupt(err.to_string()),
                }),
            }
        };
        self.used += head.len() as u64;
        if head.is_empty() {
            match head_stop {
                Some(Stop::Limit(message) | Stop::Exhausted(message)) => {
                    self.skipped(level.display, Skip::ArchiveLimit(message));
                }
                Some(Stop::Corrupt(message)) => self.corrupt(level.display, message),
                None => {}
            }
            return;
        }
        let inner_name = decoder
            .header()
            .and_then(|h| h.filename())
            .map(|name| clean_name(&String::from_utf8_lossy(name)))
            .unwrap_or_else(|| gunzipped_name(level.display));
        if head_stop.is_none() && is_tar_header(&head) {
            let mut rest = Cursor::new(head).chain(Guarded {
                inner: &mut decoder,
                gauge: &gauge,
            });
            return self.tar(&mut rest, level, Some(&gauge));
        }
        if !self.admit(level) {
            return;
        }
        let display = member_display(level.display, &inner_name);
        let mut member = Vec::new();
        let stop = match head_stop {
            Some(stop) => {
                member = head;
                Some(stop)
            }
            None => {
                let mut rest = Cursor::new(&head[..]).chain(Guarded {
                    inner: &mut decoder,
                    gauge: &gauge,
                });
                // The head is counted already.
                self.used -= head.len() as u64;
                self.read_member(&mut rest, &mut member, None, Some(&gauge))
            }
        };
        self.member(&display, &mut member, stop, level);
    }

    /// Reads one member into `out` under the limits. `compressed` is its compressed size when
    /// the format says (zip); a gzip stream's `gauge` measures it otherwise.
    fn read_member(
        &mut self,
        reader: &mut dyn Read,
        out: &mut Vec<u8>,
        compressed: Option<u64>,
        gauge: Option<&Gauge>,
    ) -> Option<Stop> {
        out.clear();
        self.read_limited(reader, out, self.limits.max_member_size, compressed, gauge)
    }

    fn read_limited(
        &mut self,
        reader: &mut dyn Read,
        out: &mut Vec<u8>,
        cap: u64,
        compressed: Option<u64>,
        gauge: Option<&Gauge>,
    ) -> Option<Stop> {
        let mut chunk = [0u8; 64 * 1024];
        let mut reader = reader.take(cap.saturating_add(1));
        loop {
            let n = match reader.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    return Some(match gauge.and_then(Gauge::tripped) {
                        Some(message) => Stop::Exhausted(message),
                        None => Stop::Corrupt(err.to_string()),
                    })
                }
            };
            self.used += n as u64;
            let len = out.len() as u64 + n as u64;
            if len > cap {
                return Some(Stop::Limit(format!(
                    "skipped: archive member is larger than {} (--max-file-size)",
                    size(self.limits.max_member_size)
                )));
            }
            out.extend_from_slice(&chunk[..n]);
            if self.used > self.limits.total_budget {
                return Some(Stop::Exhausted(budget_message(self.limits.total_budget)));
            }
            if let Some(compressed) = compressed {
                if too_dense(len, compressed) {
                    return Some(Stop::Limit(bomb_message(len, compressed)));
                }
            }
        }
    }

    /// Hands a member that was read (maybe partly) to the caller, or opens it as an archive.
    /// Returns false when the whole archive must stop (its budget is spent).
    fn member(&mut self, display: &str, bytes: &mut Vec<u8>, stop: Option<Stop>, level: Level<'_>) -> bool {
        match stop {
            None => {}
            Some(Stop::Limit(message)) => {
                self.skipped(display, Skip::ArchiveLimit(message));
                return true;
            }
            Some(Stop::Exhausted(message)) => {
                self.skipped(display, Skip::ArchiveLimit(message));
                return false;
            }
            // What was read before the damage is still worth a scan.
            Some(Stop::Corrupt(message)) => {
                self.skipped(
                    display,
                    Skip::ArchiveCorrupt(format!("archive member truncated or corrupt: {message}")),
                );
            }
        }
        match classify(bytes) {
            Held::Text => {
                (self.visit)(Event::Text { display, text: bytes });
                true
            }
            Held::Binary => {
                self.skipped(display, Skip::Binary);
                true
            }
            Held::Archive(_) if level.depth >= self.limits.max_depth => {
                let max = self.limits.max_depth;
                self.skipped(
                    display,
                    Skip::ArchiveLimit(format!(
                        "skipped: archive nested deeper than {max} levels (--max-archive-depth)"
                    )),
                );
                true
            }
            Held::Archive(kind) => {
                let nested = std::mem::take(bytes);
                let inner = Level {
                    display,
                    depth: level.depth + 1,
                };
                self.open(kind, &mut Cursor::new(&nested[..]), inner);
                *bytes = nested;
                self.used <= self.limits.total_budget && self.members <= self.limits.max_members
            }
        }
    }
}

fn too_dense(expanded: u64, compressed: u64) -> bool {
    expanded > RATIO_FLOOR && expanded / compressed.max(1) > MAX_RATIO
}

fn bomb_message(expanded: u64, compressed: u64) -> String {
    format!(
        "skipped: archive member expands more than {MAX_RATIO}x ({} from {} compressed; zip bomb?)",
        size(expanded),
        size(compressed)
    )
}

fn budget_message(budget: u64) -> String {
    format!(
        "skipped: archive expands past the {} limit (zip bomb?); the rest was not read",
        size(budget)
    )
}

/// Compressed bytes read and decompressed bytes produced by one gzip stream; set when the
/// stream expanded too far, so an error surfacing through `tar` is reported as the limit.
/// It also stops at the archive's remaining budget: `tar` reads through the rest of a member
/// that was cut short, and that must not decompress without bound either.
#[derive(Default)]
struct Gauge {
    compressed: Rc<Cell<u64>>,
    expanded: Cell<u64>,
    budget: u64,
    tripped: Cell<Option<Trip>>,
}

#[derive(Clone, Copy)]
enum Trip {
    Ratio,
    Budget,
}

impl Gauge {
    fn tripped(&self) -> Option<String> {
        self.tripped.get().map(|trip| match trip {
            Trip::Ratio => bomb_message(self.expanded.get(), self.compressed.get()),
            Trip::Budget => budget_message(self.budget),
        })
    }
}

/// Counts the compressed bytes a decoder pulls.
struct Metered<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// Fails the decoder's output once it expands too far relative to its input.
struct Guarded<'g, R> {
    inner: R,
    gauge: &'g Gauge,
}

impl<R: Read> Read for Guarded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let expanded = self.gauge.expanded.get() + n as u64;
        self.gauge.expanded.set(expanded);
        let trip = if too_dense(expanded, self.gauge.compressed.get()) {
            Some(Trip::Ratio)
        } else if expanded > self.gauge.budget {
            Some(Trip::Budget)
        } else {
            None
        };
        if trip.is_some() {
            self.gauge.tripped.set(trip);
            return Err(io::Error::other("decompression limit"));
        }
        Ok(n)
    }
}

/// `outer!member`.
fn member_display(outer: &str, member: &str) -> String {
    format!("{outer}{SEPARATOR}{member}")
}

/// A member name as shown: forward slashes, no leading `/` or `./`.
fn clean_name(name: &str) -> String {
    let name = name.replace('\\', "/");
    let trimmed = name.trim_start_matches('/').trim_start_matches("./");
    if trimmed.is_empty() {
        "?".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The name a gzip stream without a stored name decompresses to: `notes.txt.gz` →
/// `notes.txt`, `x.tgz` → `x.tar`.
fn gunzipped_name(display: &str) -> String {
    let last = display.rsplit(['/', SEPARATOR]).next().unwrap_or(display);
    if let Some(stem) = last.strip_suffix(".gz") {
        stem.to_owned()
    } else if let Some(stem) = last.strip_suffix(".tgz") {
        format!("{stem}.tar")
    } else {
        last.to_owned()
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::io::Write;

    /// A stored-and-deflated zip of `count` text members of `len` bytes each.
    fn zip_of(count: usize, len: usize) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for i in 0..count {
            zip.start_file(format!("m{i}.txt"), options).unwrap();
            zip.write_all(&b"line of text\n".repeat(len / 13 + 1)[..len])
                .unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// `(display, None)` for each text member, `(display, Some(message))` for each skip.
    fn walk_with(bytes: &[u8], limits: Limits) -> Vec<(String, Option<String>)> {
        let mut events = Vec::new();
        let archive = Archive {
            kind: sniff(bytes).unwrap(),
            file: None,
        };
        walk(archive, bytes, "a.zip", &limits, &mut |event| match event {
            Event::Text { display, .. } => events.push((display.to_owned(), None)),
            Event::Skipped { display, skip } => events.push((display.to_owned(), Some(format!("{skip:?}")))),
        });
        events
    }

    #[test]
    fn members_are_read_in_order_with_their_paths() {
        let events = walk_with(&zip_of(2, 100), Limits::new(3, 1 << 20));
        assert_eq!(
            events,
            vec![
                ("a.zip!m0.txt".to_owned(), None),
                ("a.zip!m1.txt".to_owned(), None)
            ]
        );
    }

    #[test]
    fn a_member_over_the_size_cap_is_refused_and_the_next_is_read() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("big.txt", options).unwrap();
        zip.write_all(&[b'x'; 600]).unwrap();
        zip.start_file("small.txt", options).unwrap();
        zip.write_all(b"ok\n").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let events = walk_with(&bytes, Limits::new(3, 500));
        assert!(
            matches!(&events[0], (d, Some(m)) if d == "a.zip!big.txt" && m.contains("larger than 500 bytes")),
            "{events:?}"
        );
        assert_eq!(events[1], ("a.zip!small.txt".to_owned(), None));
    }

    #[test]
    fn the_total_budget_stops_the_archive() {
        let limits = Limits {
            total_budget: 2500,
            ..Limits::new(3, 1 << 20)
        };
        let events = walk_with(&zip_of(4, 1000), limits);
        assert_eq!(events.len(), 3, "{events:?}");
        assert!(
            matches!(&events[2], (d, Some(m)) if d == "a.zip!m2.txt" && m.contains("expands past")),
            "{events:?}"
        );
    }

    #[test]
    fn the_member_count_is_capped() {
        let limits = Limits {
            max_members: 2,
            ..Limits::new(3, 1 << 20)
        };
        let events = walk_with(&zip_of(5, 10), limits);
        assert_eq!(events.len(), 3, "{events:?}");
        assert!(
            matches!(&events[2], (d, Some(m)) if d == "a.zip" && m.contains("more than 2 members")),
            "{events:?}"
        );
    }

    #[test]
    fn the_ratio_guard_needs_both_size_and_density() {
        assert!(!too_dense(RATIO_FLOOR, 1));
        assert!(too_dense(RATIO_FLOOR + 1, 1));
        assert!(!too_dense(50 << 20, 1 << 20));
        assert!(too_dense(200 << 20, 1 << 20));
    }

    /// Seeded byte flips and truncations of valid archives: every one is read to the end
    /// under the limits, without a panic (the fuzz targets explore further).
    #[test]
    fn mutated_archives_never_panic() {
        let nested = zip_of(2, 300);
        let mut tar = tar::Builder::new(Vec::new());
        for (name, data) in [("a.txt", &b"text\n".repeat(40)[..]), ("n.zip", &nested[..])] {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            tar.append_data(&mut header, name, data).unwrap();
        }
        let tar = tar.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&tar).unwrap();
        let targz = gz.finish().unwrap();
        let mut rng = crate::test_rng::Rng(0x9E37_79B9_7F4A_7C15);
        let mut next = move || rng.next();
        for original in [zip_of(3, 200), tar, targz] {
            for _ in 0..300 {
                let mut bytes = original.clone();
                for _ in 0..=(next() % 4) {
                    let at = (next() % bytes.len() as u64) as usize;
                    bytes[at] ^= (next() % 255 + 1) as u8;
                }
                if next() % 3 == 0 {
                    bytes.truncate((next() % bytes.len() as u64) as usize);
                }
                walk_bytes(&bytes, "m", &Limits::new(3, 1 << 20), &mut |_| {});
            }
        }
    }

    #[test]
    fn sniffs_by_magic_not_by_name() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0]), Some(Kind::Gzip));
        assert_eq!(sniff(b"plain text"), None);
    }

    #[test]
    fn ustar_magic_alone_is_not_a_tar() {
        let mut text = vec![b'a'; 600];
        text[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff(&text), None);
    }

    #[test]
    fn gunzipped_names() {
        assert_eq!(gunzipped_name("dir/notes.txt.gz"), "notes.txt");
        assert_eq!(gunzipped_name("a.zip!x.tgz"), "x.tar");
        assert_eq!(gunzipped_name("blob"), "blob");
    }

    #[test]
    fn member_names_are_cleaned() {
        assert_eq!(clean_name("/etc/x"), "etc/x");
        assert_eq!(clean_name("./a\\b"), "a/b");
    }
}
