//! Small helpers shared by the mechanism modules: reading JSON with comments (the settings
//! files of Zed, OpenCode and VS Code allow them), and finding the line a setting sits on so
//! `blocked_by` can say `FILE:LINE`.

use serde_json::Value;

/// Parses JSON that may carry `//` and `/* */` comments and trailing commas.
pub fn parse_jsonc(text: &str) -> Option<Value> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            out.push(b);
            if b == b'\\' && i + 1 < bytes.len() {
                out.push(bytes[i + 1]);
                i += 2;
                continue;
            }
            in_string = b != b'"';
            i += 1;
            continue;
        }
        match (b, bytes.get(i + 1)) {
            (b'"', _) => {
                in_string = true;
                out.push(b);
                i += 1;
            }
            (b'/', Some(b'/')) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            (b',', _) => {
                // A trailing comma: drop it when the next significant byte closes.
                let next = bytes[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
                if !matches!(next, Some(b'}' | b']')) {
                    out.push(b);
                }
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    serde_json::from_slice(&out).ok()
}

/// The 1-based line of the first occurrence of `needle` at or after byte `from`, or of the
/// first occurrence anywhere, or line 1.
pub fn line_of(text: &str, needle: &str, from: usize) -> usize {
    let at = text
        .get(from..)
        .and_then(|rest| rest.find(needle).map(|i| i + from))
        .or_else(|| text.find(needle))
        .unwrap_or(0);
    line_at(text, at)
}

/// The 1-based line holding byte `offset`.
pub fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A string as it appears quoted in JSON.
pub fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Matches OpenCode-style wildcards: `*` any run of characters (including `/`), `?` one.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The `@path` imports of a memory file (CLAUDE.md, GEMINI.md): an `@` at the start of a
/// word followed by a path, outside code spans and fenced code blocks. `~/` paths and
/// absolute paths are skipped (they are outside the workspace).
pub fn imports(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut in_code = false;
        let mut prev = ' ';
        for (i, c) in line.char_indices() {
            if c == '`' {
                in_code = !in_code;
            } else if c == '@' && !in_code && prev.is_whitespace() {
                let rest = &line[i + 1..];
                let end = rest
                    .find(|ch: char| ch.is_whitespace() || ch == ')' || ch == ']' || ch == ',')
                    .unwrap_or(rest.len());
                let path = rest[..end].trim_end_matches(['.', ':', ';']);
                if !path.is_empty()
                    && !path.starts_with('~')
                    && !path.starts_with('/')
                    && path.contains(['.', '/'])
                {
                    out.push(path);
                }
            }
            prev = c;
        }
    }
    out
}

/// `a/./b/../c` -> `a/c` with forward slashes; `None` when it climbs out of the root.
pub fn normalize(path: &std::path::Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            std::path::Component::ParentDir => {
                parts.pop()?;
            }
            std::path::Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn memory_file_imports() {
        let text = "See @docs/setup.md and @README.md.\nMail me@example.dev\n`@not/this.md`\n```\n@nor/this.md\n```\n- @~/.claude/me.md\n";
        assert_eq!(imports(text), vec!["docs/setup.md", "README.md"]);
        assert_eq!(
            normalize(std::path::Path::new("a/./b/../c.md")).as_deref(),
            Some("a/c.md")
        );
        assert_eq!(normalize(std::path::Path::new("../x.md")), None);
    }

    use super::*;

    #[test]
    fn jsonc_comments_and_trailing_commas() {
        let v = parse_jsonc("{\n // c\n \"a\": [\"x//y\", /* z */ 1,],\n}").unwrap();
        assert_eq!(v["a"][0], "x//y");
        assert_eq!(v["a"][1], 1);
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*.env", ".env"));
        assert!(wildcard_match("*.env", "config/prod.env"));
        assert!(wildcard_match("*.env.*", "a/.env.local"));
        assert!(!wildcard_match("*.env", ".env.local"));
        assert!(wildcard_match("src/?.rs", "src/a.rs"));
    }
}
