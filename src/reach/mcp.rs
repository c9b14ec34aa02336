//! MCP configs: which lines of a config file hold server definitions (the value of
//! `mcpServers`, `servers`, `context_servers`, `mcp`, or `[mcp_servers.*]` tables), so a token
//! found there is attributed to the `mcp-config` channel of the agent that reads the file.
//!
//! Finding the tokens is the detectors' job (provider rules, and the `generic` pack for
//! un-prefixed values under secret-looking keys); `${VAR}`, `${env:VAR}` and `${input:...}`
//! are references that the placeholder filter drops. This module only locates.

use std::ops::RangeInclusive;

use super::text::line_at;

/// Line ranges (1-based, inclusive) of the values of `key` in `text`.
pub fn server_lines(text: &str, key: &str, path: &str) -> Vec<RangeInclusive<usize>> {
    if path.ends_with(".toml") {
        toml_tables(text, key)
    } else if path.ends_with(".yaml") || path.ends_with(".yml") {
        // YAML MCP files (Continue) hold nothing but server definitions.
        vec![1..=usize::MAX]
    } else {
        json_values(text, key)
    }
}

fn json_values(text: &str, key: &str) -> Vec<RangeInclusive<usize>> {
    let needle = format!("\"{key}\"");
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(&needle) {
        let start = from + i;
        from = start + needle.len();
        let mut j = from;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if bytes.get(j) != Some(&b':') {
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if !matches!(bytes.get(j), Some(b'{' | b'[')) {
            continue;
        }
        let end = matching_close(bytes, j).unwrap_or(bytes.len());
        out.push(line_at(text, start)..=line_at(text, end));
    }
    out
}

/// The offset of the bracket closing the one at `open`, skipping strings.
fn matching_close(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut i = open;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b == b'\\' {
                i += 1;
            } else if b == b'"' {
                in_string = false;
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

fn toml_tables(text: &str, key: &str) -> Vec<RangeInclusive<usize>> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let is_ours = |header: &str| {
        let name = header.trim_start_matches('[').trim_start();
        name.strip_prefix(key)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with(']'))
    };
    let mut last = 0;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        last = n;
        let t = line.trim_start();
        if t.starts_with('[') {
            if let Some(start) = open.take() {
                out.push(start..=n - 1);
            }
            if is_ours(t) {
                open = Some(n);
            }
        }
    }
    if let Some(start) = open {
        out.push(start..=last);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_server_block_lines() {
        let text = "{\n  \"other\": 1,\n  \"mcpServers\": {\n    \"a\": {\"env\": {\"K\": \"v\"}}\n  }\n}\n";
        assert_eq!(server_lines(text, "mcpServers", "x.json"), vec![3..=5]);
    }

    #[test]
    fn toml_server_tables() {
        let text = "model = \"x\"\n[mcp_servers.gh]\ncommand = \"y\"\n[mcp_servers.gh.env]\nK = \"v\"\n[other]\nz = 1\n";
        assert_eq!(
            server_lines(text, "mcp_servers", "config.toml"),
            vec![2..=3, 4..=5]
        );
    }
}
