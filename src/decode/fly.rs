//! Fly.io macaroon tokens: `FlyV1 ` then comma-separated `fm1r_`/`fm1a_`/`fm2_` + standard
//! base64 of a msgpack-encoded macaroon `[nonce, location, caveats, tail]`, where the caveat
//! set is a flat array `[type, body, type, body, …]` (superfly/macaroon). The HMAC tail
//! cannot be checked offline; the caveats can be read.
//!
//! Facts: `token_type` (`macaroon`; `user` for the older `fo1_` user tokens), `org` (the
//! organization id of an `Organization` caveat), `user` (`IsUser`), `expires`/`expired`
//! (the earliest `ValidityWindow` end). Extras: `caveats` (the caveat names, comma-separated,
//! e.g. `organization,apps,validity-window`), `apps` (app ids of an `Apps` caveat),
//! `features` (names of a `FeatureSet` caveat), `macaroons` (how many the bundle holds),
//! `location`.

use std::collections::BTreeSet;

use super::util::base64_decode;
use super::{set_expiry, Facts};

/// Caveat type numbers, in the order superfly/macaroon's `caveat.go` declares them.
const CAVEAT_NAMES: [&str; 23] = [
    "organization",
    "deprecated",
    "volumes",
    "apps",
    "validity-window",
    "feature-set",
    "mutations",
    "machines",
    "confine-user",
    "confine-organization",
    "is-user",
    "third-party",
    "bind-to-parent-token",
    "if-present",
    "machine-feature-set",
    "from-machine-source",
    "clusters",
    "reserved",
    "reserved",
    "confine-google-hd",
    "confine-github-org",
    "max-validity",
    "no-admin-features",
];
const ORGANIZATION: u64 = 0;
const APPS: u64 = 3;
const VALIDITY_WINDOW: u64 = 4;
const FEATURE_SET: u64 = 5;
const IS_USER: u64 = 10;

pub fn decode(secret: &str, now: i64, facts: &mut Facts) {
    let text = secret.trim();
    let text = text.strip_prefix("FlyV1 ").unwrap_or(text).trim();
    if text.starts_with("fo1_") {
        facts.insert("token_type".into(), "user".into());
        return;
    }
    let mut count = 0;
    let mut caveats = BTreeSet::new();
    let mut apps = BTreeSet::new();
    let mut features = BTreeSet::new();
    let mut expires: Option<i64> = None;
    for part in text.split(',') {
        let Some((label, body)) = part.trim().split_once('_') else {
            continue;
        };
        if !matches!(label, "fm1r" | "fm1a" | "fm2") {
            continue;
        }
        let Some(Value::Array(fields)) = base64_decode(body).and_then(|raw| Reader::new(&raw).value(0))
        else {
            continue;
        };
        if fields.len() < 3 {
            continue;
        }
        count += 1;
        if let Some(Value::Str(location)) = fields.get(1) {
            facts.entry("location".into()).or_insert_with(|| location.clone());
        }
        let Some(Value::Array(set)) = fields.get(2) else {
            continue;
        };
        for pair in set.chunks(2) {
            let (Some(Value::Int(kind)), Some(body)) = (pair.first(), pair.get(1)) else {
                continue;
            };
            let kind = u64::try_from(*kind).unwrap_or(u64::MAX);
            let name = usize::try_from(kind)
                .ok()
                .and_then(|k| CAVEAT_NAMES.get(k))
                .map_or_else(|| kind.to_string(), |n| (*n).to_owned());
            caveats.insert(name);
            match kind {
                ORGANIZATION => {
                    if let Some(Value::Int(id)) = body.first() {
                        facts.insert("org".into(), id.to_string());
                    }
                }
                IS_USER => {
                    if let Some(Value::Int(id)) = body.first() {
                        facts.insert("user".into(), id.to_string());
                    }
                }
                VALIDITY_WINDOW => {
                    if let Some(Value::Int(not_after)) = body.nth(1, "NotAfter") {
                        expires = Some(expires.map_or(*not_after, |e| e.min(*not_after)));
                    }
                }
                APPS => apps.extend(body.keys()),
                FEATURE_SET => features.extend(body.keys()),
                _ => {}
            }
        }
    }
    if count == 0 {
        return;
    }
    facts.insert("token_type".into(), "macaroon".into());
    facts.insert("macaroons".into(), count.to_string());
    let join = |set: BTreeSet<String>| set.into_iter().collect::<Vec<_>>().join(",");
    if !caveats.is_empty() {
        facts.insert("caveats".into(), join(caveats));
    }
    if !apps.is_empty() {
        facts.insert("apps".into(), join(apps));
    }
    if !features.is_empty() {
        facts.insert("features".into(), join(features));
    }
    if let Some(expires) = expires {
        set_expiry(facts, expires, now);
    }
}

