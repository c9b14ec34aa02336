//! The one guarded HTTP layer every provider client goes through. It is where "read-only"
//! is enforced in code rather than promised: before anything is sent, [`check`] refuses
//!
//! - any method but `GET` and `HEAD`, except a `POST` whose JSON body is a GraphQL document
//!   made only of `query` operations (parsed, with strings and comments stripped: no
//!   `mutation`, no `subscription`, no persisted-query `extensions`), or one of a short
//!   allow-list of read-only POSTs (Slack `auth.test`, STS `GetCallerIdentity`);
//! - any URL outside the token's own provider's base URL (so a token only ever reaches its
//!   own provider), with user info, or over plain `http://` to anything but loopback.
//!
//! [`Api`] is a token's handle on the guard: it spends the per-token budget (at most
//! [`BUDGET`] requests, retries included), waits out the per-provider rate limit, and
//! retries once on 429 or 5xx, honouring `Retry-After` up to a cap; never on other 4xx.
//! Redirects are not followed. HTTPS proxies come from the environment (`HTTPS_PROXY`,
//! `ALL_PROXY`, `NO_PROXY`); loopback never goes through a proxy.
//!
//! This module knows nothing of providers' APIs or of findings.

use std::collections::HashMap;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Most requests sent for one token, retries included.
pub const BUDGET: u8 = 3;
/// Time-out for one request, connect to last byte.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Least time between two requests to one provider.
pub const RATE_INTERVAL: Duration = Duration::from_millis(100);
/// Longest wait a `Retry-After` may ask for before the one retry; longer means no retry.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(5);
/// Wait before the retry when the provider does not say.
const DEFAULT_RETRY_WAIT: Duration = Duration::from_millis(500);
/// Largest response body read.
const BODY_LIMIT: u64 = 1 << 20;

/// POSTs that are read-only by their API's definition: `(provider, path under the base URL,
/// exact body)`.
const READ_ONLY_POSTS: &[(&str, &str, &str)] = &[
    ("slack", "/api/auth.test", ""),
    ("aws", "/", "Action=GetCallerIdentity&Version=2011-06-15"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    /// Any other method: only ever refused; present so the guard can be shown refusing it.
    Other(&'static str),
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Other(m) => m,
        }
    }
}

/// A request as it would go on the wire.
#[derive(Debug, Clone)]
pub struct Request {
    pub provider: &'static str,
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

/// Why the guard would not send a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused by the read-only guard: {}", self.0)
    }
}

/// What can go wrong between asking and a usable answer. None of it says anything about the
/// token: the scope stays unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    Refused(Refusal),
    /// The token's request budget is spent.
    Budget,
    Timeout,
    Transport(String),
    /// A status that says nothing about the token (5xx, 429, unexpected 4xx).
    Status(u16),
    /// A 2xx whose body is not what the provider documents.
    Unexpected(String),
    /// Not asked: the provider had not answered the previous tokens.
    GaveUp,
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::Refused(r) => r.fmt(f),
            NetError::Budget => write!(f, "request budget ({BUDGET}) spent"),
            NetError::Timeout => write!(f, "timed out after {} s", TIMEOUT.as_secs()),
            NetError::Transport(e) => write!(f, "network error: {e}"),
            NetError::Status(code) => write!(f, "HTTP {code}"),
            NetError::Unexpected(what) => write!(f, "unexpected answer: {what}"),
            NetError::GaveUp => write!(f, "not asked: the provider did not answer the tokens before"),
        }
    }
}

/// A provider's answer.
#[derive(Debug, Clone, Default)]
pub struct Response {
    pub status: u16,
    /// Lowercase names.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Result<Value, NetError> {
        serde_json::from_str(&self.body)
            .map_err(|_| NetError::Unexpected(format!("HTTP {} with a body that is not JSON", self.status)))
    }

    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// `scheme://host:port`, lowercase, with the port made explicit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub https: bool,
    pub host: String,
    pub port: u16,
}

impl Origin {
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.host)
    }
}

/// A parsed absolute URL: only what the guard needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub origin: Origin,
    /// Path and query, starting with `/`.
    pub path: String,
}

