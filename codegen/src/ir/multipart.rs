//! `multipart/form-data` request bodies → a request type per operation ([`MultipartForm`]).
//!
//! The body's object schema (a `$ref` followed, `allOf` members merged when each is an object)
//! gives one field per property: `format: binary` strings are files (`FilePart`), lists of
//! them repeated files, unions whose alternatives include a file a file (the other
//! alternatives are not offered, with a warning); every other property keeps the type it
//! would have in a JSON body and is encoded by the runtime's rules (scalars as text, lists one
//! part per item, objects as JSON). `encoding.<field>.contentType` is kept when it names one
//! media type. A body with no such schema stays an untyped `client_runtime::Multipart`, with
//! a warning.

use indexmap::IndexMap;
use openapiv3::{MediaType, ReferenceOr, Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty};

use super::model::{MultipartField, MultipartForm, PartValue, RequestBody, TypeRef};
use super::schema::{schema_doc, TypeBuilder};
use crate::diagnostic::escape_pointer_token;
use crate::naming::{self, Scope};

/// The properties and required names of an object schema, merged over `allOf` members.
struct ObjectShape {
    properties: IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: Vec<String>,
}

/// Lowers a multipart body (`content` at `pointer`, its media type's JSON pointer) to a
/// request type named from `name_hint`, or to the untyped fallback with a warning.
pub fn lower(content: &MediaType, name_hint: &str, pointer: &str, builder: &mut TypeBuilder<'_>) -> RequestBody {
    let schema_pointer = format!("{pointer}/schema");
    let shape = content
        .schema
        .as_ref()
        .and_then(|schema| resolve(schema, builder))
        .and_then(|schema| object_shape(&schema, builder));
    let Some(shape) = shape.filter(|s| !s.properties.is_empty()) else {
        builder.warn_at(
            &schema_pointer,
            "multipart body without an object schema with properties; the call takes a \
             `Multipart` the caller fills"
                .to_owned(),
        );
        return RequestBody::MultipartUntyped;
    };
    let name = builder.claim_name(name_hint);
    let mut scope = Scope::default();
    let mut fields = Vec::with_capacity(shape.properties.len());
    for (wire_name, property) in &shape.properties {
        let field_pointer = format!("{schema_pointer}/properties/{}", escape_pointer_token(wire_name));
        let resolved = resolve_boxed(property, builder);
        let content_type = content
            .encoding
            .get(wire_name)
            .and_then(|e| e.content_type.as_deref())
            .and_then(|t| one_media_type(t, &field_pointer, builder));
        let value = match resolved.as_ref().and_then(|s| file_shape(s, &field_pointer, builder)) {
            Some(repeated) => PartValue::File { repeated },
            None => {
                let hint = format!("{name}{}", naming::camel(wire_name));
                // Multipart has no null: a nullable field is sent or not, like an optional one.
                match builder.lower(property.into(), &hint, &field_pointer) {
                    TypeRef::Option(inner) => PartValue::Value(*inner),
                    ty => PartValue::Value(ty),
                }
            }
        };
        fields.push(MultipartField {
            name: scope.claim(naming::snake(wire_name)),
            wire_name: wire_name.clone(),
            value,
            required: shape.required.contains(wire_name),
            content_type,
            doc: resolved.as_ref().and_then(schema_doc),
        });
    }
    RequestBody::Multipart(MultipartForm { name, fields })
}

fn resolve(schema: &ReferenceOr<Schema>, builder: &TypeBuilder<'_>) -> Option<Schema> {
    match schema {
        ReferenceOr::Item(schema) => Some(schema.clone()),
        ReferenceOr::Reference { reference } => builder.resolve_schema(reference),
    }
}

fn resolve_boxed(schema: &ReferenceOr<Box<Schema>>, builder: &TypeBuilder<'_>) -> Option<Schema> {
    match schema {
        ReferenceOr::Item(schema) => Some((**schema).clone()),
        ReferenceOr::Reference { reference } => builder.resolve_schema(reference),
    }
}

