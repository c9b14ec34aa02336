//! Notion: `GET /v1/users/me` (`Notion-Version: 2022-06-28`): the integration's bot user, its
//! name and workspace. The integration's capabilities are not returned.

use super::guard::NetError;
use super::{rejected_or_error, text, Api, Introspector, Learned, Token};
use crate::finding::Breadth;

pub struct Notion;

impl Introspector for Notion {
    fn provider(&self) -> &'static str {
        "notion"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://api.notion.com")
    }

    fn handles(&self, _kind: &str) -> bool {
        true
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let auth = format!("Bearer {}", token.secret);
        let response = api.get(
            "/v1/users/me",
            &[("Authorization", &auth), ("Notion-Version", "2022-06-28")],
        )?;
        if !response.ok() {
            return rejected_or_error(&response);
        }
        let body = response.json()?;
        let mut learned = Learned::live();
        learned.name = text(&body, "/name").map(str::to_owned);
        if let Some(workspace) = text(&body, "/bot/workspace_name") {
            learned.fact("workspace", workspace);
        }
        if text(&body, "/bot/owner/type") == Some("workspace") {
            learned.breadth = Some(Breadth::Workspace);
        }
        Ok(learned)
    }
}
