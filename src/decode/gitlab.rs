//! GitLab routable tokens (`glpat-<payload>.<version>.<length><crc>`, see
//! `lib/authn/token_field/generator/routable_token.rb`): the base64url payload is 16 random
//! bytes, then routing lines `key:value` joined by newlines, then one byte giving the length
//! of those lines. Integer values are written in base 36. The routing says where the token
//! belongs, not what it may do (scopes live on the server).
//!
//! Facts: `token_type` (`routable`; legacy 20-character tokens yield nothing), `org`
//! (`o`), `user` (`u`). Extras: `group` (`g`), `project` (`p`), `cell` (`c`), `version`,
//! and `routing_<key>` for any other key.

use super::util::base64_decode;
use super::Facts;

pub fn decode(secret: &str, facts: &mut Facts) {
    let token = secret.trim();
    // The body starts after the last `-` of the prefix (`glpat-`, `glrt-t1_`'s `glrt-`).
    let Some((_, body)) = token.split_once('-') else {
        return;
    };
    let parts: Vec<&str> = body.split('.').collect();
    let (payload, version) = match parts.as_slice() {
        [payload, _len_crc] => (*payload, None),
        [payload, version, _len_crc] => (*payload, Some(*version)),
        _ => return,
    };
    // Runner tokens carry a `t1_`-style marker before the payload proper.
    let payload = payload.rsplit_once('_').map_or(
        payload,
        |(marker, rest)| {
            if marker.len() <= 3 {
                rest
            } else {
                payload
            }
        },
    );
    facts.insert("token_type".into(), "routable".into());
    if let Some(version) = version.and_then(|v| u64::from_str_radix(v, 36).ok()) {
        facts.insert("version".into(), version.to_string());
    }
    let Some(bytes) = base64_decode(payload) else {
        return;
    };
    let Some((&len, rest)) = bytes.split_last() else {
        return;
    };
    let Some(start) = rest.len().checked_sub(usize::from(len)) else {
        return;
    };
    let Ok(routing) = std::str::from_utf8(&rest[start..]) else {
        return;
    };
    for line in routing.split('\n') {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let name = match key {
            "o" => "org",
            "u" => "user",
            "g" => "group",
            "p" => "project",
            "c" => "cell",
            other => {
                facts.insert(format!("routing_{other}"), value.to_owned());
                continue;
            }
        };
        // Integers are base 36; anything else is kept as written.
        let value = u64::from_str_radix(value, 36).map_or_else(|_| value.to_owned(), |n| n.to_string());
        facts.insert(name.into(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64url(data: &[u8]) -> String {
        crate::decode::util::base64url_encode(data)
    }

    #[test]
    fn routing_payload() {
        let routing = "c:1\no:2s\nu:rs";
        let mut raw = vec![9u8; 16];
        raw.extend_from_slice(routing.as_bytes());
        raw.push(routing.len() as u8);
        let token = format!("glpat-{}.01.0w1234567", b64url(&raw));
        let mut f = Facts::new();
        decode(&token, &mut f);
        assert_eq!(f["token_type"], "routable");
        assert_eq!(f["org"], "100");
        assert_eq!(f["user"], "1000");
        assert_eq!(f["cell"], "1");
        assert_eq!(f["version"], "1");
    }

    #[test]
    fn legacy_and_garbage() {
        // Built from pieces so that no scanner mistakes this file for a leak.
        let legacy = format!("glpat-{}", "abcdefghijklmnopqrst");
        for t in [legacy.as_str(), "", "glpat-", "glpat-....", "nodash"] {
            let mut f = Facts::new();
            decode(t, &mut f);
            assert!(!f.contains_key("org"), "{t}");
        }
        let mut f = Facts::new();
        decode(&legacy, &mut f);
        assert!(f.is_empty());
        let mut g = Facts::new();
        decode("glpat-__________________________.0a1234567", &mut g);
        assert!(!g.contains_key("org"));
    }
}
