//! `--introspect` end to end: a workspace holding one token per provider is scanned with
//! every provider's API pointed (by `TOKSCAN_<PROVIDER>_API_URL`) at a local server that
//! answers as the providers document, and records every request. The tests pin what the
//! answers change in the findings, and that what was sent was read-only, went only to the
//! token's own provider, and stayed within the budget.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use common::mock_server::{MockServer, Recorded, Reply};
use common::{finish, github_pat, token, tokscan_command, write, Run};
use serde_json::{json, Value};
use tempfile::TempDir;

/// Providers that tokscan can introspect, as mounted on the mock server (`/<id>/...`).
const PROVIDERS: &[&str] = &[
    "github",
    "gitlab",
    "railway",
    "slack",
    "cloudflare",
    "vercel",
    "huggingface",
    "openai",
    "stripe",
    "digitalocean",
    "npm",
    "doppler",
    "vault",
    "terraform",
    "sentry",
    "linear",
    "notion",
    "postman",
    "supabase",
    "aws",
];

/// Providers whose tokens the test writes with a test-only rule pack (`TOKSCAN_TEST_<ID>=`),
/// with the rule kind their client handles: independent of the shipped packs' formats.
const TEST_PACK: &[(&str, &str)] = &[
    ("cloudflare", "user-api-token"),
    ("vercel", "personal-access-token"),
    ("huggingface", "access-token"),
    ("openai", "project-key"),
    ("digitalocean", "personal-access-token"),
    ("npm", "access-token"),
    ("doppler", "service-token"),
    ("vault", "service-token"),
    ("terraform", "api-token"),
    ("sentry", "user-auth-token"),
    ("linear", "personal-api-key"),
    ("notion", "integration-token"),
    ("postman", "api-key"),
    ("supabase", "management-token"),
];

struct Workspace {
    dir: TempDir,
    packs: TempDir,
    /// provider id (or `railway-project`, `aws-secret`) -> secret.
    secrets: BTreeMap<String, String>,
}

fn workspace() -> Workspace {
    let dir = TempDir::new().unwrap();
    let packs = TempDir::new().unwrap();
    let mut secrets = BTreeMap::new();
    let mut add = |key: &str, secret: String| {
        secrets.insert(key.to_owned(), secret.clone());
        secret
    };
    let github = add("github", github_pat("introspect-github"));
    let gitlab = add("gitlab", token("introspect-gitlab", "glpat-{{alnum:20}}"));
    let slack = add(
        "slack",
        token(
            "introspect-slack",
            "xoxb-{{digits:12}}-{{digits:13}}-{{alnum:24}}",
        ),
    );
    let stripe = add("stripe", token("introspect-stripe", "sk_live_{{alnum:24}}"));
    write(
        dir.path(),
        ".env",
        format!(
            "GITHUB_TOKEN={github}\nGITLAB_TOKEN={gitlab}\nSLACK_BOT_TOKEN={slack}\nSTRIPE_SECRET_KEY={stripe}\n"
        ),
    );
    let railway = add("railway", token("introspect-railway", "{{uuid}}"));
    let project = add("railway-project", token("introspect-railway-project", "{{uuid}}"));
    write(
        dir.path(),
        "infra/railway.env",
        format!(
            "# Attach the marketing site's custom domains to the web service.\nRAILWAY_API_TOKEN={railway}\n\nRAILWAY_TOKEN={project}\n"
        ),
    );
    let key_id = add("aws", token("introspect-aws", "AKIA{{base32:16}}"));
    let aws_secret = add("aws-secret", token("introspect-aws-secret", "{{base64:40}}"));
    write(
        dir.path(),
        "deploy/credentials",
        format!("[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {aws_secret}\n"),
    );
    let mut others = String::new();
    for (provider, kind) in TEST_PACK {
        let upper = provider.to_ascii_uppercase();
        let secret = add(provider, token(&format!("introspect-{provider}"), "{{alnum:32}}"));
        others.push_str(&format!("TOKSCAN_TEST_{upper}={secret}\n"));
        write(
            packs.path(),
            &format!("{provider}.toml"),
            format!(
                r#"[provider]
id = "{provider}"
name = "{provider}"
remediation = "Revoke it."

[[rule]]
id = "{provider}-introspect-test"
kind = "{kind}"
description = "test-only {provider} token"
keywords = ["tokscan_test_{provider}"]
regex = '''TOKSCAN_TEST_{upper}=(?P<secret>[A-Za-z0-9]{{32}})'''
confidence = "high"
severity = "high"
examples = ['TOKSCAN_TEST_{upper}={{{{alnum:32}}}}']
negative_examples = ['TOKSCAN_TEST_{upper}=short']
"#
            ),
        );
    }
    write(dir.path(), "services/other.env", others);
    Workspace { dir, packs, secrets }
}

