//! Rule packs: loading the TOML data in `rules/` (embedded at build time) and any packs
//! given with `--rules`, validating them, and compiling them into a [`RuleSet`] the matcher
//! can run: one keyword set over all rules (the prefilter), then per-rule regexes.
//!
//! This module knows what a rule *is*; it does not search buffers (that is `detect`).

pub mod catalog;
pub mod checksum;
pub mod doc;
mod extent;
mod gitleaks;
pub mod pack;
mod paths;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use globset::Glob;
use regex_automata::hybrid::dfa::Cache;
use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use toml::Spanned;

use crate::decode::util::base64url_encode;
use crate::decode::Decoder;
use crate::detect::{KeywordSet, KeywordSpec};
use crate::error::{Error, FileError, Result};
use crate::finding::{Capability, Confidence, Severity};
pub use catalog::{normalize, KindScope, Purpose};
pub use checksum::Checksum;
pub use extent::Extent;
use extent::Follow;
pub use pack::Example;
use pack::{CredentialFileList, PackFile, PlaceholderFile, PurposeFile, RuleDef};
pub use paths::Globs;
use paths::PathGlobs;

/// The rule data compiled into the binary: `(path, contents)` for every `rules/**/*.toml`.
const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
const PLACEHOLDERS_FILE: &str = "rules/placeholders.toml";
const CREDENTIAL_FILES_FILE: &str = "rules/credential-files.toml";
const PURPOSES_FILE: &str = "rules/purposes.toml";
/// Only files under this directory are provider packs; the rest of `rules/` is other data
/// (the agent catalog in `rules/agents/`, read by `reach`).
const PACKS_DIR: &str = "rules/providers/";
/// Bytes a match may extend past its keyword unless the rule says otherwise.
const DEFAULT_WINDOW: usize = 1024;

#[derive(Debug)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub remediation: String,
    /// Static scope per token kind (`[[kind]]`).
    pub kinds: Vec<KindScope>,
    /// The provider's scope names mapped onto capabilities (`[scopes]`).
    pub scopes: BTreeMap<String, Vec<Capability>>,
}

impl Provider {
    /// The scope entry for `kind` given the token's decoded facts: a conditional entry whose
    /// facts all hold, else the plain one.
    pub fn kind_scope(&self, kind: &str, facts: &BTreeMap<String, String>) -> Option<&KindScope> {
        let conditional = self.kinds.iter().filter(|k| !k.when.is_empty());
        let plain = self.kinds.iter().filter(|k| k.when.is_empty());
        conditional.chain(plain).find(|k| k.applies(kind, facts))
    }
}

/// A rule's compiled regexes: what finds its matches in a window.
#[derive(Debug)]
pub struct Patterns {
    pub regex: Regex,
    /// Index of the `secret` capture group.
    pub secret_group: usize,
    pub context: Option<Regex>,
}

#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub provider: usize,
    pub kind: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub pattern: String,
    pub context_pattern: Option<String>,
    /// Where the rule's matches can lie around its keywords (the windows the matcher
    /// searches), read from its regex at the first hit of one of them: compiling every rule
    /// up front costs more than a one-file scan (the pre-commit case), and most rules never
    /// see their keyword.
    extent: OnceLock<Option<Extent>>,
    /// Compiled at the rule's first window: most rules whose keywords do appear never get
    /// one, as their keyword tails turn every hit down.
    compiled: OnceLock<Option<Patterns>>,
    /// gitleaks' rule for a rule without `secretGroup`: the first capture group that
    /// matched something, else the whole match. Only imported gitleaks rules set it.
    pub secret_first_group: bool,
    pub min_entropy: Option<f64>,
    pub checksum: Option<Checksum>,
    /// Reads facts from the token itself (claims, caveats, embedded ids).
    pub decoder: Option<Decoder>,
    /// Public by design: skipped unless asked for, then reported at `info`.
    pub public: bool,
    /// The paths the rule applies to; none: every path. Matched for all rules at once by
    /// [`RuleSet::rules_with_path`].
    pub paths: Vec<Glob>,
    /// A regex the file's path must match (gitleaks' `path`).
    pub path_regex: Option<Regex>,
    /// Exceptions (gitleaks' allowlists): a candidate any of them allows is dropped.
    pub allowlists: Vec<Allowlist>,
    pub window: usize,
    pub confidence: Confidence,
    pub severity: Severity,
    pub examples: Vec<Example>,
    pub negative_examples: Vec<Example>,
    pub references: Vec<String>,
    /// The pack the rule came from, for messages.
    pub origin: String,
}

