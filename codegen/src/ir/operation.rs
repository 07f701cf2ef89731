//! Lowering paths and operations into [`Operation`]s grouped by tag.

use std::collections::{BTreeMap, HashMap, HashSet};

use openapiv3::{
    MediaType, OpenAPI, Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, RequestBody as OaRequestBody,
    Response as OaResponse, StatusCode,
};

use super::model::{
    Body, Builtin, ErrorShape, Operation, PageNext, Pagination, Param, ParamLocation, QueryStyle, RequestBody,
    Response, ResponseBody, ResponseRole, ResponseVariant, StatusMatch, SuccessShape, TypeKind, TypeRef,
};
use super::multipart;
use super::op_names;
use super::paging::{self, PagedOperation};
use super::schema::TypeBuilder;
use crate::diagnostic::escape_pointer_token;
use crate::naming::{self, Scope};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// One operation as found in the document, before lowering.
pub struct RawOperation<'a> {
    /// The path template.
    pub path: &'a str,
    /// The method, upper case.
    pub method: String,
    /// The operation.
    pub operation: std::borrow::Cow<'a, openapiv3::Operation>,
    /// Parameters declared on the path item.
    pub path_parameters: &'a [ReferenceOr<Parameter>],
    /// Where it stands.
    pub pointer: String,
}

/// Lists every operation in document order, including OpenAPI 3.2 `additionalOperations`
/// (which the normaliser keeps as `x-additional-operations`).
pub fn collect<'a>(openapi: &'a OpenAPI, builder: &mut TypeBuilder<'_>) -> Vec<RawOperation<'a>> {
    let mut out = Vec::new();
    for (path, item) in &openapi.paths.paths {
        let path_pointer = format!("/paths/{}", escape_pointer_token(path));
        let item: &PathItem = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { reference } => {
                builder.warn_at(
                    &path_pointer,
                    format!("path item $ref `{reference}` is not supported; its operations are skipped"),
                );
                continue;
            }
        };
        let standard = [
            &item.get,
            &item.put,
            &item.post,
            &item.delete,
            &item.options,
            &item.head,
            &item.patch,
            &item.trace,
        ];
        for (method, operation) in METHODS.iter().zip(standard) {
            if let Some(operation) = operation {
                out.push(RawOperation {
                    path,
                    method: method.to_ascii_uppercase(),
                    operation: std::borrow::Cow::Borrowed(operation),
                    path_parameters: &item.parameters,
                    pointer: format!("{path_pointer}/{method}"),
                });
            }
        }
        let Some(serde_json::Value::Object(extra)) = item.extensions.get("x-additional-operations") else {
            continue;
        };
        for (method, value) in extra {
            let pointer = format!("{path_pointer}/additionalOperations/{}", escape_pointer_token(method));
            let valid_method = !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphabetic());
            match serde_json::from_value::<openapiv3::Operation>(value.clone()) {
                Ok(operation) if valid_method => out.push(RawOperation {
                    path,
                    method: method.to_ascii_uppercase(),
                    operation: std::borrow::Cow::Owned(operation),
                    path_parameters: &item.parameters,
                    pointer,
                }),
                Ok(_) => builder.warn_at(
                    &pointer,
                    format!("`{method}` is not an HTTP method name; operation skipped"),
                ),
                Err(e) => builder.warn_at(&pointer, format!("not a valid operation ({e}); skipped")),
            }
        }
    }
    out
}

/// The group an operation is lowered into: its tag (`None` for untagged operations, which
/// are methods of `Client`) and the scope of its methods' names.
pub struct GroupNames<'a> {
    /// The tag.
    pub tag: Option<&'a str>,
    /// The names its methods took so far.
    pub scope: &'a mut Scope,
}

