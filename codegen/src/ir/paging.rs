//! Lowering the `x-pagination` extension into a [`Pagination`] the runtime can drive.
//!
//! Every decision about an operation's stream is made here: whether it gets one at all (a
//! warning says why not), which parameter carries the page number, and how a page is taken
//! apart: each `x-pagination` JSON pointer (items, page count, next URL) is followed through
//! the page type's struct fields, so the generated extractor reads the decoded page directly
//! and the items' type is known. Where a pointer leaves the structs, pages are read as JSON
//! values through the pointers instead, with a warning.

use super::model::{
    Body, Builtin, Field, FieldStep, PageField, PageNext, Pagination, Param, ResponseBody, SuccessShape, TypeDef,
    TypeKind, TypeRef,
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
        RawNext::Url(url.to_owned())
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
        RawNext::Number {
            param: param.name.clone(),
            required: param.required,
            ty: without_option(&param.ty),
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
    match typed(&builder.types, page_type, &items, &next) {
        Ok(typed) => Some(typed),
        Err(reason) => {
            builder.warn_at(
                &pointer,
                format!("{reason} in the page type; pages are read as JSON values and items are `serde_json::Value`"),
            );
            Some(Pagination {
                page_type: TypeRef::Builtin(Builtin::Json),
                items: PageField::Pointer(items),
                item_type: TypeRef::Builtin(Builtin::Json),
                next: next.map_fields(PageField::Pointer),
            })
        }
    }
}

/// How the next page is found, with the `x-pagination` pointers still raw.
enum RawNext {
    Number {
        param: String,
        required: bool,
        ty: TypeRef,
        start: i64,
        total_pages: Option<String>,
    },
    Url(String),
}

impl RawNext {
    fn map_fields(self, mut field: impl FnMut(String) -> PageField) -> PageNext {
        match self {
            RawNext::Number {
                param,
                required,
                ty,
                start,
                total_pages,
            } => PageNext::Number {
                param,
                required,
                ty,
                start,
                total_pages: total_pages.map(field),
            },
            RawNext::Url(pointer) => PageNext::Url(field(pointer)),
        }
    }
}

/// The pagination read through the page type's struct fields, or why a pointer cannot be.
fn typed(types: &[TypeDef], page_type: &TypeRef, items: &str, next: &RawNext) -> Result<Pagination, String> {
    let (item_steps, leaf) = field_path(types, page_type, items);
    let item_type = match leaf {
        Some(TypeRef::Vec(item)) => *item,
        _ => return Err(format!("`{items}` does not lead to an array")),
    };
    let next = match next {
        RawNext::Number {
            param,
            required,
            ty,
            start,
            total_pages,
        } => {
            let total_pages = match total_pages {
                None => None,
                Some(pointer) => match field_path(types, page_type, pointer) {
                    (steps, Some(TypeRef::Builtin(b))) if is_count(b) => Some(PageField::Fields(steps)),
                    _ => return Err(format!("`{pointer}` does not lead to a number or string")),
                },
            };
            PageNext::Number {
                param: param.clone(),
                required: *required,
                ty: ty.clone(),
                start: *start,
                total_pages,
            }
        }
        RawNext::Url(pointer) => match field_path(types, page_type, pointer) {
            (steps, Some(TypeRef::Builtin(Builtin::String))) => PageNext::Url(PageField::Fields(steps)),
            _ => return Err(format!("`{pointer}` does not lead to a string")),
        },
    };
    Ok(Pagination {
        page_type: page_type.clone(),
        items: PageField::Fields(item_steps),
        item_type,
        next,
    })
}

/// Builtins a page count can be read from (see the runtime's `PageCount`).
fn is_count(builtin: Builtin) -> bool {
    matches!(
        builtin,
        Builtin::I32 | Builtin::I64 | Builtin::U64 | Builtin::F32 | Builtin::F64 | Builtin::String | Builtin::Json
    )
}

fn is_integer(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Option(inner) => is_integer(inner),
        TypeRef::Builtin(b) => matches!(b, Builtin::I32 | Builtin::I64 | Builtin::U64),
        _ => false,
    }
}

fn without_option(ty: &TypeRef) -> TypeRef {
    match ty {
        TypeRef::Option(inner) => without_option(inner),
        other => other.clone(),
    }
}

/// Follows `pointer` through struct fields (by wire name): the fields passed, and the type
/// reached with `Option`s and aliases stripped (`None` where the pointer leaves the structs,
/// or when the page itself may be absent).
fn field_path(types: &[TypeDef], page: &TypeRef, pointer: &str) -> (Vec<FieldStep>, Option<TypeRef>) {
    let mut steps = Vec::new();
    let Some((0, mut current)) = resolve(types, page) else {
        return (steps, None);
    };
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let Some(field) =
            struct_fields(types, &current).and_then(|fields| fields.iter().find(|f| f.wire_name == segment))
        else {
            return (steps, None);
        };
        // An absent-allowed field is an `Option` on top of its type, unless it is one already.
        let ty = match (&field.ty, field.required) {
            (TypeRef::Option(_), _) | (_, true) => field.ty.clone(),
            (ty, false) => TypeRef::Option(Box::new(ty.clone())),
        };
        let Some((options, resolved)) = resolve(types, &ty) else {
            return (steps, None);
        };
        steps.push(FieldStep {
            field: field.name.clone(),
            options,
        });
        current = resolved;
    }
    (steps, Some(current))
}

/// Strips `Option`s (counted) and aliases; `None` for an alias cycle.
fn resolve(types: &[TypeDef], ty: &TypeRef) -> Option<(usize, TypeRef)> {
    let mut ty = ty.clone();
    let mut options = 0usize;
    // Every step but `Option` moves to another type, so a walk longer than the type table
    // (plus the options around each) is going round a cycle.
    for _ in 0..=types.len().saturating_mul(2) {
        ty = match ty {
            TypeRef::Option(inner) => {
                options = options.saturating_add(1);
                *inner
            }
            TypeRef::Named(id) | TypeRef::Boxed(id) => match &types.get(id.index())?.kind {
                TypeKind::Alias(target) => target.clone(),
                _ => return Some((options, TypeRef::Named(id))),
            },
            other => return Some((options, other)),
        };
    }
    None
}

fn struct_fields<'t>(types: &'t [TypeDef], ty: &TypeRef) -> Option<&'t [Field]> {
    match ty {
        TypeRef::Named(id) => match &types.get(id.index())?.kind {
            TypeKind::Struct(s) => Some(&s.fields),
            _ => None,
        },
        _ => None,
    }
}
