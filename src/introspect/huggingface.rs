//! Hugging Face: `GET /api/whoami-v2`: the owner, and the token's name, role (`read`,
//! `write`, `fineGrained`) and, for a fine-grained token, its permissions per entity.

use serde_json::Value;

use super::guard::NetError;
use super::{get_bearer, text, Api, Forbidden, Introspector, Learned, Reply, Token};
use crate::finding::{Breadth, Capability, Privilege};

pub struct HuggingFace;

impl Introspector for HuggingFace {
    fn provider(&self) -> &'static str {
        "huggingface"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://huggingface.co")
    }

    fn handles(&self, _kind: &str) -> bool {
        true
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let body = match get_bearer(api, token, "/api/whoami-v2", Forbidden::SaysNothing)? {
            Reply::Body(body) => body,
            Reply::Settled(learned) => return Ok(learned),
        };
        let mut learned = Learned::live();
        learned.owner("owner", text(&body, "/name").unwrap_or_default());
        learned.name = text(&body, "/auth/accessToken/displayName").map(str::to_owned);
        learned.breadth = Some(Breadth::Account);
        match text(&body, "/auth/accessToken/role") {
            Some("read") => {
                learned.raw = Some(vec!["read".to_owned()]);
                learned.privilege = Some(Privilege::Read);
                learned.capabilities = Some(vec![Capability::Read]);
            }
            Some("write") => {
                learned.raw = Some(vec!["write".to_owned()]);
                learned.capabilities = Some(vec![
                    Capability::Read,
                    Capability::Write,
                    Capability::Delete,
                    Capability::Publish,
                ]);
            }
            Some("fineGrained") => {
                let fine = body.pointer("/auth/accessToken/fineGrained");
                let mut raw: Vec<String> = Vec::new();
                let global = fine.and_then(|f| f.get("global")).and_then(Value::as_array);
                raw.extend(
                    global
                        .into_iter()
                        .flatten()
                        .filter_map(|p| p.as_str().map(str::to_owned)),
                );
                let scoped = fine.and_then(|f| f.get("scoped")).and_then(Value::as_array);
                for entry in scoped.into_iter().flatten() {
                    let perms = entry.get("permissions").and_then(Value::as_array);
                    raw.extend(
                        perms
                            .into_iter()
                            .flatten()
                            .filter_map(|p| p.as_str().map(str::to_owned)),
                    );
                }
                raw.sort();
                raw.dedup();
                if global.is_none_or(|g| g.is_empty()) {
                    learned.breadth = Some(Breadth::Resource);
                }
                learned.raw = Some(raw);
            }
            other => {
                learned.learn = Some(format!(
                    "Hugging Face reports an unknown token role {}",
                    other.unwrap_or("(none)")
                ))
            }
        }
        Ok(learned)
    }

    /// Fine-grained permissions read `<area>.<action>`: `repo.content.read`, `repo.write`,
    /// `inference.serverless.write`, `org.manage`...
    fn map_scope(&self, scope: &str) -> Option<Vec<Capability>> {
        let action = scope.rsplit('.').next()?;
        Some(match action {
            "read" => vec![Capability::Read],
            "write" => vec![Capability::Read, Capability::Write, Capability::Publish],
            "manage" => vec![Capability::Admin],
            _ => return None,
        })
    }
}
