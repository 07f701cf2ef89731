//! The crate's usage example: the builder with the spec's auth, one call, one stream and an
//! error handled by its status. The same text is the crate's front-page doctest (compiled,
//! `no_run`) and the README's usage section, so the README shows code that compiles.
//!
//! Operations are picked from the IR by shape: the first that can be called with literal
//! arguments (no body; required parameters that are strings or integers).

use super::args::{arg_kind, ArgKind};
use crate::ir::model::{
    AuthScheme, Builtin, Group, Ir, Operation, PageNext, Param, ParamLocation, RequestBody, TypeRef,
};

/// The example's lines (Rust statements inside an async function returning
/// `Result<(), Box<dyn std::error::Error>>`) and the `use` lines they need.
pub struct Example {
    /// `use` lines.
    pub uses: Vec<String>,
    /// Statements.
    pub body: Vec<String>,
}

/// The usage example for the crate named `lib` (its Rust name).
pub fn usage(ir: &Ir, lib: &str) -> Example {
    let env_prefix = lib.strip_suffix("_client").unwrap_or(lib).to_uppercase();
    let mut uses = vec!["use std::time::Duration;".to_owned()];
    let mut body = vec!["let client = Client::builder()".to_owned()];
    if ir.server.is_none() {
        body.push("    .base_url(\"https://api.example.com\")".to_owned());
    }
    if let Some(auth) = ir.auth.iter().find_map(|scheme| auth_call(scheme, &env_prefix)) {
        body.push(format!("    {auth}"));
    }
    if ir
        .auth
        .iter()
        .any(|scheme| matches!(scheme, AuthScheme::BookingtimeClientCredentials { .. }))
    {
        // Calls whose path names no organization need one to get a token for.
        body.push(format!(
            "    .default_organization(std::env::var(\"{env_prefix}_ORGANIZATION_ID\")?)"
        ));
    }
    body.push("    .timeout(Duration::from_secs(20))".to_owned());
    body.push("    .build()?;".to_owned());

    let callable = |want_path_args: bool| {
        ir.groups.iter().find_map(|group| {
            group.operations.iter().find_map(|op| {
                // A record's address (a path parameter) for the 404 case; nothing required
                // for the plain call.
                let fits = if want_path_args {
                    op.params
                        .iter()
                        .any(|p| p.required && p.location == ParamLocation::Path)
                } else {
                    op.params.iter().all(|p| !p.required)
                };
                (op.method.eq_ignore_ascii_case("get") && fits)
                    .then(|| call(group, op))
                    .flatten()
            })
        })
    };
    let plain = callable(false);
    if let Some(call) = &plain {
        body.push(String::new());
        body.push("// One call: the decoded body, with its status and headers.".to_owned());
        body.push(format!("let response = {call}.await?;"));
        body.push("println!(\"{}: {:?}\", response.status(), response.into_inner());".to_owned());
    }
    let stream = ir.groups.iter().find_map(|group| {
        group
            .operations
            .iter()
            .filter(|op| op.pagination.is_some())
            .find_map(|op| stream_call(group, op))
    });
    if let Some(stream) = stream {
        uses.push(format!("use {lib}::prelude::*;"));
        body.push(String::new());
        body.push("// Every item of every page; the next page is fetched when this one is used up.".to_owned());
        body.push(format!("let mut items = {stream};"));
        body.push("while let Some(item) = items.try_next().await? {".to_owned());
        body.push("    println!(\"{item:?}\");".to_owned());
        body.push("}".to_owned());
    }
    if let Some(call) = callable(true).or(plain) {
        body.push(String::new());
        body.push("// Errors by status: a missing record is an answer, not a failure.".to_owned());
        body.push(format!("match {call}.await {{"));
        body.push("    Ok(response) => println!(\"found: {:?}\", response.into_inner()),".to_owned());
        body.push(
            "    Err(error) if error.status().is_some_and(|status| status == 404) => println!(\"not found\"),"
                .to_owned(),
        );
        body.push("    Err(error) => return Err(error.into()),".to_owned());
        body.push("}".to_owned());
    }
    uses.push(format!("use {lib}::Client;"));
    Example { uses, body }
}

