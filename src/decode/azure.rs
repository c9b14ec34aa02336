//! Azure shared access signatures: the query string carries the grant in the clear.
//!
//! Facts: `scope` (the `sp` letters spelled out: `read write delete list …`),
//! `expires`/`expired` (`se`). Extras: `permissions` (`sp` as written), `starts` (`st`),
//! `services` (`ss`: `blob,file,queue,table`), `resource_types` (`srt`:
//! `service,container,object`), `resource` (`sr`), `ip_range` (`sip`), `protocol` (`spr`),
//! `stored_policy` (`si`: permissions and expiry may then live server-side, out of sight),
//! `sas_type` (`account`, `service` or `user-delegation`).

use super::util::parse_iso8601;
use super::{set_expiry, set_time, Facts};

pub fn decode(secret: &str, now: i64, facts: &mut Facts) {
    // The query string: after the URL's `?`, up to whatever ends the URL on its line.
    let text = secret.trim();
    let query = text.rsplit_once('?').map_or(text, |(_, q)| q);
    let query = query
        .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>'))
        .next()
        .unwrap_or_default();
    let mut user_delegation = false;
    for pair in query.split('&') {
        let Some((key, raw)) = pair.split_once('=') else {
            continue;
        };
        let value = percent_decode(raw);
        if value.is_empty() {
            continue;
        }
        match key {
            "sp" => {
                let words: Vec<&str> = value.chars().filter_map(permission).collect();
                if !words.is_empty() {
                    facts.insert("scope".into(), words.join(" "));
                }
                facts.insert("permissions".into(), value);
            }
            "se" => {
                if let Some(secs) = parse_iso8601(&value) {
                    set_expiry(facts, secs, now);
                }
            }
            "st" => {
                if let Some(secs) = parse_iso8601(&value) {
                    set_time(facts, "starts", secs);
                }
            }
            "ss" => {
                let names = spelled(&value, |c| match c {
                    'b' => Some("blob"),
                    'f' => Some("file"),
                    'q' => Some("queue"),
                    't' => Some("table"),
                    _ => None,
                });
                facts.insert("services".into(), names);
            }
            "srt" => {
                let names = spelled(&value, |c| match c {
                    's' => Some("service"),
                    'c' => Some("container"),
                    'o' => Some("object"),
                    _ => None,
                });
                facts.insert("resource_types".into(), names);
            }
            "sr" => {
                let name = match value.as_str() {
                    "b" => "blob",
                    "bs" => "blob-snapshot",
                    "bv" => "blob-version",
                    "c" => "container",
                    "d" => "directory",
                    "f" => "file",
                    "s" => "share",
                    other => other,
                };
                facts.insert("resource".into(), name.into());
            }
            "sip" => {
                facts.insert("ip_range".into(), value);
            }
            "spr" => {
                facts.insert("protocol".into(), value);
            }
            "si" => {
                facts.insert("stored_policy".into(), value);
            }
            "skoid" => user_delegation = true,
            _ => {}
        }
    }
    let sas_type = if user_delegation {
        Some("user-delegation")
    } else if facts.contains_key("services") {
        Some("account")
    } else if facts.contains_key("resource") {
        Some("service")
    } else {
        None
    };
    if let Some(sas_type) = sas_type {
        facts.insert("sas_type".into(), sas_type.into());
    }
}

fn permission(letter: char) -> Option<&'static str> {
    Some(match letter {
        'r' => "read",
        'a' => "add",
        'c' => "create",
        'w' => "write",
        'd' => "delete",
        'x' => "delete-version",
        'y' => "permanent-delete",
        'l' => "list",
        't' => "tags",
        'f' => "filter",
        'u' => "update",
        'p' => "process",
        'i' => "set-immutability",
        'm' => "move",
        'e' => "execute",
        'o' => "ownership",
        _ => return None,
    })
}

fn spelled(value: &str, name: impl Fn(char) -> Option<&'static str>) -> String {
    let names: Vec<&str> = value.chars().filter_map(name).collect();
    if names.is_empty() {
        value.to_owned()
    } else {
        names.join(",")
    }
}

/// `%XX` escapes and `+`, leniently: a malformed escape is kept as written.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = raw.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(sas: &str) -> Facts {
        let mut f = Facts::new();
        decode(sas, 1_800_000_000, &mut f);
        f
    }

    #[test]
    fn account_sas() {
        let f = facts(
            "https://acme.blob.core.windows.net/?sv=2022-11-02&ss=bq&srt=sco&sp=rwdlacup\
             &se=2030-01-01T00%3A00%3A00Z&st=2024-01-01T00:00:00Z&spr=https&sip=10.0.0.1&sig=abc%3D",
        );
        assert_eq!(f["sas_type"], "account");
        assert_eq!(f["services"], "blob,queue");
        assert_eq!(f["resource_types"], "service,container,object");
        assert_eq!(f["permissions"], "rwdlacup");
        assert_eq!(f["scope"], "read write delete list add create update process");
        assert_eq!(f["expires"], "2030-01-01T00:00:00Z");
        assert_eq!(f["expired"], "false");
        assert_eq!(f["starts"], "2024-01-01T00:00:00Z");
        assert_eq!(f["protocol"], "https");
        assert_eq!(f["ip_range"], "10.0.0.1");
    }

    #[test]
    fn service_and_user_delegation_sas() {
        let f = facts("sv=2022-11-02&sr=c&sp=rl&se=2020-01-01&si=policy1&sig=x");
        assert_eq!(f["sas_type"], "service");
        assert_eq!(f["resource"], "container");
        assert_eq!(f["expired"], "true");
        assert_eq!(f["stored_policy"], "policy1");
        let g = facts("sv=2022-11-02&sr=b&sp=r&skoid=abc&sig=x");
        assert_eq!(g["sas_type"], "user-delegation");
    }

    #[test]
    fn grant_is_read_from_the_line_when_the_secret_is_only_the_signature() {
        let line = r#"url = "https://a.blob.core.windows.net/c?sv=2022-11-02&sr=c&sp=racwdl&se=2030-01-01&sig=abc%3D" # prod"#;
        let f = crate::decode::Decoder::AzureSas.decode_in("abc%3D", line, 0);
        assert_eq!(f["scope"], "read add create write delete list");
        assert_eq!(f["resource"], "container");
        assert_eq!(f["expires"], "2030-01-01T00:00:00Z");
    }

    #[test]
    fn garbage() {
        for t in ["", "?", "&&&", "se=%zz&sp=%", "sp=&se=", "se=2030-99-99"] {
            let f = facts(t);
            assert!(!f.contains_key("expires"), "{t}: {f:?}");
        }
    }
}
