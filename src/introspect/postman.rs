//! Postman: `GET /me` (`X-API-Key`): the user the key acts as, and their team.

use super::guard::NetError;
use super::{rejected_or_error, text, Api, Introspector, Learned, Token};

pub struct Postman;

impl Introspector for Postman {
    fn provider(&self) -> &'static str {
        "postman"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://api.getpostman.com")
    }

    fn handles(&self, _kind: &str) -> bool {
        true
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let response = api.get("/me", &[("X-API-Key", token.secret)])?;
        if !response.ok() {
            return rejected_or_error(&response);
        }
        let body = response.json()?;
        let mut learned = Learned::live();
        learned.owner("owner", text(&body, "/user/username").unwrap_or_default());
        if let Some(team) = text(&body, "/user/teamName") {
            learned.fact("team", team);
        }
        Ok(learned)
    }
}
