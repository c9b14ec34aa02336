//! OpenAI: `GET /v1/me` (undocumented, used by peers): the key's user and organisations.
//! No read-only call reveals a key's own permissions (All / Restricted / Read only).

use serde_json::Value;

use super::guard::NetError;
use super::{get_bearer, text, Api, Forbidden, Introspector, Learned, Reply, Token};

pub struct OpenAi;

impl Introspector for OpenAi {
    fn provider(&self) -> &'static str {
        "openai"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://api.openai.com")
    }

    fn handles(&self, _kind: &str) -> bool {
        true
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        // A restricted key may not read /v1/me, but the key is live.
        let body = match get_bearer(api, token, "/v1/me", Forbidden::MeansLive)? {
            Reply::Body(body) => body,
            Reply::Settled(learned) => return Ok(learned),
        };
        let mut learned = Learned::live();
        learned.owner("owner", text(&body, "/email").unwrap_or_default());
        let orgs = body.pointer("/orgs/data").and_then(Value::as_array);
        let roles: Vec<String> = orgs
            .into_iter()
            .flatten()
            .filter_map(|o| Some(format!("{}:{}", text(o, "/title")?, text(o, "/role")?)))
            .collect();
        learned.fact("organizations", roles.join(", "));
        Ok(learned)
    }
}
