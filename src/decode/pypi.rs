//! PyPI API tokens: `pypi-` + base64url of a version-2 binary macaroon whose first-party
//! caveats are JSON. Warehouse's caveats (`warehouse/macaroons/caveats`) are arrays tagged by
//! their first element: `[0, expires_at, not_before]`, `[1, [project names]]`,
//! `[2, [project ids]]`, `[3, user_id]`, `[4, oidc_publisher_id]`, `[5, permission bits]`;
//! older tokens carry `{"version": 1, "permissions": "user" | {"projects": [...]}}`,
//! `{"exp": .., "nbf": ..}` and `{"project_ids": [...]}`.
//!
//! Facts: `token_scope` (`account` when no caveat limits projects, else `project`),
//! `projects`, `project_ids`, `user`, `expires`/`expired`, `not_before`, `scope` (`upload`).
//! Extras: `location` (`pypi.org`, `test.pypi.org`), `token_id` (the macaroon identifier),
//! `oidc_publisher` (a trusted-publishing token's publisher id).

use serde_json::Value;

use super::util::{base64_decode, json_joined, json_secs};
use super::{set_expiry, set_time, Facts};

pub fn decode(secret: &str, now: i64, facts: &mut Facts) {
    let body = secret.trim().strip_prefix("pypi-").unwrap_or(secret.trim());
    let Some(bytes) = base64_decode(body) else {
        return;
    };
    let Some(macaroon) = parse_v2(&bytes) else {
        return;
    };
    if let Some(location) = macaroon.location.and_then(|l| String::from_utf8(l).ok()) {
        facts.insert("location".into(), location);
    }
    if let Ok(id) = String::from_utf8(macaroon.identifier) {
        if !id.is_empty() && id.bytes().all(|b| b.is_ascii_graphic()) {
            facts.insert("token_id".into(), id);
        }
    }
    if !macaroon.complete {
        return;
    }
    let mut project_scoped = false;
    for caveat in &macaroon.caveats {
        let Ok(value) = serde_json::from_slice::<Value>(caveat) else {
            continue;
        };
        project_scoped |= apply_caveat(&value, now, facts);
    }
    let scope = if project_scoped { "project" } else { "account" };
    facts.insert("token_scope".into(), scope.into());
}

/// Records one caveat's facts; true when it limits the token to some projects.
fn apply_caveat(value: &Value, now: i64, facts: &mut Facts) -> bool {
    match value {
        Value::Array(items) => {
            let field = |i: usize| items.get(i);
            match field(0).and_then(Value::as_i64) {
                Some(0) => {
                    if let Some(exp) = field(1).and_then(json_secs) {
                        set_expiry(facts, exp, now);
                    }
                    if let Some(nbf) = field(2).and_then(json_secs) {
                        set_time(facts, "not_before", nbf);
                    }
                    false
                }
                Some(1) => add_list(facts, "projects", field(1)),
                Some(2) => add_list(facts, "project_ids", field(1)),
                Some(3) => {
                    if let Some(user) = field(1).and_then(|v| json_joined(v, ",")) {
                        facts.insert("user".into(), user);
                    }
                    false
                }
                Some(4) => {
                    if let Some(id) = field(1).and_then(|v| json_joined(v, ",")) {
                        facts.insert("oidc_publisher".into(), id);
                    }
                    // Trusted-publishing tokens only reach the publisher's own projects.
                    true
                }
                Some(5) => {
                    if field(1).and_then(Value::as_i64).is_some_and(|bits| bits & 1 == 1) {
                        facts.insert("scope".into(), "upload".into());
                    }
                    false
                }
                _ => false,
            }
        }
        Value::Object(map) => {
            let mut scoped = false;
            if let Some(Value::Object(perms)) = map.get("permissions") {
                scoped |= add_list(facts, "projects", perms.get("projects"));
            }
            scoped |= add_list(facts, "project_ids", map.get("project_ids"));
            if let Some(exp) = map.get("exp").and_then(json_secs) {
                set_expiry(facts, exp, now);
            }
            if let Some(nbf) = map.get("nbf").and_then(json_secs) {
                set_time(facts, "not_before", nbf);
            }
            scoped
        }
        _ => false,
    }
}

/// Appends the strings of a JSON list to a comma-separated fact; true when there were any.
fn add_list(facts: &mut Facts, key: &str, list: Option<&Value>) -> bool {
    let Some(joined) = list.and_then(|v| json_joined(v, ",")) else {
        return false;
    };
    facts
        .entry(key.into())
        .and_modify(|existing| {
            existing.push(',');
            existing.push_str(&joined);
        })
        .or_insert(joined);
    true
}

struct Macaroon {
    location: Option<Vec<u8>>,
    identifier: Vec<u8>,
    /// First-party caveat predicates.
    caveats: Vec<Vec<u8>>,
    /// Whether the caveat list ended where the format says it ends: only then may the
    /// absence of a project caveat mean the token is account-wide.
    complete: bool,
}

const EOS: u64 = 0;
const LOCATION: u64 = 1;
const IDENTIFIER: u64 = 2;
const VID: u64 = 4;
const SIGNATURE: u64 = 6;

