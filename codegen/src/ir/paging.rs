//! Lowering the `x-pagination` extension into a [`Pagination`] the runtime can drive.
//!
//! Every decision about an operation's stream is made here: whether it gets one at all (a
//! warning says why not), which parameter carries the page number, and the items' type,
//! found by following the `items` JSON pointer through the page's structs.

use super::model::{
    Body, Builtin, Field, PageNext, Pagination, Param, ResponseBody, SuccessShape, TypeDef, TypeKind, TypeRef,
};
use super::schema::TypeBuilder;

/// The parts of an operation pagination depends on.
pub struct PagedOperation<'a> {
    /// Its parameters.
    pub params: &'a [Param],
    /// Its request body.
    pub body: Option<&'a Body>,
    /// Its success value.
    pub success: &'a SuccessShape,
    /// Where the operation stands (a JSON pointer).
    pub pointer: &'a str,
}

/// The operation's pagination, or `None` with a warning naming why it gets no stream.
pub fn lower(value: &serde_json::Value, op: &PagedOperation<'_>, builder: &mut TypeBuilder<'_>) -> Option<Pagination> {
    let pointer = format!("{}/x-pagination", op.pointer);
    let items = value.get("items").and_then(|v| v.as_str()).unwrap_or("").to_owned();
    let next = if let Some(url) = value.get("nextUrl").and_then(|v| v.as_str()) {
        PageNext::Url(url.to_owned())
    } else if let Some(page) = value.get("page") {
        let wire = page.get("name").and_then(|v| v.as_str()).unwrap_or("page");
        let Some(param) = op.params.iter().find(|p| p.wire_name == wire) else {
            builder.warn_at(
                &pointer,
                format!("page parameter `{wire}` is not a parameter of the operation; no stream generated"),
            );
            return None;
        };
        if !is_integer(&param.ty) {
            builder.warn_at(
                &pointer,
                format!("page parameter `{wire}` is not an integer; no stream generated"),
            );
            return None;
        }
        PageNext::Number {
            param: param.name.clone(),
            required: param.required,
            start: page.get("start").and_then(|v| v.as_i64()).unwrap_or(1),
            total_pages: value.get("totalPages").and_then(|v| v.as_str()).map(str::to_owned),
        }
    } else {
        builder.warn_at(
            &pointer,
            "x-pagination needs `page` or `nextUrl`; no stream generated".to_owned(),
        );
        return None;
    };
    if op.body.is_some() {
        builder.warn_at(
            &pointer,
            "the operation takes a request body, which a page stream cannot resend; no stream generated".to_owned(),
        );
        return None;
    }
    let SuccessShape::Single(ResponseBody::Json(page_type)) = op.success else {
        builder.warn_at(
            &pointer,
            "the operation has no single JSON success body to read pages from; no stream generated".to_owned(),
        );
        return None;
    };
    let item_type = match item_type(&builder.types, page_type, &items) {
        Some(ty) => ty,
        None => {
            builder.warn_at(
                &pointer,
                format!("`{items}` does not lead to an array in the page type; items are `serde_json::Value`"),
            );
            TypeRef::Builtin(Builtin::Json)
        }
    };
    Some(Pagination {
        page_type: page_type.clone(),
        items,
        item_type,
        next,
    })
}

fn is_integer(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Option(inner) => is_integer(inner),
        TypeRef::Builtin(b) => matches!(b, Builtin::I32 | Builtin::I64 | Builtin::U64),
        _ => false,
    }
}

/// Follows `pointer` through struct fields (by wire name) to an array and returns its item
/// type.
fn item_type(types: &[TypeDef], page: &TypeRef, pointer: &str) -> Option<TypeRef> {
    let mut current = page.clone();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let fields = struct_fields(types, &current)?;
        current = fields.iter().find(|f| f.wire_name == segment)?.ty.clone();
    }
    match resolve(types, &current)? {
        TypeRef::Vec(item) => Some(*item),
        _ => None,
    }
}

/// Strips `Option`, boxes and aliases; `None` for an alias cycle.
fn resolve(types: &[TypeDef], ty: &TypeRef) -> Option<TypeRef> {
    let mut ty = ty.clone();
    // Every step but `Option` moves to another type, so a walk longer than the type table
    // (plus the options around each) is going round a cycle.
    for _ in 0..=types.len().saturating_mul(2) {
        ty = match ty {
            TypeRef::Option(inner) => *inner,
            TypeRef::Named(id) | TypeRef::Boxed(id) => match &types.get(id.index())?.kind {
                TypeKind::Alias(target) => target.clone(),
                _ => return Some(TypeRef::Named(id)),
            },
            other => return Some(other),
        };
    }
    None
}

fn struct_fields<'t>(types: &'t [TypeDef], ty: &TypeRef) -> Option<&'t [Field]> {
    match resolve(types, ty)? {
        TypeRef::Named(id) => match &types.get(id.index())?.kind {
            TypeKind::Struct(s) => Some(&s.fields),
            _ => None,
        },
        _ => None,
    }
}
