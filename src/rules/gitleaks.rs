//! Interoperability: `--rules` also loads gitleaks (and Betterleaks) TOML configs, so users
//! keep their custom rules. A file is taken for one when it has top-level `[[rules]]` and no
//! `[provider]`. Each rule becomes a tokscan rule:
//!
//! - `id` → the rule id (lowercased, `_` → `-`); its first word names the provider (a
//!   built-in provider when it is one, e.g. `github-…`), else the provider `custom`.
//! - `regex` (RE2 syntax; what regex-automata rejects is an error naming the rule and line),
//!   `secretGroup` (default: the first non-empty group, else the whole match, as gitleaks),
//!   `entropy` → `min_entropy`, `path` → a path regex, `keywords` → keywords (when absent,
//!   literals the regex requires are used; a regex without any is an error).
//! - `[[rules.allowlists]]` / `[rules.allowlist]` and top-level `[[allowlists]]` /
//!   `[allowlist]` (with `targetRules`): `regexes` (against `regexTarget` = secret, match
//!   or line), `stopwords`, `paths`, `condition` (`OR`/`AND`). `commits` (and Betterleaks'
//!   `resources`) can never hold here and count as unmet. Viper reads keys
//!   case-insensitively; the camelCase and all-lowercase spellings are accepted.
//! - Not translatable, and so errors: path-only rules (no `regex`), composite rules
//!   (`[[rules.required]]`, `skipReport`), and `[extend]` with a `path` or `url`.
//!   `[extend] useDefault` is accepted and ignored: tokscan's built-in rules take the place
//!   of gitleaks' defaults.
//!
//! Imported rules have confidence `medium` and severity `high`, no examples, and the
//! provider's remediation (or a generic one for `custom`).

use std::ops::Range;

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind};
use serde::Deserialize;
use std::sync::OnceLock;

use toml::Spanned;

use super::{
    compile_regex, parse_regex, regex_from_hir, AllowTarget, Allowlist, Builder, Extent, Patterns, Provider,
    Rule, Source, DEFAULT_WINDOW,
};
use crate::error::{FileError, Result};
use crate::finding::{Confidence, Severity};

const GENERIC_REMEDIATION: &str = "Revoke this credential where it was issued, replace it with \
one scoped to what its user needs, and load it from a secret store instead of a file.";
/// Shortest literal worth using as a prefilter keyword.
const MIN_KEYWORD: usize = 3;

