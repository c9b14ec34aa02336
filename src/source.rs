//! Where bytes come from: walking the paths to scan in parallel (the `ignore` crate, as
//! ripgrep does), and reading each file once into a reused buffer under the size and binary
//! policy. Nothing here knows about rules or findings.
//!
//! Archives (zip, tar, gzip) are recognised here by their magic bytes and handed over whole;
//! [`archive`] reads their members.
//!
//! Git-ignored files are skipped, except files whose names mark them as credential stores
//! (`rules/credential-files.toml`): git ignoring `.env` does not stop an agent or a colleague
//! from reading it. Ignored *directories* (`target/`, `node_modules/`) are not entered.

pub mod archive;
mod open;

pub use open::Opener;

use std::borrow::Cow;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use regex_automata::hybrid::dfa::Cache;

use crate::rules::Globs;

/// How much of a file is read before a bigger one is asked its size.
const FIRST_READ: u64 = 1 << 20;
/// The least a [`ReadBuf`] grows to.
const MIN_READ_BUF: usize = 64 * 1024;
/// How many leading bytes are checked for a NUL to call a file binary (as git and ripgrep do).
const BINARY_PROBE: usize = 8 * 1024;

#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Scan what `.gitignore` and friends would skip.
    pub no_ignore: bool,
    pub follow_links: bool,
    pub threads: usize,
    pub max_file_size: u64,
    pub chunks: ChunkPolicy,
    /// How deep archives are opened (`--max-archive-depth`); 0 treats them as binary.
    pub max_archive_depth: u32,
}

/// A file to scan: where it is, and the path reports show (relative, forward slashes).
#[derive(Debug, Clone)]
pub struct FileRef {
    pub path: PathBuf,
    pub display: String,
}

/// Why a file was not scanned, or a problem met on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    Binary,
    TooLarge(u64),
    /// Symbolic links are not followed unless asked; a loop is reported, not followed.
    Symlink,
    SymlinkLoop(String),
    /// FIFOs, sockets and devices: reading one could block or never end.
    Special,
    /// The file could not be read: an error, the scan is incomplete.
    Unreadable(String),
    /// An archive member or archive refused by a limit (depth, size, ratio, count): a warning.
    ArchiveLimit(String),
    /// A damaged archive or member, or one that cannot be read (encrypted, unsupported
    /// compression): a warning, what could be read was scanned.
    ArchiveCorrupt(String),
}

/// What reading one file produced.
pub enum Content<'b> {
    Text(&'b [u8]),
    /// Too big to hold at once: read it a chunk at a time.
    Chunked(Chunks),
    /// A zip, tar or gzip file: its members are read with [`archive::walk`].
    Archive(archive::Archive),
    Skipped(Skip),
}

/// The buffer a worker reads files into, reused from file to file. Its bytes past the
/// content stay initialized from earlier files, so a file is read with one system call for
/// its bytes and one to see its end: `read_to_end` without a size hint reads in steps of
/// 8 KiB and up, and zeroing the buffer for each file would cost what that saves.
#[derive(Default)]
pub struct ReadBuf {
    /// Initialized bytes, zeroed when first grown into; never shrinks.
    bytes: Vec<u8>,
    /// The content: `bytes[..len]`.
    len: usize,
}

impl ReadBuf {
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn clear(&mut self) {
        self.len = 0;
    }

    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Drops the first `count` bytes of the content.
    fn drop_front(&mut self, count: usize) {
        self.bytes.copy_within(count..self.len, 0);
        self.len -= count;
    }

    /// Grows the buffer to hold `size` bytes, for a file whose size is known: the doubling
    /// in `fill` would zero, and so take up, memory the file never reaches.
    fn make_room(&mut self, size: usize) {
        if self.bytes.len() < size {
            self.bytes.resize(size, 0);
        }
    }