/// What each provider answers, as its documentation shows.
fn provider_answer(request: &Recorded) -> Reply {
    let path = request.path.as_str();
    let (provider, rest) = path[1..].split_once('/').map_or(("", ""), |(p, r)| (p, r));
    let rest = format!("/{rest}");
    match (provider, request.method.as_str(), rest.as_str()) {
        ("github", "GET", "/user") => Reply::json(200, json!({"login": "octocat", "id": 1, "type": "User"}))
            .header("X-OAuth-Scopes", "repo, workflow, delete_repo")
            .header(
                "GitHub-Authentication-Token-Expiration",
                "2031-10-07 19:07:53 UTC",
            ),
        ("gitlab", "GET", "/api/v4/personal_access_tokens/self") => Reply::json(
            200,
            json!({"id": 42, "name": "metrics dashboard", "revoked": false, "active": true,
                   "created_at": "2026-01-01T00:00:00Z", "scopes": ["api", "read_repository"],
                   "user_id": 7, "last_used_at": null, "expires_at": "2027-01-01"}),
        ),
        ("gitlab", "GET", "/api/v4/user") => {
            Reply::json(200, json!({"id": 7, "username": "release-bot", "bot": false}))
        }
        ("railway", "POST", "/graphql/v2") => railway_answer(request),
        ("slack", "POST", "/api/auth.test") => Reply::json(
            200,
            json!({"ok": true, "url": "https://acme.slack.com/", "team": "Acme", "user": "notifier",
                   "team_id": "T1", "user_id": "U1", "bot_id": "B1", "is_enterprise_install": false}),
        )
        .header("x-oauth-scopes", "chat:write,channels:read"),
        ("stripe", "GET", "/v1/account") => Reply::json(
            401,
            json!({"error": {"message": "Invalid API Key provided", "type": "invalid_request_error"}}),
        ),
        ("cloudflare", "GET", "/client/v4/user/tokens/verify") => Reply::json(
            200,
            json!({"success": true, "errors": [], "messages": [],
                   "result": {"id": "ed17574386854bf78a67040be0a770b0", "status": "active",
                              "expires_on": "2030-01-01T00:00:00Z"}}),
        ),
        ("vercel", "GET", "/v5/user/tokens/current") => Reply::json(
            200,
            json!({"token": {"id": "tok_1", "name": "preview deployments", "type": "oauth2-token",
                             "origin": "manual", "scopes": [{"type": "team", "teamId": "team_1",
                             "origin": "manual", "createdAt": 1, "expiresAt": null}],
                             "expiresAt": null, "activeAt": 1, "createdAt": 1}}),
        ),
        ("huggingface", "GET", "/api/whoami-v2") => Reply::json(
            200,
            json!({"type": "user", "name": "jane", "orgs": [],
                   "auth": {"type": "access_token", "accessToken": {"displayName": "pull models",
                            "role": "fineGrained", "createdAt": "2026-01-01T00:00:00Z",
                            "fineGrained": {"global": [], "scoped": [{"entity": {"type": "model",
                            "name": "jane/model", "_id": "1"}, "permissions": ["repo.content.read"]}]}}}}),
        ),
        ("openai", "GET", "/v1/me") => Reply::json(
            200,
            json!({"object": "user", "id": "user-1", "email": "jane.doe@acme.test", "name": "Jane",
                   "orgs": {"data": [{"id": "org-1", "title": "Acme", "role": "owner",
                                      "personal": false, "is_default": true}]}}),
        ),
        ("digitalocean", "GET", "/v2/account") => Reply::json(
            200,
            json!({"account": {"uuid": "u1", "email": "ops@acme.test", "status": "active",
                               "team": {"uuid": "t1", "name": "Acme Ops"}}}),
        ),
        ("npm", "GET", "/-/whoami") => Reply::json(200, json!({"username": "publisher"})),
        ("doppler", "GET", "/v3/me") => Reply::json(
            200,
            json!({"workplace": {"slug": "acme", "name": "Acme"}, "type": "service_token",
                   "slug": "s1", "name": "ci deploy", "created_at": "2026-01-01",
                   "last_seen_at": null, "token_preview": "dp.st.…abcd"}),
        ),
        ("vault", "GET", "/v1/auth/token/lookup-self") => Reply::json(
            200,
            json!({"data": {"policies": ["root"], "display_name": "root", "ttl": 0,
                            "expire_time": null, "type": "service", "path": "auth/token/root"}}),
        ),
        ("terraform", "GET", "/api/v2/account/details") => Reply::json(
            200,
            json!({"data": {"id": "user-1", "type": "users",
                            "attributes": {"username": "api-org-acme", "is-service-account": true},
                            "relationships": {"authenticated-resource": {"data":
                                {"id": "acme", "type": "organizations"}}}}}),
        ),
        ("sentry", "GET", "/api/0/") => Reply::json(
            200,
            json!({"version": "0", "auth": {"scopes": ["project:read", "project:releases", "org:read"]},
                   "user": {"id": "1", "email": "release@acme.test"}}),
        ),
        ("linear", "POST", "/graphql") => Reply::json(
            200,
            json!({"data": {"viewer": {"id": "1", "name": "Jane", "email": "jane@acme.test", "admin": true}}}),
        ),
        ("notion", "GET", "/v1/users/me") => Reply::json(
            200,
            json!({"object": "user", "id": "b1", "name": "Docs sync", "type": "bot",
                   "bot": {"owner": {"type": "workspace", "workspace": true}, "workspace_name": "Acme"}}),
        ),
        ("postman", "GET", "/me") => Reply::json(
            200,
            json!({"user": {"id": 1, "username": "jane", "email": "jane@acme.test", "teamName": "Acme"}}),
        ),
        ("supabase", "GET", "/v1/projects") => Reply::json(
            200,
            json!([{"id": "p1", "organization_id": "o1", "name": "web", "region": "eu-west-1"},
                   {"id": "p2", "organization_id": "o1", "name": "api", "region": "eu-west-1"}]),
        ),
        ("aws", "POST", "/") => Reply::text(
            200,
            "text/xml",
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/deploy-bot</Arn>\
             <UserId>AIDAEXAMPLEUSERID</UserId><Account>123456789012</Account>\
             </GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId>\
             </ResponseMetadata></GetCallerIdentityResponse>",
        ),
        _ => Reply::json(404, json!({"message": "Not Found"})),
    }
}