/// The libmacaroons v2 binary format: a version byte `2`, then fields (type varint, length
/// varint, bytes) in sections closed by an end-of-section field: the header
/// (`[location] identifier`), each caveat (`[location] identifier [vid]`), then the
/// signature. Returns `None` for anything else; a truncated tail keeps what came before it.
fn parse_v2(bytes: &[u8]) -> Option<Macaroon> {
    let mut r = Reader { bytes, pos: 0 };
    if r.byte()? != 2 {
        return None;
    }
    let mut location = None;
    let mut identifier = None;
    loop {
        match r.field()? {
            (EOS, _) => break,
            (LOCATION, data) => location = Some(data.to_vec()),
            (IDENTIFIER, data) => identifier = Some(data.to_vec()),
            _ => return None,
        }
    }
    let mut macaroon = Macaroon {
        location,
        identifier: identifier?,
        caveats: Vec::new(),
        complete: false,
    };
    // Caveats until an empty section; stop quietly on a truncated or odd tail.
    while let Some((kind, data)) = r.field() {
        match kind {
            EOS | SIGNATURE => {
                macaroon.complete = true;
                break;
            }
            LOCATION => {}
            IDENTIFIER => {
                let mut third_party = false;
                let predicate = data.to_vec();
                loop {
                    match r.field() {
                        Some((EOS, _)) | None => break,
                        Some((VID, _)) => third_party = true,
                        Some(_) => {}
                    }
                }
                if !third_party {
                    macaroon.caveats.push(predicate);
                }
            }
            _ => break,
        }
    }
    Some(macaroon)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// One field; an end-of-section marker has no length or data.
    fn field(&mut self) -> Option<(u64, &'a [u8])> {
        let kind = self.varint()?;
        if kind == EOS {
            return Some((EOS, &[]));
        }
        let len = usize::try_from(self.varint()?).ok()?;
        let end = self.pos.checked_add(len)?;
        let data = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some((kind, data))
    }
}

/// Test support (`synth`): the v2 binary macaroon with these first-party caveats and this
/// signature; PyPI prints it as base64url without padding after `pypi-`.
pub fn encode_v2(location: &str, identifier: &str, caveats: &[&str], signature: &[u8]) -> Vec<u8> {
    fn field(out: &mut Vec<u8>, kind: u8, data: &[u8]) {
        out.push(kind);
        let mut len = data.len();
        loop {
            let b = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
        out.extend_from_slice(data);
    }
    let mut out = vec![2];
    field(&mut out, LOCATION as u8, location.as_bytes());
    field(&mut out, IDENTIFIER as u8, identifier.as_bytes());
    out.push(EOS as u8);
    for caveat in caveats {
        field(&mut out, IDENTIFIER as u8, caveat.as_bytes());
        out.push(EOS as u8);
    }
    out.push(EOS as u8);
    field(&mut out, SIGNATURE as u8, signature);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(caveats: &[&str]) -> String {
        let raw = encode_v2("pypi.org", "0f5c6f1e-token-id", caveats, &[7; 32]);
        format!("pypi-{}", b64url(&raw))
    }

    fn b64url(data: &[u8]) -> String {
        crate::decode::util::base64url_encode(data)
    }

    fn facts(token: &str) -> Facts {
        let mut f = Facts::new();
        decode(token, 1_800_000_000, &mut f);
        f
    }

    #[test]
    fn token_starts_like_a_real_one() {
        assert!(token(&[]).starts_with("pypi-AgEIcHlwaS5vcmc"));
    }

    #[test]
    fn account_wide_token_with_user() {
        let f = facts(&token(&[r#"[3,"5a8e-user"]"#, "[5,1]"]));
        assert_eq!(f["token_scope"], "account");
        assert_eq!(f["user"], "5a8e-user");
        assert_eq!(f["scope"], "upload");
        assert_eq!(f["location"], "pypi.org");
        assert_eq!(f["token_id"], "0f5c6f1e-token-id");
        assert!(!f.contains_key("projects"));
    }

    #[test]
    fn project_scoped_and_expiring() {
        let f = facts(&token(&[
            r#"[1,["requests","tokscan"]]"#,
            r#"[2,["b2c1"]]"#,
            "[0,1700000000,1690000000]",
        ]));
        assert_eq!(f["token_scope"], "project");
        assert_eq!(f["projects"], "requests,tokscan");
        assert_eq!(f["project_ids"], "b2c1");
        assert_eq!(f["expires"], "2023-11-14T22:13:20Z");
        assert_eq!(f["expired"], "true");
    }

    #[test]
    fn legacy_caveats() {
        let user = facts(&token(&[r#"{"version":1,"permissions":"user"}"#]));
        assert_eq!(user["token_scope"], "account");
        let project = facts(&token(&[
            r#"{"version":1,"permissions":{"projects":["flask"]}}"#,
            r#"{"exp":2000000000,"nbf":1}"#,
        ]));
        assert_eq!(project["token_scope"], "project");
        assert_eq!(project["projects"], "flask");
        assert_eq!(project["expired"], "false");
    }

    #[test]
    fn trusted_publishing_token_is_project_scoped() {
        let f = facts(&token(&[r#"[4,"pub-1"]"#]));
        assert_eq!(f["token_scope"], "project");
        assert_eq!(f["oidc_publisher"], "pub-1");
    }

    #[test]
    fn garbage_yields_no_scope() {
        for t in [
            "pypi-",
            "pypi-AgEIcHlwaS5vcmc",
            "pypi-!!!!",
            "pypi-AwEI",
            "pypi-AgEIcHlwaS5vcmcC_____",
        ] {
            let f = facts(t);
            assert!(!f.contains_key("token_scope"), "{t}: {f:?}");
        }
        // Random bytes after a valid header: no panic, and no project scope invented.
        let mut raw = encode_v2("pypi.org", "id", &[], &[]);
        raw.truncate(12);
        raw.extend(std::iter::repeat_n(0xff, 40));
        let f = facts(&format!("pypi-{}", b64url(&raw)));
        assert!(!f.contains_key("projects"));
    }
}
