//! Doppler: `GET /v3/me`: the token's type, name and workplace.

use super::guard::NetError;
use super::{rejected_or_error, text, Api, Introspector, Learned, Token};

pub struct Doppler;

impl Introspector for Doppler {
    fn provider(&self) -> &'static str {
        "doppler"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://api.doppler.com")
    }

    fn handles(&self, _kind: &str) -> bool {
        true
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let auth = format!("Bearer {}", token.secret);
        let response = api.get("/v3/me", &[("Authorization", &auth)])?;
        if response.status == 403 {
            return Ok(Learned::dead());
        }
        if !response.ok() {
            return rejected_or_error(&response);
        }
        let body = response.json()?;
        let mut learned = Learned::live();
        learned.name = text(&body, "/name").map(str::to_owned);
        if let Some(kind) = text(&body, "/type") {
            learned.fact("token_type", kind);
        }
        if let Some(workplace) = text(&body, "/workplace/name") {
            learned.fact("workplace", workplace);
        }
        Ok(learned)
    }
}