/// Railway's GraphQL: the account-or-workspace token is a workspace token (`me` refuses it);
/// the project token is named for what it does.
fn railway_answer(request: &Recorded) -> Reply {
    let query = serde_json::from_str::<Value>(&request.body)
        .ok()
        .and_then(|b| b["query"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if request.header("project-access-token").is_some() {
        return Reply::json(
            200,
            json!({"data": {"projectToken": {"name": "deploy web", "projectId": "p1",
                   "environmentId": "e1", "project": {"name": "web"},
                   "environment": {"name": "production"}}}}),
        );
    }
    if query.contains("apiToken") {
        return Reply::json(
            200,
            json!({"data": {"apiToken": {"workspaces": [{"id": "w1", "name": "Acme"}]}}}),
        );
    }
    Reply::json(
        200,
        json!({"errors": [{"message": "Not Authorized", "locations": [{"line": 1, "column": 9}],
               "path": ["me"]}], "data": null}),
    )
}

fn with_overrides(cmd: &mut Command, server: &MockServer) {
    for provider in PROVIDERS {
        cmd.env(
            format!("TOKSCAN_{}_API_URL", provider.to_ascii_uppercase()),
            server.url(provider),
        );
    }
    cmd.env_remove("VAULT_ADDR");
}

fn scan(ws: &Workspace, server: &MockServer, introspect: bool) -> Run {
    let mut cmd = tokscan_command();
    cmd.current_dir(ws.dir.path())
        .args(["--no-config", "-f", "json", "--rules"])
        .arg(ws.packs.path());
    if introspect {
        cmd.arg("--introspect");
    }
    with_overrides(&mut cmd, server);
    finish(cmd.output().expect("tokscan runs"))
}

struct Scanned {
    ws: Workspace,
    server: MockServer,
    run: Run,
}

/// One scan of the whole workspace against the documented answers, shared by the tests.
fn scanned() -> &'static Scanned {
    static SCANNED: OnceLock<Scanned> = OnceLock::new();
    SCANNED.get_or_init(|| {
        let ws = workspace();
        let server = MockServer::start(provider_answer);
        let run = scan(&ws, &server, true);
        assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        Scanned { ws, server, run }
    })
}

fn finding<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {report:#}"))
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

#[test]
fn github_scopes_replace_the_unknown_static_scope() {
    let report = scanned().run.json();
    let f = finding(&report, "github-classic-pat");
    assert_eq!(f["live"], true);
    assert_eq!(f["scope"]["source"], "introspected");
    assert_eq!(strings(&f["scope"]["raw"]), ["repo", "workflow", "delete_repo"]);
    assert_eq!(
        strings(&f["scope"]["capabilities"]),
        ["read", "write", "delete", "deploy"]
    );
    assert_eq!(f["scope"]["privilege"], "write");
    assert_eq!(f["scope"]["breadth"], "account");
    assert_eq!(f["facts"]["owner"], "oc***");
    assert_eq!(f["facts"]["expires"], "2031-10-07 19:07:53 UTC");
}

#[test]
fn a_token_named_for_a_read_only_use_with_write_scopes_is_overprivileged() {
    let report = scanned().run.json();
    let f = finding(&report, "gitlab-pat");
    assert_eq!(f["scope"]["source"], "introspected");
    assert_eq!(strings(&f["scope"]["raw"]), ["api", "read_repository"]);
    assert_eq!(f["stated_use"]["source"], "name");
    assert_eq!(f["stated_use"]["text"], "metrics dashboard");
    assert_eq!(strings(&f["excess"]), ["write", "delete", "admin"]);
    assert_eq!(f["overprivileged"], true);
    assert_eq!(f["facts"]["name"], "metrics dashboard");
    assert_eq!(f["facts"]["token_type"], "personal");
}

#[test]
fn railway_tells_a_workspace_token_from_an_account_token() {
    let report = scanned().run.json();
    let f = finding(&report, "railway-api-token");
    assert_eq!(f["live"], true);
    assert_eq!(f["scope"]["source"], "introspected");
    assert_eq!(f["scope"]["breadth"], "workspace");
    assert_eq!(f["facts"]["token_type"], "workspace");
    assert_eq!(f["facts"]["workspaces"], "Acme");
    // The comment still states the use: a workspace token for custom domains is the incident.
    assert_eq!(f["stated_use"]["source"], "comment");
    assert_eq!(f["overprivileged"], true);
    assert_eq!(f["severity"], "critical");
}

#[test]
fn a_railway_project_token_is_named_and_placed_in_its_environment() {
    let report = scanned().run.json();
    let f = finding(&report, "railway-project-token");
    assert_eq!(f["live"], true);
    assert_eq!(f["facts"]["name"], "deploy web");
    assert_eq!(f["facts"]["environment"], "production");
    assert_eq!(strings(&f["scope"]["environments"]), ["production"]);
    assert_eq!(f["scope"]["breadth"], "environment");
    assert_eq!(f["stated_use"]["source"], "name");
    assert_eq!(f["overprivileged"], false);
}

#[test]
fn slack_scopes_come_from_the_auth_test_header() {
    let report = scanned().run.json();
    let f = finding(&report, "slack-bot-token");
    assert_eq!(f["live"], true);
    assert_eq!(strings(&f["scope"]["raw"]), ["chat:write", "channels:read"]);
    assert_eq!(strings(&f["scope"]["capabilities"]), ["read", "send"]);
    assert_eq!(f["scope"]["privilege"], "write");
    assert_eq!(f["facts"]["team"], "Acme");
}

#[test]
fn a_rejected_token_is_not_live_and_can_do_nothing() {
    let report = scanned().run.json();
    let f = finding(&report, "stripe-live-secret-key");
    assert_eq!(f["live"], false);
    assert_eq!(f["scope"]["privilege"], "none");
    assert_eq!(f["scope"]["capabilities"], json!([]));
    assert_eq!(f["facts"]["introspection"], "rejected");
    assert_eq!(f["overprivileged"], false);
}

#[test]
fn the_other_providers_answers_are_merged() {
    let report = scanned().run.json();
    let f = |provider: &str| finding(&report, &format!("{provider}-introspect-test")).clone();
    for (provider, _) in TEST_PACK {
        assert_eq!(f(provider)["live"], true, "{provider}: {:#}", f(provider));
    }
    let vercel = f("vercel");
    assert_eq!(vercel["facts"]["name"], "preview deployments");
    assert_eq!(strings(&vercel["scope"]["raw"]), ["team:team_1"]);
    assert_eq!(vercel["scope"]["breadth"], "workspace");
    let hf = f("huggingface");
    assert_eq!(strings(&hf["scope"]["raw"]), ["repo.content.read"]);
    assert_eq!(hf["scope"]["privilege"], "read");
    assert_eq!(hf["scope"]["breadth"], "resource");
    assert_eq!(hf["facts"]["name"], "pull models");
    let vault = f("vault");
    assert_eq!(vault["scope"]["privilege"], "owner");
    assert_eq!(strings(&vault["scope"]["raw"]), ["root"]);
    let sentry = f("sentry");
    assert_eq!(
        strings(&sentry["scope"]["capabilities"]),
        ["read", "deploy"],
        "{sentry:#}"
    );
    assert_eq!(f("openai")["facts"]["owner"], "ja***@acme.test");
    assert_eq!(f("openai")["facts"]["organizations"], "Acme:owner");
    assert_eq!(f("terraform")["facts"]["token_type"], "organization");
    assert_eq!(f("notion")["facts"]["name"], "Docs sync");
    assert_eq!(f("doppler")["facts"]["name"], "ci deploy");
    assert_eq!(f("supabase")["facts"]["projects"], "web, api");
    assert_eq!(f("npm")["facts"]["owner"], "pu***");
    assert_eq!(f("postman")["facts"]["team"], "Acme");
    assert_eq!(f("digitalocean")["facts"]["team"], "Acme Ops");
    assert_eq!(f("linear")["facts"]["owner_is_admin"], "true");
    assert_eq!(f("cloudflare")["facts"]["expires"], "2030-01-01T00:00:00Z");
}

#[test]
fn aws_keys_are_asked_with_a_sigv4_signed_get_caller_identity() {
    let s = scanned();
    let report = s.run.json();
    let f = finding(&report, "aws-access-key-id");
    assert_eq!(f["live"], true);
    assert_eq!(f["facts"]["account"], "123456789012");
    assert_eq!(f["facts"]["arn"], "arn:aws:iam::123456789012:user/de***");
    let sts: Vec<Recorded> = s
        .server
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/aws/"))
        .collect();
    assert_eq!(sts.len(), 1);
    assert_eq!(sts[0].body, "Action=GetCallerIdentity&Version=2011-06-15");
    let auth = sts[0].header("authorization").unwrap();
    let key_id = &s.ws.secrets["aws"];
    assert!(
        auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={key_id}/")),
        "{auth}"
    );
    assert!(
        auth.contains("/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=")
    );
    // The secret key signs; it is never sent.
    assert!(!sts[0].carries(&s.ws.secrets["aws-secret"]));
}

#[test]
fn only_read_only_requests_are_sent() {
    for request in scanned().server.requests() {
        match request.method.as_str() {
            "GET" | "HEAD" => assert!(request.body.is_empty(), "{request:?}"),
            "POST" => {
                let allow_listed = (request.path == "/slack/api/auth.test" && request.body.is_empty())
                    || (request.path == "/aws/"
                        && request.body == "Action=GetCallerIdentity&Version=2011-06-15");
                if !allow_listed {
                    let body: Value = serde_json::from_str(&request.body).expect("GraphQL JSON body");
                    let query = body["query"].as_str().expect("a query document");
                    assert!(query.trim_start().starts_with("query"), "{query}");
                    assert!(!query.contains("mutation"), "{query}");
                    assert!(!query.contains("subscription"), "{query}");
                }
            }
            other => panic!("{other} sent: {request:?}"),
        }
    }
}

#[test]
fn each_token_goes_only_to_its_own_provider_within_budget() {
    let s = scanned();
    let requests = s.server.requests();
    for (key, secret) in &s.ws.secrets {
        let provider = key.split('-').next().unwrap();
        let carrying: Vec<&Recorded> = requests.iter().filter(|r| r.carries(secret)).collect();
        if key == "aws-secret" {
            assert!(carrying.is_empty());
            continue;
        }
        assert!(!carrying.is_empty(), "{key} was never asked about");
        assert!(carrying.len() <= 3, "{key}: {} requests", carrying.len());
        for r in carrying {
            assert!(
                r.path.starts_with(&format!("/{provider}/")),
                "{key} token sent to {}",
                r.path
            );
        }
    }
}

#[test]
fn secrets_are_not_in_the_report() {
    let s = scanned();
    for secret in s.ws.secrets.values() {
        assert!(!s.run.stdout.contains(secret.as_str()));
    }
}

#[test]
fn without_introspect_nothing_leaves_the_machine() {
    let ws = workspace();
    let server = MockServer::start(provider_answer);
    let run = scan(&ws, &server, false);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(server.requests().is_empty());
    let report = run.json();
    for f in report["findings"].as_array().unwrap() {
        assert_eq!(f["live"], Value::Null);
        assert_eq!(f["scope"]["source"], "static");
    }
}

#[test]
fn the_same_token_in_two_files_is_asked_once() {
    let dir = TempDir::new().unwrap();
    let pat = github_pat("introspect-twice");
    write(dir.path(), "a.env", format!("GITHUB_TOKEN={pat}\n"));
    write(dir.path(), "b/c.env", format!("GH_TOKEN={pat}\n"));
    let server = MockServer::start(provider_answer);
    let run = run_with(dir.path(), &server, &["--introspect"]);
    let report = run.json();
    assert_eq!(report["findings"].as_array().unwrap().len(), 2);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["live"] == true));
    assert_eq!(server.requests().len(), 1);
}