    /// Appends what `file` holds until its end or until the content is `limit` bytes long.
    fn fill(&mut self, file: &mut File, limit: usize) -> io::Result<()> {
        while self.len < limit {
            if self.len == self.bytes.len() {
                let grown = (2 * self.bytes.len()).max(MIN_READ_BUF).min(limit);
                self.bytes.resize(grown, 0);
            }
            let end = self.bytes.len().min(limit);
            match file.read(&mut self.bytes[self.len..end]) {
                Ok(0) => break,
                Ok(read) => self.len += read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    /// [`classify`] on the content.
    fn classify(&mut self) -> Held {
        let held = sort(self.as_slice());
        if held == Held::Text && is_utf16(self.as_slice()) {
            // Rare: the bytes past the content are given up to transcode in place.
            self.bytes.truncate(self.len);
            transcode_utf16(&mut self.bytes);
            self.len = self.bytes.len();
        }
        held
    }
}

/// How big files are read: whole up to `size` bytes, in chunks of `size` beyond that, each
/// chunk repeating the last `2 * half_overlap` bytes of the one before.
#[derive(Debug, Clone, Copy)]
pub struct ChunkPolicy {
    pub size: usize,
    /// Longer than any match, and the look-behind a match at a chunk's start gets.
    pub half_overlap: usize,
}

impl ChunkPolicy {
    /// 16 MiB chunks, 32 KiB halves: twice the longest rule window (PEM blocks).
    pub const DEFAULT: ChunkPolicy = ChunkPolicy {
        size: 16 << 20,
        half_overlap: 32 << 10,
    };

    /// Chunks of `size` bytes with an overlap to match (for tests and tuning).
    pub fn with_size(size: usize) -> ChunkPolicy {
        let size = size.max(64);
        ChunkPolicy {
            size,
            half_overlap: (size / 4).min(ChunkPolicy::DEFAULT.half_overlap),
        }
    }
}

/// Where a chunk sits in its file: for line and column numbers, and for deciding which of two
/// overlapping chunks reports a match (the one that owns its first byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// Lines that end before the chunk's first byte.
    pub lines_before: usize,
    /// Characters between the last newline before the chunk and its first byte.
    pub column_before: usize,
    /// Matches starting before this offset were reported with the previous chunk.
    pub owned_from: usize,
    /// Matches starting at or after this offset are reported with the next chunk.
    pub owned_to: usize,
}

impl Origin {
    /// A whole file in one buffer.
    pub fn whole(len: usize) -> Origin {
        Origin {
            lines_before: 0,
            column_before: 0,
            owned_from: 0,
            owned_to: len,
        }
    }

    pub fn owns(&self, offset: usize) -> bool {
        (self.owned_from..self.owned_to).contains(&offset)
    }
}

/// A file being read a chunk at a time into the caller's buffer.
pub struct Chunks {
    file: File,
    policy: ChunkPolicy,
    /// Bytes of the file not read yet.
    remaining: u64,
    /// Whether the first chunk, which `read` leaves in the caller's buffer, was handed out.
    started: bool,
    lines_before: usize,
    column_before: usize,
}

impl Chunks {
    /// Reads the next chunk into `buf`, the buffer given to [`read`], keeping the overlap
    /// from the previous one at its front; `None` when the file is done.
    pub fn next_into(&mut self, buf: &mut ReadBuf) -> io::Result<Option<Origin>> {
        let owned_from = if !self.started {
            // `read` left the first chunk in `buf` when it found the file too big to hold.
            self.started = true;
            0
        } else {
            if self.remaining == 0 {
                return Ok(None);
            }
            let drop = buf.len.saturating_sub(2 * self.policy.half_overlap);
            let dropped = &buf.as_slice()[..drop];
            self.lines_before += memchr::memchr_iter(b'\n', dropped).count();
            let tail = match memchr::memrchr(b'\n', dropped) {
                Some(nl) => {
                    self.column_before = 0;
                    &dropped[nl + 1..]
                }
                None => dropped,
            };
            self.column_before += count_chars(tail);
            buf.drop_front(drop);
            let owned_from = self.policy.half_overlap.min(buf.len);
            let want = (self.policy.size as u64).min(self.remaining);
            let before = buf.len;
            // At most a chunk's size: a `usize`.
            buf.fill(&mut self.file, before + want as usize)?;
            let read = (buf.len - before) as u64;
            // A file that shrank while it was read ends here.
            self.remaining = if read < want { 0 } else { self.remaining - read };
            owned_from
        };
        let owned_to = if self.remaining == 0 {
            buf.len
        } else {
            buf.len - self.policy.half_overlap
        };
        Ok(Some(Origin {
            lines_before: self.lines_before,
            column_before: self.column_before,
            owned_from,
            owned_to,
        }))
    }
}

/// The walk's worker threads: as asked, or (0) one per core, but one for a single file (a
/// pre-commit hook's case): a second worker would have nothing to do but wake every
/// millisecond to look for work, and the scan's end waits for its next wake-up.
fn worker_threads(roots: &[PathBuf], asked: usize) -> usize {
    match roots {
        [root] if asked == 0 && root.is_file() => 1,
        _ => asked,
    }
}

/// Visits every file under `roots`, calling `visitor` on worker threads. `make_visitor` runs
/// once per thread, so each thread owns its own buffers.
pub fn walk<F, V>(roots: &[PathBuf], options: &WalkOptions, credential_files: &Globs, make_visitor: F)
where
    F: Fn() -> V + Sync,
    V: FnMut(Visit) + Send,
{
    let Some((first, rest)) = roots.split_first() else {
        return;
    };
    let display_base = display_base(roots);
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    builder
        .hidden(false)
        .parents(true)
        .ignore(!options.no_ignore)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .require_git(false)
        .follow_links(options.follow_links)
        .threads(worker_threads(roots, options.threads))
        .filter_entry(|entry| entry.file_name() != ".git");
    // Credential stores that git ignores are found by listing each visited directory; a file
    // reachable both ways is scanned once.
    let credential_seen: Mutex<HashSet<PathBuf>> = Mutex::new(HashSet::new());
    let claim = |path: &Path| {
        credential_seen
            .lock()
            .map(|mut seen| seen.insert(path.to_owned()))
            .unwrap_or(true)
    };
    let display = |path: &Path| display_path(display_base.as_deref(), path);

    builder.build_parallel().run(|| {
        let mut visitor = make_visitor();
        let mut names_cache = None;
        let mut lister = Opener::default();
        Box::new(move |result| {
            let entry = match result {
                Ok(entry) => entry,
                Err(err) => {
                    report_walk_error(&err, &display, &mut visitor);
                    return WalkState::Continue;
                }
            };
            let path = entry.path();
            let Some(file_type) = entry.file_type() else {
                // stdin; never produced for paths.
                return WalkState::Continue;
            };
            if file_type.is_dir() {
                if !options.no_ignore {
                    for credential in
                        ignored_credential_files(path, credential_files, &mut names_cache, &mut lister)
                    {
                        if claim(&credential) {
                            let file = FileRef {
                                display: display(&credential),
                                path: credential,
                            };
                            visitor(Visit::File(file));
                        }
                    }
                }
                return WalkState::Continue;
            }
            let file = FileRef {
                path: path.to_owned(),
                display: display(path),
            };
            if file_type.is_symlink() {
                visitor(Visit::Skipped(file, Skip::Symlink));
                return WalkState::Continue;
            }
            if !file_type.is_file() {
                visitor(Visit::Skipped(file, Skip::Special));
                return WalkState::Continue;
            }
            // Without the second listing (`--no-ignore`) no file is reached twice.
            let is_credential = !options.no_ignore
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| credential_files.is_match(name, &mut names_cache));
            if is_credential && !claim(path) {
                return WalkState::Continue;
            }
            visitor(Visit::File(file));
            WalkState::Continue
        })
    });
}

pub enum Visit {
    File(FileRef),
    Skipped(FileRef, Skip),
}

fn report_walk_error<V: FnMut(Visit)>(
    err: &ignore::Error,
    display: &dyn Fn(&Path) -> String,
    visitor: &mut V,
) {
    let (path, is_loop) = walk_error_path(err);
    let shown = path.as_deref().map_or_else(|| "<walk>".to_owned(), display);
    let file = FileRef {
        path: path.unwrap_or_default(),
        display: shown,
    };
    let message = err.to_string();
    let skip = if is_loop {
        Skip::SymlinkLoop(message)
    } else {
        Skip::Unreadable(message)
    };
    visitor(Visit::Skipped(file, skip));
}

fn walk_error_path(err: &ignore::Error) -> (Option<PathBuf>, bool) {
    match err {
        ignore::Error::WithPath { path, err } => (Some(path.clone()), walk_error_path(err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => (Some(child.clone()), true),
        ignore::Error::Partial(errs) => errs.first().map_or((None, false), walk_error_path),
        _ => (None, false),
    }
}

/// Files in `dir` named like credential stores. The walker yields the ones git does not
/// ignore as well; the caller's claim set keeps each to one scan.
fn ignored_credential_files(
    dir: &Path,
    credential_files: &Globs,
    cache: &mut Option<Cache>,
    lister: &mut Opener,
) -> Vec<PathBuf> {
    let credential = |name: &std::ffi::OsStr| {
        name.to_str()
            .is_some_and(|name| credential_files.is_match(name, cache))
    };
    let Ok(names) = lister.file_names(dir, credential) else {
        return Vec::new();
    };
    names.into_iter().map(|name| dir.join(name)).collect()
}

/// With one directory to scan, paths are shown relative to it; otherwise as given.
fn display_base(roots: &[PathBuf]) -> Option<PathBuf> {
    match roots {
        [only] if only.is_dir() => Some(only.clone()),
        _ => None,
    }
}

/// `path` as findings show it: relative to `base`, with forward slashes and no leading `./`.
/// Made for every file walked (path-bound rules match it), so it allocates once.
fn display_path(base: Option<&Path>, path: &Path) -> String {
    let rel = base.and_then(|b| below_base(b, path)).unwrap_or(path);
    // `to_str` checks a word of ASCII at a time, the lossy conversion a byte at a time: on
    // paths a hundred directories deep, that was 2% of a scan.
    let lossy = rel.to_str().map_or_else(|| rel.to_string_lossy(), Cow::Borrowed);
    let slashed = if lossy.contains('\\') {
        Cow::Owned(lossy.replace('\\', "/"))
    } else {
        lossy
    };
    let mut shown: &str = &slashed;
    while let Some(rest) = shown.strip_prefix("./") {
        shown = rest;
    }
    if shown.is_empty() {
        path.file_name()
            .map_or_else(|| ".".to_owned(), |n| n.to_string_lossy().into_owned())
    } else {
        shown.to_owned()
    }
}

/// `path` relative to `base`, as `Path::strip_prefix` has it. The walk's paths start with the
/// base's bytes, which are compared first: comparing component by component was 1% of a
/// scan, 3% of one of many small files.
fn below_base<'p>(base: &Path, path: &'p Path) -> Option<&'p Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        // Separators and `.` at either end are dropped by `strip_prefix`, which is left to it.
        let plain = |rest: &&Path| {
            let rest = rest.as_os_str().as_bytes();
            !(rest.is_empty()
                || rest == b"."
                || rest.starts_with(b"/")
                || rest.starts_with(b"./")
                || rest.ends_with(b"/"))
        };
        if let Some(rest) = open::below(base, path).filter(plain) {
            return Some(rest);
        }
    }
    path.strip_prefix(base).ok()
}

