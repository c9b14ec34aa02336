//! Read-only online introspection (`--introspect`): asks each token's own provider, through
//! its "who am I / what are my scopes" call, what the token really is — alive or revoked,
//! its scopes, its owner, its name — and merges the answer into the finding.
//!
//! Which findings: those whose provider has a client here (one file per provider, behind
//! [`Introspector`]) that handles the rule's kind. Each distinct token (by fingerprint) is
//! asked once per run. Every request goes through [`guard`], the one HTTP layer, which
//! refuses anything that is not read-only and anything not bound for the token's own
//! provider, and holds the per-token budget, rate limit, time-out and retry policy.
//!
//! What this stage does not do: decide stated use, excess or severity (the scope stage does,
//! again, after this one), or fail the scan. A network failure leaves the static scope as it
//! was, says why in `scope.learn` and `facts.introspection`, and `live` stays null.

pub mod guard;

mod aws;
mod cloudflare;
mod digitalocean;
mod doppler;
mod github;
mod gitlab;
mod huggingface;
mod linear;
mod notion;
mod npm;
mod openai;
mod postman;
mod railway;
mod sentry;
mod slack;
mod stripe;
mod supabase;
mod terraform;
mod vault;
mod vercel;

use std::collections::{BTreeMap, HashMap};

use crate::error::{Error, Result};
use crate::finding::{Breadth, Capability, Finding, Privilege, ScopeSource};
use crate::rules::RuleSet;
pub use guard::{Api, Response};
use guard::{BaseUrl, Guard, NetError};

/// One provider's client. Implementations only build requests and read answers; the guard
/// decides whether a request may go.
pub trait Introspector: Sync {
    /// The provider id, as in the rule packs' `[provider] id`.
    fn provider(&self) -> &'static str;
    /// The real API origin, when there is one (Vault has none: it is always self-hosted).
    fn default_url(&self) -> Option<&'static str>;
    /// Whether tokens of this rule kind can be asked about.
    fn handles(&self, kind: &str) -> bool;
    /// Asks the provider about `token`.
    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> std::result::Result<Learned, NetError>;
    /// Capabilities of a provider scope the pack's `[scopes]` table does not list.
    fn map_scope(&self, _scope: &str) -> Option<Vec<Capability>> {
        None
    }
}

/// What a client gets to work with.
pub struct Token<'a> {
    pub kind: &'a str,
    pub secret: &'a str,
    pub facts: &'a BTreeMap<String, String>,
    /// Other secrets of the same provider in the same file, `(kind, secret)`, nearest first:
    /// an AWS key id's secret key and session token.
    pub partners: Vec<(&'a str, &'a str)>,
}

/// What the provider said about a token.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Learned {
    /// False when the provider rejected the token (revoked, expired, never valid).
    pub live: bool,
    /// The token's scopes as the provider names them, when it says.
    pub raw: Option<Vec<String>>,
    /// Capabilities the provider's answer states directly (rather than through scope names).
    pub capabilities: Option<Vec<Capability>>,
    pub privilege: Option<Privilege>,
    pub breadth: Option<Breadth>,
    pub environments: Option<Vec<String>>,
    /// The token's own name at the provider: a statement of its use.
    pub name: Option<String>,
    /// Identity and metadata, owner identity already redacted.
    pub facts: BTreeMap<String, String>,
    /// What is still unknown, and how to learn it.
    pub learn: Option<String>,
}

impl Learned {
    pub fn dead() -> Learned {
        Learned::default()
    }

    pub fn live() -> Learned {
        Learned {
            live: true,
            ..Learned::default()
        }
    }

    pub fn fact(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        if !value.is_empty() {
            self.facts.insert(key.to_owned(), value);
        }
    }

    /// Records an owner identity (login, e-mail, account id), redacted.
    pub fn owner(&mut self, key: &str, identity: &str) {
        if !identity.is_empty() {
            self.facts.insert(key.to_owned(), redact_identity(identity));
        }
    }
}

/// Which API each provider's tokens go to: the real origins, unless `[introspect.api_url]`
/// in `tokscan.toml` or `TOKSCAN_<PROVIDER>_API_URL` overrides them (the environment wins).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    bases: BTreeMap<String, BaseUrl>,
}

