//! How an operation's parameters are taken: by the operation method (positional arguments)
//! and by its builder's setters and fields, which hold them the same way.

use crate::ir::model::{Builtin, TypeRef};

/// How an argument is taken: strings as `&str`, copyable scalars by value, the rest by reference.
pub enum ArgKind {
    /// `&str`.
    Str,
    /// By value (`Copy` scalars, dates, ids).
    Value,
    /// `&T`.
    Ref,
}

/// How an argument of type `ty` is taken.
pub fn arg_kind(ty: &TypeRef) -> ArgKind {
    match ty {
        TypeRef::Builtin(Builtin::String) => ArgKind::Str,
        TypeRef::Builtin(
            Builtin::Bool
            | Builtin::I32
            | Builtin::I64
            | Builtin::U64
            | Builtin::F32
            | Builtin::F64
            | Builtin::Date
            | Builtin::Uuid
            | Builtin::DateTime
            | Builtin::LenientDateTime,
        ) => ArgKind::Value,
        _ => ArgKind::Ref,
    }
}
