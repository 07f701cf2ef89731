//! Webhooks and callbacks: the requests the API sends to the user, lowered into events.
//!
//! OpenAPI 3.1 `webhooks` (name → Path Item) and operations' `callbacks` (name → expression
//! → Path Item) describe requests the user's server receives. openapiv3, a 3.0 model, drops
//! `webhooks`, so both are read from the normalised JSON document (the normaliser walks
//! them like `paths`, so their schemas are already rewritten into 3.0 form). Each operation
//! with a request body becomes one event whose payload is the body's type.

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, PathItem, ReferenceOr, RequestBody as OaRequestBody, Schema};
use serde_json::Value;

use super::model::{Builtin, TypeId, TypeKind, TypeRef, WebhookEvent, Webhooks};
use super::schema::TypeBuilder;
use crate::diagnostic::escape_pointer_token;
use crate::naming::{self, Scope};

/// One request the API sends, before lowering.
struct RawEvent {
    /// The event's name: the `webhooks` key, or the callback's name.
    wire_name: String,
    /// Where its operation stands.
    pointer: String,
    operation: openapiv3::Operation,
}

/// Lowers the document's webhooks and callbacks, or `None` when it has neither.
/// `module` is the module name already claimed for the events.
pub fn lower(
    document: &Value,
    openapi: &OpenAPI,
    builder: &mut TypeBuilder<'_>,
    module: impl FnOnce() -> String,
) -> Option<Webhooks> {
    let raw = collect(document, builder);
    if raw.is_empty() {
        return None;
    }
    let headers: Vec<Vec<(String, String)>> = raw.iter().map(|e| fixed_headers(openapi, &e.operation)).collect();
    let event_header = common_fixed(&headers);
    let enum_name = builder.claim_name("WebhookEvent");
    let mut variants = Scope::default();
    let mut header_values = event_header.as_ref().map(|(_, values)| values.clone().into_iter());
    let events: Vec<WebhookEvent> = raw
        .into_iter()
        .map(|event| {
            let hint = format!("{}Webhook", naming::camel(&event.wire_name));
            let payload = event
                .operation
                .request_body
                .as_ref()
                .and_then(|body| payload(openapi, body, &hint, &event.pointer, builder));
            let summary = event.operation.summary.as_deref();
            let doc = naming::doc_text(summary, event.operation.description.as_deref());
            WebhookEvent {
                name: variants.claim(naming::camel(&event.wire_name)),
                wire_name: event.wire_name,
                doc,
                payload,
                tag: None,
                header_value: header_values.as_mut().and_then(Iterator::next),
            }
        })
        .collect();
    Some(Webhooks {
        module: module(),
        enum_name,
        events,
        event_property: None,
        event_header: event_header.map(|(header, _)| header),
        types: BTreeSet::new(),
    })
}

/// Finds the body property that names each event, and the types webhooks need compiled
/// whatever features are on. Runs once the type table is final (cycles broken).
pub fn finish(webhooks: &mut Webhooks, types: &[super::TypeDef]) {
    let mut reachable: Vec<TypeId> = Vec::new();
    for event in &webhooks.events {
        if let Some(ty) = &event.payload {
            super::visit::named_types(ty, &mut reachable);
        }
    }
    while let Some(id) = reachable.pop() {
        if webhooks.types.insert(id) {
            if let Some(def) = types.get(id.index()) {
                super::visit::def_uses(def, &mut |ty| super::visit::named_types(ty, &mut reachable));
            }
        }
    }
    if let Some((property, tags)) = event_property(&webhooks.events, types) {
        for (event, tag) in webhooks.events.iter_mut().zip(tags) {
            event.tag = Some(tag);
        }
        webhooks.event_property = Some(property);
    }
}

