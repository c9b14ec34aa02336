//! Doppler: `GET /v3/me`: the token's type, name and workplace.

use super::guard::NetError;
use super::{get_bearer, text, Api, Forbidden, Introspector, Learned, Reply, Token};

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
        let body = match get_bearer(api, token, "/v3/me", Forbidden::MeansDead)? {
            Reply::Body(body) => body,
            Reply::Settled(learned) => return Ok(learned),
        };
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
