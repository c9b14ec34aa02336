//! npm: `GET /-/whoami` on the registry: liveness and the user. npm has no read-only call
//! for a granular token's packages and permissions.

use super::guard::NetError;
use super::{get_bearer, text, Api, Forbidden, Introspector, Learned, Reply, Token};

pub struct Npm;

impl Introspector for Npm {
    fn provider(&self) -> &'static str {
        "npm"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://registry.npmjs.org")
    }

    fn handles(&self, _kind: &str) -> bool {
        true
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let body = match get_bearer(api, token, "/-/whoami", Forbidden::MeansDead)? {
            Reply::Body(body) => body,
            Reply::Settled(learned) => return Ok(learned),
        };
        let mut learned = Learned::live();
        learned.owner("owner", text(&body, "/username").unwrap_or_default());
        Ok(learned)
    }
}