/// The header parameters of a webhook operation that allow exactly one string
/// (`{name: X-Event, in: header, schema: {const: push}}`): (lower-case name, value).
fn fixed_headers(openapi: &OpenAPI, operation: &openapiv3::Operation) -> Vec<(String, String)> {
    operation
        .parameters
        .iter()
        .filter_map(|parameter| match parameter {
            ReferenceOr::Item(parameter) => Some(parameter),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/parameters/")?;
                match openapi.components.as_ref()?.parameters.get(name)? {
                    ReferenceOr::Item(parameter) => Some(parameter),
                    ReferenceOr::Reference { .. } => None,
                }
            }
        })
        .filter_map(|parameter| {
            let openapiv3::Parameter::Header { parameter_data, .. } = parameter else {
                return None;
            };
            let openapiv3::ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) = &parameter_data.format else {
                return None;
            };
            // `const` is normalised to a one-value `enum`, typed or not.
            let value = match &schema.schema_kind {
                openapiv3::SchemaKind::Type(openapiv3::Type::String(string)) => match string.enumeration.as_slice() {
                    [Some(value)] => value.clone(),
                    _ => return None,
                },
                openapiv3::SchemaKind::Any(any) => match any.enumeration.as_slice() {
                    [Value::String(value)] => value.clone(),
                    _ => return None,
                },
                _ => return None,
            };
            Some((parameter_data.name.to_ascii_lowercase(), value))
        })
        .collect()
}

/// The first (name, value) pair name that every list has, with distinct values across lists.
fn common_fixed(lists: &[Vec<(String, String)>]) -> Option<(String, Vec<String>)> {
    let (first, _) = lists.split_first()?;
    first.iter().find_map(|(name, _)| {
        let values: Vec<String> = lists
            .iter()
            .map(|list| list.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()))
            .collect::<Option<_>>()?;
        let distinct: BTreeSet<&String> = values.iter().collect();
        (distinct.len() == values.len()).then(|| (name.clone(), values))
    })
}

/// A required top-level property that every payload has, each with one distinct fixed
/// value (`type: {enum: [batch.completed]}`, `const` included): the body names its event.
fn event_property(events: &[WebhookEvent], types: &[super::TypeDef]) -> Option<(String, Vec<String>)> {
    let fixed: Vec<Vec<(String, String)>> = events
        .iter()
        .map(|event| fixed_properties(event.payload.as_ref()?, types))
        .collect::<Option<_>>()?;
    common_fixed(&fixed)
}

/// The required properties of a payload struct whose type allows exactly one string.
fn fixed_properties(payload: &TypeRef, types: &[super::TypeDef]) -> Option<Vec<(String, String)>> {
    let TypeKind::Struct(s) = &types.get(resolve(payload, types)?.index())?.kind else {
        return None;
    };
    let fixed = s
        .fields
        .iter()
        .filter(|f| f.required)
        .filter_map(|f| match &types.get(resolve(&f.ty, types)?.index())?.kind {
            TypeKind::StringEnum(e) if e.variants.len() == 1 => {
                Some((f.wire_name.clone(), e.variants[0].wire_value.clone()))
            }
            _ => None,
        })
        .collect();
    Some(fixed)
}

/// The named type behind `ty`, through aliases.
fn resolve(ty: &TypeRef, types: &[super::TypeDef]) -> Option<TypeId> {
    let mut id = match ty {
        TypeRef::Named(id) | TypeRef::Boxed(id) => *id,
        _ => return None,
    };
    // Alias chains are short; the bound only guards against a malformed table.
    for _ in 0..types.len() {
        match &types.get(id.index())?.kind {
            TypeKind::Alias(TypeRef::Named(next) | TypeRef::Boxed(next)) => id = *next,
            _ => return Some(id),
        }
    }
    None
}