impl Rule {
    /// The compiled regexes, or `None` if they do not compile. Packs given with `--rules` are
    /// compiled as they load, so their errors point at the file; built-in packs are checked
    /// by the test suite (`RuleSet::compile_all`).
    pub fn patterns(&self) -> Option<&Patterns> {
        self.compiled
            .get_or_init(|| compile_patterns(&self.pattern, self.context_pattern.as_deref()).ok())
            .as_ref()
    }

    /// Where the rule's matches can lie around its keywords, or `None` if its regex does not
    /// parse (then it matches nothing).
    pub fn extent(&self) -> Option<&Extent> {
        self.extent
            .get_or_init(|| Some(Extent::of(&parse_regex(&self.pattern).ok()?, &self.keywords)))
            .as_ref()
    }

    /// Whether the rule's extent has been read, and whether its regexes have been compiled.
    #[cfg(test)]
    pub(crate) fn compiled_so_far(&self) -> (bool, bool) {
        (self.extent.get().is_some(), self.compiled.get().is_some())
    }

    /// Whether the rule applies on some paths only.
    pub fn is_path_bound(&self) -> bool {
        !self.paths.is_empty() || self.path_regex.is_some()
    }
}

/// When an allowlist's regexes apply to the secret, the whole match, or its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowTarget {
    Secret,
    Match,
    Line,
}

/// A gitleaks allowlist: conditions under which a candidate is not a finding. With `all`
/// (gitleaks' `condition = "AND"`) every condition given must hold, otherwise any one.
#[derive(Debug)]
pub struct Allowlist {
    pub all: bool,
    pub target: AllowTarget,
    pub regexes: Vec<Regex>,
    /// Lowercase; allowed when the secret contains one.
    pub stopwords: Vec<String>,
    pub paths: Vec<Regex>,
    /// Commit (and Betterleaks resource) conditions cannot be evaluated on files; they
    /// count as unmet.
    pub has_commits: bool,
}

impl Allowlist {
    /// Whether this allowlist lets the candidate go. `target` is the text its regexes see.
    pub fn allows(&self, path: &str, secret: &[u8], target: &[u8]) -> bool {
        let mut conditions: Vec<bool> = Vec::with_capacity(4);
        if self.has_commits {
            conditions.push(false);
        }
        if !self.paths.is_empty() {
            conditions.push(self.paths.iter().any(|r| r.is_match(path.as_bytes())));
        }
        if !self.regexes.is_empty() {
            conditions.push(self.regexes.iter().any(|r| r.is_match(target)));
        }
        if !self.stopwords.is_empty() {
            let lower = secret.to_ascii_lowercase();
            conditions.push(
                self.stopwords
                    .iter()
                    .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some()),
            );
        }
        if self.all {
            !conditions.is_empty() && conditions.iter().all(|&c| c)
        } else {
            conditions.iter().any(|&c| c)
        }
    }
}

/// Values that are never real secrets, however token-shaped.
#[derive(Debug, Default)]
pub struct Placeholders {
    contains: Vec<String>,
    exact: Vec<String>,
}

