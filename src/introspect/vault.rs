//! HashiCorp Vault: `GET /v1/auth/token/lookup-self` (`X-Vault-Token`): the token's
//! policies, display name, type and expiry. Vault is always self-hosted: the base URL comes
//! from `TOKSCAN_VAULT_API_URL`, `[introspect.api_url] vault` or `VAULT_ADDR`, else Vault
//! tokens are not asked about.

use serde_json::Value;

use super::guard::NetError;
use super::{rejected_or_error, text, Api, Introspector, Learned, Token};
use crate::finding::{Breadth, Capability, Privilege};

pub struct Vault;

impl Introspector for Vault {
    fn provider(&self) -> &'static str {
        "vault"
    }

    fn default_url(&self) -> Option<&'static str> {
        None
    }

    fn handles(&self, kind: &str) -> bool {
        matches!(kind, "service-token" | "batch-token")
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let response = api.get("/v1/auth/token/lookup-self", &[("X-Vault-Token", token.secret)])?;
        // Vault answers a bad token with 403 "permission denied".
        if response.status == 403 {
            return Ok(Learned::dead());
        }
        if !response.ok() {
            return rejected_or_error(&response);
        }
        let body = response.json()?;
        let policies: Vec<String> = body
            .pointer("/data/policies")
            .and_then(Value::as_array)
            .map(|p| p.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        let mut learned = Learned::live();
        learned.name = text(&body, "/data/display_name").map(str::to_owned);
        if let Some(expires) = text(&body, "/data/expire_time") {
            learned.fact("expires", expires);
        }
        if policies.iter().any(|p| p == "root") {
            learned.privilege = Some(Privilege::Owner);
            learned.capabilities = Some(vec![
                Capability::Read,
                Capability::Write,
                Capability::Delete,
                Capability::Admin,
                Capability::SecretsRead,
            ]);
            learned.breadth = Some(Breadth::Account);
        } else if policies.iter().all(|p| p == "default") {
            // The default policy lets a token look itself up and renew itself, nothing more.
            learned.privilege = Some(Privilege::None);
            learned.capabilities = Some(Vec::new());
        } else {
            learned.learn = Some(format!(
                "what Vault policies {} allow: `vault policy read NAME`",
                policies.join(", ")
            ));
        }
        learned.raw = Some(policies);
        Ok(learned)
    }
}
