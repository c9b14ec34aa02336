//! The scope catalog (`[[kind]]` and `[scopes]` in provider packs) and the purpose lexicon
//! (`rules/purposes.toml`), validated as they load. Deciding what a finding's scope and
//! stated use are is the scope stage's job; this module only holds the data.

use std::collections::BTreeMap;
use std::ops::Range;

use memchr::memmem::Finder;

use super::pack::{KindDef, PurposeDef};
use crate::finding::{Breadth, Capability, Privilege};

/// The static scope of a token kind, possibly conditional on decoded facts.
#[derive(Debug, Clone)]
pub struct KindScope {
    pub kind: String,
    pub when: BTreeMap<String, String>,
    pub privilege: Privilege,
    pub capabilities: Vec<Capability>,
    pub breadth: Breadth,
    pub environments: Vec<String>,
    pub learn: Option<String>,
    pub alternative: Option<String>,
}

impl KindScope {
    /// Checks what serde cannot: a known privilege lists capabilities, an unknown one says how
    /// to learn it.
    pub fn compile(def: KindDef) -> Result<KindScope, String> {
        match def.privilege {
            Privilege::Unknown if def.learn.is_none() => {
                return Err(format!(
                    "kind `{}` has an unknown privilege: add `learn`, how to find out",
                    def.id
                ))
            }
            Privilege::Unknown if !def.capabilities.is_empty() => {
                return Err(format!(
                    "kind `{}` lists capabilities but its privilege is unknown",
                    def.id
                ))
            }
            Privilege::None | Privilege::Unknown => {}
            _ if def.capabilities.is_empty() => {
                return Err(format!("kind `{}` needs `capabilities`", def.id));
            }
            _ => {}
        }
        let mut capabilities = def.capabilities;
        capabilities.sort();
        capabilities.dedup();
        Ok(KindScope {
            kind: def.id,
            when: def.when,
            privilege: def.privilege,
            capabilities,
            breadth: def.breadth,
            environments: def.environments,
            learn: def.learn,
            alternative: def.alternative,
        })
    }

    /// Whether every `when` fact holds in `facts`.
    pub fn applies(&self, kind: &str, facts: &BTreeMap<String, String>) -> bool {
        self.kind == kind && self.when.iter().all(|(k, v)| facts.get(k) == Some(v))
    }
}

/// One entry of the purpose lexicon.
#[derive(Debug, Clone)]
pub struct Purpose {
    pub id: String,
    /// Lowercase phrases, words separated by single spaces, each with its searcher: every
    /// finding's name, comments, variable and path are searched for every phrase.
    phrases: Vec<Finder<'static>>,
    pub needs: Vec<Capability>,
    pub breadth: Option<Breadth>,
    pub providers: Vec<String>,
}

impl Purpose {
    pub fn compile(def: PurposeDef) -> Result<Purpose, String> {
        if def.phrases.is_empty() {
            return Err(format!("purpose `{}` needs `phrases`", def.id));
        }
        let phrases = def.phrases.iter().map(|p| normalize(p)).collect::<Vec<_>>();
        if let Some(empty) = def.phrases.iter().zip(&phrases).find(|(_, n)| n.is_empty()) {
            return Err(format!("purpose `{}`: phrase `{}` has no words", def.id, empty.0));
        }
        Ok(Purpose {
            id: def.id,
            phrases: phrases.iter().map(|p| Finder::new(p).into_owned()).collect(),
            needs: def.needs,
            breadth: def.breadth,
            providers: def.providers,
        })
    }

    /// The first of this purpose's phrases that occurs in `normalized` text as whole words,
    /// with where it occurs.
    pub fn find_in(&self, normalized: &str) -> Option<Range<usize>> {
        self.phrases
            .iter()
            .find_map(|phrase| find_words(normalized, phrase))
    }

    pub fn applies_to(&self, provider: &str) -> bool {
        self.providers.is_empty() || self.providers.iter().any(|p| p == provider)
    }
}

/// Lowercase words separated by single spaces; `_ - . /` and other punctuation separate words,
/// and camelCase boundaries do too (`customDomain` -> `custom domain`).
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !out.ends_with(' ') {
                out.push(' ');
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            out.extend(c.to_lowercase());
        } else {
            prev_lower = false;
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// `phrase` in `text` on word boundaries, both normalized. A trailing `s` on the text's last
/// word is allowed (`domain` finds `domains`).
fn find_words(text: &str, phrase: &Finder) -> Option<Range<usize>> {
    let mut from = 0;
    while let Some(pos) = phrase.find(&text.as_bytes()[from..]) {
        let start = from + pos;
        let mut end = start + phrase.needle().len();
        let starts_word = start == 0 || text.as_bytes()[start - 1] == b' ';
        if text[end..].starts_with('s') && text[end + 1..].chars().next().is_none_or(|c| c == ' ') {
            end += 1;
        }
        let ends_word = end == text.len() || text.as_bytes()[end] == b' ';
        if starts_word && ends_word {
            return Some(start..end);
        }
        from = start + 1;
        while !text.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_splits_identifiers_paths_and_camel_case() {
        assert_eq!(normalize("CUSTOM_DOMAIN_TOKEN"), "custom domain token");
        assert_eq!(
            normalize("scripts/custom-domains.sh"),
            "scripts custom domains sh"
        );
        assert_eq!(normalize("customDomainToken"), "custom domain token");
        assert_eq!(normalize("  # Used for: DNS records!  "), "used for dns records");
    }

    #[test]
    fn phrases_match_whole_words_with_an_optional_plural() {
        let find_words = |text: &str, phrase: &str| find_words(text, &Finder::new(phrase));
        assert_eq!(find_words("manage custom domains", "custom domain"), Some(7..21));
        assert_eq!(find_words("dns record", "dns"), Some(0..3));
        assert_eq!(find_words("dnsmasq config", "dns"), None);
        assert_eq!(find_words("redeploy", "deploy"), None);
        assert_eq!(find_words("deploys", "deploy"), Some(0..7));
    }
}
