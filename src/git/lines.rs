//! Which lines of a blob are new relative to an older version: a line diff (imara-diff's
//! Histogram, the algorithm git and gix use), keeping only the additions.

use imara_diff::{Algorithm, Diff, InternedInput};

/// The 1-based numbers of the lines a new version adds, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddedLines(Vec<u32>);

impl AddedLines {
    /// Lines of `new` that the diff from `old` marks as added.
    pub fn between(old: &[u8], new: &[u8]) -> AddedLines {
        let input = InternedInput::new(old, new);
        let diff = Diff::compute(Algorithm::Histogram, &input);
        let added = (0..input.after.len() as u32)
            .filter(|&i| diff.is_added(i))
            .map(|i| i + 1)
            .collect();
        AddedLines(added)
    }

    /// Whether any line from `first` to `last` (inclusive, 1-based) is added.
    pub fn touches(&self, first: usize, last: usize) -> bool {
        let start = self.0.partition_point(|&l| (l as usize) < first);
        self.0.get(start).is_some_and(|&l| l as usize <= last)
    }
}

#[cfg(test)]
mod tests {
    use super::AddedLines;

    #[test]
    fn only_inserted_and_changed_lines_are_added() {
        let added = AddedLines::between(b"a\nb\nc\n", b"a\nx\nb\nc2\n");
        assert_eq!(added, AddedLines(vec![2, 4]));
        assert!(added.touches(2, 2));
        assert!(added.touches(3, 4));
        assert!(!added.touches(1, 1));
        assert!(!added.touches(3, 3));
    }

    #[test]
    fn everything_is_added_to_an_empty_file() {
        assert_eq!(AddedLines::between(b"", b"a\nb"), AddedLines(vec![1, 2]));
    }
}