/// Parses an `http(s)://host[:port][/path]` URL, refusing user info, fragments, whitespace
/// and plain `http://` to a host that is not loopback.
pub fn parse_url(text: &str) -> Result<Url, String> {
    let (https, rest) = if let Some(rest) = strip_prefix_ci(text, "https://") {
        (true, rest)
    } else if let Some(rest) = strip_prefix_ci(text, "http://") {
        (false, rest)
    } else {
        return Err(format!("`{text}` is not an http(s) URL"));
    };
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) || text.contains('#') {
        return Err(format!("`{text}` has whitespace or a fragment"));
    }
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if authority.contains('@') {
        return Err("a URL with user info is refused".to_owned());
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let close = v6
            .find(']')
            .ok_or_else(|| format!("`{text}`: unclosed IPv6 address"))?;
        let port = &v6[close + 1..];
        (format!("[{}]", &v6[..close]), port.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (authority.to_owned(), None),
        }
    };
    let host = host.to_ascii_lowercase();
    let host_ok = !host.is_empty()
        && (host.starts_with('[')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'));
    if !host_ok {
        return Err(format!("`{text}` has no valid host"));
    }
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| format!("`{text}` has an invalid port"))?,
        None if https => 443,
        None => 80,
    };
    let origin = Origin { https, host, port };
    if !https && !origin.is_loopback() {
        return Err(format!(
            "plain http:// is only allowed to loopback hosts, not `{}`",
            origin.host
        ));
    }
    let path = if path.is_empty() {
        "/".to_owned()
    } else if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    Ok(Url { origin, path })
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

fn is_loopback_host(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return ip.is_loopback();
    }
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<Ipv6Addr>().ok())
        .is_some_and(|ip| ip.is_loopback())
}

/// A provider's API base: an origin and an optional path prefix (`http://127.0.0.1:8080/github`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    pub url: Url,
}

impl BaseUrl {
    pub fn parse(text: &str) -> Result<BaseUrl, String> {
        let mut url = parse_url(text)?;
        if url.path.contains('?') {
            return Err(format!("`{text}`: a base URL has no query"));
        }
        let trimmed = url.path.trim_end_matches('/').len();
        url.path.truncate(trimmed);
        Ok(BaseUrl { url })
    }

    /// The absolute URL of `path` (which starts with `/`) under this base.
    pub fn join(&self, path: &str) -> String {
        let o = &self.url.origin;
        let scheme = if o.https { "https" } else { "http" };
        let default_port = if o.https { 443 } else { 80 };
        let port = if o.port == default_port {
            String::new()
        } else {
            format!(":{}", o.port)
        };
        format!("{scheme}://{}{port}{}{path}", o.host, self.url.path)
    }

    /// `url`'s path under this base, when `url` is under it.
    fn relative<'u>(&self, url: &'u Url) -> Option<&'u str> {
        if url.origin != self.url.origin {
            return None;
        }
        let rest = url.path.strip_prefix(self.url.path.as_str())?;
        rest.starts_with('/').then_some(rest)
    }
}

/// Whether the guard lets `request` go to `base`, the API of the request's provider.
pub fn check(request: &Request, base: &BaseUrl) -> Result<(), Refusal> {
    let refuse = |why: String| Err(Refusal(why));
    let url = match parse_url(&request.url) {
        Ok(url) => url,
        Err(why) => return refuse(why),
    };
    let Some(relative) = base.relative(&url) else {
        return refuse(format!(
            "{} is not under the {} API ({})",
            request.url,
            request.provider,
            base.join("")
        ));
    };
    let dot_dot = relative.split(['/', '?']).any(|seg| seg == "..");
    if dot_dot || relative.to_ascii_lowercase().contains("%2e") {
        return refuse("a path that could climb out of the API (`..`, `%2e`) is refused".to_owned());
    }
    match request.method {
        Method::Get | Method::Head => {
            if request.body.as_deref().is_some_and(|b| !b.is_empty()) {
                return refuse(format!("{} with a body", request.method.as_str()));
            }
            Ok(())
        }
        Method::Post => {
            let body = request.body.as_deref().unwrap_or("");
            let allow_listed = READ_ONLY_POSTS
                .iter()
                .any(|&(p, path, b)| p == request.provider && path == relative && b == body);
            if allow_listed {
                return Ok(());
            }
            match graphql_body_is_query(body) {
                Ok(()) => Ok(()),
                Err(why) => refuse(format!("POST {relative}: {why}")),
            }
        }
        Method::Other(m) => refuse(format!("method {m} is never sent")),
    }
}