impl Placeholders {
    /// Whether `secret` is filler rather than a credential. A value whose checksum verifies
    /// was minted by its provider, so only the whole-value checks apply to it; so too for a
    /// multi-line value (a key body), where a marker word inside kilobytes of base64 is chance.
    pub fn is_placeholder(&self, secret: &[u8], checksum_verified: bool) -> bool {
        let lower = String::from_utf8_lossy(secret).to_ascii_lowercase();
        // An environment or template reference (`$DB_PASSWORD`, `${TOKEN}`), not a value.
        if lower.starts_with('$') || lower.starts_with('%') {
            return true;
        }
        // One character repeated (`000000…`, `aaaa…`) is filler.
        let mut chars = lower.chars();
        if let Some(first) = chars.next() {
            if chars.all(|c| c == first) {
                return true;
            }
        }
        if self.exact.contains(&lower) {
            return true;
        }
        let multi_line = lower.contains('\n') || lower.contains("\\n");
        let scan_markers = !checksum_verified && !multi_line;
        scan_markers && self.contains.iter().any(|c| lower.contains(c.as_str()))
    }
}

#[derive(Debug)]
pub struct RuleSet {
    pub providers: Vec<Provider>,
    pub rules: Vec<Rule>,
    pub placeholders: Placeholders,
    /// The purpose lexicon: words that state a use, and what that use needs.
    pub purposes: Vec<Purpose>,
    /// File names that mark credential stores, scanned even when git ignores them.
    pub credential_files: Globs,
    /// Every rule's `paths`.
    paths: PathGlobs,
    keywords: KeywordSet,
    /// `keywords` without those only path-bound rules have, indexed alike.
    keywords_anywhere: KeywordSet,
    /// For each keyword in `keywords`, the rules it triggers.
    keyword_rules: Vec<Vec<usize>>,
    /// Keywords from this index on are base64 forms of keywords.
    encoded_from: usize,
    /// For each keyword, what may follow its hits: for every rule it triggers, and for those
    /// of them that apply on any path. Worked out on the keyword's first hit; `None` when
    /// nothing can be turned down.
    follows: Box<[[OnceLock<Option<Follow>>; 2]]>,
    /// Tells rule sets apart, for state kept per rule outside the set.
    id: u64,
}

/// One TOML document to load, with the path used in messages.
struct Source {
    path: String,
    text: String,
}

/// Every embedded data file under `dir` (for example `rules/agents/`), as `(path, contents)`.
pub fn embedded_under(dir: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    EMBEDDED
        .iter()
        .copied()
        .filter(move |(path, _)| path.starts_with(dir))
}

impl RuleSet {
    /// The built-in rules only.
    pub fn builtin() -> Result<RuleSet> {
        RuleSet::load(&[] as &[&Path])
    }

    /// The built-in rules plus every pack in `extra` (files, or directories of `*.toml`).
    pub fn load(extra: &[impl AsRef<Path>]) -> Result<RuleSet> {
        RuleSet::load_enabled(extra, &[])
    }

    /// As [`RuleSet::load`], keeping only the rules named in `enabled` (all when it is empty).
    pub fn load_enabled(extra: &[impl AsRef<Path>], enabled: &[String]) -> Result<RuleSet> {
        RuleSet::load_with(true, extra, enabled)
    }

    /// The rules of the packs in `extra` alone; the built-in placeholders, stated-use phrases
    /// and credential-file names still apply. A pack is checked as [`RuleSet::load`] checks
    /// it, except for ids it shares with built-in rules. For trying packs by the thousand (the
    /// `rule_pack` fuzz target): loading the built-in packs is most of what `load` costs.
    pub fn load_packs(extra: &[impl AsRef<Path>]) -> Result<RuleSet> {
        RuleSet::load_with(false, extra, &[])
    }

