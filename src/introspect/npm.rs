//! npm: `GET /-/whoami` on the registry: liveness and the user. npm has no read-only call
//! for a granular token's packages and permissions.

use super::guard::NetError;
use super::{rejected_or_error, text, Api, Introspector, Learned, Token};

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
        let auth = format!("Bearer {}", token.secret);
        let response = api.get("/-/whoami", &[("Authorization", &auth)])?;
        if response.status == 403 {
            return Ok(Learned::dead());
        }
        if !response.ok() {
            return rejected_or_error(&response);
        }
        let body = response.json()?;
        let mut learned = Learned::live();
        learned.owner("owner", text(&body, "/username").unwrap_or_default());
        Ok(learned)
    }
}
