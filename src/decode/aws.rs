//! AWS access key ids. The prefix says the key's kind; since 2019 the next 16 base32
//! characters also encode the owning account: the first 6 decoded bytes, big-endian, masked
//! with `0x7fffffffff80` and shifted right by 7 give the 12-digit account id. Older ids
//! (`AKIAI…`, `AKIAJ…`) predate that encoding and yield no account.
//!
//! Facts: `key_type` (`long-term`, `temporary`, `service-bearer`, `context`), `account_id`.

use super::Facts;

pub fn decode(secret: &str, facts: &mut Facts) {
    let id = secret.trim();
    let key_type = match id.get(..4) {
        Some("AKIA") => "long-term",
        Some("ASIA") => "temporary",
        Some("ABIA") => "service-bearer",
        Some("ACCA") => "context",
        _ => return,
    };
    facts.insert("key_type".into(), key_type.into());
    if let Some(account) = account_id(id) {
        facts.insert("account_id".into(), account);
    }
}

fn account_id(id: &str) -> Option<String> {
    let body = id.get(4..20)?;
    if id.len() != 20 || body.starts_with('I') || body.starts_with('J') {
        return None;
    }
    // Ten base32 characters make 50 bits; the first 48 are the six bytes we need.
    let mut acc: u64 = 0;
    for b in body.bytes().take(10) {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'2'..=b'7' => b - b'2' + 26,
            _ => return None,
        };
        acc = (acc << 5) | u64::from(v);
    }
    let six_bytes = acc >> 2;
    let account = (six_bytes & 0x7fff_ffff_ff80) >> 7;
    Some(format!("{account:012}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(id: &str) -> Facts {
        let mut f = Facts::new();
        decode(id, &mut f);
        f
    }

    #[test]
    fn temporary_key_and_its_account() {
        // The worked example on hackingthe.cloud ("AWS IAM key identifiers").
        let f = facts(&format!("ASIA{}", "Y34FZKBOKMUTVV7A"));
        assert_eq!(f["key_type"], "temporary");
        assert_eq!(f["account_id"], "609629065308");
    }

    #[test]
    fn legacy_ids_have_no_account() {
        let f = facts(&format!("AKIA{}", "IOSFODNN7EXAMPLE"));
        assert_eq!(f["key_type"], "long-term");
        assert!(!f.contains_key("account_id"));
    }

    #[test]
    fn garbage() {
        for id in [
            "",
            "AKIA",
            "AKIA!!!!!!!!!!!!!!!!",
            "XXXX0000000000000000",
            "AKIAé",
        ] {
            let f = facts(id);
            assert!(!f.contains_key("account_id"), "{id}");
        }
    }
}
