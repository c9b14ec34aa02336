//! Slack: `POST /api/auth.test` (allow-listed: it only reports who the token is). The
//! `x-oauth-scopes` response header lists the token's scopes; the body its team and user.

use super::guard::NetError;
use super::{scope_list, text, Api, Introspector, Learned, Token};
use crate::finding::Breadth;

pub struct Slack;

impl Introspector for Slack {
    fn provider(&self) -> &'static str {
        "slack"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://slack.com")
    }

    fn handles(&self, kind: &str) -> bool {
        matches!(kind, "bot-token" | "user-token" | "legacy-token")
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let auth = format!("Bearer {}", token.secret);
        let response = api.post_form("/api/auth.test", "", &[("Authorization", &auth)])?;
        if !response.ok() {
            return super::rejected_or_error(&response);
        }
        let body = response.json()?;
        if body.get("ok").and_then(|v| v.as_bool()) != Some(true) {
            return match text(&body, "/error") {
                Some(
                    "invalid_auth" | "not_authed" | "token_revoked" | "token_expired" | "account_inactive",
                ) => Ok(Learned::dead()),
                other => Err(NetError::Unexpected(format!(
                    "auth.test error {}",
                    other.unwrap_or("(none)")
                ))),
            };
        }
        let mut learned = Learned::live();
        learned.owner("owner", text(&body, "/user").unwrap_or_default());
        if let Some(team) = text(&body, "/team") {
            learned.fact("team", team);
        }
        if let Some(scopes) = response.header("x-oauth-scopes") {
            learned.raw = Some(scope_list(scopes));
        }
        let enterprise = body.get("is_enterprise_install").and_then(|v| v.as_bool()) == Some(true);
        learned.breadth = Some(if enterprise {
            Breadth::Account
        } else {
            Breadth::Workspace
        });
        Ok(learned)
    }
}
