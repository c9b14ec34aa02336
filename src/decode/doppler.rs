//! Doppler tokens: `dp.<type>.` then, for service tokens, the config's name, then the
//! secret part (`dp.st.prd.XXXX`, `dp.pt.XXXX`).
//!
//! Facts: `token_type` (`personal`, `cli`, `service`, `service-account`, `scim`, `audit`),
//! `config` (a service token's config, e.g. `prd`).

use super::Facts;

pub fn decode(secret: &str, facts: &mut Facts) {
    let parts: Vec<&str> = secret.trim().split('.').collect();
    if parts.len() < 3 || parts[0] != "dp" {
        return;
    }
    let token_type = match parts[1] {
        "pt" => "personal",
        "ct" => "cli",
        "st" => "service",
        "sa" => "service-account",
        "scim" => "scim",
        "audit" => "audit",
        _ => return,
    };
    facts.insert("token_type".into(), token_type.into());
    if parts[1] == "st" && parts.len() == 4 && !parts[2].is_empty() {
        facts.insert("config".into(), parts[2].into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(token: &str) -> Facts {
        let mut f = Facts::new();
        decode(token, &mut f);
        f
    }

    #[test]
    fn service_token_names_its_config() {
        let f = facts(&format!("dp.st.prd_eu.{}", "x".repeat(40)));
        assert_eq!(f["token_type"], "service");
        assert_eq!(f["config"], "prd_eu");
        let g = facts(&format!("dp.st.{}", "x".repeat(40)));
        assert_eq!(g["token_type"], "service");
        assert!(!g.contains_key("config"));
    }

    #[test]
    fn personal_and_garbage() {
        assert_eq!(facts("dp.pt.abc")["token_type"], "personal");
        for t in ["", "dp", "dp.", "dp..", "dp.zz.abc", "xx.pt.abc"] {
            assert!(facts(t).is_empty(), "{t}");
        }
    }
}