    fn load_with(builtin_rules: bool, extra: &[impl AsRef<Path>], enabled: &[String]) -> Result<RuleSet> {
        let mut builder = Builder {
            providers: Vec::new(),
            provider_index: HashMap::new(),
            rules: Vec::new(),
            rule_ids: HashMap::new(),
            placeholders: Placeholders::default(),
            purposes: Vec::new(),
            credential_globs: Vec::new(),
        };
        let embedded: Vec<Source> = (EMBEDDED.iter())
            .filter(|(path, _)| builtin_rules || !path.starts_with(PACKS_DIR))
            .map(|(path, text)| Source {
                path: (*path).to_owned(),
                text: (*text).to_owned(),
            })
            .collect();
        for (source, pack) in embedded.iter().zip(parse_packs(&embedded)) {
            match (source.path.as_str(), pack) {
                (_, Some(pack)) => builder.add_parsed_pack(source, pack?, false)?,
                (PLACEHOLDERS_FILE, None) => builder.add_placeholders(source)?,
                (CREDENTIAL_FILES_FILE, None) => builder.add_credential_files(source)?,
                (PURPOSES_FILE, None) => builder.add_purposes(source)?,
                _ => {}
            }
        }
        for path in extra {
            for source in read_sources(path.as_ref())? {
                // Users may bring their gitleaks/Betterleaks configs as they are.
                if gitleaks::is_gitleaks(&source.text) {
                    builder.add_gitleaks(&source)?;
                } else {
                    builder.add_pack(&source, true)?;
                }
            }
        }
        if !enabled.is_empty() {
            let known: Vec<&str> = builder.rules.iter().map(|r| r.id.as_str()).collect();
            if let Some(unknown) = enabled.iter().find(|id| !known.contains(&id.as_str())) {
                return Err(Error::unknown_rule(unknown, &known));
            }
            builder.rules.retain(|rule| enabled.contains(&rule.id));
        }
        builder.finish()
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn provider(&self, rule: &Rule) -> &Provider {
        &self.providers[rule.provider]
    }

    /// Unique among the rule sets of a process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Every rule's keywords.
    pub fn keywords(&self) -> &KeywordSet {
        &self.keywords
    }

    /// The keywords of the rules that apply on any path, indexed as in
    /// [`RuleSet::keywords`]: all a file needs unless its path brings in a path-bound rule.
    /// The MCP config rules' `key`, `auth` and `credential` are nearly half of the keyword
    /// hits in the benchmark corpus, and lead nowhere outside those configs.
    pub fn keywords_anywhere(&self) -> &KeywordSet {
        &self.keywords_anywhere
    }

    /// The rules a keyword of [`RuleSet::keywords`] triggers.
    pub fn rules_for_keyword(&self, keyword: usize) -> &[usize] {
        &self.keyword_rules[keyword]
    }

    /// Whether a hit of `keyword` between `before` (the byte before it; `None` at the text's
    /// start) and `after` (the text right after it) can be part of a match of a rule the
    /// keyword triggers: of any of them, or when `anywhere` of those that apply on any path.
    /// `tail_caches` holds each rule's cache for its keyword tail's DFA, by rule index; used
    /// on the keyword's first hit only.
    pub fn may_match_around(
        &self,
        keyword: usize,
        anywhere: bool,
        before: Option<u8>,
        after: &[u8],
        tail_caches: &mut [Option<Cache>],
    ) -> bool {
        let Some(follow) = self.follows[keyword][usize::from(anywhere)]
            .get_or_init(|| self.follow(keyword, anywhere, tail_caches))
        else {
            return true;
        };
        follow.may_start_after(before)
            && match *after {
                [first, second, ..] => follow.allows(first, second),
                _ => true,
            }
    }

    fn follow(&self, keyword: usize, anywhere: bool, tail_caches: &mut [Option<Cache>]) -> Option<Follow> {
        let mut follow = extent::FollowBuilder::default();
        for &rule_index in &self.keyword_rules[keyword] {
            let rule = &self.rules[rule_index];
            if anywhere && rule.is_path_bound() {
                continue;
            }
            // A rule whose regex does not parse matches nothing.
            let Some(extent) = rule.extent() else {
                continue;
            };
            // Without a tail, the rule runs at every hit.
            let tail = (extent.tail.as_ref()).filter(|_| extent.holds_keyword)?;
            let cache = tail_caches[rule_index].get_or_insert_with(|| tail.dfa.create_cache());
            follow.add(tail, cache, self.keywords.keyword(keyword))?;
        }
        Some(follow.build())
    }

    /// Fills `rules` with the index of each rule one of whose `paths` matches `path` (a rule
    /// may appear more than once). `cache` is the calling thread's, made on first use.
    pub fn rules_with_path(&self, path: &str, cache: &mut Option<Cache>, rules: &mut Vec<usize>) {
        self.paths.rules_with_path(path, cache, rules);
    }

    /// Whether a keyword of [`RuleSet::keywords`] is the base64 form of one: a hint that an
    /// encoded token may sit there.
    pub fn is_encoded_keyword(&self, keyword: usize) -> bool {
        keyword >= self.encoded_from
    }

    /// Compiles every rule's regexes now; the first failure names its rule and pack.
    pub fn compile_all(&self) -> Result<()> {
        for rule in &self.rules {
            if let Err((_, msg)) = compile_patterns(&rule.pattern, rule.context_pattern.as_deref()) {
                return Err(FileError::new(
                    "rule pack",
                    &rule.origin,
                    "",
                    None,
                    format!("rule `{}`: {msg}", rule.id),
                )
                .into());
            }
        }
        Ok(())
    }
}

fn read_sources(path: &Path) -> Result<Vec<Source>> {
    let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let mut files = Vec::new();
    if meta.is_dir() {
        for entry in fs::read_dir(path).map_err(|e| Error::io(path, e))? {
            let entry = entry.map_err(|e| Error::io(path, e))?;
            let p = entry.path();
            if p.extension().is_some_and(|ext| ext == "toml") {
                files.push(p);
            }
        }
        files.sort();
    } else {
        files.push(path.to_owned());
    }
    files
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
            Ok(Source {
                path: p.display().to_string(),
                text,
            })
        })
        .collect()
}

