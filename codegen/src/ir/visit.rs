//! The one walk over [`TypeRef`]s: every use site of every type, and every node inside one.
//!
//! Facts about the whole crate (which optional crates it needs, which groups use which types,
//! which references close a cycle) are computed with these functions, so a new use site or a
//! new `TypeRef` variant is handled in one place.

use super::model::{Body, Operation, PartValue, RequestBody, ResponseBody, TypeDef, TypeId, TypeKind, TypeRef};

/// Whether a walk looks inside the node it was just shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Descend {
    /// Visit the node's children.
    Yes,
    /// Skip them.
    No,
}

/// Calls `visit` on `ty` and the types nested in it, outermost first, as long as `visit`
/// says [`Descend::Yes`]. Iterative, so nesting depth cannot overflow the stack.
pub fn walk(ty: &TypeRef, visit: &mut impl FnMut(&TypeRef) -> Descend) {
    let mut stack = vec![ty];
    while let Some(ty) = stack.pop() {
        if visit(ty) == Descend::No {
            continue;
        }
        match ty {
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) => stack.push(inner),
            TypeRef::Named(_) | TypeRef::Boxed(_) | TypeRef::Builtin(_) => {}
        }
    }
}

/// Calls `visit` on every type written in a definition (fields, extra properties, union
/// variants, alias targets, response bodies).
pub fn def_uses<'a>(def: &'a TypeDef, visit: &mut impl FnMut(&'a TypeRef)) {
    match &def.kind {
        TypeKind::Struct(s) => {
            s.fields.iter().for_each(|f| visit(&f.ty));
            if let Some(extra) = &s.additional {
                visit(extra);
            }
        }
        TypeKind::Union(u) => u.variants.iter().for_each(|v| visit(&v.ty)),
        TypeKind::Alias(ty) | TypeKind::Newtype(ty) => visit(ty),
        TypeKind::StringEnum(_) => {}
        TypeKind::Responses(variants) => variants.iter().for_each(|v| body_use(&v.body, visit)),
    }
}

/// Calls `visit` on every type written in an operation's signature (parameters, request body,
/// response bodies, and the success and error enums).
pub fn operation_uses<'a>(op: &'a Operation, visit: &mut impl FnMut(&'a TypeRef)) {
    op.params.iter().for_each(|p| visit(&p.ty));
    if let Some(Body { kind, .. }) = &op.body {
        request_body_uses(kind, visit);
    }
    op.responses.iter().for_each(|r| body_use(&r.body, visit));
    if let Some(pagination) = &op.pagination {
        visit(&pagination.page_type);
        visit(&pagination.item_type);
    }
}

/// Calls `visit` on every type an operation serialises: its parameters and its JSON, form or
/// multipart body. (Pages of paginated operations are not serialised: the stream's typed extractor
/// takes the decoded page apart.)
pub fn serialized_uses<'a>(op: &'a Operation, visit: &mut impl FnMut(&'a TypeRef)) {
    op.params.iter().for_each(|p| visit(&p.ty));
    if let Some(Body { kind, .. }) = &op.body {
        request_body_uses(kind, visit);
    }
}

/// The types a request body is made of: a JSON or form body's type, a multipart form's
/// value fields (files are the runtime's `FilePart`).
fn request_body_uses<'a>(body: &'a RequestBody, visit: &mut impl FnMut(&'a TypeRef)) {
    match body {
        RequestBody::Json(ty) | RequestBody::Form(ty) => visit(ty),
        RequestBody::Multipart(form) => {
            for field in &form.fields {
                if let PartValue::Value(ty) = &field.value {
                    visit(ty);
                }
            }
        }
        RequestBody::MultipartUntyped | RequestBody::Raw { .. } => {}
    }
}

fn body_use<'a>(body: &'a ResponseBody, visit: &mut impl FnMut(&'a TypeRef)) {
    if let ResponseBody::Json(ty) = body {
        visit(ty);
    }
}

/// The generated types `ty` mentions, boxed or not, at any depth.
pub fn named_types(ty: &TypeRef, out: &mut Vec<TypeId>) {
    walk(ty, &mut |node| {
        if let TypeRef::Named(id) | TypeRef::Boxed(id) = node {
            out.push(*id);
        }
        Descend::Yes
    });
}