/// Reads `path` into `buf` (cleared first) unless it is too large or binary.
pub fn read<'b>(
    path: &Path,
    max_file_size: u64,
    chunks: ChunkPolicy,
    opener: &mut Opener,
    buf: &'b mut ReadBuf,
) -> Content<'b> {
    match read_inner(path, max_file_size, chunks, opener, buf) {
        Ok(Opened::Whole) => match buf.classify() {
            Held::Text => Content::Text(buf.as_slice()),
            Held::Archive(kind) => Content::Archive(archive::Archive { kind, file: None }),
            Held::Binary => Content::Skipped(Skip::Binary),
        },
        Ok(Opened::Chunked(chunks)) => Content::Chunked(chunks),
        Ok(Opened::Archive(archive)) => Content::Archive(archive),
        Ok(Opened::Skipped(skip)) => Content::Skipped(skip),
        Err(err) => Content::Skipped(Skip::Unreadable(err.to_string())),
    }
}

/// What a file or git blob held whole in memory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Text, UTF-16 included (transcoded to UTF-8 in place).
    Text,
    /// A zip, tar or gzip file, whose members [`archive`] reads.
    Archive(archive::Kind),
    Binary,
}

/// Tells what `buf` holds by its first bytes, the same way for files and git blobs: an
/// archive by its magic bytes, UTF-16 by its byte-order mark (then transcoded in place),
/// binary by a NUL early on.
pub fn classify(buf: &mut Vec<u8>) -> Held {
    let held = sort(buf);
    if held == Held::Text && is_utf16(buf) {
        transcode_utf16(buf);
    }
    held
}

