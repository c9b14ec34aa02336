//! Linear: the GraphQL query `{ viewer { id name email admin } }` on `POST /graphql`, with
//! the key as the bare `Authorization` value. A key's own permission set has no query.

use serde_json::Value;

use super::guard::NetError;
use super::{text, Api, Introspector, Learned, Token};

pub struct Linear;

impl Introspector for Linear {
    fn provider(&self) -> &'static str {
        "linear"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://api.linear.app")
    }

    fn handles(&self, _kind: &str) -> bool {
        true
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let auth = if token.kind == "oauth-token" {
            format!("Bearer {}", token.secret)
        } else {
            token.secret.to_owned()
        };
        let response = api.graphql(
            "/graphql",
            "query { viewer { id name email admin } }",
            &[("Authorization", &auth)],
        )?;
        let body = response.json().ok();
        let viewer = body
            .as_ref()
            .and_then(|b| b.pointer("/data/viewer"))
            .filter(|v| !v.is_null());
        let Some(viewer) = viewer else {
            let auth_error = body
                .as_ref()
                .and_then(|b| b.get("errors"))
                .and_then(Value::as_array)
                .is_some_and(|errors| {
                    errors.iter().any(|e| {
                        text(e, "/extensions/type") == Some("authentication error")
                            || text(e, "/message").is_some_and(|m| m.contains("Authentication"))
                    })
                });
            return if auth_error || response.status == 401 {
                Ok(Learned::dead())
            } else {
                Err(NetError::Status(response.status))
            };
        };
        let mut learned = Learned::live();
        learned.owner("owner", text(viewer, "/email").unwrap_or_default());
        if viewer.get("admin").and_then(Value::as_bool) == Some(true) {
            learned.fact("owner_is_admin", "true");
        }
        Ok(learned)
    }
}
