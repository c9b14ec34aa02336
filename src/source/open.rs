//! Opening the files of a walk relative to their directory.
//!
//! A walk hands over a directory's files one after another, each by its whole path, and the
//! kernel resolves every component of a path at each `open`: a third of all the CPU time of a
//! scan of a tree 100 directories deep. With the directory of the last file kept open, a file
//! is one name looked up in it, and a directory below that one (the walk goes depth first)
//! the names between them. Directories are listed again the same way (for the credential
//! files git ignores); the walk itself still lists each directory by its path.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::path::Path;
#[cfg(target_os = "linux")]
use std::path::PathBuf;

/// A worker's handle on the directory of the file it opened last.
#[derive(Default)]
pub struct Opener {
    #[cfg(target_os = "linux")]
    dir: Option<(PathBuf, std::os::fd::OwnedFd)>,
}

impl Opener {
    /// Opens `path` for reading, as `File::open` does. A file that cannot be opened in its
    /// directory as opened (it is gone, or the directory was removed since) is opened by its
    /// path, whose error is the one reported.
    pub fn open(&mut self, path: &Path) -> io::Result<File> {
        #[cfg(target_os = "linux")]
        if let Some((dir, name)) = split_name(path) {
            if let Some(dir_fd) = self.dir_fd(dir) {
                use rustix::fs::{openat, Mode, OFlags};
                if let Ok(fd) = openat(dir_fd, name, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty()) {
                    return Ok(File::from(fd));
                }
                self.dir = None;
            }
        }
        File::open(path)
    }

    /// The names `wanted` accepts of the regular files in the directory `dir`, as
    /// `std::fs::read_dir` lists them (symbolic links not followed). The directory is opened
    /// as files are, from the one kept open, and is kept open in turn: the walk lists the
    /// directories below it next.
    pub fn file_names(
        &mut self,
        dir: &Path,
        mut wanted: impl FnMut(&OsStr) -> bool,
    ) -> io::Result<Vec<OsString>> {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::OFlags;
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            if let Some(listing) = self.open_dir(dir, flags) {
                let names = file_names_in(&listing, &mut wanted);
                self.dir = Some((dir.to_path_buf(), listing));
                if let Ok(names) = names {
                    return Ok(names);
                }
            }
        }
        Ok(std::fs::read_dir(dir)?
            .flatten()
            .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
            .map(|entry| entry.file_name())
            .filter(|name| wanted(name))
            .collect())
    }

    /// The directory `dir`, opened once for the files in it; `None` when it cannot be.
    #[cfg(target_os = "linux")]
    fn dir_fd(&mut self, dir: &Path) -> Option<&std::os::fd::OwnedFd> {
        use rustix::fs::OFlags;
        if !self.keeps(dir) {
            // O_PATH: a handle to look names up in, which needs no read permission on the
            // directory itself, only the search permission a path lookup needs too.
            let opened = self.open_dir(dir, OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC)?;
            self.dir = Some((dir.to_path_buf(), opened));
        }
        self.dir.as_ref().map(|(_, fd)| fd)
    }

    /// Whether `dir` is the directory kept open.
    #[cfg(target_os = "linux")]
    fn keeps(&self, dir: &Path) -> bool {
        matches!(&self.dir, Some((kept, _)) if kept.as_os_str() == dir.as_os_str())
    }

    /// `dir` opened with `flags`: from the directory kept open when `dir` is it or below it,
    /// else by its path. `None` when it cannot be.
    #[cfg(target_os = "linux")]
    fn open_dir(&self, dir: &Path, flags: rustix::fs::OFlags) -> Option<std::os::fd::OwnedFd> {
        use rustix::fs::{open, openat, Mode};
        if dir.as_os_str().is_empty() {
            return None;
        }
        let opened = match &self.dir {
            Some((_, fd)) if self.keeps(dir) => openat(fd, ".", flags, Mode::empty()),
            Some((cached, fd)) => match below(cached, dir) {
                Some(below) => openat(fd, below, flags, Mode::empty()),
                None => open(dir, flags, Mode::empty()),
            },
            None => open(dir, flags, Mode::empty()),
        };
        opened.ok()
    }
}

/// The names `wanted` accepts of the regular files of the directory open as `dir`.
#[cfg(target_os = "linux")]
fn file_names_in(
    dir: &std::os::fd::OwnedFd,
    mut wanted: impl FnMut(&OsStr) -> bool,
) -> io::Result<Vec<OsString>> {
    use rustix::fs::{statat, AtFlags, FileType, RawDir};
    use std::mem::MaybeUninit;
    use std::os::unix::ffi::OsStrExt;
    // Room for a few dozen entries at a time; no name is longer than a few hundred bytes.
    let mut buf = [MaybeUninit::uninit(); 8192];
    let mut entries = RawDir::new(dir, &mut buf);
    let mut names = Vec::new();
    while let Some(entry) = entries.next() {
        let entry = entry?;
        let name = entry.file_name();
        let file_name = OsStr::from_bytes(name.to_bytes());
        if !wanted(file_name) {
            continue;
        }
        let file_type = match entry.file_type() {
            // A file system that does not say in its listing: ask, as `read_dir` does.
            FileType::Unknown => match statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => FileType::from_raw_mode(stat.st_mode),
                Err(_) => continue,
            },
            known => known,
        };
        if file_type == FileType::RegularFile {
            names.push(file_name.to_owned());
        }
    }
    Ok(names)
}

