//! `--format github`: workflow commands that GitHub Actions turns into annotations on the
//! changed lines of a pull request.

use std::io::{self, Write};

use super::Report;
use crate::finding::Severity;

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.outcome.findings {
        let command = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium | Severity::Low => "warning",
            Severity::Info => "notice",
        };
        // A token inside an archive is annotated on the archive, whose lines are not the
        // member's; the message says where in the archive it is.
        let (place, inside) = match &f.container {
            None => (
                format!(
                    "file={},line={},col={},endLine={},endColumn={}",
                    property(&f.path),
                    f.line,
                    f.column,
                    f.end_line,
                    f.end_column
                ),
                String::new(),
            ),
            Some(container) => (
                format!("file={}", property(container)),
                format!(" in {}:{}:{}", f.path, f.line, f.column),
            ),
        };
        writeln!(
            out,
            "::{command} {place},title={}::{}",
            property(&format!("tokscan {} ({})", f.rule, f.severity)),
            data(&format!(
                "{} {}{inside} (fingerprint {}{}). Rotate it and keep it out of the repository.",
                f.description,
                f.secret_preview,
                f.fingerprint,
                f.git.as_ref().map_or_else(String::new, |git| format!(
                    "; added in commit {}{}",
                    git.commit,
                    if git.removed_in_range {
                        ", removed later in this range but still in history"
                    } else {
                        ""
                    }
                ))
            )),
        )?;
    }
    Ok(())
}

/// Escaping for a command's message, per the workflow-commands documentation.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escaping for a command's properties, which also reserve `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_escape_separators() {
        assert_eq!(property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(data("50% done\n"), "50%25 done%0A");
    }
}
