//! Supabase: `GET /v1/projects` with a management token (`sbp_`): every project the token's
//! user can manage — its reach. Project API keys (`sb_secret_`, service-role JWTs) are not
//! management tokens and are not asked about.

use serde_json::Value;

use super::guard::NetError;
use super::{get_bearer, text, Api, Forbidden, Introspector, Learned, Reply, Token};
use crate::finding::Breadth;

pub struct Supabase;

impl Introspector for Supabase {
    fn provider(&self) -> &'static str {
        "supabase"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://api.supabase.com")
    }

    fn handles(&self, kind: &str) -> bool {
        kind == "management-token"
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let body = match get_bearer(api, token, "/v1/projects", Forbidden::SaysNothing)? {
            Reply::Body(body) => body,
            Reply::Settled(learned) => return Ok(learned),
        };
        let Some(projects) = body.as_array() else {
            return Err(NetError::Unexpected("/v1/projects is not a list".to_owned()));
        };
        let mut learned = Learned::live();
        let names: Vec<&str> = projects.iter().filter_map(|p| text(p, "/name")).collect();
        learned.fact("projects", names.join(", "));
        let orgs: std::collections::BTreeSet<&str> = projects
            .iter()
            .filter_map(|p| p.get("organization_id").and_then(Value::as_str))
            .collect();
        learned.breadth = Some(if orgs.len() > 1 {
            Breadth::Account
        } else {
            Breadth::Workspace
        });
        Ok(learned)
    }
}
