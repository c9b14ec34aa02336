//! Sentry: `GET /api/0/`, the API root, which answers a token with its scopes and user (what
//! `sentry-cli info` reads). Regional hosts (`us.sentry.io`, `de.sentry.io`) and self-hosted
//! Sentry: set the base URL.

use serde_json::Value;

use super::guard::NetError;
use super::{get_bearer, text, Api, Forbidden, Introspector, Learned, Reply, Token};
use crate::finding::Capability;

pub struct Sentry;

impl Introspector for Sentry {
    fn provider(&self) -> &'static str {
        "sentry"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://sentry.io")
    }

    fn handles(&self, _kind: &str) -> bool {
        true
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let body = match get_bearer(api, token, "/api/0/", Forbidden::SaysNothing)? {
            Reply::Body(body) => body,
            Reply::Settled(learned) => return Ok(learned),
        };
        // The root answers anonymous callers too, without `auth`: then the token was not taken.
        let Some(scopes) = body.pointer("/auth/scopes").and_then(Value::as_array) else {
            return Ok(Learned::dead());
        };
        let mut learned = Learned::live();
        learned.raw = Some(
            scopes
                .iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect(),
        );
        learned.owner("owner", text(&body, "/user/email").unwrap_or_default());
        Ok(learned)
    }

    /// Sentry scopes read `<resource>:<level>`: `project:read`, `org:write`, `event:admin`,
    /// `project:releases`.
    fn map_scope(&self, scope: &str) -> Option<Vec<Capability>> {
        let (_, level) = scope.split_once(':')?;
        Some(match level {
            "read" => vec![Capability::Read],
            "write" => vec![Capability::Read, Capability::Write],
            "admin" => vec![
                Capability::Read,
                Capability::Write,
                Capability::Delete,
                Capability::Admin,
            ],
            "releases" => vec![Capability::Read, Capability::Deploy],
            _ => return None,
        })
    }
}