/// Every webhook and callback operation, in document order.
fn collect(document: &Value, builder: &mut TypeBuilder<'_>) -> Vec<RawEvent> {
    let mut out = Vec::new();
    if let Some(Value::Object(webhooks)) = document.get("webhooks") {
        for (name, item) in webhooks.iter().filter(|(name, _)| !name.starts_with("x-")) {
            let pointer = format!("/webhooks/{}", escape_pointer_token(name));
            push_item(document, name, item, &pointer, builder, &mut out);
        }
    }
    let Some(Value::Object(paths)) = document.get("paths") else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        for (method, operation) in item {
            let Some(Value::Object(callbacks)) = operation.get("callbacks") else {
                continue;
            };
            let base = format!(
                "/paths/{}/{}/callbacks",
                escape_pointer_token(path),
                escape_pointer_token(method)
            );
            for (name, callback) in callbacks.iter().filter(|(name, _)| !name.starts_with("x-")) {
                let pointer = format!("{base}/{}", escape_pointer_token(name));
                let Some(Value::Object(expressions)) = follow(document, callback) else {
                    builder.warn_at(&pointer, "callback is not an object; skipped".to_owned());
                    continue;
                };
                for (expression, item) in expressions.iter().filter(|(e, _)| !e.starts_with("x-")) {
                    let pointer = format!("{pointer}/{}", escape_pointer_token(expression));
                    push_item(document, name, item, &pointer, builder, &mut out);
                }
            }
        }
    }
    out
}

/// The operations of one Path Item. A name with several operations gets the method added.
fn push_item(
    document: &Value,
    name: &str,
    item: &Value,
    pointer: &str,
    builder: &mut TypeBuilder<'_>,
    out: &mut Vec<RawEvent>,
) {
    let item = match follow(document, item).map(|v| serde_json::from_value::<PathItem>(v.clone())) {
        Some(Ok(item)) => item,
        Some(Err(e)) => {
            builder.warn_at(pointer, format!("not a valid path item ({e}); webhook skipped"));
            return;
        }
        None => {
            builder.warn_at(pointer, "path item $ref does not resolve; webhook skipped".to_owned());
            return;
        }
    };
    let operations: Vec<(&str, &openapiv3::Operation)> = item.iter().collect();
    let several = operations.len() > 1;
    for (method, operation) in operations {
        out.push(RawEvent {
            wire_name: if several {
                format!("{name} {}", method.to_ascii_uppercase())
            } else {
                name.to_owned()
            },
            pointer: format!("{pointer}/{method}"),
            operation: operation.clone(),
        });
    }
}

/// `value`, or what its local `$ref` points at (one level, as Path Items and Callbacks allow).
fn follow<'a>(document: &'a Value, value: &'a Value) -> Option<&'a Value> {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => document.pointer(reference.strip_prefix('#')?),
        None => Some(value),
    }
}

/// The payload type of a webhook's request body: its JSON schema's type.
fn payload(
    openapi: &OpenAPI,
    body: &ReferenceOr<OaRequestBody>,
    hint: &str,
    pointer: &str,
    builder: &mut TypeBuilder<'_>,
) -> Option<TypeRef> {
    let body_pointer = format!("{pointer}/requestBody");
    let body = match body {
        ReferenceOr::Item(body) => body,
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/requestBodies/");
            match name.and_then(|n| openapi.components.as_ref()?.request_bodies.get(n)) {
                Some(ReferenceOr::Item(body)) => body,
                _ => {
                    builder.warn_at(
                        &body_pointer,
                        format!("request body $ref `{reference}` does not resolve; the event has no payload"),
                    );
                    return None;
                }
            }
        }
    };
    let Some((media, content)) = body.content.iter().find(|(media, _)| media.contains("json")) else {
        if let Some((media, _)) = body.content.first() {
            builder.warn_at(
                &body_pointer,
                format!("`{media}` webhook bodies are not parsed; the event carries no payload"),
            );
        }
        return None;
    };
    let schema_pointer = format!("{body_pointer}/content/{}/schema", escape_pointer_token(media));
    Some(match &content.schema {
        Some(schema) => builder.lower(schema_ref(schema), hint, &schema_pointer),
        None => TypeRef::Builtin(Builtin::Json),
    })
}

fn schema_ref(schema: &ReferenceOr<Schema>) -> super::schema::SchemaRef<'_> {
    schema.into()
}