/// `path`'s directory and file name, as `parent` and `file_name` have them. Split at the last
/// `/` when that is plainly where they meet, as on the paths the walk hands over: cheaper than
/// parsing components from the end, for every file.
#[cfg(target_os = "linux")]
fn split_name(path: &Path) -> Option<(&Path, &std::ffi::OsStr)> {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    if let Some(slash) = memchr::memrchr(b'/', bytes) {
        let (dir, name) = (&bytes[..slash], &bytes[slash + 1..]);
        let plain_name = !(name.is_empty() || name == b"." || name == b"..");
        let plain_dir = !(dir.is_empty() || dir.ends_with(b"/") || dir.ends_with(b"/.") || dir == b".");
        if plain_name && plain_dir {
            return Some((Path::new(OsStr::from_bytes(dir)), OsStr::from_bytes(name)));
        }
    }
    Some((path.parent()?, path.file_name()?))
}

/// The path from `ancestor` down to `path`, when `path` is below it: compared as bytes, as
/// comparing deep paths component by component costs more than the lookups saved.
#[cfg(unix)]
pub(super) fn below<'p>(ancestor: &Path, path: &'p Path) -> Option<&'p Path> {
    use std::os::unix::ffi::OsStrExt;
    let (ancestor, path) = (ancestor.as_os_str().as_bytes(), path.as_os_str().as_bytes());
    let rest = path.strip_prefix(ancestor)?;
    let rest = if ancestor.ends_with(b"/") {
        rest
    } else {
        rest.strip_prefix(b"/")?
    };
    Some(Path::new(std::ffi::OsStr::from_bytes(rest)))
}

#[cfg(test)]
mod tests {
    use super::Opener;
    use std::io::Read;
    use std::path::Path;

    fn read(opener: &mut Opener, path: &Path) -> std::io::Result<String> {
        let mut text = String::new();
        opener.open(path)?.read_to_string(&mut text)?;
        Ok(text)
    }

    #[test]
    fn files_are_read_whatever_directory_was_opened_before() {
        let root = tempfile::tempdir().unwrap();
        let dirs = ["a", "a/b", "a/b/c", "a/bc", "d", "a/b/c/d/e"];
        for dir in dirs {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
            std::fs::write(root.path().join(dir).join("f"), dir).unwrap();
        }
        std::fs::write(root.path().join("top"), "top").unwrap();
        let mut opener = Opener::default();
        // Down the tree, across to a name that extends one already open (`a/b` → `a/bc`),
        // back up, deeper by several levels at once, and to the root.
        let order = [
            "a",
            "a",
            "a/b",
            "a/b/c",
            "a/bc",
            "a/b",
            "d",
            "a/b/c/d/e",
            "a",
            "a/b/c/d/e",
        ];
        for dir in order {
            let path = root.path().join(dir).join("f");
            assert_eq!(read(&mut opener, &path).unwrap(), dir, "{dir}");
        }
        assert_eq!(read(&mut opener, &root.path().join("top")).unwrap(), "top");
    }

    #[test]
    fn a_directory_lists_the_regular_files_read_dir_lists() {
        let root = tempfile::tempdir().unwrap();
        for dir in ["a", "a/b", "a/b/c", "d"] {
            let dir = root.path().join(dir);
            std::fs::create_dir_all(&dir).unwrap();
            for file in [".env", "f", "id_rsa"] {
                std::fs::write(dir.join(file), file).unwrap();
            }
            std::os::unix::fs::symlink(dir.join("f"), dir.join("link")).unwrap();
            std::os::unix::fs::symlink(root.path(), dir.join("dir-link")).unwrap();
        }
        let mut opener = Opener::default();
        let listed = |opener: &mut Opener, dir: &Path| {
            let mut names = opener.file_names(dir, |_| true).unwrap();
            names.sort();
            names
        };
        for dir in ["a", "a/b/c", "a/b", "d", "d", "", "a/b/c"] {
            let dir = root.path().join(dir);
            let mut std: Vec<_> = (std::fs::read_dir(&dir).unwrap().flatten())
                .filter(|entry| entry.file_type().unwrap().is_file())
                .map(|entry| entry.file_name())
                .collect();
            std.sort();
            assert_eq!(listed(&mut opener, &dir), std, "{dir:?}");
        }
        assert_eq!(
            listed(&mut opener, &root.path().join("d")),
            [".env", "f", "id_rsa"]
        );
        // Files open as well from a directory kept open for its listing.
        assert_eq!(read(&mut opener, &root.path().join("d/f")).unwrap(), "f");
        let dotted = opener.file_names(&root.path().join("a/b"), |name| {
            name.as_encoded_bytes().starts_with(b".")
        });
        assert_eq!(dotted.unwrap(), [".env"]);
        let missing = opener
            .file_names(&root.path().join("a/none"), |_| true)
            .unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn a_path_splits_into_directory_and_name_as_std_splits_it() {
        for path in [
            "a/b/f", "/f", "f", "./f", "a/./f", "a//f", "a/b/", "a/.", "a/..", "/", ".", "", "a/.f", "../f",
            "a/./", "./.", "//f",
        ] {
            let path = Path::new(path);
            let std = path.parent().zip(path.file_name());
            assert_eq!(super::split_name(path), std, "{path:?}");
        }
    }

    #[test]
    fn a_directory_removed_and_made_again_is_read_anew() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("f"), "before").unwrap();
        let mut opener = Opener::default();
        assert_eq!(read(&mut opener, &dir.join("f")).unwrap(), "before");
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("f"), "after").unwrap();
        assert_eq!(read(&mut opener, &dir.join("f")).unwrap(), "after");
    }

    #[test]
    fn a_missing_file_or_directory_is_the_error_a_path_open_gives() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("a")).unwrap();
        let mut opener = Opener::default();
        for missing in ["a/nothing", "nowhere/f", "a/nowhere/f"] {
            let err = read(&mut opener, &root.path().join(missing)).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "{missing}");
        }
        let err = read(&mut opener, &root.path().join("a")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::IsADirectory);
    }
}