struct Builder {
    providers: Vec<Provider>,
    provider_index: HashMap<String, usize>,
    rules: Vec<Rule>,
    rule_ids: HashMap<String, String>,
    placeholders: Placeholders,
    purposes: Vec<Purpose>,
    credential_globs: Vec<Glob>,
}

impl Builder {
    fn add_placeholders(&mut self, source: &Source) -> Result<()> {
        let file: PlaceholderFile = parse_toml("rule data", source)?;
        let lower = |v: Vec<String>| v.into_iter().map(|s| s.to_ascii_lowercase()).collect();
        self.placeholders = Placeholders {
            contains: lower(file.contains),
            exact: lower(file.exact),
        };
        Ok(())
    }

    fn add_purposes(&mut self, source: &Source) -> Result<()> {
        let file: PurposeFile = parse_toml("rule data", source)?;
        for spanned in file.purpose {
            let span = spanned.span();
            let purpose = Purpose::compile(spanned.into_inner()).map_err(|msg| {
                Error::from(FileError::new(
                    "rule data",
                    &source.path,
                    &source.text,
                    Some(span),
                    msg,
                ))
            })?;
            self.purposes.push(purpose);
        }
        Ok(())
    }

    fn add_credential_files(&mut self, source: &Source) -> Result<()> {
        let file: CredentialFileList = parse_toml("rule data", source)?;
        for glob in file.globs {
            let glob = Glob::new(&glob)
                .map_err(|e| FileError::new("rule data", &source.path, &source.text, None, e.to_string()))?;
            self.credential_globs.push(glob);
        }
        Ok(())
    }

    /// `eager` compiles the pack's regexes now, so that their errors name the file and line.
    fn add_pack(&mut self, source: &Source, eager: bool) -> Result<()> {
        let pack = parse_toml("rule pack", source)?;
        self.add_parsed_pack(source, pack, eager)
    }

