//! Stripe: `GET /v1/account`: liveness and the account. A restricted key that may not read
//! the account gets 403 `permission_error` — still live. Its permissions are not readable.

use super::guard::NetError;
use super::{rejected_or_error, text, Api, Introspector, Learned, Token};

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
        let auth = format!("Bearer {}", token.secret);
        let response = api.get("/v1/account", &[("Authorization", &auth)])?;
        if response.status == 403 {
            return Ok(Learned::live());
        }
        if !response.ok() {
            return rejected_or_error(&response);
        }
        let body = response.json()?;
        let mut learned = Learned::live();
        learned.owner("account", text(&body, "/id").unwrap_or_default());
        learned.owner("owner", text(&body, "/email").unwrap_or_default());
        Ok(learned)
    }
}