/// What `bytes` hold, UTF-16 text as it is.
fn sort(bytes: &[u8]) -> Held {
    if let Some(kind) = archive::sniff(bytes) {
        Held::Archive(kind)
    } else if is_utf16(bytes) || !is_binary(bytes) {
        Held::Text
    } else {
        Held::Binary
    }
}

enum Opened {
    Whole,
    Chunked(Chunks),
    /// A zip, tar or gzip file: its members are read with [`archive::walk`].
    Archive(archive::Archive),
    Skipped(Skip),
}

fn read_inner(
    path: &Path,
    max_file_size: u64,
    chunks: ChunkPolicy,
    opener: &mut Opener,
    buf: &mut ReadBuf,
) -> io::Result<Opened> {
    buf.clear();
    let mut file = opener.open(path)?;
    // Read first, ask the size only of a file past the first mebibyte: most files are small,
    // and a `stat` per file is a system call ripgrep does not make either; a file over the
    // limit then costs a mebibyte read, not a chunk. The limits `fill` reads up to also
    // guard against a file that grows while it is read; saturating, so that a limit of
    // u64::MAX (`--max-file-size 18446744073709551615`) means no limit, not a limit of 0.
    let hold = max_file_size.min(chunks.size as u64);
    let first = hold.min(FIRST_READ);
    let limit = |bytes: u64| usize::try_from(bytes.saturating_add(1)).unwrap_or(usize::MAX);
    buf.fill(&mut file, limit(first))?;
    if buf.len as u64 <= first {
        return Ok(Opened::Whole);
    }
    let len = file.metadata()?.len().max(buf.len as u64);
    if len > max_file_size {
        return Ok(Opened::Skipped(Skip::TooLarge(len)));
    }
    buf.make_room(limit(len.min(hold)));
    buf.fill(&mut file, limit(hold))?;
    if buf.len as u64 <= hold {
        return Ok(Opened::Whole);
    }
    let len = len.max(buf.len as u64);
    // Archive, binary or text is decided on the first bytes, as for a whole file.
    let packed = archive::sniff(buf.as_slice());
    if packed.is_none() && is_binary(buf.as_slice()) {
        return Ok(Opened::Skipped(Skip::Binary));
    }
    if let Some(kind) = packed {
        // Too big to hold: an archive is read from the file, member by member.
        file.seek(SeekFrom::Start(0))?;
        return Ok(Opened::Archive(archive::Archive {
            kind,
            file: Some(file),
        }));
    }
    // What was read is the first chunk (`hold` is the chunk size here: a file over the
    // size limit was skipped above), all but the one byte past it, which is read again.
    buf.truncate(chunks.size);
    file.seek(SeekFrom::Start(chunks.size as u64))?;
    Ok(Opened::Chunked(Chunks {
        file,
        policy: chunks,
        remaining: len - chunks.size as u64,
        started: false,
        lines_before: 0,
        column_before: 0,
    }))
}

