//! Offline checksums that some token formats carry. A token whose checksum fails is a
//! look-alike (a test string, a typo, a hash that happens to share the shape) and is dropped.

use std::str::FromStr;

use crate::finding::ChecksumStatus;

/// A checksum scheme a rule can name with `checksum = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// GitHub's `gh?_` tokens and npm's `npm_` tokens: 30 random characters followed by the
    /// CRC32 (IEEE) of those 30 characters in base62 (`0-9A-Za-z`), left-padded to 6.
    Crc32Base62,
    /// GitLab's routable tokens (`glpat-<payload>.<version>.<length><crc>`, or without the
    /// version): the CRC32 (IEEE) of everything before the check — prefix, any instance
    /// prefix, payload, dots, version and length — in lowercase base36, left-padded to 7
    /// (`lib/authn/token_field/generator/routable_token.rb`). Legacy 20-character tokens
    /// carry no checksum and are neither valid nor invalid.
    GitlabCrc32Base36,
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CRC32_BASE62_BODY: usize = 30;
const CRC32_BASE62_CHECK: usize = 6;

impl FromStr for Checksum {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "crc32-base62" => Ok(Checksum::Crc32Base62),
            "gitlab-crc32-base36" => Ok(Checksum::GitlabCrc32Base36),
            other => Err(format!(
                "unknown checksum `{other}` (known: crc32-base62, gitlab-crc32-base36)"
            )),
        }
    }
}

/// Most bytes of an instance prefix (`acme-` in `acme-glpat-…`) looked at before a GitLab
/// token, since GitLab's CRC covers it.
const GITLAB_INSTANCE_PREFIX: usize = 64;
const GITLAB_CHECK: usize = 7;

impl Checksum {
    pub fn name(self) -> &'static str {
        match self {
            Checksum::Crc32Base62 => "crc32-base62",
            Checksum::GitlabCrc32Base36 => "gitlab-crc32-base36",
        }
    }

    /// The checksum status of `secret`; `before` is the text that precedes it, where a
    /// self-managed GitLab's instance prefix may sit. `None` means the token's format has no
    /// checksum (a legacy GitLab token); `Invalid` tokens are dropped.
    pub fn status(self, secret: &[u8], before: &[u8]) -> ChecksumStatus {
        match self {
            Checksum::Crc32Base62 => match self.verify(secret) {
                true => ChecksumStatus::Valid,
                false => ChecksumStatus::Invalid,
            },
            Checksum::GitlabCrc32Base36 => gitlab_status(secret, before),
        }
    }

    /// Whether `secret` (the whole token, prefix included) carries a valid checksum, or,
    /// for GitLab, is a legacy token that carries none.
    pub fn verify(self, secret: &[u8]) -> bool {
        match self {
            Checksum::GitlabCrc32Base36 => gitlab_status(secret, b"") != ChecksumStatus::Invalid,
            Checksum::Crc32Base62 => {
                let Some(split) = secret.len().checked_sub(CRC32_BASE62_CHECK) else {
                    return false;
                };
                let Some(body_start) = split.checked_sub(CRC32_BASE62_BODY) else {
                    return false;
                };
                crc32_base62(&secret[body_start..split]).as_bytes() == &secret[split..]
            }
        }
    }

    /// The check characters that complete `partial`, a token whose checksum is missing.
    /// Used to generate valid test tokens at test time.
    pub fn complete(self, partial: &str) -> String {
        match self {
            Checksum::Crc32Base62 => {
                let bytes = partial.as_bytes();
                let body = &bytes[bytes.len().saturating_sub(CRC32_BASE62_BODY)..];
                crc32_base62(body)
            }
            Checksum::GitlabCrc32Base36 => {
                // The token starts after the last character that cannot be part of one.
                let bytes = partial.as_bytes();
                let start = bytes
                    .iter()
                    .rposition(|&b| !is_gitlab_token_byte(b) && b != b'.')
                    .map_or(0, |i| i + 1);
                crc32_base36(&bytes[start..])
            }
        }
    }
}

