//! Opening the files of a walk relative to their directory.
//!
//! A walk hands over a directory's files one after another, each by its whole path, and the
//! kernel resolves every component of a path at each `open`: a third of all the CPU time of a
//! scan of a tree 100 directories deep. With the directory of the last file kept open, a file
//! is one name looked up in it, and a directory below that one (the walk goes depth first)
//! the names between them. The walk itself still lists each directory by its path.

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

    /// The directory `dir`, opened once for the files in it; `None` when it cannot be.
    #[cfg(target_os = "linux")]
    fn dir_fd(&mut self, dir: &Path) -> Option<&std::os::fd::OwnedFd> {
        use rustix::fs::{open, openat, Mode, OFlags};
        if dir.as_os_str().is_empty() {
            return None;
        }
        // O_PATH: a handle to look names up in, which needs no read permission on the
        // directory itself, only the search permission a path lookup needs too.
        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let kept = matches!(&self.dir, Some((cached, _)) if cached.as_os_str() == dir.as_os_str());
        if !kept {
            let opened = match &self.dir {
                Some((cached, fd)) => match below(cached, dir) {
                    Some(below) => openat(fd, below, flags, Mode::empty()),
                    None => open(dir, flags, Mode::empty()),
                },
                None => open(dir, flags, Mode::empty()),
            };
            self.dir = Some((dir.to_path_buf(), opened.ok()?));
        }
        self.dir.as_ref().map(|(_, fd)| fd)
    }
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