fn run_with(dir: &Path, server: &MockServer, args: &[&str]) -> Run {
    let mut cmd = tokscan_command();
    cmd.current_dir(dir)
        .args(["--no-config", "-f", "json"])
        .args(args);
    with_overrides(&mut cmd, server);
    finish(cmd.output().expect("tokscan runs"))
}

/// A hanging GitHub and a failing GitLab: the scan finishes, says why for each, and exits
/// as it would without `--introspect`.
#[test]
fn time_outs_and_server_errors_do_not_fail_the_scan() {
    let dir = TempDir::new().unwrap();
    let pat = github_pat("introspect-timeout");
    let gitlab = token("introspect-500", "glpat-{{alnum:20}}");
    write(
        dir.path(),
        ".env",
        format!("GITHUB_TOKEN={pat}\nGITLAB_TOKEN={gitlab}\n"),
    );
    let server = MockServer::start(|request| {
        if request.path.starts_with("/github/") {
            Reply::json(200, json!({})).after(Duration::from_secs(8))
        } else {
            Reply::json(500, json!({"message": "500 Internal Server Error"}))
        }
    });
    let offline = run_with(dir.path(), &server, &[]);
    let online = run_with(dir.path(), &server, &["--introspect"]);
    assert_eq!(online.code, offline.code, "{}", online.stderr);
    let (offline, online) = (offline.json(), online.json());
    for rule in ["github-classic-pat", "gitlab-pat"] {
        let f = finding(&online, rule);
        assert_eq!(f["live"], Value::Null, "{rule}");
        assert_eq!(f["severity"], finding(&offline, rule)["severity"], "{rule}");
        assert_eq!(f["scope"]["source"], "static", "{rule}");
    }
    let github = finding(&online, "github-classic-pat");
    assert_eq!(github["facts"]["introspection"], "failed: timed out after 5 s");
    assert!(github["scope"]["learn"].as_str().unwrap().contains("timed out"));
    let gitlab_finding = finding(&online, "gitlab-pat");
    assert_eq!(gitlab_finding["facts"]["introspection"], "failed: HTTP 500");
    // A 500 is retried once, and no more.
    let gitlab_requests = server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/gitlab/"))
        .count();
    assert_eq!(gitlab_requests, 2);
}

