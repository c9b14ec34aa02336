//! Offline decoding: what a token says about itself, read from the token alone, with no
//! network. A rule names its decoder with `decode = "..."`; the facts it yields go into the
//! finding's `facts` map, under the stable keys below, for the scope stage and for people.
//!
//! Keys shared across providers (absent when the token does not say):
//!
//! | key | meaning |
//! | --- | --- |
//! | `role` | JWT `role` claim (`service_role`, `anon`), or `roles` joined with `,` |
//! | `issuer`, `audience`, `subject` | JWT `iss`, `aud` (joined with `,`), `sub` |
//! | `expires` | expiry, RFC 3339 UTC (`2030-01-01T00:00:00Z`) |
//! | `expired` | `true` / `false`, relative to the time of the scan |
//! | `issued`, `not_before` | RFC 3339 UTC |
//! | `scope` | space-separated scopes or permissions (JWT `scope`/`scp`, Azure SAS `sp` spelled out) |
//! | `token_scope` | PyPI: `account` (every project of the user) or `project` |
//! | `projects` | comma-separated project names |
//! | `project_ids` | comma-separated project ids |
//! | `user` | the provider's id of the token's user |
//! | `account_id` | AWS account id (12 digits) |
//! | `key_type` | AWS `long-term` (AKIA), `temporary` (ASIA), `service-bearer` (ABIA), `context` (ACCA) |
//! | `org`, `region`, `url` | Sentry org slug, region (`us`, `de`), base URL; GitLab org id |
//! | `config` | Doppler service token's config name |
//! | `token_type` | Doppler `personal`/`cli`/`service`/`service-account`/`scim`/`audit`; Fly `macaroon`/`user`; GitLab routable `routable` |
//!
//! Provider-specific extras are documented in each decoder's module. Decoders never panic and
//! never fail: garbage yields fewer facts (often none). The facts are unverified claims (a
//! JWT's signature or a macaroon's HMAC cannot be checked offline), good for judging scope,
//! not for trusting the token.

mod aws;
mod azure;
mod doppler;
mod fly;
mod gitlab;
mod jwt;
mod pypi;
mod sentry;
pub(crate) mod util;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

pub use pypi::encode_v2 as encode_macaroon_v2;
pub use util::{base64_decode, rfc3339};

/// Facts a decoder read from a token, by the keys documented above.
pub type Facts = BTreeMap<String, String>;

/// A decoder a rule can name with `decode = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoder {
    Jwt,
    PypiMacaroon,
    AwsKeyId,
    SentryOrgToken,
    AzureSas,
    Doppler,
    FlyMacaroon,
    GitlabRoutable,
}

impl Decoder {
    pub const ALL: [Decoder; 8] = [
        Decoder::Jwt,
        Decoder::PypiMacaroon,
        Decoder::AwsKeyId,
        Decoder::SentryOrgToken,
        Decoder::AzureSas,
        Decoder::Doppler,
        Decoder::FlyMacaroon,
        Decoder::GitlabRoutable,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Decoder::Jwt => "jwt",
            Decoder::PypiMacaroon => "pypi-macaroon",
            Decoder::AwsKeyId => "aws-key-id",
            Decoder::SentryOrgToken => "sentry-org-token",
            Decoder::AzureSas => "azure-sas",
            Decoder::Doppler => "doppler",
            Decoder::FlyMacaroon => "fly-macaroon",
            Decoder::GitlabRoutable => "gitlab-routable",
        }
    }

    /// The facts `secret` carries, judged against `now` (Unix seconds) for `expired`.
    pub fn decode(self, secret: &str, now: i64) -> Facts {
        self.decode_in(secret, "", now)
    }

    /// As [`Decoder::decode`], with the line that holds the secret: an Azure SAS rule may
    /// capture only the signature, while the grant (`sp`, `se`, …) sits beside it in the URL.
    pub fn decode_in(self, secret: &str, line: &str, now: i64) -> Facts {
        let mut facts = Facts::new();
        match self {
            Decoder::Jwt => jwt::decode(secret, now, &mut facts),
            Decoder::PypiMacaroon => pypi::decode(secret, now, &mut facts),
            Decoder::AwsKeyId => aws::decode(secret, &mut facts),
            Decoder::SentryOrgToken => sentry::decode(secret, &mut facts),
            Decoder::AzureSas => {
                let has_fields = ["sp=", "se=", "sr=", "ss="].iter().any(|f| secret.contains(f));
                azure::decode(if has_fields { secret } else { line }, now, &mut facts);
            }
            Decoder::Doppler => doppler::decode(secret, &mut facts),
            Decoder::FlyMacaroon => fly::decode(secret, now, &mut facts),
            Decoder::GitlabRoutable => gitlab::decode(secret, &mut facts),
        }
        facts
    }
}

