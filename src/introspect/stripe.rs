//! Stripe: `GET /v1/account`: liveness and the account. A restricted key that may not read
//! the account gets 403 `permission_error` — still live. Its permissions are not readable.

use super::guard::NetError;
use super::{get_bearer, text, Api, Forbidden, Introspector, Learned, Reply, Token};

pub struct Stripe;

impl Introspector for Stripe {
    fn provider(&self) -> &'static str {
        "stripe"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://api.stripe.com")
    }

    fn handles(&self, kind: &str) -> bool {
        kind.ends_with("secret-key") || kind.ends_with("restricted-key")
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let body = match get_bearer(api, token, "/v1/account", Forbidden::MeansLive)? {
            Reply::Body(body) => body,
            Reply::Settled(learned) => return Ok(learned),
        };
        let mut learned = Learned::live();
        learned.owner("account", text(&body, "/id").unwrap_or_default());
        learned.owner("owner", text(&body, "/email").unwrap_or_default());
        Ok(learned)
    }
}
