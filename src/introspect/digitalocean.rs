//! DigitalOcean: `GET /v2/account`: liveness, owner and team. A token's scopes (full,
//! read-only, custom) are not returned by any read-only call.

use super::guard::NetError;
use super::{get_bearer, text, Api, Forbidden, Introspector, Learned, Reply, Token};

pub struct DigitalOcean;

impl Introspector for DigitalOcean {
    fn provider(&self) -> &'static str {
        "digitalocean"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://api.digitalocean.com")
    }

    fn handles(&self, kind: &str) -> bool {
        matches!(kind, "personal-access-token" | "oauth-token")
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let body = match get_bearer(api, token, "/v2/account", Forbidden::SaysNothing)? {
            Reply::Body(body) => body,
            Reply::Settled(learned) => return Ok(learned),
        };
        let mut learned = Learned::live();
        learned.owner("owner", text(&body, "/account/email").unwrap_or_default());
        if let Some(team) = text(&body, "/account/team/name") {
            learned.fact("team", team);
        }
        Ok(learned)
    }
}