fn is_gitlab_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn gitlab_status(secret: &[u8], before: &[u8]) -> ChecksumStatus {
    let Some(dot) = secret.iter().rposition(|&b| b == b'.') else {
        return ChecksumStatus::None;
    };
    let tail = &secret[dot + 1..];
    let shaped =
        tail.len() == 2 + GITLAB_CHECK && tail.iter().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
    if !shaped {
        return ChecksumStatus::Invalid;
    }
    let split = secret.len() - GITLAB_CHECK;
    let (body, check) = secret.split_at(split);
    if crc32_base36(body).as_bytes() == check {
        return ChecksumStatus::Valid;
    }
    // A self-managed instance may prefix every token (`acme-glpat-…`), and the CRC covers
    // that prefix too: try each start within the run of token characters just before.
    let floor = before.len().saturating_sub(GITLAB_INSTANCE_PREFIX);
    let mut start = before.len();
    while start > floor && is_gitlab_token_byte(before[start - 1]) {
        start -= 1;
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&before[start..]);
        hasher.update(body);
        if base36(hasher.finalize()).as_bytes() == check {
            return ChecksumStatus::Valid;
        }
    }
    ChecksumStatus::Invalid
}

fn crc32_base36(body: &[u8]) -> String {
    base36(crc32fast::hash(body))
}

fn base36(mut n: u32) -> String {
    let mut out = [b'0'; GITLAB_CHECK];
    for slot in out.iter_mut().rev() {
        *slot = b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize];
        n /= 36;
    }
    out.iter().map(|&b| b as char).collect()
}

fn crc32_base62(body: &[u8]) -> String {
    let mut n = crc32fast::hash(body);
    let mut out = [b'0'; CRC32_BASE62_CHECK];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out.iter().map(|&b| b as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_token_verifies() {
        let partial = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123";
        let token = format!("{partial}{}", Checksum::Crc32Base62.complete(partial));
        assert!(Checksum::Crc32Base62.verify(token.as_bytes()));
    }

    #[test]
    fn altered_body_fails() {
        let partial = "npm_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123";
        let token = format!("{partial}{}", Checksum::Crc32Base62.complete(partial));
        let tampered = token.replacen('a', "b", 1);
        assert!(!Checksum::Crc32Base62.verify(tampered.as_bytes()));
    }

    #[test]
    fn short_input_fails_without_panicking() {
        assert!(!Checksum::Crc32Base62.verify(b"ghp_short"));
    }

    /// A routable payload (16 bytes, then `c:1\no:1\nu:1`), kept apart from its prefix so
    /// that no scanner takes this file for a leak.
    const PAYLOAD: &str = "AAECAwQFBgcICQoLDA0ODxBjOjEKbzoxCnU6MQ0";

    #[test]
    fn gitlab_routable_token_verifies() {
        let partial = format!("glpat-{PAYLOAD}.01.0r");
        let partial = partial.as_str();
        let token = format!("{partial}{}", Checksum::GitlabCrc32Base36.complete(partial));
        let gl = Checksum::GitlabCrc32Base36;
        assert_eq!(gl.status(token.as_bytes(), b""), ChecksumStatus::Valid);
        let tampered = token.replacen('A', "B", 1);
        assert_eq!(gl.status(tampered.as_bytes(), b""), ChecksumStatus::Invalid);
        // Legacy tokens have no checksum to check.
        assert_eq!(
            gl.status(format!("glpat-{}", "abcdefghij0123456789").as_bytes(), b""),
            ChecksumStatus::None
        );
        assert_eq!(gl.status(b"glpat-x.", b""), ChecksumStatus::Invalid);
    }

    #[test]
    fn gitlab_checksum_covers_an_instance_prefix() {
        let partial = format!("TOKEN=acme-glpat-{PAYLOAD}.0r");
        let partial = partial.as_str();
        let token = format!("{partial}{}", Checksum::GitlabCrc32Base36.complete(partial));
        let (before, secret) = token.split_at(token.find("glpat-").unwrap());
        let gl = Checksum::GitlabCrc32Base36;
        assert_eq!(
            gl.status(secret.as_bytes(), before.as_bytes()),
            ChecksumStatus::Valid
        );
        assert_eq!(gl.status(secret.as_bytes(), b"TOKEN="), ChecksumStatus::Invalid);
    }

    #[test]
    fn crc_in_base36_matches_ruby() {
        // Ruby: Zlib.crc32("a").to_s(36).rjust(7, "0") == "1skjwar"
        assert_eq!(crc32_base36(b"a"), "1skjwar");
        assert_eq!(crc32_base36(b""), "0000000");
    }

    #[test]
    fn crc_of_known_input_in_base62() {
        // zlib.crc32(b"") == 0, so the check is all zero digits.
        assert_eq!(crc32_base62(b""), "000000");
        // Python: zlib.crc32(b"a") == 3904355907, which is "4GEHKN" in base62.
        assert_eq!(crc32_base62(b"a"), "4GEHKN");
    }
}
