//! Token-shaped strings generated from templates, so that no real-looking secret is ever
//! written into this repository: rule examples and test fixtures hold templates such as
//! `ghp_{{alnum:30}}{{checksum}}`, and tests expand them into fresh tokens at run time.
//!
//! Generation is deterministic for a given seed, so expected output is stable.
//!
//! Placeholders: `{{CLASS:N}}` for N random characters of a class (`alnum`, `lower`,
//! `upper`, `digits`, `hex`, `HEX`, `lowalnum`, `upalnum`, `base64`, `base64url`, `base32`,
//! and `bech32`/`BECH32` for the Bech32 data alphabet that age keys use),
//! `{{uuid}}`, `{{jwt:CLAIM=VALUE;...}}` (an HS256-shaped JWT with those string claims and a
//! random signature), `{{json64:KEY=VALUE;...}}` (standard, padded base64 of a JSON object
//! with those string members, as Sentry's `sntrys_` tokens carry), `{{macaroon:LOCATION;CAVEAT;...}}` (a version-2 binary macaroon, as
//! PyPI tokens carry after `pypi-`, with those first-party caveats, a random identifier and
//! signature, in unpadded base64url), `{{checksum}}` (the rule's checksum over what precedes it),
//! `{{checksum:SCHEME}}`, and `{{lit:TEXT}}` for literal text that must not appear verbatim
//! in the repository (e.g. a PEM header, which other scanners flag on sight). Any other
//! `{{...}}` (a GitHub Actions `${{ secrets.X }}`, a Jinja template) is kept as it is.

use std::fs;
use std::path::Path;

use crate::decode::util::base64url_encode;
use crate::rules::Checksum;

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

pub struct Synth {
    state: u64,
}

impl Synth {
    /// A generator seeded from `seed` (e.g. the rule id and example number).
    pub fn new(seed: &str) -> Synth {
        // FNV-1a: a stable seed from a string, independent of the std hasher.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Synth { state: h }
    }

