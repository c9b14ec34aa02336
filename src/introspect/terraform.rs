//! Terraform Cloud / HCP Terraform: `GET /api/v2/account/details`: the user, or for a team
//! or organization token the synthetic service user and the team or organization it
//! authenticates as.

use super::guard::NetError;
use super::{rejected_or_error, text, Api, Introspector, Learned, Token};
use crate::finding::Breadth;

pub struct Terraform;

impl Introspector for Terraform {
    fn provider(&self) -> &'static str {
        "terraform"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://app.terraform.io")
    }

    fn handles(&self, _kind: &str) -> bool {
        true
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let auth = format!("Bearer {}", token.secret);
        let response = api.get(
            "/api/v2/account/details",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/vnd.api+json"),
            ],
        )?;
        if !response.ok() {
            return rejected_or_error(&response);
        }
        let body = response.json()?;
        let mut learned = Learned::live();
        learned.owner(
            "owner",
            text(&body, "/data/attributes/username").unwrap_or_default(),
        );
        let kind = text(&body, "/data/relationships/authenticated-resource/data/type");
        let (token_type, breadth) = match kind {
            Some("organizations") => ("organization", Breadth::Workspace),
            Some("teams") => ("team", Breadth::Workspace),
            _ => ("user", Breadth::Account),
        };
        learned.fact("token_type", token_type);
        learned.breadth = Some(breadth);
        Ok(learned)
    }
}