    fn add_parsed_pack(&mut self, source: &Source, pack: PackFile, eager: bool) -> Result<()> {
        let err = |span: std::ops::Range<usize>, msg: String| -> Error {
            FileError::new("rule pack", &source.path, &source.text, Some(span), msg).into()
        };
        let provider_id = pack.provider.id.get_ref().clone();
        if provider_id.is_empty()
            || !provider_id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(err(
                pack.provider.id.span(),
                format!("provider id `{provider_id}` must be one lowercase word (letters and digits)"),
            ));
        }
        let provider = match self.provider_index.get(&provider_id) {
            Some(&index) => index,
            None => {
                self.providers.push(Provider {
                    id: provider_id.clone(),
                    name: pack.provider.name,
                    remediation: pack.provider.remediation,
                    kinds: Vec::new(),
                    scopes: BTreeMap::new(),
                });
                self.provider_index.insert(provider_id, self.providers.len() - 1);
                self.providers.len() - 1
            }
        };
        for spanned in pack.rule {
            let rule_span = spanned.span();
            let def = spanned.into_inner();
            let rule = compile_rule(def, provider, source, eager)
                .map_err(|(span, msg)| err(span.unwrap_or(rule_span.clone()), msg))?;
            if let Some(previous) = self.rule_ids.insert(rule.id.clone(), source.path.clone()) {
                return Err(err(
                    rule_span,
                    format!("rule id `{}` is already defined in {previous}", rule.id),
                ));
            }
            self.rules.push(rule);
        }
        for spanned in pack.kind {
            let span = spanned.span();
            let def = spanned.into_inner();
            let known_kind = self
                .rules
                .iter()
                .any(|r| r.provider == provider && r.kind == def.id);
            if !known_kind {
                return Err(err(
                    span,
                    format!(
                        "kind `{}` is not the kind of any {provider_id_shown} rule",
                        def.id,
                        provider_id_shown = self.providers[provider].id
                    ),
                ));
            }
            let kind = KindScope::compile(def).map_err(|msg| err(span, msg))?;
            self.providers[provider].kinds.push(kind);
        }
        self.providers[provider].scopes.extend(pack.scopes);
        Ok(())
    }

    fn finish(self) -> Result<RuleSet> {
        let mut keyword_index: HashMap<String, usize> = HashMap::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (rule_index, rule) in self.rules.iter().enumerate() {
            for keyword in &rule.keywords {
                let key = keyword.to_ascii_lowercase();
                let slot = *keyword_index.entry(key.clone()).or_insert_with(|| {
                    keywords.push(key);
                    keyword_rules.push(Vec::new());
                    keywords.len() - 1
                });
                if !keyword_rules[slot].contains(&rule_index) {
                    keyword_rules[slot].push(rule_index);
                }
            }
        }
        // Base64 forms of the prefixes of prefixed, high-confidence tokens ride along in the
        // same pass, so a token inside a Kubernetes Secret or a Docker `auth` costs no second
        // scan. Only those: every form is three to six more patterns to build and to hit.
        let encoded_from = keywords.len();
        for rule in self
            .rules
            .iter()
            .filter(|r| r.context_pattern.is_none() && !r.public && r.confidence == Confidence::High)
        {
            for keyword in rule.keywords.iter().filter(|k| k.len() >= ENCODED_KEYWORD_MIN) {
                for form in base64_forms(keyword.as_bytes()) {
                    let key = form;
                    if !keyword_index.contains_key(&key) {
                        keyword_index.insert(key.clone(), keywords.len());
                        keywords.push(key);
                        keyword_rules.push(Vec::new());
                    }
                }
            }
        }
        let rules = &self.rules;
        let credential_globs = self.credential_globs;
        // The glob sets are built on a second thread while the keyword sets are: the two are
        // most of this function's time, which a one-file scan waits for.
        let (glob_sets, keyword_sets) = in_parallel(
            || -> Result<(Globs, PathGlobs)> {
                let credential_files = Globs::new(credential_globs).map_err(|e| {
                    Error::from(FileError::new("rule data", CREDENTIAL_FILES_FILE, "", None, e))
                })?;
                let globs = (rules.iter().enumerate()).flat_map(|(rule_index, rule)| {
                    rule.paths.iter().map(move |glob| (rule_index, glob.clone()))
                });
                let paths = PathGlobs::new(globs)
                    .map_err(|e| Error::from(FileError::new("rule data", "rule paths", "", None, e)))?;
                Ok((credential_files, paths))
            },
            || -> Result<(KeywordSet, KeywordSet)> {
                let keyword_error = |e| Error::from(FileError::new("rule data", "keywords", "", None, e));
                let all_keywords =
                    KeywordSet::new(keywords.iter().enumerate().map(|(index, text)| KeywordSpec {
                        text: text.as_bytes(),
                        ignore_case: index < encoded_from,
                    }))
                    .map_err(keyword_error)?;
                // The base64 forms have no rules of their own: they stay.
                let keywords_anywhere = all_keywords
                    .subset(|index| {
                        index >= encoded_from
                            || keyword_rules[index]
                                .iter()
                                .any(|&rule| !rules[rule].is_path_bound())
                    })
                    .map_err(keyword_error)?;
                Ok((all_keywords, keywords_anywhere))
            },
        );
        let (all_keywords, keywords_anywhere) = keyword_sets?;
        let (credential_files, paths) = glob_sets?;
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Ok(RuleSet {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            providers: self.providers,
            rules: self.rules,
            placeholders: self.placeholders,
            purposes: self.purposes,
            credential_files,
            paths,
            keywords: all_keywords,
            keywords_anywhere,
            follows: (0..keyword_rules.len()).map(|_| Default::default()).collect(),
            keyword_rules,
            encoded_from,
        })
    }
}