/// Lowers one operation into `group`.
pub fn lower(
    openapi: &OpenAPI,
    raw: &RawOperation<'_>,
    builder: &mut TypeBuilder<'_>,
    group: GroupNames<'_>,
) -> Operation {
    let op = raw.operation.as_ref();
    let raw_name = op
        .operation_id
        .clone()
        .unwrap_or_else(|| format!("{} {}", raw.method, raw.path));
    let short = op_names::short_name(&raw_name, group.tag, &raw.method, raw.path);
    let candidates = op_names::candidates(&raw_name, group.tag, &raw.method, raw.path);
    let name = match candidates.iter().find(|c| !group.scope.contains(c)) {
        Some(free) => group.scope.claim(free.clone()),
        None => group.scope.claim(short.clone()),
    };
    let operation_id = op.operation_id.clone().unwrap_or_else(|| name.clone());
    if name != short {
        builder.warn_at(
            &raw.pointer,
            format!(
                "operation `{raw_name}` is short-named `{short}`, which another operation of its group \
                 already has; it is named `{name}`"
            ),
        );
    }
    let type_hint = naming::camel(&raw_name);
    let mut params = lower_params(openapi, raw, &type_hint, builder);
    // The call's own types (its builder, a multipart body's request type) are named after it.
    let call_name = match group.tag {
        Some(tag) => format!("{}{}", naming::camel(tag), naming::camel(&name)),
        None => naming::camel(&name),
    };
    let builder_name = builder.claim_name(&format!("{call_name}Builder"));
    let body_names = BodyNames {
        json_hint: &type_hint,
        multipart_hint: &format!("{call_name}Body"),
    };
    let mut body = op
        .request_body
        .as_ref()
        .and_then(|body| lower_body(openapi, body, &body_names, &raw.pointer, builder));
    let responses = lower_responses(openapi, op, &type_hint, &raw.pointer, builder);
    let (success, error) = shapes(&responses, &type_hint, &raw.pointer, builder);
    let retry_safe = op
        .extensions
        .get("x-retry-safe")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let pagination = op.extensions.get("x-pagination").and_then(|v| {
        let paged = PagedOperation {
            params: &params,
            body: body.as_ref(),
            success: &success,
            pointer: &raw.pointer,
        };
        paging::lower(v, &paged, builder)
    });
    choose_positional(&mut params, body.as_mut(), pagination.as_ref());
    Operation {
        name,
        operation_id,
        method: raw.method.clone(),
        path: raw.path.to_owned(),
        doc: naming::doc_text(op.summary.as_deref(), op.description.as_deref()),
        deprecated: op.deprecated,
        params,
        builder: builder_name,
        body,
        responses,
        success,
        error,
        retry_safe,
        pagination,
    }
}

/// At most two positional arguments: a required body, and before it the resource's address,
/// the last path parameters that identify a record (strings, ids, enums; not the page
/// number nor numbers like `{year}`). Everything else is a setter on the builder.
fn choose_positional(params: &mut [Param], body: Option<&mut Body>, pagination: Option<&Pagination>) {
    let mut slots = 2usize;
    if let Some(body) = body {
        body.positional = body.required;
        if body.positional {
            slots -= 1;
        }
    }
    let page_param = match pagination.map(|p| &p.next) {
        Some(PageNext::Number { param, .. }) => Some(param.as_str()),
        _ => None,
    };
    let address: Vec<usize> = params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.location == ParamLocation::Path && page_param != Some(p.name.as_str()) && is_address(p))
        .map(|(index, _)| index)
        .collect();
    for index in address.iter().rev().take(slots) {
        params[*index].positional = true;
    }
}

/// Whether a path parameter names a record: a string, id, or enum; a plain number is an id
/// only when its name says so (`{customerId}` yes, `{year}` no).
fn is_address(p: &Param) -> bool {
    match &p.ty {
        TypeRef::Builtin(Builtin::String | Builtin::Uuid) | TypeRef::Named(_) => true,
        TypeRef::Builtin(Builtin::I32 | Builtin::I64 | Builtin::U64) => {
            let wire = p.wire_name.to_ascii_lowercase();
            wire == "id" || wire.ends_with("id") || wire.ends_with("_id")
        }
        _ => false,
    }
}

fn resolve_parameter<'a>(
    openapi: &'a OpenAPI,
    parameter: &'a ReferenceOr<Parameter>,
) -> Option<std::borrow::Cow<'a, Parameter>> {
    match parameter {
        ReferenceOr::Item(p) => Some(std::borrow::Cow::Borrowed(p)),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/parameters/")?;
            match openapi.components.as_ref()?.parameters.get(name)? {
                ReferenceOr::Item(p) => Some(std::borrow::Cow::Borrowed(p)),
                ReferenceOr::Reference { .. } => None,
            }
        }
    }
}