impl fmt::Display for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Decoder {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Decoder::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = Decoder::ALL.iter().map(|d| d.name()).collect();
                format!("unknown decoder `{name}` (known: {})", known.join(", "))
            })
    }
}

/// The current time in Unix seconds, for `expired`.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Records an expiry (Unix seconds) as `expires` and `expired`.
fn set_expiry(facts: &mut Facts, expires: i64, now: i64) {
    if let Some(text) = rfc3339(expires) {
        facts.insert("expires".into(), text);
        facts.insert("expired".into(), (expires <= now).to_string());
    }
}

fn set_time(facts: &mut Facts, key: &str, secs: i64) {
    if let Some(text) = rfc3339(secs) {
        facts.insert(key.into(), text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for d in Decoder::ALL {
            assert_eq!(d.name().parse::<Decoder>(), Ok(d));
        }
        assert!("nope".parse::<Decoder>().unwrap_err().contains("pypi-macaroon"));
    }

    /// Every decoder survives arbitrary input: empty, binary-ish, huge, truncated.
    #[test]
    fn garbage_never_panics() {
        let long = "A".repeat(10_000);
        let inputs = [
            "",
            ".",
            "..",
            "eyJ.eyJ.x",
            "eyJhbGciOiJIUzI1NiJ9.!!!!.sig",
            "pypi-",
            "pypi-AgEIcHlwaS5vcmc",
            "pypi-AgEIcHlwaS5vcmcCJDAw",
            "pypi-Ag__________",
            "AKIA",
            "AKIA!!!!!!!!!!!!!!!!",
            "ASIA0000000000000000",
            "sntrys_",
            "sntrys_eyJ_",
            "sntrys_e30_abc",
            "sv=&sp=&se=notadate&sig=",
            "?se=9999-99-99T99:99:99Z",
            "dp.st.",
            "dp..",
            "FlyV1 fm2_",
            "fm2_////,fm2_====",
            "glpat-.",
            "glpat-!!!.01.zz0000000",
            long.as_str(),
        ];
        for d in Decoder::ALL {
            for input in inputs {
                let _ = d.decode(input, 0);
            }
        }
    }

    /// Random strings built from the characters and prefixes tokens use, truncated at every
    /// length: a cheap fuzz run over every decoder.
    #[test]
    fn random_token_shaped_input_never_panics() {
        const PIECES: [&str; 16] = [
            "eyJ",
            ".",
            "_",
            "-",
            "=",
            "%3D",
            "&sp=",
            "?se=",
            "pypi-AgEI",
            "FlyV1 fm2_",
            ",fm2_",
            "sntrys_",
            "dp.st.",
            "glpat-",
            "AKIA",
            "\u{7f}",
        ];
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-.=&:";
        let mut rng = crate::test_rng::Rng(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next();
        for _ in 0..400 {
            let mut text = String::new();
            for _ in 0..(next() % 24) {
                if next() % 3 == 0 {
                    text.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
                } else {
                    for _ in 0..(next() % 12) {
                        text.push(CHARS[(next() % CHARS.len() as u64) as usize] as char);
                    }
                }
            }
            for d in Decoder::ALL {
                let _ = d.decode_in(&text, &text, i64::from(next() as u32));
            }
        }
        // Random binary behind the headers the binary decoders look for.
        for round in 0..400u64 {
            let mut bytes: Vec<u8> = match round % 3 {
                0 => vec![2, 1, 8],
                1 => vec![0x94, 0x93],
                _ => vec![0xdd, 0xff, 0xff, 0xff, 0xff],
            };
            bytes.extend((0..next() % 200).map(|_| next() as u8));
            let encoded = b64(&bytes);
            let _ = Decoder::PypiMacaroon.decode(&format!("pypi-{encoded}"), 0);
            let _ = Decoder::FlyMacaroon.decode(&format!("FlyV1 fm2_{encoded}"), 0);
            let _ = Decoder::GitlabRoutable.decode(&format!("glpat-{encoded}.01.0a1234567"), 0);
        }
    }

    fn b64(data: &[u8]) -> String {
        crate::decode::util::base64_encode(data, false)
    }
}