/// Each of `sources` parsed as a provider pack when it is one (`None` for the other data
/// files), in order. The packs' TOML is most of what loading the rules costs, and loading
/// the rules most of what a one-file scan (a pre-commit hook) waits for: half of the sources
/// are parsed on a second thread.
fn parse_packs(sources: &[Source]) -> Vec<Option<Result<PackFile>>> {
    let parse = |sources: &[Source]| -> Vec<Option<Result<PackFile>>> {
        (sources.iter())
            .map(|source| (source.path.starts_with(PACKS_DIR)).then(|| parse_toml("rule pack", source)))
            .collect()
    };
    let (first, second) = sources.split_at(sources.len() / 2);
    let (mut parsed, rest) = in_parallel(|| parse(first), || parse(second));
    parsed.extend(rest);
    parsed
}

/// Runs `a` on a second thread while `b` runs on this one.
fn in_parallel<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        let a = a.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (a, b)
    })
}

fn parse_toml<T: serde::de::DeserializeOwned>(kind: &'static str, source: &Source) -> Result<T> {
    toml::from_str(&source.text)
        .map_err(|e| FileError::from_toml(kind, &source.path, &source.text, &e).into())
}

type RuleError = (Option<std::ops::Range<usize>>, String);

fn compile_rule(def: RuleDef, provider: usize, source: &Source, eager: bool) -> Result<Rule, RuleError> {
    let id = def.id.get_ref().clone();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err((
            Some(def.id.span()),
            format!("rule id `{id}` must be lowercase words joined by `-`"),
        ));
    }
    if def.keywords.get_ref().iter().all(|k| k.is_empty()) {
        return Err((
            Some(def.keywords.span()),
            "a rule needs at least one non-empty keyword for the prefilter".to_owned(),
        ));
    }
    let compiled = OnceLock::new();
    if eager {
        let patterns = compile_patterns(
            def.regex.get_ref(),
            def.context.as_ref().map(|c| c.get_ref().as_str()),
        )
        .map_err(|(which, msg)| {
            let span = match which {
                Which::Regex => def.regex.span(),
                Which::Context => def.context.as_ref().map_or(def.regex.span(), |c| c.span()),
            };
            (Some(span), msg)
        })?;
        let _ = compiled.set(Some(patterns));
    }
    let checksum = def
        .checksum
        .as_ref()
        .map(|c| c.get_ref().parse::<Checksum>().map_err(|e| (Some(c.span()), e)))
        .transpose()?;
    let decoder = def
        .decode
        .as_ref()
        .map(|d| d.get_ref().parse::<Decoder>().map_err(|e| (Some(d.span()), e)))
        .transpose()?;
    let paths = match &def.paths {
        Some(globs) => globs
            .get_ref()
            .iter()
            .map(|glob| paths::path_glob(glob).map_err(|e| (Some(globs.span()), e.to_string())))
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    let allowlists = match &def.not_secrets {
        Some(list) => vec![Allowlist {
            all: false,
            target: AllowTarget::Secret,
            regexes: list
                .get_ref()
                .iter()
                .map(|p| compile_regex(&format!("^(?:{p})$")).map_err(|e| (Some(list.span()), e)))
                .collect::<Result<_, _>>()?,
            stopwords: Vec::new(),
            paths: Vec::new(),
            has_commits: false,
        }],
        None => Vec::new(),
    };
    Ok(Rule {
        id,
        provider,
        kind: def.kind,
        description: def.description,
        keywords: def
            .keywords
            .into_inner()
            .into_iter()
            .filter(|k| !k.is_empty())
            .collect(),
        pattern: def.regex.into_inner(),
        context_pattern: def.context.map(Spanned::into_inner),
        extent: OnceLock::new(),
        compiled,
        secret_first_group: false,
        min_entropy: def.min_entropy,
        checksum,
        decoder,
        public: def.public,
        paths,
        path_regex: None,
        allowlists,
        window: def.window.unwrap_or(DEFAULT_WINDOW),
        confidence: def.confidence,
        // A public value is never more than information, whatever the pack says.
        severity: if def.public { Severity::Info } else { def.severity },
        examples: def.examples,
        negative_examples: def.negative_examples,
        references: def.references,
        origin: source.path.clone(),
    })
}

