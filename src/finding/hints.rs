//! What the text around a token says about its purpose: the variable it is assigned to and
//! the comments beside and above it. Gathered while the file is in memory; interpreting the
//! words is the stated-use stage's job.

use std::ops::Range;

use super::UseHints;

/// Lines above the token whose comments count as being about it, up to the first line of code.
const LINES_ABOVE: usize = 3;
/// Longest comment kept, in characters.
const COMMENT_CHARS: usize = 200;
/// How far after a token its trailing comment may start.
const COMMENT_REACH: usize = 512;
/// How far before a token the name it is assigned to is looked for: on a minified line the
/// text before a token can run to megabytes.
const VARIABLE_REACH: usize = 256;

pub fn use_hints(hay: &[u8], line_start: usize, secret: &Range<usize>) -> UseHints {
    let line_end = memchr::memchr(b'\n', &hay[secret.end..]).map_or(hay.len(), |i| secret.end + i);
    let mut comments = Vec::new();
    // A comment far along a long (minified) line is not about this token.
    let comment_end = line_end.min(secret.end.saturating_add(COMMENT_REACH));
    if let Some(trailing) = trailing_comment(&hay[secret.end..comment_end]) {
        comments.push(trailing);
    }
    let mut end = line_start;
    for _ in 0..LINES_ABOVE {
        if end == 0 {
            break;
        }
        let start = memchr::memrchr(b'\n', &hay[..end - 1]).map_or(0, |i| i + 1);
        let line = &hay[start..end - 1];
        match comment_line(line) {
            Some(comment) => comments.push(comment),
            // A comment above other code is about that code.
            None if !line.trim_ascii().is_empty() => break,
            None => {}
        }
        end = start;
    }
    let from = line_start.max(secret.start.saturating_sub(VARIABLE_REACH));
    UseHints {
        variable: assigned_variable(&hay[from..secret.start], from > line_start),
        comments,
        name: None,
    }
}

/// The name a value is assigned to, from the text before it on its line: the last
/// `name =`, `name:`, `"name":` or `name :=`, skipping the parts of a URL
/// (`postgres://user:` names no variable). When `clipped`, `before` starts inside the line
/// and a name at its very start may be the tail of a longer one: it does not count.
fn assigned_variable(before: &[u8], clipped: bool) -> Option<String> {
    let mut found = None;
    for (op, _) in before.iter().enumerate().filter(|(_, &b)| b == b'=' || b == b':') {
        if before.get(op + 1..op + 3) == Some(b"//") {
            continue;
        }
        let mut end = op;
        while end > 0 && matches!(before[end - 1], b' ' | b'\t' | b'"' | b'\'' | b':' | b']') {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && is_name_byte(before[start - 1]) {
            start -= 1;
        }
        let in_url = before[..start].ends_with(b"//") || before[..start].ends_with(b"@");
        if start < end
            && !in_url
            && !(clipped && start == 0)
            && before[start].is_ascii_alphabetic() | (before[start] == b'_')
        {
            found = Some(String::from_utf8_lossy(&before[start..end]).into_owned());
        }
    }
    found
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$')
}

/// A comment after the token on its line: `# ...`, `// ...` or `-- ...` after whitespace.
fn trailing_comment(after: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(after);
    let at = [" #", "\t#", " //", "\t//", " --"]
        .iter()
        .filter_map(|marker| text.find(marker).map(|i| i + marker.len()))
        .min()?;
    clean(&text[at..])
}

/// The text of a line that is only a comment.
fn comment_line(line: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(line);
    let trimmed = text.trim();
    if trimmed.starts_with("#!") {
        return None;
    }
    let body = ["//", "#", "--", ";", "/*", "*", "<!--", "rem ", "REM "]
        .iter()
        .find_map(|marker| trimmed.strip_prefix(marker))?;
    clean(body)
}

fn clean(comment: &str) -> Option<String> {
    let text = comment
        .trim()
        .trim_end_matches("*/")
        .trim_end_matches("-->")
        .trim_start_matches(['#', '/', '*', '-', ' '])
        .trim();
    if text.is_empty() {
        return None;
    }
    Some(text.chars().take(COMMENT_CHARS).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(text: &str, secret: &str) -> UseHints {
        let start = text.find(secret).expect("secret in text");
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        use_hints(text.as_bytes(), line_start, &(start..start + secret.len()))
    }

    #[test]
    fn variable_is_the_name_the_value_is_assigned_to() {
        let cases = [
            ("export RAILWAY_API_TOKEN=\"S3CR3T\"", Some("RAILWAY_API_TOKEN")),
            ("  api_key: S3CR3T", Some("api_key")),
            ("{\"openai\": {\"api_key\": \"S3CR3T\"}}", Some("api_key")),
            ("const c = new Client({ apiKey: \"S3CR3T\" });", Some("apiKey")),
            (
                "DATABASE_URL=postgres://app:S3CR3T@db:5432/app",
                Some("DATABASE_URL"),
            ),
            ("token := \"S3CR3T\"", Some("token")),
            ("S3CR3T", None),
        ];
        for (text, expected) in cases {
            assert_eq!(hints(text, "S3CR3T").variable.as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn on_a_minified_line_the_variable_is_looked_for_just_before_the_token() {
        let bundle = "var a=b.c(d),e={f:1};".repeat(50_000);
        let text = format!("{bundle}const c=new Client({{apiKey:\"S3CR3T\"}});{bundle}");
        assert_eq!(hints(&text, "S3CR3T").variable.as_deref(), Some("apiKey"));
        // Beyond the reach: the nearest name is cut off, so none is named.
        let long_name = "x".repeat(VARIABLE_REACH);
        let text = format!("{bundle}{long_name}=\"S3CR3T\"");
        assert_eq!(hints(&text, "S3CR3T").variable, None);
    }

    #[test]
    fn comments_come_from_the_line_and_the_three_lines_above_nearest_first() {
        let text = "# far away\n# Used for custom domains\n\n// and DNS\nT=S3CR3T # staging only\n";
        assert_eq!(
            hints(text, "S3CR3T").comments,
            ["staging only", "and DNS", "Used for custom domains"]
        );
    }

    #[test]
    fn a_comment_above_other_code_is_not_about_this_token() {
        let text = "# Used for custom domains\nA=1\nT=S3CR3T\n";
        assert!(hints(text, "S3CR3T").comments.is_empty());
    }

    #[test]
    fn urls_and_shebangs_are_not_comments() {
        let text = "#!/bin/sh\nURL=https://x.example/#frag\nT=S3CR3T\n";
        assert!(hints(text, "S3CR3T").comments.is_empty());
    }
}