/// A GraphQL-over-HTTP JSON body: `{"query": ..., "variables": {...}, "operationName": ...}`
/// and nothing else, whose document has only `query` operations.
pub fn graphql_body_is_query(body: &str) -> Result<(), String> {
    let value: Value = serde_json::from_str(body)
        .map_err(|_| "not an allow-listed read-only POST, nor a GraphQL body".to_owned())?;
    let Value::Object(map) = value else {
        return Err("a GraphQL body must be one JSON object (no batches)".to_owned());
    };
    // With a key given twice, which one a server reads is its choice: refuse.
    let keys: TopLevelKeys = serde_json::from_str(body).map_err(|e| e.to_string())?;
    if let Some(key) = keys
        .0
        .iter()
        .enumerate()
        .find_map(|(i, k)| keys.0[..i].contains(k).then_some(k))
    {
        return Err(format!("GraphQL body key `{key}` is given twice"));
    }
    if let Some(key) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "query" | "variables" | "operationName"))
    {
        return Err(format!("GraphQL body key `{key}` is refused"));
    }
    match map.get("variables") {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(_) => return Err("GraphQL `variables` must be an object".to_owned()),
    }
    match map.get("query") {
        Some(Value::String(doc)) => document_is_query(doc),
        _ => Err("a GraphQL body needs a `query` document".to_owned()),
    }
}

/// The keys of a JSON object in order, duplicates kept.
struct TopLevelKeys(Vec<String>);