/// Keywords shorter than this are not looked for in base64: their encoded forms are too short
/// to be told from chance in the base64 of images and hashes.
const ENCODED_KEYWORD_MIN: usize = 4;

/// The base64 text a keyword becomes at each of the three alignments it can have in encoded
/// data: only the characters that depend on the keyword's bytes alone, in the standard and
/// the URL-safe alphabet.
fn base64_forms(keyword: &[u8]) -> Vec<String> {
    let mut forms = Vec::new();
    for offset in 0..3 {
        let mut bytes = vec![0; offset];
        bytes.extend_from_slice(keyword);
        let encoded = base64url_encode(&bytes);
        let first = (8 * offset).div_ceil(6);
        let last = 8 * (offset + keyword.len()) / 6;
        let Some(form) = encoded
            .get(first..last)
            .filter(|f| f.len() >= ENCODED_KEYWORD_MIN)
        else {
            continue;
        };
        let standard = form.replace('-', "+").replace('_', "/");
        if standard != form {
            forms.push(standard);
        }
        forms.push(form.to_owned());
    }
    forms
}

/// Which of a rule's patterns failed to compile.
enum Which {
    Regex,
    Context,
}

fn compile_patterns(pattern: &str, context: Option<&str>) -> Result<Patterns, (Which, String)> {
    let regex = parse_regex(pattern)
        .and_then(|hir| regex_from_hir(&hir))
        .map_err(|e| (Which::Regex, e))?;
    let secret_group = regex
        .group_info()
        .to_index(regex_automata::PatternID::ZERO, "secret")
        .ok_or((
            Which::Regex,
            "the regex has no named capture `(?P<secret>...)`".to_owned(),
        ))?;
    let context = context
        .map(compile_regex)
        .transpose()
        .map_err(|e| (Which::Context, e))?;
    Ok(Patterns {
        regex,
        secret_group,
        context,
    })
}

/// `pattern`'s syntax tree, as [`compile_regex`] reads it (bytes, not Unicode).
fn parse_regex(pattern: &str) -> Result<regex_syntax::hir::Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| format!("invalid regex: {e}"))
}

fn regex_from_hir(hir: &regex_syntax::hir::Hir) -> Result<Regex, String> {
    Regex::builder()
        .build_from_hir(hir)
        .map_err(|e| format!("invalid regex: {e}"))
}

/// Byte-oriented regexes: tokens are ASCII, and files need not be UTF-8.
fn compile_regex(pattern: &str) -> Result<Regex, String> {
    Regex::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .build(pattern)
        .map_err(|e| {
            // The syntax error says what is wrong and where; the build error only that it failed.
            let detail = e
                .syntax_error()
                .map_or_else(|| e.to_string(), ToString::to_string);
            format!("invalid regex: {detail}")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_forms_are_found_in_the_encoding_at_every_alignment() {
        for prefix in ["", "a", "ab"] {
            let text = format!("{prefix}key: ghp_0123456789 and more");
            let encoded = base64url_encode(text.as_bytes());
            assert!(
                base64_forms(b"ghp_").iter().any(|f| encoded.contains(f.as_str())),
                "{encoded}"
            );
        }
    }
}