/// The object a schema describes: its own properties, or those of `allOf` members that are
/// all objects (one level: members are followed through `$ref`, not through further `allOf`).
fn object_shape(schema: &Schema, builder: &TypeBuilder<'_>) -> Option<ObjectShape> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => Some(ObjectShape {
            properties: o.properties.clone(),
            required: o.required.clone(),
        }),
        SchemaKind::Any(a) if a.one_of.is_empty() && a.any_of.is_empty() && a.all_of.is_empty() => Some(ObjectShape {
            properties: a.properties.clone(),
            required: a.required.clone(),
        }),
        SchemaKind::AllOf { all_of } => {
            let mut merged = ObjectShape {
                properties: IndexMap::new(),
                required: Vec::new(),
            };
            for member in all_of {
                let member = resolve(member, builder)?;
                let SchemaKind::Type(Type::Object(o)) = &member.schema_kind else {
                    return None;
                };
                merged.properties.extend(o.properties.clone());
                merged.required.extend(o.required.iter().cloned());
            }
            Some(merged)
        }
        _ => None,
    }
}

/// `Some(repeated)` when the property is a file (`format: binary`), a list of files, or a
/// union with a file among its alternatives (a warning names what is not offered).
fn file_shape(schema: &Schema, pointer: &str, builder: &mut TypeBuilder<'_>) -> Option<bool> {
    if is_file(schema) {
        return Some(false);
    }
    if is_file_list(schema, builder) {
        return Some(true);
    }
    let alternatives = match &schema.schema_kind {
        SchemaKind::OneOf { one_of } => one_of,
        SchemaKind::AnyOf { any_of } => any_of,
        SchemaKind::Any(a) if !a.one_of.is_empty() => &a.one_of,
        SchemaKind::Any(a) if !a.any_of.is_empty() => &a.any_of,
        _ => return None,
    };
    let resolved: Vec<Schema> = alternatives.iter().filter_map(|a| resolve(a, builder)).collect();
    let single = resolved.iter().any(is_file);
    let list = resolved.iter().any(|s| is_file_list(s, builder));
    if !(single || list) {
        return None;
    }
    let others = resolved
        .iter()
        .filter(|s| !is_file(s) && !is_file_list(s, builder) && !is_null(s))
        .count();
    if others > 0 {
        builder.warn_at(
            pointer,
            format!(
                "multipart field is a union of files and {others} other alternative(s); it is \
                 typed as {}, the other alternatives are not offered",
                if list { "a list of files" } else { "a file" }
            ),
        );
    }
    Some(list)
}

fn is_file(schema: &Schema) -> bool {
    matches!(
        &schema.schema_kind,
        SchemaKind::Type(Type::String(s)) if matches!(s.format, VariantOrUnknownOrEmpty::Item(StringFormat::Binary))
    )
}

fn is_file_list(schema: &Schema, builder: &TypeBuilder<'_>) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Array(a)) => a
            .items
            .as_ref()
            .and_then(|items| resolve_boxed(items, builder))
            .is_some_and(|item| is_file(&item)),
        _ => false,
    }
}

/// A schema that only says "null" (a union's null alternative).
fn is_null(schema: &Schema) -> bool {
    schema.schema_data.nullable && matches!(&schema.schema_kind, SchemaKind::Any(a) if a.typ.is_none())
}

/// `encoding.contentType` when it is one concrete media type; a list or a wildcard (`image/*`)
/// leaves the choice to the caller's file or the runtime's default, with a warning.
fn one_media_type(text: &str, pointer: &str, builder: &mut TypeBuilder<'_>) -> Option<String> {
    let text = text.trim();
    if text.contains(',') || text.contains('*') || !text.contains('/') {
        builder.warn_at(
            pointer,
            format!("multipart encoding contentType `{text}` is not one media type; not sent as the part's type"),
        );
        return None;
    }
    Some(text.to_owned())
}