fn lower_params(
    openapi: &OpenAPI,
    raw: &RawOperation<'_>,
    type_hint: &str,
    builder: &mut TypeBuilder<'_>,
) -> Vec<Param> {
    // Operation-level parameters override path-level ones with the same name and location.
    let mut merged: Vec<(String, std::borrow::Cow<'_, Parameter>)> = Vec::new();
    let op_params = raw
        .operation
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("{}/parameters/{i}", raw.pointer), p));
    let path_params = raw
        .path_parameters
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("/paths/{}/parameters/{i}", escape_pointer_token(raw.path)), p));
    // (name, location) pairs already taken: a set, since an operation may list thousands.
    let mut seen: HashSet<(String, &'static str)> = HashSet::new();
    for (pointer, parameter) in op_params.chain(path_params) {
        let Some(resolved) = resolve_parameter(openapi, parameter) else {
            builder.warn_at(
                &pointer,
                "parameter $ref does not resolve to a parameter; skipped".to_owned(),
            );
            continue;
        };
        let key = (resolved.parameter_data_ref().name.clone(), location_word(&resolved));
        if !seen.insert(key) {
            continue;
        }
        merged.push((pointer, resolved));
    }
    // Parameters are arguments, builder fields and setters: clear of the builder's own fields
    // and methods (`send`, `stream`, the per-call overrides).
    let mut scope = Scope::with_reserved([
        "self",
        "body",
        "client",
        "options",
        "request",
        "response",
        "send",
        "stream",
        "timeout",
        "without_retries",
        "into_future",
        "decode",
        "clone",
        "clone_from",
        "fmt",
    ]);
    scope.prefer_on_clash("_param");
    let mut out = Vec::new();
    for (pointer, parameter) in merged {
        let data = parameter.parameter_data_ref();
        let location = match parameter.as_ref() {
            Parameter::Path { .. } => ParamLocation::Path,
            Parameter::Query { style, .. } => ParamLocation::Query(match (style, data.explode) {
                (openapiv3::QueryStyle::DeepObject, _) => QueryStyle::DeepObject,
                (openapiv3::QueryStyle::Form, Some(false)) => QueryStyle::FormNoExplode,
                (openapiv3::QueryStyle::Form, _) => QueryStyle::Form,
                _ => QueryStyle::FormNoExplode,
            }),
            Parameter::Header { .. } => {
                let lower = data.name.to_ascii_lowercase();
                if matches!(lower.as_str(), "authorization" | "content-type" | "accept") {
                    // The client sets these itself.
                    continue;
                }
                ParamLocation::Header
            }
            Parameter::Cookie { .. } => {
                builder.warn_at(
                    &pointer,
                    format!("cookie parameter `{}` is not supported; skipped", data.name),
                );
                continue;
            }
        };
        let hint = format!("{type_hint}{}", naming::camel(&data.name));
        let ty = match &data.format {
            ParameterSchemaOrContent::Schema(schema) => {
                builder.lower(schema.into(), &hint, &format!("{pointer}/schema"))
            }
            ParameterSchemaOrContent::Content(content) => match content.iter().next() {
                Some((
                    _,
                    MediaType {
                        schema: Some(schema), ..
                    },
                )) => builder.lower(schema.into(), &hint, &format!("{pointer}/content")),
                _ => TypeRef::Builtin(Builtin::String),
            },
        };
        // Path parameters are always required, whatever the spec says.
        let required = data.required || location == ParamLocation::Path;
        let ty = match ty {
            TypeRef::Option(inner) if required => *inner,
            other => other,
        };
        out.push(Param {
            name: scope.claim(naming::snake(&data.name)),
            wire_name: data.name.clone(),
            location,
            ty,
            required,
            positional: false,
            doc: data.description.clone(),
        });
    }
    // Each template name's first place in the path, looked up rather than searched for, so
    // that thousands of segments and parameters stay linear.
    let mut template: HashMap<String, usize> = HashMap::new();
    for (index, segment) in path_template_names(raw.path).into_iter().enumerate() {
        template.entry(segment).or_insert(index);
    }
    // Path parameters in the order they appear in the path, then the rest in spec order.
    let position = |p: &Param| match p.location {
        ParamLocation::Path => template.get(&p.wire_name).copied().unwrap_or(usize::MAX),
        _ => usize::MAX,
    };
    out.sort_by_key(|p| (p.location != ParamLocation::Path, position(p)));
    let declared: HashSet<String> = out
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .map(|p| p.wire_name.clone())
        .collect();
    let mut undeclared: Vec<(usize, String)> = template
        .iter()
        .filter(|(segment, _)| !declared.contains(*segment))
        .map(|(segment, index)| (*index, segment.clone()))
        .collect();
    undeclared.sort();
    for (_, segment) in undeclared {
        // A template segment without a declared parameter: still a required string argument.
        builder.warn_at(
            &raw.pointer,
            format!("path parameter `{segment}` is not declared; taken as a string"),
        );
        out.push(Param {
            name: scope.claim(naming::snake(&segment)),
            wire_name: segment,
            location: ParamLocation::Path,
            ty: TypeRef::Builtin(Builtin::String),
            required: true,
            positional: false,
            doc: None,
        });
    }
    // A path parameter the template does not name has nowhere to go: say so, rather than
    // drop it unseen (the spec is wrong, or the path's template is).
    out.retain(|p| {
        let placed = p.location != ParamLocation::Path || template.contains_key(&p.wire_name);
        if !placed {
            builder.warn_at(
                &raw.pointer,
                format!(
                    "path parameter `{}` is not in the path `{}`; skipped",
                    p.wire_name, raw.path
                ),
            );
        }
        placed
    });
    out
}