/// Whether `text` looks like a gitleaks config rather than a tokscan pack.
pub fn is_gitleaks(text: &str) -> bool {
    match toml::from_str::<toml::Table>(text) {
        Ok(table) => table.contains_key("rules") && !table.contains_key("provider"),
        Err(_) => false,
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Config {
    #[serde(default)]
    #[allow(dead_code)]
    title: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    extend: Option<Spanned<Extend>>,
    #[serde(default)]
    rules: Vec<Spanned<GlRule>>,
    #[serde(default)]
    allowlist: Option<Spanned<GlAllowlist>>,
    #[serde(default)]
    allowlists: Vec<Spanned<GlAllowlist>>,
    /// Betterleaks: the oldest version the config is written for.
    #[serde(default, alias = "minversion")]
    #[allow(dead_code)]
    min_version: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Extend {
    #[serde(default, alias = "usedefault")]
    #[allow(dead_code)]
    use_default: bool,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default, alias = "disabledrules")]
    #[allow(dead_code)]
    disabled_rules: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GlRule {
    id: Spanned<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    regex: Option<Spanned<String>>,
    #[serde(default, alias = "secretgroup")]
    secret_group: Option<Spanned<i64>>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    path: Option<Spanned<String>>,
    #[serde(default)]
    #[allow(dead_code)]
    tags: Vec<String>,
    #[serde(default)]
    allowlist: Option<Spanned<GlAllowlist>>,
    #[serde(default)]
    allowlists: Vec<Spanned<GlAllowlist>>,
    #[serde(default)]
    required: Option<Spanned<toml::Value>>,
    #[serde(default, alias = "skipreport")]
    skip_report: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GlAllowlist {
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    condition: Option<Spanned<String>>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    paths: Option<Spanned<Vec<String>>>,
    #[serde(default, alias = "regextarget")]
    regex_target: Option<Spanned<String>>,
    #[serde(default)]
    regexes: Option<Spanned<Vec<String>>>,
    #[serde(default, alias = "stopwords")]
    stop_words: Vec<String>,
    #[serde(default, alias = "targetrules")]
    target_rules: Vec<String>,
    /// Betterleaks: resource matchers (`fs.content`, …); like commits, they cannot be
    /// evaluated here and count as unmet.
    #[serde(default)]
    resources: Vec<String>,
}

type Fail = (Range<usize>, String);

impl Builder {
    /// Translates a gitleaks config into rules; errors point at the offending line.
    pub(super) fn add_gitleaks(&mut self, source: &Source) -> Result<()> {
        let config: Config = toml::from_str(&source.text)
            .map_err(|e| FileError::from_toml("gitleaks config", &source.path, &source.text, &e))?;
        self.translate(config, source).map_err(|(span, msg)| {
            FileError::new("gitleaks config", &source.path, &source.text, Some(span), msg)
                .with_help("see `--rules` in README.md for what tokscan translates from gitleaks configs")
                .into()
        })
    }

    fn translate(&mut self, config: Config, source: &Source) -> Result<(), Fail> {
        if let Some(extend) = &config.extend {
            if extend.get_ref().path.is_some() || extend.get_ref().url.is_some() {
                return Err((
                    extend.span(),
                    "[extend] with a path or url cannot be translated: pass that config with another --rules"
                        .to_owned(),
                ));
            }
        }
        // Global allowlists, with the rules they target (none: every rule of this file).
        let mut global: Vec<(Vec<String>, Spanned<GlAllowlist>)> = Vec::new();
        for list in config.allowlist.into_iter().chain(config.allowlists) {
            let targets = list.get_ref().target_rules.clone();
            global.push((targets, list));
        }
        for spanned in config.rules {
            let span = spanned.span();
            let rule = spanned.into_inner();
            let raw_id = rule.id.get_ref().clone();
            let mut compiled = self.translate_rule(rule, source)?;
            for (targets, list) in &global {
                if targets.is_empty() || targets.contains(&raw_id) {
                    compiled.allowlists.push(allowlist(list)?);
                }
            }
            if let Some(previous) = self.rule_ids.insert(compiled.id.clone(), source.path.clone()) {
                return Err((
                    span,
                    format!("rule id `{}` is already defined in {previous}", compiled.id),
                ));
            }
            self.rules.push(compiled);
        }
        Ok(())
    }

    fn translate_rule(&mut self, rule: GlRule, source: &Source) -> Result<Rule, Fail> {
        let raw_id = rule.id.get_ref().clone();
        let named = |msg: &str| format!("rule `{raw_id}`: {msg}");
        if let Some(required) = &rule.required {
            return Err((
                required.span(),
                named("composite rules ([[rules.required]]) cannot be translated"),
            ));
        }
        if let Some(skip) = rule.skip_report.as_ref().filter(|s| *s.get_ref()) {
            return Err((
                skip.span(),
                named("skipReport rules only feed composite rules, which tokscan does not support"),
            ));
        }
        let Some(pattern) = &rule.regex else {
            return Err((
                rule.id.span(),
                named("a rule with only `path` flags file names; tokscan rules match content, so it cannot be translated"),
            ));
        };
        let pattern = &go_compat(pattern);
        let hir = parse_regex(pattern.get_ref()).map_err(|msg| (pattern.span(), named(&msg)))?;
        let regex = regex_from_hir(&hir).map_err(|msg| (pattern.span(), named(&msg)))?;
        let groups = regex.group_info().group_len(regex_automata::PatternID::ZERO);
        let (secret_group, secret_first_group) = match &rule.secret_group {
            Some(g) if *g.get_ref() > 0 => {
                let index = usize::try_from(*g.get_ref()).unwrap_or(usize::MAX);
                if index >= groups {
                    return Err((
                        g.span(),
                        named(&format!(
                            "secretGroup {index}, but the regex has {} groups",
                            groups - 1
                        )),
                    ));
                }
                (index, false)
            }
            Some(g) if *g.get_ref() < 0 => return Err((g.span(), named("secretGroup must not be negative"))),
            _ => (0, true),
        };
        let keywords: Vec<String> = match &rule.keywords {
            Some(k) if k.get_ref().iter().any(|k| !k.is_empty()) => k
                .get_ref()
                .iter()
                .filter(|k| !k.is_empty())
                .map(|k| k.to_ascii_lowercase())
                .collect(),
            _ => literals_of(&hir).ok_or_else(|| {
                (
                    pattern.span(),
                    named(
                        "no `keywords`, and the regex requires no literal of 3+ characters to use as one; \
                         add `keywords = [...]` (tokscan runs a rule only where a keyword occurs)",
                    ),
                )
            })?,
        };
        let path_regex = rule
            .path
            .as_ref()
            .map(|p| compile_regex(go_compat(p).get_ref()).map_err(|msg| (p.span(), named(&msg))))
            .transpose()?;
        let mut allowlists = Vec::new();
        for list in rule.allowlist.iter().chain(&rule.allowlists) {
            allowlists.push(allowlist(list).map_err(|(s, msg)| (s, named(&msg)))?);
        }
        let id = normalize_id(&raw_id);
        let first = id.split('-').next().unwrap_or_default();
        let (provider_id, id) = if first.is_empty() || first == id {
            ("custom".to_owned(), format!("custom-{id}"))
        } else {
            (first.to_owned(), id.clone())
        };
        let kind = id
            .strip_prefix(&format!("{provider_id}-"))
            .filter(|k| !k.is_empty())
            .unwrap_or("secret")
            .to_owned();
        let provider = self.provider_or_new(&provider_id);
        // Already compiled here (their errors need the file's spans), so not lazily.
        let extent = OnceLock::from(Some(Extent::of(&hir, &keywords)));
        let compiled = OnceLock::from(Some(Patterns {
            regex,
            secret_group,
            context: None,
        }));
        Ok(Rule {
            id,
            provider,
            kind,
            description: rule.description.unwrap_or_else(|| raw_id.clone()),
            keywords,
            pattern: pattern.get_ref().clone(),
            context_pattern: None,
            extent,
            compiled,
            secret_first_group,
            min_entropy: rule.entropy.filter(|e| *e > 0.0),
            checksum: None,
            decoder: None,
            public: false,
            paths: Vec::new(),
            path_regex,
            allowlists,
            window: DEFAULT_WINDOW,
            confidence: Confidence::Medium,
            severity: Severity::High,
            examples: Vec::new(),
            negative_examples: Vec::new(),
            references: Vec::new(),
            origin: source.path.clone(),
        })
    }

    fn provider_or_new(&mut self, id: &str) -> usize {
        if let Some(&index) = self.provider_index.get(id) {
            return index;
        }
        self.providers.push(Provider {
            id: id.to_owned(),
            name: id.to_owned(),
            remediation: GENERIC_REMEDIATION.to_owned(),
            kinds: Vec::new(),
            scopes: Default::default(),
        });
        self.provider_index
            .insert(id.to_owned(), self.providers.len() - 1);
        self.providers.len() - 1
    }
}

fn allowlist(list: &Spanned<GlAllowlist>) -> Result<Allowlist, Fail> {
    let def = list.get_ref();
    let all = match def
        .condition
        .as_ref()
        .map(|c| (c.span(), c.get_ref().to_ascii_uppercase()))
    {
        None => false,
        Some((_, c)) if c.is_empty() || c == "OR" || c == "||" => false,
        Some((_, c)) if c == "AND" || c == "&&" => true,
        Some((span, c)) => return Err((span, format!("unknown allowlist condition `{c}` (OR or AND)"))),
    };
    let target = match def
        .regex_target
        .as_ref()
        .map(|t| (t.span(), t.get_ref().as_str()))
    {
        None | Some((_, "" | "secret")) => AllowTarget::Secret,
        Some((_, "match")) => AllowTarget::Match,
        Some((_, "line")) => AllowTarget::Line,
        Some((span, other)) => {
            return Err((
                span,
                format!("unknown regexTarget `{other}` (secret, match or line)"),
            ))
        }
    };
    let compile_all = |list: &Option<Spanned<Vec<String>>>| -> Result<Vec<_>, Fail> {
        let Some(list) = list else {
            return Ok(Vec::new());
        };
        list.get_ref()
            .iter()
            .map(|p| {
                compile_regex(go_compat(&Spanned::new(list.span(), p.clone())).get_ref())
                    .map_err(|msg| (list.span(), format!("allowlist: {msg}")))
            })
            .collect()
    };
    Ok(Allowlist {
        all,
        target,
        regexes: compile_all(&def.regexes)?,
        stopwords: def.stop_words.iter().map(|w| w.to_ascii_lowercase()).collect(),
        paths: compile_all(&def.paths)?,
        has_commits: !def.commits.is_empty() || !def.resources.is_empty(),
    })
}

/// Go's RE2 reads a `{` that cannot start a repetition (`{\d+}` after `|` or `(`, `{VAR}`)
/// as a literal brace, where regex-syntax reports an error: such braces are escaped.
fn go_compat(pattern: &Spanned<String>) -> Spanned<String> {
    let text = pattern.get_ref();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 4);
    let mut in_class = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\\' => {
                // Copy the escape and the character it escapes as they are.
                let end = (i + 2).min(bytes.len());
                out.push_str(&text[i..end]);
                i = end;
                continue;
            }
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'{' if !in_class => {
                let prev = out.as_bytes().last().copied();
                let repeatable = !matches!(prev, None | Some(b'(' | b'|'));
                if !(repeatable && is_repetition(&bytes[i + 1..])) {
                    out.push_str("\\{");
                    i += 1;
                    continue;
                }
            }
            _ => {}
        }
        // Multi-byte characters are copied whole.
        let len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + len]);
        i += len;
    }
    Spanned::new(pattern.span(), out)
}

