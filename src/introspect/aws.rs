//! AWS: `sts:GetCallerIdentity` — `POST /` with the fixed body
//! `Action=GetCallerIdentity&Version=2011-06-15` (allow-listed: it needs no permission and
//! changes nothing), signed with Signature Version 4 from the access key id and the secret
//! access key found in the same file (plus the session token of a temporary key). It says
//! whose key it is (account, user or role ARN); what the key may do is in IAM policies that
//! only further, permissioned calls could read, so the scope stays unknown unless the key
//! is the account root's.

use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::guard::NetError;
use super::{Api, Introspector, Learned, Token};
use crate::finding::{Breadth, Capability, Privilege};

pub struct Aws;

const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
const REGION: &str = "us-east-1";

impl Introspector for Aws {
    fn provider(&self) -> &'static str {
        "aws"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://sts.amazonaws.com")
    }

    fn handles(&self, kind: &str) -> bool {
        matches!(kind, "access-key-id" | "session-access-key-id")
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        let partner = |kind: &str| token.partners.iter().find(|(k, _)| *k == kind).map(|(_, s)| *s);
        let Some(secret) = partner("secret-access-key") else {
            return Err(NetError::Unexpected(
                "no secret access key in the same file to sign with".to_owned(),
            ));
        };
        let session = partner("session-token");
        let (date, amz_date) = timestamps(SystemTime::now());
        let url = api.url("/");
        let host = host_of(&url);
        let path = api.base().url.path.clone() + "/";
        let signed = Signed {
            service: "sts",
            host: &host,
            path: &path,
            body: BODY,
            date: &date,
            amz_date: &amz_date,
        };
        let authorization = sign(token.secret, secret, session, &signed);
        let mut headers: Vec<(&'static str, &str)> =
            vec![("Authorization", &authorization), ("X-Amz-Date", &amz_date)];
        if let Some(session) = session {
            headers.push(("X-Amz-Security-Token", session));
        }
        let response = api.post_form("/", BODY, &headers)?;
        if response.status == 403 || response.status == 400 {
            let code = between(&response.body, "<Code>", "</Code>").unwrap_or_default();
            return match code {
                "InvalidClientTokenId" | "ExpiredToken" => Ok(Learned::dead()),
                _ => Err(NetError::Unexpected(format!("STS error {code}"))),
            };
        }
        if !response.ok() {
            return Err(NetError::Status(response.status));
        }
        let arn = between(&response.body, "<Arn>", "</Arn>")
            .ok_or_else(|| NetError::Unexpected("no Arn in the STS answer".to_owned()))?;
        let mut learned = Learned::live();
        if let Some(account) = between(&response.body, "<Account>", "</Account>") {
            learned.fact("account", account);
        }
        learned.fact("arn", redact_arn(arn));
        if arn.ends_with(":root") {
            learned.privilege = Some(Privilege::Owner);
            learned.capabilities = Some(Capability::ALL.to_vec());
            learned.breadth = Some(Breadth::Account);
            learned.fact("principal", "root");
        } else {
            learned.learn = Some(format!(
                "the IAM policies of {} decide what this key may do: `aws iam list-attached-user-policies` / `list-attached-role-policies`",
                redact_arn(arn)
            ));
        }
        Ok(learned)
    }
}

/// What a SigV4 signature covers, besides the credentials.
struct Signed<'a> {
    service: &'a str,
    host: &'a str,
    path: &'a str,
    body: &'a str,
    date: &'a str,
    amz_date: &'a str,
}

/// The SigV4 `Authorization` header for a form POST (content type, host and date signed).
fn sign(key_id: &str, secret: &str, session: Option<&str>, what: &Signed<'_>) -> String {
    let Signed {
        service,
        host,
        path,
        body,
        date,
        amz_date,
    } = *what;
    let mut headers = vec![
        ("content-type", CONTENT_TYPE),
        ("host", host),
        ("x-amz-date", amz_date),
    ];
    if let Some(session) = session {
        headers.push(("x-amz-security-token", session));
    }
    let canonical_headers: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
    let signed = signed.join(";");
    let canonical = format!(
        "POST\n{path}\n\n{canonical_headers}\n{signed}\n{}",
        hex(&Sha256::digest(body.as_bytes()))
    );
    let scope = format!("{date}/{REGION}/{service}/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, REGION.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    let signature = hex(&hmac(&k_signing, to_sign.as_bytes()));
    format!("AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={signed}, Signature={signature}")
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(data);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner);
    let mut out = [0u8; 32];
    out.copy_from_slice(&outer.finalize());
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `host[:port]` of an absolute URL, as the `Host` header carries it.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or_default().to_owned()
}

/// `(YYYYMMDD, YYYYMMDDTHHMMSSZ)` in UTC.
fn timestamps(now: SystemTime) -> (String, String) {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = crate::decode::util::civil_from_days(days);
    let date = format!("{y:04}{m:02}{d:02}");
    let time = format!("{:02}{:02}{:02}", rem / 3600, rem % 3600 / 60, rem % 60);
    (date.clone(), format!("{date}T{time}Z"))
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(text[start..end].trim())
}

/// `arn:aws:iam::123456789012:user/deploy-bot` → `arn:aws:iam::123456789012:user/de***`.
fn redact_arn(arn: &str) -> String {
    match arn.rsplit_once('/') {
        Some((head, name)) => format!("{head}/{}", super::redact_identity(name)),
        None => arn.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_dates() {
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert_eq!(
            timestamps(t),
            ("20231114".to_owned(), "20231114T221320Z".to_owned())
        );
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        assert_eq!(
            hex(&hmac(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    /// AWS's documented example signing key derivation (General Reference, "Examples of how
    /// to derive a signing key"), with its published example secret.
    #[test]
    fn signing_key_matches_the_documented_example() {
        let secret = concat!("wJalrXUtnFEMI/K7MDENG", "+bPxRfiCYEXAMPLEKEY");
        let k_date = hmac(format!("AWS4{secret}").as_bytes(), b"20120215");
        let k_region = hmac(&k_date, b"us-east-1");
        let k_service = hmac(&k_region, b"iam");
        let k_signing = hmac(&k_service, b"aws4_request");
        assert_eq!(
            hex(&k_signing),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    /// AWS's published SigV4 test suite, vector `post-x-www-form-urlencoded`.
    #[test]
    fn signature_matches_the_aws_test_suite() {
        let secret = concat!("wJalrXUtnFEMI/K7MDENG", "+bPxRfiCYEXAMPLEKEY");
        let signed = Signed {
            service: "service",
            host: "example.amazonaws.com",
            path: "/",
            body: "Param1=value1",
            date: "20150830",
            amz_date: "20150830T123600Z",
        };
        let auth = sign("AKIDEXAMPLE", secret, None, &signed);
        assert!(
            auth.starts_with(concat!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ",
                "SignedHeaders=content-type;host;x-amz-date, ",
                "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9"
            )),
            "{auth}"
        );
    }

    #[test]
    fn arns_are_redacted() {
        assert_eq!(
            redact_arn("arn:aws:iam::123456789012:user/deploy-bot"),
            "arn:aws:iam::123456789012:user/de***"
        );
    }
}
