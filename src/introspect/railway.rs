//! Railway: GraphQL *queries* on `POST /graphql/v2`, never a mutation. An account or
//! workspace token (bearer) is asked `apiToken { workspaces }` and then `me`, which only an
//! account token may call: that tells the two apart. A project token (`Project-Access-Token`
//! header) is asked `projectToken { ... }`: its name, project and environment. A CLI session
//! is asked `me`.

use serde_json::Value;

use super::guard::NetError;
use super::{environment_name, text, Api, Introspector, Learned, Response, Token};
use crate::finding::{Breadth, Capability, Privilege};

pub struct Railway;

const PATH: &str = "/graphql/v2";
const API_TOKEN: &str = "query { apiToken { workspaces { id name } } }";
const ME: &str = "query { me { id email } }";
const PROJECT_TOKEN: &str =
    "query { projectToken { name projectId environmentId project { name } environment { name } } }";

/// Everything an account or workspace token can do (Railway has no narrower API tokens).
const FULL: [Capability; 7] = [
    Capability::Read,
    Capability::Write,
    Capability::Delete,
    Capability::Deploy,
    Capability::Admin,
    Capability::SecretsRead,
    Capability::Billing,
];

impl Introspector for Railway {
    fn provider(&self) -> &'static str {
        "railway"
    }

    fn default_url(&self) -> Option<&'static str> {
        Some("https://backboard.railway.com")
    }

    fn handles(&self, kind: &str) -> bool {
        matches!(kind, "api-token" | "project-token" | "cli-session")
    }

    fn introspect(&self, token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
        match token.kind {
            // A token in the "wrong" variable is still a token: try the other kind before
            // calling it dead (at most three queries in all).
            "project-token" => match project_token(token, api)? {
                learned if learned.live => Ok(learned),
                _ => api_token(token, api),
            },
            "cli-session" => {
                let auth = format!("Bearer {}", token.secret);
                let Some(me) = data(&api.graphql(PATH, ME, &[("Authorization", &auth)])?)? else {
                    return Ok(Learned::dead());
                };
                let mut learned = full(Breadth::Account);
                learned.owner("owner", text(&me, "/me/email").unwrap_or_default());
                learned.fact("token_type", "cli-session");
                Ok(learned)
            }
            _ => match api_token(token, api)? {
                learned if learned.live => Ok(learned),
                _ => project_token(token, api),
            },
        }
    }
}

fn api_token(token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
    let auth = format!("Bearer {}", token.secret);
    let headers = [("Authorization", auth.as_str())];
    let Some(context) = data(&api.graphql(PATH, API_TOKEN, &headers)?)? else {
        return Ok(Learned::dead());
    };
    let workspaces: Vec<String> = context
        .pointer("/apiToken/workspaces")
        .and_then(Value::as_array)
        .map(|ws| {
            ws.iter()
                .filter_map(|w| text(w, "/name").map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    // `me` answers only for an account token; a workspace token gets an error.
    let me = data(&api.graphql(PATH, ME, &headers)?)?;
    let mut learned = match &me {
        Some(me) => {
            let mut l = full(Breadth::Account);
            l.owner("owner", text(me, "/me/email").unwrap_or_default());
            l.fact("token_type", "account");
            l
        }
        None => {
            let mut l = full(Breadth::Workspace);
            l.fact("token_type", "workspace");
            l
        }
    };
    learned.fact("workspaces", workspaces.join(", "));
    Ok(learned)
}

fn project_token(token: &Token<'_>, api: &mut Api<'_>) -> Result<Learned, NetError> {
    let headers = [("Project-Access-Token", token.secret)];
    let Some(data) = data(&api.graphql(PATH, PROJECT_TOKEN, &headers)?)? else {
        return Ok(Learned::dead());
    };
    let mut learned = Learned::live();
    learned.privilege = Some(Privilege::Write);
    learned.capabilities = Some(vec![
        Capability::Read,
        Capability::Write,
        Capability::Deploy,
        Capability::SecretsRead,
    ]);
    learned.breadth = Some(Breadth::Environment);
    learned.name = text(&data, "/projectToken/name").map(str::to_owned);
    if let Some(project) = text(&data, "/projectToken/project/name") {
        learned.fact("project", project);
    }
    if let Some(env) = text(&data, "/projectToken/environment/name") {
        learned.fact("environment", env);
        learned.environments = Some(vec![environment_name(env)]);
    }
    learned.fact("token_type", "project");
    Ok(learned)
}

fn full(breadth: Breadth) -> Learned {
    let mut learned = Learned::live();
    learned.privilege = Some(Privilege::Owner);
    learned.capabilities = Some(FULL.to_vec());
    learned.breadth = Some(breadth);
    learned
}

/// The `data` of a GraphQL answer; `None` when Railway refused the token for this query
/// ("Not Authorized", or data null with errors).
fn data(response: &Response) -> Result<Option<Value>, NetError> {
    if response.status == 401 || response.status == 403 {
        return Ok(None);
    }
    if !response.ok() {
        return Err(NetError::Status(response.status));
    }
    let body = response.json()?;
    let has_errors = body
        .get("errors")
        .and_then(Value::as_array)
        .is_some_and(|e| !e.is_empty());
    match body.get("data") {
        Some(data) if !data.is_null() && !has_errors => Ok(Some(data.clone())),
        _ if has_errors => Ok(None),
        _ => Err(NetError::Unexpected(
            "a GraphQL answer with neither data nor errors".to_owned(),
        )),
    }
}
