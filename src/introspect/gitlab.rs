//! GitLab: `GET /api/v4/personal_access_tokens/self` (`PRIVATE-TOKEN` header) gives the
//! token's scopes, name, expiry and state; `GET /api/v4/user` tells a personal token from a
//! group or project token (whose user is a bot). Self-managed instances: set the base URL.

use super::guard::NetError;
use super::{rejected_or_error, text, Api, Introspector, Learned, Token};
use crate::finding::Breadth;

pub struct GitLab;

impl Introspector for GitLab {
    fn provider(&self) -> &'static str {
        "gitlab"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://gitlab.com")
    }

    fn handles(&self, kind: &str) -> bool {
        kind == "access-token"
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let headers = [("PRIVATE-TOKEN", token.secret)];
        let response = api.get("/api/v4/personal_access_tokens/self", &headers)?;
        if !response.ok() {
            return rejected_or_error(&response);
        }
        let body = response.json()?;
        let revoked = body.get("revoked").and_then(|v| v.as_bool()) == Some(true);
        let inactive = body.get("active").and_then(|v| v.as_bool()) == Some(false);
        if revoked || inactive {
            return Ok(Learned::dead());
        }
        let mut learned = Learned::live();
        learned.raw = Some(
            body.get("scopes")
                .and_then(|s| s.as_array())
                .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
        );
        learned.name = text(&body, "/name").map(str::to_owned);
        if let Some(expires) = text(&body, "/expires_at") {
            learned.fact("expires", expires);
        }
        // The user tells a personal token (account-wide) from a group or project bot's.
        if let Ok(user) = api.get("/api/v4/user", &headers) {
            if let (true, Ok(user)) = (user.ok(), user.json()) {
                learned.owner("owner", text(&user, "/username").unwrap_or_default());
                let bot = user.get("bot").and_then(|b| b.as_bool()) == Some(true);
                learned.breadth = Some(if bot { Breadth::Project } else { Breadth::Account });
                learned.fact("token_type", if bot { "group-or-project" } else { "personal" });
            }
        }
        Ok(learned)
    }
}