#[test]
fn a_client_error_is_not_retried() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        ".env",
        format!("GITHUB_TOKEN={}\n", github_pat("introspect-404")),
    );
    let server = MockServer::start(|_| Reply::json(404, json!({"message": "Not Found"})));
    let run = run_with(dir.path(), &server, &["--introspect"]);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(
        finding(&run.json(), "github-classic-pat")["facts"]["introspection"],
        "failed: HTTP 404"
    );
}

#[test]
fn a_plain_http_override_to_a_remote_host_is_refused() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        ".env",
        format!("GITHUB_TOKEN={}\n", github_pat("introspect-remote")),
    );
    let run = finish(
        tokscan_command()
            .current_dir(dir.path())
            .args(["--no-config", "--introspect", "-f", "json"])
            .env("TOKSCAN_GITHUB_API_URL", "http://api.github.example/")
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("TOKSCAN_GITHUB_API_URL"), "{}", run.stderr);
    assert!(run.stderr.contains("loopback"), "{}", run.stderr);
}

#[test]
fn the_api_url_can_be_set_in_tokscan_toml() {
    let dir = TempDir::new().unwrap();
    let server = MockServer::start(provider_answer);
    write(
        dir.path(),
        ".env",
        format!("GITHUB_TOKEN={}\n", github_pat("introspect-config")),
    );
    write(
        dir.path(),
        "tokscan.toml",
        format!("[introspect.api_url]\ngithub = \"{}\"\n", server.url("github")),
    );
    let run = finish(
        tokscan_command()
            .current_dir(dir.path())
            .args(["--introspect", "-f", "json", "."])
            .env_remove("TOKSCAN_GITHUB_API_URL")
            .output()
            .unwrap(),
    );
    let report = run.json();
    assert_eq!(
        finding(&report, "github-classic-pat")["live"],
        true,
        "{}",
        run.stderr
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn an_unknown_provider_in_the_api_url_table_is_a_config_error() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "tokscan.toml",
        "[introspect.api_url]\ngithbu = \"https://ghe.example/api/v3\"\n",
    );
    let run = finish(
        tokscan_command()
            .current_dir(dir.path())
            .args(["-f", "json", "."])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("githbu"), "{}", run.stderr);
}