/// Whether `rest` (after a `{`) is `n}`, `n,}` or `n,m}`.
fn is_repetition(rest: &[u8]) -> bool {
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return false;
    }
    match rest.get(digits) {
        Some(b'}') => true,
        Some(b',') => {
            let more = rest[digits + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            rest.get(digits + 1 + more) == Some(&b'}')
        }
        _ => false,
    }
}

/// A gitleaks id as a tokscan id: lowercase words joined by `-`.
fn normalize_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

fn prefix_literals(hir: &Hir) -> Option<Vec<String>> {
    let mut extractor = Extractor::new();
    // Expand case-insensitive letters (`[Aa]`) but not real classes (`[0-9]`), whose
    // expansions would make hundreds of near-identical keywords.
    extractor.kind(ExtractKind::Prefix).limit_class(2).limit_total(64);
    let lits = extractor.extract(hir).literals()?.to_vec();
    let mut words: Vec<String> = lits
        .iter()
        .map(|l| String::from_utf8_lossy(l.as_bytes()).to_ascii_lowercase())
        .collect();
    words.sort();
    words.dedup();
    (!words.is_empty() && words.iter().all(|w| w.len() >= MIN_KEYWORD)).then_some(words)
}

/// Literals (lowercased) one of which every match of `hir` contains, for the keyword
/// prefilter: the regex's own prefix literals, or those of the first part of a
/// concatenation that has them (`[\w.-]{0,40}(?:acme)…` yields `acme`).
fn literals_of(hir: &Hir) -> Option<Vec<String>> {
    if let Some(words) = prefix_literals(hir) {
        return Some(words);
    }
    match hir.kind() {
        HirKind::Capture(cap) => literals_of(&cap.sub),
        // Any suffix of a concatenation occurs in every match; its prefixes are inner
        // literals of the whole (`(?i)acme` is a run of one-letter classes, so single parts
        // are too short: try each suffix).
        HirKind::Concat(parts) => (1..parts.len()).find_map(|i| {
            let rest = Hir::concat(parts[i..].to_vec());
            match rest.kind() {
                HirKind::Concat(_) => prefix_literals(&rest),
                _ => literals_of(&rest),
            }
        }),
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for alt in alts {
                all.extend(literals_of(alt)?);
            }
            all.sort();
            all.dedup();
            Some(all)
        }
        HirKind::Repetition(rep) if rep.min > 0 => literals_of(&rep.sub),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_normalized() {
        assert_eq!(normalize_id("Acme_API-Key"), "acme-api-key");
        assert_eq!(normalize_id("--x  y--"), "x-y");
    }

    #[test]
    fn go_literal_braces_are_escaped() {
        let go = |p: &str| go_compat(&Spanned::new(0..0, p.to_owned())).into_inner();
        assert_eq!(go(r"^\$(?:\d+|{\d+})$"), r"^\$(?:\d+|\{\d+})$");
        assert_eq!(go(r"^\{\d{0,2}}$"), r"^\{\d{0,2}}$");
        assert_eq!(go(r"\${VAR}"), r"\$\{VAR}");
        assert_eq!(go(r"a{2,}[{]"), r"a{2,}[{]");
        assert_eq!(go("é{x"), "é\\{x");
    }

    fn required_literals(pattern: &str) -> Option<Vec<String>> {
        literals_of(&parse_regex(pattern).unwrap())
    }

    #[test]
    fn keywords_from_the_regex() {
        assert_eq!(required_literals(r"acme_[a-z0-9]{32}").unwrap(), ["acme_"]);
        assert_eq!(
            required_literals(r"(?i)[\w.-]{0,40}(?:acme)(?:[ \t\w.-]{0,20})[=:]\s*([a-z0-9]{32})").unwrap(),
            ["acme"]
        );
        assert_eq!(
            required_literals(r"(?:tok_|key_)[0-9]{10}").unwrap(),
            ["key_", "tok_"]
        );
        assert!(required_literals(r"[a-f0-9]{40}").is_none());
        assert!(required_literals(r"(?:ab|cd)[0-9]+").is_none());
    }
}
