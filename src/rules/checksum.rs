//! Offline checksums that some token formats carry. A token whose checksum fails is a
//! look-alike (a test string, a typo, a hash that happens to share the shape) and is dropped.

use std::str::FromStr;

/// A checksum scheme a rule can name with `checksum = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// GitHub's `gh?_` tokens and npm's `npm_` tokens: 30 random characters followed by the
    /// CRC32 (IEEE) of those 30 characters in base62 (`0-9A-Za-z`), left-padded to 6.
    Crc32Base62,
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CRC32_BASE62_BODY: usize = 30;
const CRC32_BASE62_CHECK: usize = 6;

impl FromStr for Checksum {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "crc32-base62" => Ok(Checksum::Crc32Base62),
            other => Err(format!("unknown checksum `{other}` (known: crc32-base62)")),
        }
    }
}

impl Checksum {
    /// Whether `secret` (the whole token, prefix included) carries a valid checksum.
    pub fn verify(self, secret: &[u8]) -> bool {
        match self {
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
        }
    }
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

    #[test]
    fn crc_of_known_input_in_base62() {
        // zlib.crc32(b"") == 0, so the check is all zero digits.
        assert_eq!(crc32_base62(b""), "000000");
        // Python: zlib.crc32(b"a") == 3904355907, which is "4GEHKN" in base62.
        assert_eq!(crc32_base62(b"a"), "4GEHKN");
    }
}
