//! GitHub: `GET /user` with the token as a bearer. The `X-OAuth-Scopes` header lists a classic
//! or OAuth token's scopes (absent for fine-grained and app tokens, whose permissions no
//! read-only call reveals); `GitHub-Authentication-Token-Expiration` its expiry. For GitHub
//! Enterprise Server, set the base URL to `https://HOST/api/v3`.

use super::guard::NetError;
use super::{rejected_or_error, scope_list, text, Api, Introspector, Learned, Token};
use crate::finding::Breadth;

pub struct GitHub;

impl Introspector for GitHub {
    fn provider(&self) -> &'static str {
        "github"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://api.github.com")
    }

    fn handles(&self, kind: &str) -> bool {
        // A refresh token is only ever exchanged, never used as a bearer.
        kind != "refresh-token"
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let auth = format!("Bearer {}", token.secret);
        let response = api.get(
            "/user",
            &[
                ("Authorization", &auth),
                ("Accept", "application/vnd.github+json"),
                ("X-GitHub-Api-Version", "2022-11-28"),
            ],
        )?;
        if !response.ok() {
            return rejected_or_error(&response);
        }
        let body = response.json()?;
        let mut learned = Learned::live();
        learned.owner("owner", text(&body, "/login").unwrap_or_default());
        if let Some(kind) = text(&body, "/type") {
            learned.fact("owner_type", kind);
        }
        if let Some(expiry) = response.header("github-authentication-token-expiration") {
            learned.fact("expires", expiry);
        }
        match response.header("x-oauth-scopes") {
            Some(scopes) => {
                learned.raw = Some(scope_list(scopes));
                // Classic scopes apply to everything the user can reach.
                learned.breadth = Some(Breadth::Account);
            }
            None => {
                learned.learn = Some(
                    "GitHub does not reveal a fine-grained or app token's permissions read-only; see them in the token's settings"
                        .to_owned(),
                )
            }
        }
        Ok(learned)
    }
}
