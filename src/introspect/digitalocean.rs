//! DigitalOcean: `GET /v2/account`: liveness, owner and team. A token's scopes (full,
//! read-only, custom) are not returned by any read-only call.

use super::guard::NetError;
use super::{rejected_or_error, text, Api, Introspector, Learned, Token};

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
        let auth = format!("Bearer {}", token.secret);
        let response = api.get("/v2/account", &[("Authorization", &auth)])?;
        if !response.ok() {
            return rejected_or_error(&response);
        }
        let body = response.json()?;
        let mut learned = Learned::live();
        learned.owner("owner", text(&body, "/account/email").unwrap_or_default());
        if let Some(team) = text(&body, "/account/team/name") {
            learned.fact("team", team);
        }
        Ok(learned)
    }
}