impl<'de> serde::Deserialize<'de> for TopLevelKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = TopLevelKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<TopLevelKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some((key, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                    keys.push(key);
                }
                Ok(TopLevelKeys(keys))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// Whether every operation of the GraphQL document `doc` is a query. Strings, block strings
/// and comments are skipped, so a keyword inside them means nothing; at the top level only
/// `query`, `fragment` and the `{ ... }` shorthand (a query) may start a definition.
pub fn document_is_query(doc: &str) -> Result<(), String> {
    let bytes = doc.as_bytes();
    let mut i = 0;
    let mut depth: usize = 0;
    let mut at_definition = true;
    let mut queries = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                loop {
                    if i >= bytes.len() {
                        return Err("unterminated block string".to_owned());
                    }
                    if bytes[i..].starts_with(b"\\\"\"\"") {
                        i += 4;
                    } else if bytes[i..].starts_with(b"\"\"\"") {
                        i += 3;
                        break;
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'"' => {
                i += 1;
                loop {
                    match bytes.get(i) {
                        None | Some(b'\n') | Some(b'\r') => return Err("unterminated string".to_owned()),
                        Some(b'\\') => i += 2,
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
                continue;
            }
            b'{' => {
                if depth == 0 && at_definition {
                    queries += 1;
                    at_definition = false;
                }
                depth += 1;
            }
            b'}' => {
                depth = depth.checked_sub(1).ok_or_else(|| "unbalanced `}`".to_owned())?;
                if depth == 0 {
                    at_definition = true;
                }
            }
            b if b == b'_' || b.is_ascii_alphabetic() => {
                let start = i;
                while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                if depth == 0 && at_definition {
                    match &doc[start..i] {
                        "query" => queries += 1,
                        "fragment" => {}
                        "mutation" => return Err("a GraphQL mutation is never sent".to_owned()),
                        "subscription" => return Err("a GraphQL subscription is never sent".to_owned()),
                        other => return Err(format!("unexpected `{other}` at the top level")),
                    }
                    at_definition = false;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if depth != 0 {
        return Err("unbalanced `{`".to_owned());
    }
    if queries == 0 {
        return Err("no query operation".to_owned());
    }
    Ok(())
}

/// The HTTP client behind the guard, shared by every token of a run.
pub struct Guard {
    /// For the real providers: proxies from the environment.
    remote: ureq::Agent,
    /// For loopback (tests, local mirrors): never through a proxy.
    local: ureq::Agent,
    /// When each provider may next be called.
    next_slot: Mutex<HashMap<&'static str, Instant>>,
}

impl Default for Guard {
    fn default() -> Self {
        Guard::new()
    }
}

impl Guard {
    pub fn new() -> Guard {
        let config = || {
            ureq::Agent::config_builder()
                .timeout_global(Some(TIMEOUT))
                .http_status_as_error(false)
                // A redirect could carry the token elsewhere: never follow one.
                .max_redirects(0)
                .user_agent(concat!(
                    "tokscan/",
                    env!("CARGO_PKG_VERSION"),
                    " (read-only introspection)"
                ))
        };
        Guard {
            remote: config().build().into(),
            local: config().proxy(None).build().into(),
            next_slot: Mutex::new(HashMap::new()),
        }
    }

    /// A token's handle: requests for it go to `base`, its provider's API.
    pub fn api<'g>(&'g self, provider: &'static str, base: &'g BaseUrl) -> Api<'g> {
        Api {
            guard: self,
            provider,
            base,
            sent: 0,
        }
    }

    fn wait_turn(&self, provider: &'static str) {
        let wait = {
            let Ok(mut slots) = self.next_slot.lock() else {
                return;
            };
            let now = Instant::now();
            let slot = slots.entry(provider).or_insert(now);
            let start = (*slot).max(now);
            *slot = start + RATE_INTERVAL;
            start - now
        };
        if !wait.is_zero() {
            thread::sleep(wait);
        }
    }

    /// Sends one request the guard has already allowed.
    fn transmit(&self, request: &Request, loopback: bool) -> Result<Response, NetError> {
        let agent = if loopback { &self.local } else { &self.remote };
        let result = match request.method {
            Method::Get | Method::Head => {
                let mut builder = if request.method == Method::Get {
                    agent.get(&request.url)
                } else {
                    agent.head(&request.url)
                };
                for (name, value) in &request.headers {
                    builder = builder.header(*name, value);
                }
                builder.call()
            }
            Method::Post => {
                let mut builder = agent.post(&request.url);
                for (name, value) in &request.headers {
                    builder = builder.header(*name, value);
                }
                builder.send(request.body.as_deref().unwrap_or("").as_bytes())
            }
            Method::Other(m) => return Err(NetError::Refused(Refusal(format!("method {m}")))),
        };
        let mut response = result.map_err(|e| match e {
            ureq::Error::Timeout(_) => NetError::Timeout,
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => NetError::Timeout,
            other => NetError::Transport(other.to_string()),
        })?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = if request.method == Method::Head {
            String::new()
        } else {
            response
                .body_mut()
                .with_config()
                .limit(BODY_LIMIT)
                .read_to_string()
                .map_err(|e| match e {
                    ureq::Error::Timeout(_) => NetError::Timeout,
                    other => NetError::Transport(other.to_string()),
                })?
        };
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// One token's access to its provider's API through the guard.
pub struct Api<'g> {
    guard: &'g Guard,
    provider: &'static str,
    base: &'g BaseUrl,
    sent: u8,
}

impl Api<'_> {
    pub fn get(&mut self, path: &str, headers: &[(&'static str, &str)]) -> Result<Response, NetError> {
        self.send(Method::Get, path, headers, None)
    }

    /// POSTs the GraphQL `query` document to `path`.
    pub fn graphql(
        &mut self,
        path: &str,
        query: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<Response, NetError> {
        let body = serde_json::json!({ "query": query }).to_string();
        let mut headers = headers.to_vec();
        headers.push(("Content-Type", "application/json"));
        self.send(Method::Post, path, &headers, Some(body))
    }

    /// POSTs one of the allow-listed read-only form bodies.
    pub fn post_form(
        &mut self,
        path: &str,
        body: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<Response, NetError> {
        let mut headers = headers.to_vec();
        headers.push(("Content-Type", "application/x-www-form-urlencoded"));
        self.send(Method::Post, path, &headers, Some(body.to_owned()))
    }

    /// The absolute URL of `path` under the provider's base (for request signing).
    pub fn url(&self, path: &str) -> String {
        self.base.join(path)
    }

    pub fn base(&self) -> &BaseUrl {
        self.base
    }

    /// Every request goes through here: the guard's check, the budget, the rate limit and
    /// the retry policy. Private, so providers can only GET, POST a query document they give
    /// as text, or POST an allow-listed form.
    fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&'static str, &str)],
        body: Option<String>,
    ) -> Result<Response, NetError> {
        let request = Request {
            provider: self.provider,
            method,
            url: self.base.join(path),
            headers: headers.iter().map(|&(n, v)| (n, v.to_owned())).collect(),
            body,
        };
        check(&request, self.base).map_err(NetError::Refused)?;
        let loopback = self.base.url.origin.is_loopback();
        let mut retried = false;
        loop {
            if self.sent >= BUDGET {
                return Err(NetError::Budget);
            }
            self.sent += 1;
            self.guard.wait_turn(self.provider);
            let response = self.guard.transmit(&request, loopback)?;
            let retryable = response.status == 429 || response.status >= 500;
            if !retryable {
                return Ok(response);
            }
            let wait = retry_wait(&response);
            if retried || self.sent >= BUDGET || wait.is_none() {
                return Err(NetError::Status(response.status));
            }
            retried = true;
            thread::sleep(wait.unwrap_or(DEFAULT_RETRY_WAIT));
        }
    }
}

/// How long to wait before the one retry: `Retry-After` in seconds, or the default; `None`
/// when the provider asks for longer than the cap (a retry then would hammer).
fn retry_wait(response: &Response) -> Option<Duration> {
    match response.header("retry-after").map(str::trim) {
        None => Some(DEFAULT_RETRY_WAIT),
        Some(value) => match value.parse::<u64>() {
            Ok(secs) => {
                let wait = Duration::from_secs(secs);
                (wait <= RETRY_AFTER_CAP).then_some(wait)
            }
            // An HTTP date: not worth a clock comparison; wait the default.
            Err(_) => Some(DEFAULT_RETRY_WAIT),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(text: &str) -> BaseUrl {
        BaseUrl::parse(text).unwrap()
    }

    fn request(provider: &'static str, method: Method, url: &str, body: Option<&str>) -> Request {
        Request {
            provider,
            method,
            url: url.to_owned(),
            headers: Vec::new(),
            body: body.map(str::to_owned),
        }
    }

    fn graphql(query: &str) -> String {
        serde_json::json!({ "query": query }).to_string()
    }

    const RAILWAY: &str = "https://backboard.railway.com";

    #[test]
    fn refuses_a_graphql_mutation() {
        let body = graphql("mutation { volumeDelete(volumeId: \"v\") }");
        let r = request(
            "railway",
            Method::Post,
            &format!("{RAILWAY}/graphql/v2"),
            Some(&body),
        );
        let refusal = check(&r, &base(RAILWAY)).unwrap_err();
        assert!(refusal.0.contains("mutation"), "{refusal}");
    }

    #[test]
    fn refuses_a_mutation_after_a_query_and_a_subscription() {
        for doc in [
            "query A { me { id } } mutation B { volumeDelete(volumeId: \"v\") }",
            "subscription { logs }",
            "# query\nmutation { x }",
            "{ me { id } }\n\"\"\"doc\"\"\" mutation { x }",
        ] {
            assert!(document_is_query(doc).is_err(), "{doc}");
        }
    }

    #[test]
    fn keywords_in_strings_and_comments_are_not_operations() {
        for doc in [
            "query { apiToken { workspaces { id name } } }",
            "{ me { id } }",
            "query Q($n: String = \"mutation { x }\") { a(n: $n) }",
            "# mutation { volumeDelete }\nquery { me { id } }",
            "query { a(text: \"\"\"\nmutation { x }\n\"\"\") }",
            "query { ...F } fragment F on User { id }",
        ] {
            assert_eq!(document_is_query(doc), Ok(()), "{doc}");
        }
    }

    #[test]
    fn refuses_persisted_queries_batches_and_non_graphql_bodies() {
        let persisted =
            r#"{"query": "{ me { id } }", "extensions": {"persistedQuery": {"sha256Hash": "ab"}}}"#;
        let batch = format!("[{}]", graphql("{ me { id } }"));
        for body in [persisted, batch.as_str(), "name=x", ""] {
            let r = request(
                "railway",
                Method::Post,
                &format!("{RAILWAY}/graphql/v2"),
                Some(body),
            );
            assert!(check(&r, &base(RAILWAY)).is_err(), "{body}");
        }
    }

    #[test]
    fn refuses_a_graphql_body_with_a_key_given_twice() {
        // serde keeps the last `query`; a server might run the first.
        let twice = r#"{"query": "mutation { volumeDelete(volumeId: \"v\") }", "query": "{ me { id } }"}"#;
        assert!(serde_json::from_str::<Value>(twice).is_ok());
        let refusal = graphql_body_is_query(twice).unwrap_err();
        assert!(refusal.contains("twice"), "{refusal}");
    }

    #[test]
    fn refuses_delete_put_and_patch() {
        for m in ["DELETE", "PUT", "PATCH"] {
            let r = request("github", Method::Other(m), "https://api.github.com/user", None);
            let refusal = check(&r, &base("https://api.github.com")).unwrap_err();
            assert!(refusal.0.contains(m), "{refusal}");
        }
    }

    #[test]
    fn refuses_a_post_that_is_not_allow_listed() {
        let base = base("https://slack.com");
        let revoke = request(
            "slack",
            Method::Post,
            "https://slack.com/api/auth.revoke",
            Some(""),
        );
        assert!(check(&revoke, &base).is_err());
        let test = request("slack", Method::Post, "https://slack.com/api/auth.test", Some(""));
        assert_eq!(check(&test, &base), Ok(()));
        // The allow-list is per provider: GetCallerIdentity's body means nothing to Slack.
        let sts = request(
            "slack",
            Method::Post,
            "https://slack.com/",
            Some("Action=GetCallerIdentity&Version=2011-06-15"),
        );
        assert!(check(&sts, &base).is_err());
        let sts_base = super::BaseUrl::parse("https://sts.amazonaws.com").unwrap();
        let create = request(
            "aws",
            Method::Post,
            "https://sts.amazonaws.com/",
            Some("Action=CreateAccessKey&Version=2010-05-08"),
        );
        assert!(check(&create, &sts_base).is_err());
    }

    #[test]
    fn refuses_plain_http_to_a_host_that_is_not_loopback() {
        assert!(BaseUrl::parse("http://api.github.com").is_err());
        assert!(BaseUrl::parse("http://10.0.0.8:8080/github").is_err());
        let r = request("github", Method::Get, "http://api.github.com/user", None);
        assert!(check(&r, &base("https://api.github.com")).is_err());
        for ok in [
            "http://127.0.0.1:8080/github",
            "http://localhost:1",
            "http://[::1]:9/x",
        ] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_urls_outside_the_provider_base() {
        let b = base("http://127.0.0.1:8080/github");
        for url in [
            "http://127.0.0.1:8080/gitlab/api/v4/user",
            "http://127.0.0.1:8081/github/user",
            "http://127.0.0.1:8080/githubx/user",
            "http://127.0.0.1:8080/github/../gitlab/user",
            "http://127.0.0.1:8080/github/%2E%2E/gitlab/user",
            "http://evil@127.0.0.1:8080/github/user",
        ] {
            let r = request("github", Method::Get, url, None);
            assert!(check(&r, &b).is_err(), "{url}");
        }
        let r = request("github", Method::Get, "http://127.0.0.1:8080/github/user", None);
        assert_eq!(check(&r, &b), Ok(()));
    }

    #[test]
    fn joins_paths_under_a_prefix() {
        assert_eq!(
            base("http://127.0.0.1:8080/github/").join("/user"),
            "http://127.0.0.1:8080/github/user"
        );
        assert_eq!(
            base("https://api.github.com").join("/user"),
            "https://api.github.com/user"
        );
    }

    #[test]
    fn retry_after_is_capped() {
        let with = |v: &str| Response {
            status: 429,
            headers: vec![("retry-after".to_owned(), v.to_owned())],
            body: String::new(),
        };
        assert_eq!(retry_wait(&with("2")), Some(Duration::from_secs(2)));
        assert_eq!(retry_wait(&with("3600")), None);
    }
}