/// UTF-16 text (Windows tools write it: PowerShell profiles, `.reg` exports) starts with a
/// byte-order mark; without one it is not told from binary.
fn is_utf16(buf: &[u8]) -> bool {
    buf.len() >= 2 && buf.len().is_multiple_of(2) && matches!(buf[..2], [0xFF, 0xFE] | [0xFE, 0xFF])
}

/// Replaces UTF-16 text in `buf` by UTF-8, so lines and characters stay where they were.
fn transcode_utf16(buf: &mut Vec<u8>) {
    let little = buf[0] == 0xFF;
    let units = buf[2..].chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    buf.clear();
    buf.extend_from_slice(text.as_bytes());
}

/// Characters in `bytes`: every byte that does not continue a UTF-8 sequence starts one.
/// A column in a long minified line counts megabytes, mostly ASCII: a block of it is told
/// ASCII faster than its bytes are counted.
pub fn count_chars(bytes: &[u8]) -> usize {
    bytes
        .chunks(4096)
        .map(|block| {
            if block.is_ascii() {
                block.len()
            } else {
                block.iter().filter(|&&b| b & 0xC0 != 0x80).count()
            }
        })
        .sum()
}

fn is_binary(buf: &[u8]) -> bool {
    memchr::memchr(0, &buf[..buf.len().min(BINARY_PROBE)]).is_some()
}

#[cfg(test)]
mod tests {
    use super::{
        count_chars, display_path, read, worker_threads, ChunkPolicy, Content, Opener, ReadBuf, Skip,
    };
    use std::path::{Path, PathBuf};