/// The `{name}` segments of a path template.
pub fn path_template_names(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        names.push(rest[start + 1..start + len].to_owned());
        rest = &rest[start + len + 1..];
    }
    names
}

fn location_word(p: &Parameter) -> &'static str {
    match p {
        Parameter::Path { .. } => "path",
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Cookie { .. } => "cookie",
    }
}

fn is_json(media: &str) -> bool {
    let media = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    media == "application/json"
        || media.ends_with("+json")
        || media == "*/*"
        || media == "application/*"
        || media.contains("json")
}

/// What a request body's types are named after.
struct BodyNames<'a> {
    /// The operation's type hint; inline JSON and form schemas become `<hint>Body`.
    json_hint: &'a str,
    /// The name a multipart body's request type takes.
    multipart_hint: &'a str,
}

fn lower_body(
    openapi: &OpenAPI,
    body: &ReferenceOr<OaRequestBody>,
    names: &BodyNames<'_>,
    pointer: &str,
    builder: &mut TypeBuilder<'_>,
) -> Option<Body> {
    let body_pointer = format!("{pointer}/requestBody");
    let body = match body {
        ReferenceOr::Item(b) => b,
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/requestBodies/");
            match name.and_then(|n| openapi.components.as_ref()?.request_bodies.get(n)) {
                Some(ReferenceOr::Item(b)) => b,
                _ => {
                    builder.warn_at(
                        &body_pointer,
                        format!("request body $ref `{reference}` does not resolve; body skipped"),
                    );
                    return None;
                }
            }
        }
    };
    let hint = format!("{}Body", names.json_hint);
    let pick = |pred: &dyn Fn(&str) -> bool| body.content.iter().find(|(media, _)| pred(media));
    let lowered = if let Some((media, content)) = pick(&|m| is_json(m)) {
        let p = format!("{body_pointer}/content/{}/schema", escape_pointer_token(media));
        RequestBody::Json(schema_or_json(content, &hint, &p, builder))
    } else if let Some((media, content)) = pick(&|m| m.starts_with("application/x-www-form-urlencoded")) {
        let p = format!("{body_pointer}/content/{}/schema", escape_pointer_token(media));
        RequestBody::Form(schema_or_json(content, &hint, &p, builder))
    } else if let Some((media, content)) = pick(&|m| m.starts_with("multipart/")) {
        let p = format!("{body_pointer}/content/{}", escape_pointer_token(media));
        multipart::lower(content, names.multipart_hint, &p, builder)
    } else if let Some((media, _)) = body.content.iter().next() {
        RequestBody::Raw {
            content_type: media.clone(),
        }
    } else {
        return None;
    };
    Some(Body {
        kind: lowered,
        required: body.required,
        positional: false,
    })
}

fn schema_or_json(content: &MediaType, hint: &str, pointer: &str, builder: &mut TypeBuilder<'_>) -> TypeRef {
    match &content.schema {
        Some(schema) => builder.lower(schema.into(), hint, pointer),
        None => TypeRef::Builtin(Builtin::Json),
    }
}