/// The example as the crate's front-page doctest (`no_run`: it would call the real API).
pub fn doctest_lines(example: &Example) -> Vec<String> {
    let mut lines = vec!["```no_run".to_owned()];
    lines.extend(example.uses.iter().cloned());
    lines.push(String::new());
    lines.push("# async fn example() -> Result<(), Box<dyn std::error::Error>> {".to_owned());
    lines.extend(example.body.iter().cloned());
    lines.push("# Ok(())".to_owned());
    lines.push("# }".to_owned());
    lines.push("```".to_owned());
    lines
}

/// The builder call for one auth scheme, reading secrets from `<PREFIX>_...` variables.
fn auth_call(scheme: &AuthScheme, prefix: &str) -> Option<String> {
    let var = |name: &str| format!("std::env::var(\"{prefix}_{name}\")?");
    Some(match scheme {
        AuthScheme::TimifyAppToken => format!(".app_credentials({}, {})", var("APP_ID"), var("APP_SECRET")),
        AuthScheme::BookingtimeClientCredentials { .. } => {
            format!(".client_credentials({}, {})", var("CLIENT_ID"), var("CLIENT_SECRET"))
        }
        AuthScheme::TimeneyePersonalToken => format!(".personal_access_token({})", var("TOKEN")),
        AuthScheme::TimekitAppToken => format!(".app_key({})", var("API_KEY")),
        AuthScheme::Bearer => format!(".bearer_token({})", var("TOKEN")),
        AuthScheme::Basic => format!(".basic_auth(&{}, &{})", var("USER"), var("PASSWORD")),
        AuthScheme::ApiKeyHeader(name) if name.eq_ignore_ascii_case("authorization") => {
            format!(".authorization({})", var("AUTHORIZATION"))
        }
        AuthScheme::ApiKeyHeader(_) | AuthScheme::ApiKeyQuery(_) => format!(".api_key({})", var("API_KEY")),
        AuthScheme::TimeneyeOAuth => return None,
    })
}

/// `client.<group>().<op>(<args>)` with literal arguments, if the operation takes only those.
fn call(group: &Group, op: &Operation) -> Option<String> {
    if op.body.is_some() {
        return None;
    }
    let owner = match group.sub_client() {
        Some(sub) => format!("client.{}()", sub.accessor),
        None => "client".to_owned(),
    };
    Some(format!("{owner}.{}{}", op.name, arguments(op, None)?))
}

/// The builder of `op` turned into a stream: the same arguments but the required page number,
/// which the stream sets itself.
fn stream_call(group: &Group, op: &Operation) -> Option<String> {
    if op.body.is_some() {
        return None;
    }
    let page_param = match &op.pagination.as_ref()?.next {
        PageNext::Number { param, .. } => Some(param.as_str()),
        _ => None,
    };
    let owner = match group.sub_client() {
        Some(sub) => format!("client.{}()", sub.accessor),
        None => "client".to_owned(),
    };
    let args = arguments(op, page_param)?;
    Some(format!("{owner}.{}{args}.stream()", op.name))
}

/// The positional arguments of `op` in parentheses, then a setter per other required
/// parameter (but `skip`), all with literal values; `None` when one cannot be written as a
/// literal.
fn arguments(op: &Operation, skip: Option<&str>) -> Option<String> {
    let literal = |param: &crate::ir::model::Param| match &param.ty {
        TypeRef::Builtin(Builtin::String) => Some(format!("\"{}\"", param.name.replace('_', "-"))),
        TypeRef::Builtin(Builtin::I32 | Builtin::I64 | Builtin::U64) => Some("1".to_owned()),
        _ => None,
    };
    let mut positional = Vec::new();
    let mut setters = String::new();
    for param in op.params.iter().filter(|p| Some(p.name.as_str()) != skip) {
        if param.positional {
            positional.push(literal(param)?);
        } else if param.required {
            setters.push_str(&format!(".{}({})", param.name, literal(param)?));
        }
    }
    Some(format!("({}){setters}", positional.join(", ")))
}

