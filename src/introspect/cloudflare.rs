//! Cloudflare: `GET /client/v4/user/tokens/verify` with a user API token as a bearer: its
//! id, status and expiry. Its policies are not readable by the token itself unless it may
//! read API tokens, so the scope stays what the kind says.

use super::guard::NetError;
use super::{text, Api, Introspector, Learned, Token};

pub struct Cloudflare;

impl Introspector for Cloudflare {
    fn provider(&self) -> &'static str {
        "cloudflare"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://api.cloudflare.com")
    }

    fn handles(&self, kind: &str) -> bool {
        kind == "user-api-token"
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let auth = format!("Bearer {}", token.secret);
        let response = api.get("/client/v4/user/tokens/verify", &[("Authorization", &auth)])?;
        // Cloudflare answers an unknown token with 401, or 400 and error code 1000.
        if response.status == 400 || response.status == 401 || response.status == 403 {
            return Ok(Learned::dead());
        }
        if !response.ok() {
            return Err(NetError::Status(response.status));
        }
        let body = response.json()?;
        let status = text(&body, "/result/status").unwrap_or_default();
        if body.get("success").and_then(|v| v.as_bool()) != Some(true) || status != "active" {
            return Ok(Learned::dead());
        }
        let mut learned = Learned::live();
        learned.fact("token_id", text(&body, "/result/id").unwrap_or_default());
        if let Some(expires) = text(&body, "/result/expires_on") {
            learned.fact("expires", expires);
        }
        learned.learn = Some(
            "Cloudflare does not show a token its own policies: see them under My Profile → API Tokens"
                .to_owned(),
        );
        Ok(learned)
    }
}
