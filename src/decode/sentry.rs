//! Sentry organization auth tokens: `sntrys_` + base64 JSON + `_` + a 43-character secret.
//! The JSON names the organization and where its API lives.
//!
//! Facts: `org` (slug), `url` (`url`), `region` (the region's short name, `us` for
//! `https://us.sentry.io`, or the whole `region_url` when it has no such name), `issued`.
//! Extras: `region_url`.

use serde_json::Value;

use super::util::{base64_decode, json_secs};
use super::{set_time, Facts};

pub fn decode(secret: &str, facts: &mut Facts) {
    let Some(rest) = secret.trim().strip_prefix("sntrys_") else {
        return;
    };
    let Some((payload, _secret)) = rest.rsplit_once('_') else {
        return;
    };
    let Some(Value::Object(claims)) = base64_decode(payload).and_then(|b| serde_json::from_slice(&b).ok())
    else {
        return;
    };
    let text = |key: &str| match claims.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    if let Some(org) = text("org") {
        facts.insert("org".into(), org);
    }
    if let Some(url) = text("url") {
        facts.insert("url".into(), url);
    }
    if let Some(region_url) = text("region_url") {
        let host = region_url
            .split_once("://")
            .map_or(region_url.as_str(), |(_, rest)| rest)
            .split(['/', ':'])
            .next()
            .unwrap_or_default();
        let region = host
            .strip_suffix(".sentry.io")
            .filter(|r| !r.is_empty() && !r.contains('.'))
            .map_or_else(|| region_url.clone(), str::to_owned);
        facts.insert("region".into(), region);
        facts.insert("region_url".into(), region_url);
    }
    if let Some(iat) = claims.get("iat").and_then(json_secs) {
        set_time(facts, "issued", iat);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(data: &str) -> String {
        crate::decode::util::base64_encode(data.as_bytes(), true)
    }

    fn facts(token: &str) -> Facts {
        let mut f = Facts::new();
        decode(token, &mut f);
        f
    }

    #[test]
    fn org_token_payload() {
        let payload = b64(
            r#"{"iat":1700000000.5,"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"acme"}"#,
        );
        let f = facts(&format!("sntrys_{payload}_{}", "a".repeat(43)));
        assert_eq!(f["org"], "acme");
        assert_eq!(f["url"], "https://sentry.io");
        assert_eq!(f["region"], "us");
        assert_eq!(f["region_url"], "https://us.sentry.io");
        assert_eq!(f["issued"], "2023-11-14T22:13:20Z");
    }

    #[test]
    fn self_hosted_region_is_kept_whole() {
        let payload =
            b64(r#"{"url":"https://sentry.acme.dev","region_url":"https://sentry.acme.dev","org":"x"}"#);
        let f = facts(&format!("sntrys_{payload}_secret"));
        assert_eq!(f["region"], "https://sentry.acme.dev");
    }

    #[test]
    fn garbage() {
        for t in [
            "",
            "sntrys_",
            "sntrys__",
            "sntrys_e30_x",
            "sntrys_!!!_x",
            "sntryu_abc",
        ] {
            let f = facts(t);
            assert!(!f.contains_key("org"), "{t}");
        }
    }
}