/// The `no_run` doctest of one operation's method: the call with its positional arguments and
/// a setter per other required parameter, awaited. Strings and numbers are literals; any other
/// value is a parameter of the hidden function around the call, so every operation gets an
/// example that compiles, whatever its types.
pub fn operation_example(ir: &Ir, group: &Group, op: &Operation, lib: &str) -> Vec<String> {
    let mut inputs = vec![format!("client: &{lib}::Client")];
    let mut taken: Vec<String> = ["client", "response", "example"].map(str::to_owned).to_vec();
    let mut value = |name: &str, ty: String| {
        let mut name = name.to_owned();
        while taken.contains(&name) {
            name.push_str("_value");
        }
        taken.push(name.clone());
        inputs.push(format!("{name}: {ty}"));
        name
    };
    let mut positional = Vec::new();
    let mut setters = Vec::new();
    for param in &op.params {
        if !param.positional && !param.required {
            continue;
        }
        let ty = match &param.ty {
            TypeRef::Option(inner) if !param.required => inner,
            other => other,
        };
        let arg = match example_literal(param, ty) {
            Some(literal) => literal,
            None => value(&param.name, held_type(ir, ty, lib)),
        };
        if param.positional {
            positional.push(arg);
        } else {
            setters.push(format!(".{}({arg})", param.name));
        }
    }
    if let Some(body) = op.body.as_ref().filter(|body| body.positional) {
        positional.push(match &body.kind {
            RequestBody::Json(ty) | RequestBody::Form(ty) => value("body", format!("&{}", rust_type(ir, ty, lib))),
            RequestBody::Multipart(form) => value("body", format!("&{lib}::{}::{}", group.module, form.name)),
            RequestBody::MultipartUntyped => value("body", "client_runtime::Multipart".to_owned()),
            RequestBody::Raw { .. } => "\"raw body\"".to_owned(),
        });
    }
    let mut chain = vec!["client".to_owned()];
    if let Some(sub) = group.sub_client() {
        chain.push(format!(".{}()", sub.accessor));
    }
    chain.push(format!(".{}({})", op.name, positional.join(", ")));
    chain.extend(setters);
    chain.push(".await?;".to_owned());
    let one_line = format!("let response = {}", chain.concat());
    let mut lines = vec![
        "```no_run".to_owned(),
        format!(
            "# async fn example({}) -> Result<(), Box<dyn std::error::Error>> {{",
            inputs.join(", ")
        ),
    ];
    if one_line.len() <= 90 {
        lines.push(one_line);
    } else {
        lines.push(format!("let response = {}", chain[0]));
        lines.extend(chain[1..].iter().map(|link| format!("    {link}")));
    }
    lines.push("# Ok(())".to_owned());
    lines.push("# }".to_owned());
    lines.push("```".to_owned());
    lines
}

/// A literal for a string or number parameter (a string names the parameter).
fn example_literal(param: &Param, ty: &TypeRef) -> Option<String> {
    match ty {
        TypeRef::Builtin(Builtin::String) => Some(format!("\"{}\"", param.name.replace('_', "-"))),
        TypeRef::Builtin(Builtin::I32 | Builtin::I64 | Builtin::U64) => Some("1".to_owned()),
        TypeRef::Builtin(Builtin::F32 | Builtin::F64) => Some("1.0".to_owned()),
        TypeRef::Builtin(Builtin::Bool) => Some("true".to_owned()),
        _ => None,
    }
}

/// How the method or setter takes a value of `ty` (see `args`), as a doctest names it.
fn held_type(ir: &Ir, ty: &TypeRef, lib: &str) -> String {
    match (arg_kind(ty), ty) {
        (ArgKind::Str, _) => "&str".to_owned(),
        (ArgKind::Value, _) => rust_type(ir, ty, lib),
        (ArgKind::Ref, TypeRef::Vec(item)) => format!("&[{}]", rust_type(ir, item, lib)),
        (ArgKind::Ref, _) => format!("&{}", rust_type(ir, ty, lib)),
    }
}

/// `ty` as Rust source outside the crate: generated types through the crate's name.
fn rust_type(ir: &Ir, ty: &TypeRef, lib: &str) -> String {
    super::op_doc::type_text(ir, ty).replace("crate::types::", &format!("{lib}::types::"))
}