#[test]
fn stats_count_the_tokens_asked_about() {
    let report = scanned().run.json();
    let asked = &report["stats"]["introspection"];
    let fingerprints: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["facts"]["introspection"].is_null())
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let expected = fingerprints.len() as u64;
    // At least GitHub, GitLab, Slack, Stripe, two Railway tokens, the AWS key and the test pack's.
    assert!(expected >= 7 + TEST_PACK.len() as u64, "{expected}");
    assert_eq!(asked["asked"], expected, "{asked}");
    assert_eq!(asked["live"], expected - 1);
    assert_eq!(asked["rejected"], 1);
    assert_eq!(asked["unreachable"], 0);
}

/// A project token kept in `RAILWAY_API_TOKEN` is refused as a bearer, then recognised as
/// what it is — in two queries, within budget.
#[test]
fn a_railway_token_in_the_wrong_variable_is_recognised() {
    let dir = TempDir::new().unwrap();
    let uuid = token("introspect-railway-misplaced", "{{uuid}}");
    write(dir.path(), ".env", format!("RAILWAY_API_TOKEN={uuid}\n"));
    let server = MockServer::start(|request| {
        if request.header("project-access-token").is_some() {
            railway_answer(request)
        } else {
            Reply::json(
                200,
                json!({"errors": [{"message": "Not Authorized"}], "data": null}),
            )
        }
    });
    let run = run_with(dir.path(), &server, &["--introspect"]);
    let report = run.json();
    let f = finding(&report, "railway-api-token");
    assert_eq!(f["live"], true, "{f:#}");
    assert_eq!(f["facts"]["token_type"], "project");
    assert_eq!(f["scope"]["breadth"], "environment");
    assert_eq!(server.requests().len(), 2);
}