fn lower_responses(
    openapi: &OpenAPI,
    op: &openapiv3::Operation,
    type_hint: &str,
    pointer: &str,
    builder: &mut TypeBuilder<'_>,
) -> Vec<Response> {
    let mut entries: Vec<(StatusMatch, &ReferenceOr<OaResponse>, String)> = Vec::new();
    for (status, response) in &op.responses.responses {
        let (status, token) = match status {
            StatusCode::Code(code) => (StatusMatch::Code(*code), code.to_string()),
            StatusCode::Range(range) => (StatusMatch::Range(*range), format!("{range}XX")),
        };
        entries.push((status, response, format!("{pointer}/responses/{token}")));
    }
    if let Some(default) = &op.responses.default {
        entries.push((StatusMatch::Default, default, format!("{pointer}/responses/default")));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let has_success = entries.iter().any(|(s, ..)| is_success(s));
    let mut variants = Scope::default();
    let mut out = Vec::new();
    for (status, response, response_pointer) in entries {
        let response = match response {
            ReferenceOr::Item(r) => r,
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/responses/");
                match name.and_then(|n| openapi.components.as_ref()?.responses.get(n)) {
                    Some(ReferenceOr::Item(r)) => r,
                    _ => {
                        builder.warn_at(
                            &response_pointer,
                            format!("response $ref `{reference}` does not resolve; treated as undocumented"),
                        );
                        continue;
                    }
                }
            }
        };
        let success = is_success(&status) || (status == StatusMatch::Default && !has_success);
        let suffix = match &status {
            StatusMatch::Code(code) => code.to_string(),
            StatusMatch::Range(range) => format!("{range}xx"),
            StatusMatch::Default => "Default".to_owned(),
        };
        let hint = if success {
            format!("{type_hint}Response")
        } else {
            format!("{type_hint}Error{suffix}")
        };
        let body = match response.content.iter().find(|(m, _)| is_json(m)) {
            Some((media, content)) => {
                let p = format!("{response_pointer}/content/{}/schema", escape_pointer_token(media));
                ResponseBody::Json(schema_or_json(content, &hint, &p, builder))
            }
            None => match response.content.keys().next() {
                Some(media) if media.starts_with("text/") => ResponseBody::Text,
                Some(_) => ResponseBody::Bytes,
                None => ResponseBody::Empty,
            },
        };
        let variant = match &status {
            StatusMatch::Default => variants.claim("Default".to_owned()),
            _ => variants.claim(format!("Status{suffix}")),
        };
        out.push(Response {
            status,
            role: ResponseRole::Error,
            body,
            variant,
        });
    }
    // Decided over the responses that resolved: `default` is the success only when none is 2xx.
    let any_success = out.iter().any(|r| is_success(&r.status));
    for response in &mut out {
        if is_success(&response.status) || (response.status == StatusMatch::Default && !any_success) {
            response.role = ResponseRole::Success;
        }
    }
    out
}

/// Whether a status entry is a success (2xx).
pub fn is_success(status: &StatusMatch) -> bool {
    match status {
        StatusMatch::Code(code) => (200..300).contains(code),
        StatusMatch::Range(range) => *range == 2,
        StatusMatch::Default => false,
    }
}

fn response_variant(response: &Response) -> ResponseVariant {
    ResponseVariant {
        name: response.variant.clone(),
        body: response.body.clone(),
    }
}

fn shapes(
    responses: &[Response],
    type_hint: &str,
    pointer: &str,
    builder: &mut TypeBuilder<'_>,
) -> (SuccessShape, ErrorShape) {
    let successes: Vec<&Response> = responses.iter().filter(|r| r.role == ResponseRole::Success).collect();
    let mut distinct: Vec<&ResponseBody> = Vec::new();
    for r in &successes {
        if !distinct.contains(&&r.body) {
            distinct.push(&r.body);
        }
    }
    let success = match distinct.as_slice() {
        [] => SuccessShape::Single(ResponseBody::Empty),
        [one] => SuccessShape::Single((*one).clone()),
        _ => {
            let variants = successes.iter().map(|r| response_variant(r)).collect();
            let id = builder.add_type(
                &format!("{type_hint}Response"),
                pointer,
                Some("The success responses of this operation.".to_owned()),
                TypeKind::Responses(variants),
            );
            SuccessShape::Enum(id)
        }
    };
    let errors: Vec<(&Response, &TypeRef)> = responses
        .iter()
        .filter(|r| r.role == ResponseRole::Error)
        .filter_map(|r| match &r.body {
            ResponseBody::Json(ty) => Some((r, ty)),
            _ => None,
        })
        .collect();
    let mut distinct_errors: Vec<&TypeRef> = Vec::new();
    for (_, ty) in &errors {
        if !distinct_errors.contains(ty) {
            distinct_errors.push(ty);
        }
    }
    let error = match distinct_errors.as_slice() {
        [] => ErrorShape::None,
        [one] => ErrorShape::Single((*one).clone()),
        _ => {
            let variants = errors.iter().map(|(r, _)| response_variant(r)).collect();
            let id = builder.add_type(
                &format!("{type_hint}Error"),
                pointer,
                Some("The documented error responses of this operation.".to_owned()),
                TypeKind::Responses(variants),
            );
            ErrorShape::Enum(id)
        }
    };
    (success, error)
}

/// Groups operations by their first tag, in document order; untagged ones go on `Client` itself.
pub fn group_key(op: &openapiv3::Operation) -> Option<String> {
    op.tags.first().cloned()
}

/// Tag descriptions from the document.
pub fn tag_docs(openapi: &OpenAPI) -> BTreeMap<String, String> {
    openapi
        .tags
        .iter()
        .filter_map(|t| Some((t.name.clone(), t.description.clone()?)))
        .collect()
}