impl Settings {
    /// Resolves every provider's base URL from `config_urls` (`[introspect.api_url]`) and the
    /// environment. A malformed override is an error: better than silently asking the real
    /// provider, or nobody.
    pub fn resolve(config_urls: &BTreeMap<String, String>) -> Result<Settings> {
        let mut bases = BTreeMap::new();
        for client in CLIENTS {
            let id = client.provider();
            let var = format!("TOKSCAN_{}_API_URL", id.to_ascii_uppercase());
            let from_env = std::env::var(&var).ok().filter(|v| !v.is_empty());
            let vault_addr = (id == "vault")
                .then(|| std::env::var("VAULT_ADDR").ok())
                .flatten()
                .filter(|v| !v.is_empty());
            let (text, origin) = match (from_env, config_urls.get(id), vault_addr) {
                (Some(url), _, _) => (url, var),
                (None, Some(url), _) => (url.clone(), format!("[introspect.api_url] {id}")),
                (None, None, Some(addr)) => (addr, "VAULT_ADDR".to_owned()),
                (None, None, None) => match client.default_url() {
                    Some(url) => (url.to_owned(), "default".to_owned()),
                    None => continue,
                },
            };
            let base = BaseUrl::parse(&text).map_err(|message| Error::ApiUrl { origin, message })?;
            bases.insert(id.to_owned(), base);
        }
        Ok(Settings { bases })
    }

    pub fn base(&self, provider: &str) -> Option<&BaseUrl> {
        self.bases.get(provider)
    }
}

/// The provider ids tokscan can introspect.
pub fn providers() -> impl Iterator<Item = &'static str> {
    CLIENTS.iter().map(|c| c.provider())
}

const CLIENTS: &[&dyn Introspector] = &[
    &github::GitHub,
    &gitlab::GitLab,
    &railway::Railway,
    &slack::Slack,
    &cloudflare::Cloudflare,
    &vercel::Vercel,
    &huggingface::HuggingFace,
    &openai::OpenAi,
    &stripe::Stripe,
    &digitalocean::DigitalOcean,
    &npm::Npm,
    &doppler::Doppler,
    &vault::Vault,
    &terraform::Terraform,
    &sentry::Sentry,
    &linear::Linear,
    &notion::Notion,
    &postman::Postman,
    &supabase::Supabase,
    &aws::Aws,
];

/// Consecutive time-outs or network errors after which a provider is not asked again.
const GIVE_UP_AFTER: u32 = 2;

/// Counts for the stats.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Summary {
    /// Distinct tokens asked about.
    pub asked: u64,
    pub live: u64,
    /// The provider said the token is not valid.
    pub rejected: u64,
    /// Time-outs, network and server errors: nothing learned.
    pub unreachable: u64,
}