/// Findings the baseline accepts are dropped before introspection: they never leave.
#[test]
fn baselined_tokens_are_not_sent() {
    let dir = TempDir::new().unwrap();
    let work = dir.path().join("work");
    write(
        &work,
        ".env",
        format!("GITHUB_TOKEN={}\n", github_pat("introspect-baselined")),
    );
    let baseline = dir.path().join("baseline.json");
    let server = MockServer::start(provider_answer);
    let baseline_arg = baseline.to_str().unwrap();
    let first = run_with(&work, &server, &["--write-baseline", baseline_arg]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    let second = run_with(&work, &server, &["--introspect", "--baseline", baseline_arg]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(server.requests().is_empty());
}

/// Scopes tokscan has no mapping for leave the privilege unknown, never "none".
#[test]
fn unknown_scopes_are_not_read_as_no_access() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        ".env",
        format!("GITHUB_TOKEN={}\n", github_pat("introspect-unknown-scope")),
    );
    let server = MockServer::start(|_| {
        Reply::json(200, json!({"login": "octocat"})).header("X-OAuth-Scopes", "frobnicate:all")
    });
    let report = run_with(dir.path(), &server, &["--introspect"]).json();
    let f = finding(&report, "github-classic-pat");
    assert_eq!(f["scope"]["source"], "introspected");
    assert_eq!(f["scope"]["privilege"], "unknown");
    assert_eq!(strings(&f["scope"]["raw"]), ["frobnicate:all"]);
    assert!(f["scope"]["learn"].as_str().unwrap().contains("frobnicate:all"));
    assert_eq!(f["overprivileged"], false);
}

/// After two tokens in a row get no answer, the provider is not asked again in this run.
#[test]
fn an_unreachable_provider_is_given_up_on() {
    let dir = TempDir::new().unwrap();
    let pats: Vec<String> = (0..3)
        .map(|i| github_pat(&format!("introspect-down-{i}")))
        .collect();
    write(
        dir.path(),
        ".env",
        pats.iter()
            .map(|p| format!("GITHUB_TOKEN={p}\n"))
            .collect::<String>(),
    );
    // A port nothing listens on: connections are refused at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = finish(
        tokscan_command()
            .current_dir(dir.path())
            .args(["--no-config", "--introspect", "-f", "json"])
            .env(
                "TOKSCAN_GITHUB_API_URL",
                format!("http://127.0.0.1:{closed}/github"),
            )
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let outcomes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["facts"]["introspection"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes.len(), 3);
    assert!(
        outcomes[..2]
            .iter()
            .all(|o| o.starts_with("failed: network error")),
        "{outcomes:?}"
    );
    assert!(outcomes[2].contains("not asked"), "{outcomes:?}");
    assert_eq!(report["stats"]["introspection"]["unreachable"], 3);
}