    fn next(&mut self) -> u64 {
        // splitmix64
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn pick(&mut self, alphabet: &[u8], n: usize, out: &mut String) {
        for _ in 0..n {
            out.push(alphabet[(self.next() % alphabet.len() as u64) as usize] as char);
        }
    }

    /// Expands every placeholder in `template`. `checksum` is the scheme `{{checksum}}` uses.
    pub fn expand(&mut self, template: &str, checksum: Option<Checksum>) -> Result<String, String> {
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        while let Some(open) = rest.find("{{") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let spec = after.find("}}").map(|close| &after[..close]);
            match spec.filter(|spec| is_placeholder(spec)) {
                Some(spec) => {
                    self.placeholder(spec, checksum, &mut out)?;
                    rest = &after[spec.len() + 2..];
                }
                None => {
                    out.push_str("{{");
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    fn placeholder(
        &mut self,
        spec: &str,
        checksum: Option<Checksum>,
        out: &mut String,
    ) -> Result<(), String> {
        let (name, arg) = spec.split_once(':').unwrap_or((spec, ""));
        let count = || {
            arg.parse::<usize>()
                .map_err(|_| format!("`{{{{{spec}}}}}` needs a length"))
        };
        let alphabet: &str = match name {
            "lit" => {
                out.push_str(arg);
                return Ok(());
            }
            "uuid" => {
                for (i, len) in [8, 4, 4, 4, 12].into_iter().enumerate() {
                    if i > 0 {
                        out.push('-');
                    }
                    self.pick(b"0123456789abcdef", len, out);
                }
                return Ok(());
            }
            "jwt" => {
                let claims: Vec<String> = arg
                    .split(';')
                    .filter(|pair| !pair.is_empty())
                    .map(|pair| {
                        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                        format!("{key:?}:{value:?}")
                    })
                    .collect();
                out.push_str(&base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#));
                out.push('.');
                out.push_str(&base64url_encode(format!("{{{}}}", claims.join(",")).as_bytes()));
                out.push('.');
                self.pick(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                    43,
                    out,
                );
                return Ok(());
            }
            "json64" => {
                let members: Vec<String> = arg
                    .split(';')
                    .filter(|pair| !pair.is_empty())
                    .map(|pair| {
                        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                        format!("{key:?}:{value:?}")
                    })
                    .collect();
                let json = format!("{{{}}}", members.join(","));
                let mut encoded = base64url_encode(json.as_bytes())
                    .replace('-', "+")
                    .replace('_', "/");
                while !encoded.len().is_multiple_of(4) {
                    encoded.push('=');
                }
                out.push_str(&encoded);
                return Ok(());
            }
            "macaroon" => {
                let mut fields = arg.split(';');
                let location = fields.next().unwrap_or_default();
                let caveats: Vec<&str> = fields.filter(|c| !c.is_empty()).collect();
                let mut identifier = String::new();
                self.pick(b"0123456789abcdef", 32, &mut identifier);
                let signature: Vec<u8> = (0..32).map(|_| self.next() as u8).collect();
                let raw = crate::decode::encode_macaroon_v2(location, &identifier, &caveats, &signature);
                out.push_str(&base64url_encode(&raw));
                return Ok(());
            }
            "checksum" => {
                let scheme = if arg.is_empty() {
                    checksum.ok_or("`{{checksum}}` in a rule without a checksum")?
                } else {
                    arg.parse()?
                };
                let completion = scheme.complete(out);
                out.push_str(&completion);
                return Ok(());
            }
            "alnum" => ALNUM,
            "lower" => "abcdefghijklmnopqrstuvwxyz",
            "upper" => "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "digits" => "0123456789",
            "hex" => "0123456789abcdef",
            "HEX" => "0123456789ABCDEF",
            "lowalnum" => "abcdefghijklmnopqrstuvwxyz0123456789",
            "upalnum" => "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            "base32" => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
            "base64" => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            "base64url" => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
            "bech32" => "qpzry9x8gf2tvdw0s3jn54khce6mua7l",
            "BECH32" => "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
            other => return Err(format!("unknown placeholder `{other}`")),
        };
        let n = count()?;
        self.pick(alphabet.as_bytes(), n, out);
        Ok(())
    }
}

const PLACEHOLDERS: [&str; 19] = [
    "json64",
    "macaroon",
    "lit",
    "uuid",
    "checksum",
    "alnum",
    "lower",
    "upper",
    "digits",
    "hex",
    "HEX",
    "lowalnum",
    "upalnum",
    "base32",
    "base64",
    "base64url",
    "bech32",
    "BECH32",
    "jwt",
];

fn is_placeholder(spec: &str) -> bool {
    let name = spec.split_once(':').map_or(spec, |(name, _)| name);
    PLACEHOLDERS.contains(&name)
}

/// Copies the tree `from` into `to`, expanding templates in every file. Each file gets its
/// own generator seeded by its relative path, so one file's edit does not reshuffle another.
pub fn materialize(from: &Path, to: &Path) -> Result<(), String> {
    materialize_dir(from, from, to)
}

fn materialize_dir(root: &Path, dir: &Path, to: &Path) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        let rel = path.strip_prefix(root).map_err(|e| e.to_string())?;
        let rel_name = undot(rel);
        let target = to.join(&rel_name);
        if path.is_dir() {
            fs::create_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
            materialize_dir(root, &path, to)?;
        } else {
            let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let expanded = Synth::new(&rel_name)
                .expand(&text, None)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            fs::write(&target, expanded).map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}

/// `dot.gitignore` becomes `.gitignore`: fixtures carry such files under another name so that
/// git does not act on them inside this repository.
fn undot(rel: &Path) -> String {
    rel.components()
        .map(|c| {
            let name = c.as_os_str().to_string_lossy();
            match name.strip_prefix("dot.") {
                Some(rest) => format!(".{rest}"),
                None => name.into_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_output() {
        let a = Synth::new("x").expand("k={{alnum:20}}", None).unwrap();
        let b = Synth::new("x").expand("k={{alnum:20}}", None).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 22);
    }

    #[test]
    fn checksum_completes_a_valid_token() {
        let token = Synth::new("y")
            .expand("ghp_{{alnum:30}}{{checksum}}", Some(Checksum::Crc32Base62))
            .unwrap();
        assert!(Checksum::Crc32Base62.verify(token.as_bytes()));
    }

    #[test]
    fn bech32_uses_only_the_bech32_alphabet() {
        let s = Synth::new("b")
            .expand("{{bech32:200}}|{{BECH32:200}}", None)
            .unwrap();
        let (lower, upper) = s.split_once('|').unwrap();
        assert_eq!((lower.len(), upper.len()), (200, 200));
        // Bech32 leaves out 1, b, i and o so that they cannot be confused.
        assert!(!lower.contains(['1', 'b', 'i', 'o']));
        assert!(lower
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert_eq!(upper, upper.to_ascii_uppercase());
        assert!(!upper.contains(['1', 'B', 'I', 'O']));
    }

    #[test]
    fn literal_and_uuid() {
        let s = Synth::new("z").expand("{{lit:BEGIN}} {{uuid}}", None).unwrap();
        assert!(s.starts_with("BEGIN "));
        assert_eq!(s.len(), 6 + 36);
    }

    #[test]
    fn other_braces_are_kept() {
        let s = Synth::new("z")
            .expand("t: ${{ secrets.TOKEN }} {{nope:3}}", None)
            .unwrap();
        assert_eq!(s, "t: ${{ secrets.TOKEN }} {{nope:3}}");
    }

    #[test]
    fn jwt_carries_its_claims() {
        let jwt = Synth::new("j")
            .expand("{{jwt:role=service_role;iss=supabase}}", None)
            .unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
        assert_eq!(
            base64url_encode(br#"{"role":"service_role","iss":"supabase"}"#),
            parts[1]
        );
    }

    #[test]
    fn macaroon_decodes_to_its_caveats() {
        let token = Synth::new("m")
            .expand(r#"pypi-{{macaroon:pypi.org;[1,["flask"]]}}"#, None)
            .unwrap();
        assert!(token.starts_with("pypi-AgEIcHlwaS5vcmc"), "{token}");
        let facts = crate::decode::Decoder::PypiMacaroon.decode(&token, 0);
        assert_eq!(facts["projects"], "flask");
        assert_eq!(facts["token_scope"], "project");
    }

    #[test]
    fn json64_makes_a_decodable_sentry_payload() {
        let token = Synth::new("s")
            .expand("sntrys_{{json64:iat=1700000000;url=https://sentry.io;region_url=https://de.sentry.io;org=acme}}_{{base64:43}}", None)
            .unwrap();
        assert!(token.starts_with("sntrys_eyJpYXQiO"), "{token}");
        let facts = crate::decode::Decoder::SentryOrgToken.decode(&token, 0);
        assert_eq!(facts["org"], "acme");
        assert_eq!(facts["region"], "de");
        assert_eq!(facts["issued"], "2023-11-14T22:13:20Z");
    }

    #[test]
    fn gitlab_checksum_placeholder() {
        let token = Synth::new("g")
            .expand(
                "T=glpat-{{base64url:38}}.{{lit:01}}.{{lit:12}}{{checksum:gitlab-crc32-base36}}",
                None,
            )
            .unwrap();
        let secret = token.trim_start_matches("T=");
        assert_eq!(
            Checksum::GitlabCrc32Base36.status(secret.as_bytes(), b"T="),
            crate::finding::ChecksumStatus::Valid
        );
    }

    #[test]
    fn base64url_matches_known_values() {
        assert_eq!(base64url_encode(b"f"), "Zg");
        assert_eq!(base64url_encode(b"fo"), "Zm8");
        assert_eq!(base64url_encode(b"foo"), "Zm9v");
        assert_eq!(base64url_encode(b"\xff\xfe"), "__4");
    }

    #[test]
    fn missing_length_is_an_error() {
        assert!(Synth::new("z").expand("{{alnum:many}}", None).is_err());
    }
}