/// Asks each finding's provider about its token and merges the answers. Findings need their
/// `raw_secret`; those without one, or whose provider or kind has no client, are left as
/// they are. Runs after the static scope is known and before stated use is judged again.
/// Each distinct token is asked once; providers are asked in parallel.
pub fn run(findings: &mut [Finding], rules: &RuleSet, settings: &Settings) -> Summary {
    type Outcome = std::result::Result<Learned, NetError>;
    // Which client asks about each finding, and the first finding of each distinct token.
    let mut plan: Vec<Option<&'static dyn Introspector>> = Vec::with_capacity(findings.len());
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (index, finding) in findings.iter().enumerate() {
        let client = CLIENTS.iter().copied().find(|c| {
            c.provider() == finding.provider
                && c.handles(&finding.kind)
                && settings.base(c.provider()).is_some()
        });
        let client = client.filter(|_| finding.raw_secret.is_some());
        if client.is_some() {
            first.entry(finding.fingerprint.as_str()).or_insert(index);
        }
        plan.push(client);
    }
    // One thread per provider: providers are asked side by side, each one's tokens in turn
    // (its rate limit would serialise them anyway).
    let mut by_provider: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
    for &index in first.values() {
        if let Some(client) = plan[index] {
            by_provider.entry(client.provider()).or_default().push(index);
        }
    }
    let guard = Guard::new();
    let shared: &[Finding] = findings;
    let answers: HashMap<String, Outcome> = std::thread::scope(|scope| {
        let workers: Vec<_> = by_provider
            .into_iter()
            .filter_map(|(provider, mut indices)| {
                let base = settings.base(provider)?;
                indices.sort_unstable();
                let (guard, plan) = (&guard, &plan);
                Some(scope.spawn(move || {
                    // A provider that does not answer twice in a row is not asked again in
                    // this run: each further token would only wait out the time-out.
                    let mut unanswered = 0;
                    indices
                        .into_iter()
                        .filter_map(|index| {
                            let client = plan[index]?;
                            let finding = &shared[index];
                            if unanswered >= GIVE_UP_AFTER {
                                return Some((finding.fingerprint.clone(), Err(NetError::GaveUp)));
                            }
                            let token = Token {
                                kind: &finding.kind,
                                secret: finding.raw_secret.as_deref()?,
                                facts: &finding.facts,
                                partners: partners(shared, index),
                            };
                            let mut api = guard.api(provider, base);
                            let outcome = client.introspect(&token, &mut api);
                            match &outcome {
                                Err(NetError::Timeout | NetError::Transport(_)) => unanswered += 1,
                                _ => unanswered = 0,
                            }
                            Some((finding.fingerprint.clone(), outcome))
                        })
                        .collect::<Vec<_>>()
                }))
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let mut summary = Summary::default();
    for outcome in answers.values() {
        summary.asked += 1;
        match outcome {
            Ok(l) if l.live => summary.live += 1,
            Ok(_) => summary.rejected += 1,
            Err(_) => summary.unreachable += 1,
        }
    }
    for (finding, client) in findings.iter_mut().zip(plan) {
        let Some(client) = client else { continue };
        let Some(outcome) = answers.get(&finding.fingerprint) else {
            continue;
        };
        let scopes = rules
            .providers
            .iter()
            .find(|p| p.id == client.provider())
            .map(|p| &p.scopes);
        merge(finding, outcome.clone(), scopes, client);
    }
    summary
}

/// Secrets of the same provider in the same file, nearest line first.
fn partners(findings: &[Finding], index: usize) -> Vec<(&str, &str)> {
    let me = &findings[index];
    let mut others: Vec<&Finding> = findings
        .iter()
        .enumerate()
        .filter(|&(i, f)| i != index && f.path == me.path && f.provider == me.provider)
        .map(|(_, f)| f)
        .collect();
    others.sort_by_key(|f| f.line.abs_diff(me.line));
    others
        .into_iter()
        .filter_map(|f| Some((f.kind.as_str(), f.raw_secret.as_deref()?)))
        .collect()
}

fn merge(
    finding: &mut Finding,
    outcome: std::result::Result<Learned, NetError>,
    scopes: Option<&BTreeMap<String, Vec<Capability>>>,
    client: &dyn Introspector,
) {
    let provider = client.provider();
    let learned = match outcome {
        Ok(learned) => learned,
        Err(err) => {
            let why = format!("--introspect could not ask {provider}: {err}");
            finding
                .facts
                .insert("introspection".to_owned(), format!("failed: {err}"));
            if !finding.scope.is_known() {
                finding.scope.learn = Some(why);
            }
            return;
        }
    };
    finding.live = Some(learned.live);
    for (key, value) in &learned.facts {
        finding.facts.insert(key.clone(), value.clone());
    }
    if !learned.live {
        finding
            .facts
            .insert("introspection".to_owned(), "rejected".to_owned());
        finding.scope.source = ScopeSource::Introspected;
        finding.scope.privilege = Privilege::None;
        finding.scope.capabilities.clear();
        finding.scope.raw.clear();
        finding.scope.learn = Some(format!(
            "{provider} rejected the token: it is revoked, expired or was never valid"
        ));
        return;
    }
    finding
        .facts
        .insert("introspection".to_owned(), "live".to_owned());
    if let Some(name) = &learned.name {
        finding.facts.insert("name".to_owned(), name.clone());
        finding.hints.name = Some(name.clone());
    }
    let mut unmapped = Vec::new();
    let capabilities = match (&learned.capabilities, &learned.raw) {
        (Some(caps), _) => Some(caps.clone()),
        (None, Some(raw)) => {
            let mut caps = Vec::new();
            for scope in raw {
                match scopes
                    .and_then(|table| table.get(scope).cloned())
                    .or_else(|| client.map_scope(scope))
                {
                    Some(mapped) => caps.extend(mapped),
                    None => unmapped.push(scope.clone()),
                }
            }
            Some(caps)
        }
        (None, None) => None,
    };
    let says_scope = capabilities.is_some() || learned.privilege.is_some();
    let scope = &mut finding.scope;
    if says_scope {
        let mut caps = capabilities.unwrap_or_else(|| scope.capabilities.clone());
        caps.sort();
        caps.dedup();
        scope.source = ScopeSource::Introspected;
        // Scopes tokscan cannot read mean the capabilities are only a lower bound; when none
        // can be read, nothing is known — never "can do nothing".
        let nothing_mapped = caps.is_empty() && !unmapped.is_empty();
        scope.privilege = match learned.privilege {
            Some(privilege) => privilege,
            None if nothing_mapped => Privilege::Unknown,
            None => privilege_of(&caps),
        };
        scope.capabilities = caps;
        scope.raw = learned.raw.clone().unwrap_or_default();
        scope.learn = if unmapped.is_empty() {
            learned.learn.clone()
        } else {
            Some(format!(
                "tokscan does not know what these {provider} scopes allow: {}",
                unmapped.join(", ")
            ))
        };
    } else {
        if let Some(raw) = &learned.raw {
            scope.raw = raw.clone();
        }
        if !scope.is_known() {
            scope.learn = Some(learned.learn.clone().unwrap_or_else(|| {
                format!("{provider} confirms the token is live but does not say what it may do")
            }));
        }
    }
    if let Some(breadth) = learned.breadth {
        scope.breadth = breadth;
    }
    if let Some(envs) = &learned.environments {
        scope.environments = envs.clone();
    }
}

/// The privilege a set of capabilities amounts to, when the provider does not say.
pub fn privilege_of(capabilities: &[Capability]) -> Privilege {
    use Capability::*;
    if capabilities.contains(&Admin) {
        Privilege::Admin
    } else if capabilities
        .iter()
        .any(|c| matches!(c, Write | Delete | Deploy | Publish | Send | Billing))
    {
        Privilege::Write
    } else if capabilities.iter().any(|c| matches!(c, Read | SecretsRead)) {
        Privilege::Read
    } else {
        Privilege::None
    }
}

/// Enough of an identity to recognise it, not to copy it: `octocat` → `oc***`,
/// `jane.doe@acme.com` → `ja***@acme.com`.
pub fn redact_identity(identity: &str) -> String {
    let (local, domain) = match identity.split_once('@') {
        Some((l, d)) => (l, Some(d)),
        None => (identity, None),
    };
    let shown: String = local
        .chars()
        .take(if local.chars().count() > 4 { 2 } else { 1 })
        .collect();
    match domain {
        Some(d) => format!("{shown}***@{d}"),
        None => format!("{shown}***"),
    }
}

/// Reads a string at a JSON pointer.
pub(crate) fn text<'v>(value: &'v serde_json::Value, pointer: &str) -> Option<&'v str> {
    value.pointer(pointer).and_then(|v| v.as_str())
}

/// What a provider's answer to a "who am I" call settles.
pub(crate) enum Reply {
    /// A 2xx with a JSON body to read.
    Body(serde_json::Value),
    /// The answer already says all there is: the token is refused.
    Settled(Learned),
}

/// What a provider means by 403 on its "who am I" call.
#[derive(Clone, Copy)]
pub(crate) enum Forbidden {
    /// The token is refused.
    MeansDead,
    /// The token is good but may not read this (a restricted key).
    MeansLive,
    /// Nothing about the token.
    SaysNothing,
}

/// `GET path` with the token as a bearer: the JSON body of a 2xx, or what a 401 or 403
/// settles about the token.
pub(crate) fn get_bearer(
    api: &mut Api<'_>,
    token: &Token<'_>,
    path: &str,
    forbidden: Forbidden,
) -> std::result::Result<Reply, NetError> {
    let auth = format!("Bearer {}", token.secret);
    let response = api.get(path, &[("Authorization", &auth)])?;
    if response.status == 403 {
        match forbidden {
            Forbidden::MeansDead => return Ok(Reply::Settled(Learned::dead())),
            Forbidden::MeansLive => return Ok(Reply::Settled(Learned::live())),
            Forbidden::SaysNothing => {}
        }
    }
    if !response.ok() {
        return rejected_or_error(&response).map(Reply::Settled);
    }
    Ok(Reply::Body(response.json()?))
}

/// A comma-separated scope header (`X-OAuth-Scopes: repo, read:org`) as scope names.
pub(crate) fn scope_list(header: &str) -> Vec<String> {
    header
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The common reading of a status: 401 means the provider does not accept the token.
/// Anything else that is not 2xx says nothing about it.
pub(crate) fn rejected_or_error(response: &Response) -> std::result::Result<Learned, NetError> {
    if response.status == 401 {
        Ok(Learned::dead())
    } else {
        Err(NetError::Status(response.status))
    }
}

/// `production` for an environment that is production by its name, else the name.
pub(crate) fn environment_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower == "prod" || lower.starts_with("production") || lower == "live" {
        "production".to_owned()
    } else {
        lower
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_redacted() {
        assert_eq!(redact_identity("octocat"), "oc***");
        assert_eq!(redact_identity("bob"), "b***");
        assert_eq!(redact_identity("jane.doe@acme.com"), "ja***@acme.com");
    }

    #[test]
    fn privilege_follows_capabilities() {
        assert_eq!(privilege_of(&[Capability::Read]), Privilege::Read);
        assert_eq!(
            privilege_of(&[Capability::Read, Capability::Publish]),
            Privilege::Write
        );
        assert_eq!(privilege_of(&[Capability::Admin]), Privilege::Admin);
        assert_eq!(privilege_of(&[]), Privilege::None);
    }

    #[test]
    fn every_client_has_a_valid_default_url() {
        for client in CLIENTS {
            if let Some(url) = client.default_url() {
                let base = BaseUrl::parse(url).unwrap();
                assert!(base.url.origin.https, "{url}");
            }
        }
    }
}
