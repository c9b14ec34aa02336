//! Errors the engine returns. Each carries the path that caused it; errors in files a user
//! writes (rule packs, `tokscan.toml`, baselines) also carry the file's text and the span at
//! fault, so miette can show the line and what is wrong with it.

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    InFile(#[from] Box<FileError>),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(#[from] crate::git::GitError),

    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(tokscan::io))]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("no rule `{id}`")]
    #[diagnostic(code(tokscan::unknown_rule), help("{help}"))]
    UnknownRule { id: String, help: String },

    #[error("cannot write {}: {source}", path.display())]
    #[diagnostic(code(tokscan::io))]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// An introspection base URL override that the read-only guard would refuse.
    #[error("invalid API URL from {origin}: {message}")]
    #[diagnostic(
        code(tokscan::api_url),
        help("an https:// URL, or http:// to a loopback host (127.0.0.1, localhost, [::1])")
    )]
    ApiUrl { origin: String, message: String },
}

impl Error {
    /// A rule id that names no rule, with the ids that look like it.
    pub fn unknown_rule(id: &str, known: &[&str]) -> Error {
        let needle = id.to_ascii_lowercase();
        let near: Vec<&str> = known
            .iter()
            .copied()
            .filter(|k| k.contains(&needle) || needle.contains(k.split('-').next().unwrap_or(k)))
            .take(8)
            .collect();
        let help = if near.is_empty() {
            "`tokscan rules list` shows every rule".to_owned()
        } else {
            format!("did you mean: {}", near.join(", "))
        };
        Error::UnknownRule {
            id: id.to_owned(),
            help,
        }
    }

    pub fn io(path: &Path, source: io::Error) -> Error {
        Error::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// A problem at a known place in a file the user wrote.
#[derive(Debug, Error, Diagnostic)]
#[error("{kind} {location}: {message}")]
#[diagnostic(code(tokscan::invalid_file))]
pub struct FileError {
    kind: &'static str,
    /// `path:line:column`, so the error says where even when printed without a code frame.
    location: String,
    message: String,
    #[source_code]
    source_code: NamedSource<String>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    help: Option<String>,
}

impl FileError {
    /// `kind` names the file's role: "rule pack", "config", "baseline".
    pub fn new(
        kind: &'static str,
        path: &str,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Box<FileError> {
        let message = message.into();
        let location = match &span {
            Some(span) => {
                let (line, column) = line_column(text, span.start);
                format!("{path}:{line}:{column}")
            }
            None => path.to_owned(),
        };
        // Multi-line messages (regex errors) end with the line that says what is wrong.
        let label = message
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or_default()
            .trim()
            .to_owned();
        Box::new(FileError {
            kind,
            location,
            message,
            source_code: NamedSource::new(path, text.to_owned()),
            span: span.map(|s| SourceSpan::from(s.start..s.end.max(s.start))),
            label,
            help: None,
        })
    }

    pub fn with_help(mut self: Box<Self>, help: impl Into<String>) -> Box<Self> {
        self.help = Some(help.into());
        self
    }

    /// From a TOML parse or schema error, keeping the span toml reports.
    pub fn from_toml(kind: &'static str, path: &str, text: &str, err: &toml::de::Error) -> Box<Self> {
        FileError::new(kind, path, text, err.span(), err.message().trim())
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    (line, column)
}