/// The msgpack values a macaroon uses; floats and extensions are read and dropped.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    Str(String),
    Bin(Vec<u8>),
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
    Other,
}

impl Value {
    /// The first element of an array-encoded struct (or its first map value).
    fn first(&self) -> Option<&Value> {
        match self {
            Value::Array(items) => items.first(),
            Value::Map(entries) => entries.first().map(|(_, v)| v),
            _ => None,
        }
    }

    /// Field `index` of an array-encoded struct, or the field `name` of a map-encoded one.
    fn nth(&self, index: usize, name: &str) -> Option<&Value> {
        match self {
            Value::Array(items) => items.get(index),
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(k, Value::Str(s) if s == name))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The keys of a resource map (`{app id: access mask}`), as text.
    fn keys(&self) -> Vec<String> {
        let map = match self {
            Value::Map(entries) => entries,
            // Some caveats wrap their map in a one-field struct.
            Value::Array(items) => match items.first() {
                Some(Value::Map(entries)) => entries,
                _ => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        map.iter()
            .filter_map(|(k, _)| match k {
                Value::Int(i) => Some(i.to_string()),
                Value::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Deep enough for any real macaroon; bounds the recursion on hostile input.
const MAX_DEPTH: usize = 16;

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let slice = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(slice)
    }

    fn uint(&mut self, n: usize) -> Option<u64> {
        Some(self.take(n)?.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b)))
    }

    fn len(&mut self, n: usize) -> Option<usize> {
        usize::try_from(self.uint(n)?).ok()
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let tag = *self.take(1)?.first()?;
        Some(match tag {
            0x00..=0x7f => Value::Int(i64::from(tag)),
            0xe0..=0xff => Value::Int(i64::from(tag as i8)),
            0x80..=0x8f => self.map(usize::from(tag & 0x0f), depth)?,
            0x90..=0x9f => self.array(usize::from(tag & 0x0f), depth)?,
            0xa0..=0xbf => self.str(usize::from(tag & 0x1f))?,
            0xc0 => Value::Nil,
            0xc2 => Value::Bool(false),
            0xc3 => Value::Bool(true),
            0xc4..=0xc6 => {
                let n = self.len(1 << (tag - 0xc4))?;
                Value::Bin(self.take(n)?.to_vec())
            }
            0xc7..=0xc9 => {
                let n = self.len(1 << (tag - 0xc7))?;
                self.take(n.checked_add(1)?)?;
                Value::Other
            }
            0xca => {
                self.take(4)?;
                Value::Other
            }
            0xcb => {
                self.take(8)?;
                Value::Other
            }
            0xcc..=0xcf => {
                let v = self.uint(1 << (tag - 0xcc))?;
                Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
            }
            0xd0..=0xd3 => {
                let n = 1 << (tag - 0xd0);
                let v = self.uint(n)?;
                // Sign-extend from n bytes.
                let shift = 64 - 8 * n as u32;
                Value::Int(((v << shift) as i64) >> shift)
            }
            0xd4..=0xd8 => {
                self.take((1usize << (tag - 0xd4)) + 1)?;
                Value::Other
            }
            0xd9..=0xdb => {
                let n = self.len(1 << (tag - 0xd9))?;
                self.str(n)?
            }
            0xdc | 0xdd => {
                let n = self.len(2 << (tag - 0xdc))?;
                self.array(n, depth)?
            }
            0xde | 0xdf => {
                let n = self.len(2 << (tag - 0xde))?;
                self.map(n, depth)?
            }
            0xc1 => return None,
        })
    }

    fn str(&mut self, n: usize) -> Option<Value> {
        Some(Value::Str(String::from_utf8_lossy(self.take(n)?).into_owned()))
    }

    fn array(&mut self, n: usize, depth: usize) -> Option<Value> {
        // Each element takes at least a byte: a claimed length beyond the input is a lie.
        if n > self.bytes.len() - self.pos {
            return None;
        }
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(self.value(depth + 1)?);
        }
        Some(Value::Array(items))
    }

    fn map(&mut self, n: usize, depth: usize) -> Option<Value> {
        if n > (self.bytes.len() - self.pos) / 2 {
            return None;
        }
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let k = self.value(depth + 1)?;
            let v = self.value(depth + 1)?;
            entries.push((k, v));
        }
        Some(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(data: &[u8]) -> String {
        crate::decode::util::base64_encode(data, true)
    }

    /// `[nonce, "https://api.fly.io/v1", [0, [12345, 27], 3, [{777: 1}], 4, [1, 2000000000]], tail]`
    fn org_deploy_macaroon() -> Vec<u8> {
        let mut m = vec![0x94, 0x93, 0xc4, 0x01, 0x00, 0xc4, 0x01, 0x00, 0xc2];
        m.push(0xa0 | 21);
        m.extend_from_slice(b"https://api.fly.io/v1");
        m.push(0x96);
        m.extend_from_slice(&[0x00, 0x92, 0xcd, 0x30, 0x39, 0x1b]);
        m.extend_from_slice(&[0x03, 0x91, 0x81, 0xcd, 0x03, 0x09, 0x01]);
        m.extend_from_slice(&[0x04, 0x92, 0x01, 0xce, 0x77, 0x35, 0x94, 0x00]);
        m.extend_from_slice(&[0xc4, 0x02, 0xaa, 0xbb]);
        m
    }

    #[test]
    fn caveats_of_a_deploy_token() {
        let token = format!("FlyV1 fm2_{},fm2_{}", b64(&org_deploy_macaroon()), b64(&[0x90]));
        let mut f = Facts::new();
        decode(&token, 1_800_000_000, &mut f);
        assert_eq!(f["token_type"], "macaroon");
        assert_eq!(f["org"], "12345");
        assert_eq!(f["apps"], "777");
        assert_eq!(f["caveats"], "apps,organization,validity-window");
        assert_eq!(f["expires"], "2033-05-18T03:33:20Z");
        assert_eq!(f["expired"], "false");
        assert_eq!(f["location"], "https://api.fly.io/v1");
        assert_eq!(f["macaroons"], "1");
    }

    #[test]
    fn garbage_and_truncation() {
        let whole = org_deploy_macaroon();
        for cut in 0..whole.len() {
            let mut f = Facts::new();
            decode(&format!("fm2_{}", b64(&whole[..cut])), 0, &mut f);
            assert!(!f.contains_key("org"), "{cut}");
        }
        for t in [
            "",
            "FlyV1 ",
            "fm2_",
            "fm2_!!!!",
            "fm9_AAAA",
            "fm2_3P////",
            "fm2_3AD/////",
        ] {
            let mut f = Facts::new();
            decode(t, 0, &mut f);
            assert!(!f.contains_key("org"), "{t}");
        }
        let mut f = Facts::new();
        decode("fo1_abc", 0, &mut f);
        assert_eq!(f["token_type"], "user");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let nested = vec![0x91; 10_000];
        assert!(Reader::new(&nested).value(0).is_none());
    }
}
