//! Vercel: `GET /v5/user/tokens/current`: the token's name, type, expiry and scopes — which
//! accounts and teams it reaches. Within its scope a Vercel token can do everything its
//! owner can.

use serde_json::Value;

use super::guard::NetError;
use super::{get_bearer, text, Api, Forbidden, Introspector, Learned, Reply, Token};
use crate::finding::{Breadth, Capability, Privilege};

pub struct Vercel;

impl Introspector for Vercel {
    fn provider(&self) -> &'static str {
        "vercel"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://api.vercel.com")
    }

    fn handles(&self, kind: &str) -> bool {
        matches!(
            kind,
            "personal-access-token" | "access-token" | "integration-token"
        )
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let body = match get_bearer(api, token, "/v5/user/tokens/current", Forbidden::MeansDead)? {
            Reply::Body(body) => body,
            Reply::Settled(learned) => return Ok(learned),
        };
        let mut learned = Learned::live();
        learned.name = text(&body, "/token/name").map(str::to_owned);
        if let Some(kind) = text(&body, "/token/type") {
            learned.fact("token_type", kind);
        }
        if let Some(expires) = body.pointer("/token/expiresAt").filter(|v| !v.is_null()) {
            learned.fact("expires", expires.to_string());
        }
        let scopes = body
            .pointer("/token/scopes")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut raw = Vec::new();
        let mut breadth = Breadth::Project;
        for scope in &scopes {
            match text(scope, "/type") {
                Some("user") => {
                    raw.push("user".to_owned());
                    breadth = Breadth::Account;
                }
                Some("team") => {
                    raw.push(format!("team:{}", text(scope, "/teamId").unwrap_or("?")));
                    breadth = breadth.max(Breadth::Workspace);
                }
                Some(other) => raw.push(other.to_owned()),
                None => {}
            }
        }
        learned.raw = Some(raw);
        learned.breadth = Some(breadth);
        learned.privilege = Some(Privilege::Owner);
        learned.capabilities = Some(vec![
            Capability::Read,
            Capability::Write,
            Capability::Delete,
            Capability::Deploy,
            Capability::Admin,
            Capability::SecretsRead,
        ]);
        Ok(learned)
    }
}