    #[test]
    fn a_single_file_gets_one_worker_and_anything_else_what_was_asked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.py");
        std::fs::write(&file, "x = 1\n").unwrap();
        let other = dir.path().join("lib.py");
        std::fs::write(&other, "y = 2\n").unwrap();
        let dir = dir.path().to_path_buf();
        assert_eq!(worker_threads(std::slice::from_ref(&file), 0), 1);
        assert_eq!(worker_threads(std::slice::from_ref(&file), 4), 4);
        assert_eq!(worker_threads(std::slice::from_ref(&dir), 0), 0);
        assert_eq!(worker_threads(&[file, other], 0), 0);
        assert_eq!(worker_threads(&[PathBuf::from("/no/such/file")], 0), 0);
    }

    #[test]
    fn paths_are_shown_relative_with_forward_slashes_and_no_leading_dot_slash() {
        let base = Path::new("/repo");
        let cases = [
            ("/repo/src/.env", "src/.env"),
            ("/repo/./././a/b.rs", "a/b.rs"),
            ("/repo/dir\\sub\\.npmrc", "dir/sub/.npmrc"),
            ("/repo/.\\.env", ".env"),
            ("/repo/..env", "..env"),
            ("/elsewhere/x.pem", "/elsewhere/x.pem"),
            ("./.env", ".env"),
            ("/repo", "repo"),
            ("/repo/", "repo"),
            ("/repository/x", "/repository/x"),
            ("/repo//x/./y", "x/./y"),
            ("/repo/.//x/", "x"),
        ];
        for (path, shown) in cases {
            assert_eq!(display_path(Some(base), Path::new(path)), shown, "{path}");
        }
        assert_eq!(display_path(None, Path::new("./k/./id_rsa")), "k/./id_rsa");
        assert_eq!(display_path(None, Path::new("./")), ".");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let latin1 = Path::new(std::ffi::OsStr::from_bytes(b"/repo/caf\xe9/.env"));
            assert_eq!(display_path(Some(base), latin1), "caf\u{fffd}/.env");
        }
    }

    fn text_of<'b>(content: Content<'b>) -> &'b [u8] {
        match content {
            Content::Text(text) => text,
            _ => panic!("not read whole as text"),
        }
    }

    #[test]
    fn a_reused_buffer_holds_the_last_file_whole_and_nothing_of_the_ones_before() {
        let dir = tempfile::tempdir().unwrap();
        // Several of the buffer's growth steps; past the first mebibyte read (the rest is
        // read once the file's size is known); small; empty.
        let text = |len: u32| -> Vec<u8> { (0..len).map(|i| b'a' + (i % 26) as u8).collect() };
        let (big, middle) = (text(3_000_000), text(300_000));
        let files = [middle.as_slice(), &big, b"small file\n", &middle, b""];
        let mut buf = ReadBuf::default();
        for (i, bytes) in files.iter().enumerate() {
            let path = dir.path().join(format!("f{i}"));
            std::fs::write(&path, bytes).unwrap();
            let text = text_of(read(
                &path,
                u64::MAX,
                ChunkPolicy::DEFAULT,
                &mut Opener::default(),
                &mut buf,
            ));
            assert_eq!(text, *bytes, "file {i}");
        }
    }

    #[test]
    fn a_size_limit_below_the_buffers_least_growth_still_reads_up_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let mut buf = ReadBuf::default();
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(
            text_of(read(
                &path,
                10,
                ChunkPolicy::DEFAULT,
                &mut Opener::default(),
                &mut buf
            )),
            b"0123456789"
        );
        std::fs::write(&path, b"0123456789a").unwrap();
        match read(&path, 10, ChunkPolicy::DEFAULT, &mut Opener::default(), &mut buf) {
            Content::Skipped(skip) => assert_eq!(skip, Skip::TooLarge(11)),
            _ => panic!("an 11-byte file read under a 10-byte limit"),
        }
    }

    #[test]
    fn characters_are_counted_in_ascii_blocks_and_across_multibyte_ones() {
        // An `é` split by the first block boundary, ASCII blocks, then three-byte characters.
        let mut text = "a".repeat(4095);
        text.push('é');
        text.push_str(&"b".repeat(9000));
        text.push_str("日本");
        assert_eq!(count_chars(text.as_bytes()), text.chars().count());
        assert_eq!(count_chars(b""), 0);
    }
}
