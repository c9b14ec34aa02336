//! JSON Web Tokens: the claims in the payload, unverified (the signature needs the issuer's
//! key). Extras: `algorithm` (header `alg`), `project_ref` (Supabase's `ref` claim).

use serde_json::Value;

use super::util::{base64_decode, json_joined, json_secs};
use super::{set_expiry, set_time, Facts};

pub fn decode(secret: &str, now: i64, facts: &mut Facts) {
    let mut parts = secret.trim().split('.');
    let (Some(header), Some(payload)) = (parts.next(), parts.next()) else {
        return;
    };
    if let Some(Value::Object(h)) = parse(header) {
        if let Some(Value::String(alg)) = h.get("alg") {
            facts.insert("algorithm".into(), alg.clone());
        }
    }
    let Some(Value::Object(claims)) = parse(payload) else {
        return;
    };
    let text = |key: &str, sep: &str| claims.get(key).and_then(|v| json_joined(v, sep));
    if let Some(role) = text("role", ",").or_else(|| text("roles", ",")) {
        facts.insert("role".into(), role);
    }
    for (claim, key, sep) in [
        ("iss", "issuer", ","),
        ("aud", "audience", ","),
        ("sub", "subject", ","),
    ] {
        if let Some(value) = text(claim, sep) {
            facts.insert(key.into(), value);
        }
    }
    if let Some(scope) = text("scope", " ").or_else(|| text("scp", " ")) {
        facts.insert("scope".into(), scope);
    }
    if let Some(reference) = text("ref", ",") {
        facts.insert("project_ref".into(), reference);
    }
    if let Some(exp) = claims.get("exp").and_then(json_secs) {
        set_expiry(facts, exp, now);
    }
    if let Some(iat) = claims.get("iat").and_then(json_secs) {
        set_time(facts, "issued", iat);
    }
    if let Some(nbf) = claims.get("nbf").and_then(json_secs) {
        set_time(facts, "not_before", nbf);
    }
}

fn parse(part: &str) -> Option<Value> {
    serde_json::from_slice(&base64_decode(part)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(data: &str) -> String {
        crate::decode::util::base64url_encode(data.as_bytes())
    }

    fn jwt(claims: &str) -> String {
        format!("{}.{}.c2ln", b64(r#"{"alg":"HS256","typ":"JWT"}"#), b64(claims))
    }

    fn facts(token: &str, now: i64) -> Facts {
        let mut f = Facts::new();
        decode(token, now, &mut f);
        f
    }

    #[test]
    fn supabase_service_role_claims() {
        let f = facts(
            &jwt(
                r#"{"iss":"supabase","ref":"abcd","role":"service_role","iat":1700000000,"exp":2000000000}"#,
            ),
            1_800_000_000,
        );
        assert_eq!(f["role"], "service_role");
        assert_eq!(f["issuer"], "supabase");
        assert_eq!(f["project_ref"], "abcd");
        assert_eq!(f["expires"], "2033-05-18T03:33:20Z");
        assert_eq!(f["expired"], "false");
        assert_eq!(f["issued"], "2023-11-14T22:13:20Z");
        assert_eq!(f["algorithm"], "HS256");
    }

    #[test]
    fn scopes_audiences_and_expired() {
        let f = facts(
            &jwt(r#"{"scp":["repo.read","repo.write"],"aud":["a","b"],"exp":1000.5}"#),
            2000,
        );
        assert_eq!(f["scope"], "repo.read repo.write");
        assert_eq!(f["audience"], "a,b");
        assert_eq!(f["expired"], "true");
        let g = facts(&jwt(r#"{"scope":"read write","roles":["admin"]}"#), 0);
        assert_eq!(g["scope"], "read write");
        assert_eq!(g["role"], "admin");
    }

    #[test]
    fn malformed_tokens_yield_nothing() {
        for token in ["", "abc", "eyJ.eyJ", "!!.!!.!!", &jwt("[1,2]"), &jwt("not json")] {
            let f = facts(token, 0);
            assert!(
                !f.contains_key("role") && !f.contains_key("expires"),
                "{token}: {f:?}"
            );
        }
        // Absurd expiries are dropped rather than printed wrong.
        assert!(!facts(&jwt(r#"{"exp":1e300}"#), 0).contains_key("expires"));
        assert!(!facts(&jwt(r#"{"exp":-5}"#), 0).contains_key("expires"));
    }
}
