//! Untagged unions of structs: which members each alternative declares.
//!
//! serde's untagged decoding takes the first alternative that decodes. Generated structs
//! ignore members they do not name, so an alternative whose fields are all optional decodes
//! any object, and the members only a later alternative names are lost (Intercom's event
//! details: every alternative is a struct of optional fields). A union with at least two
//! struct alternatives records which members each keeps; the emitted decoder gives an object
//! first to an alternative that declares every one of its members, then to one that keeps
//! extra members in a map, and falls back to serde's order. Runs once every type is built
//! (after implied discriminators, which need no such help).

use super::model::{DeclaredMembers, TypeDef, TypeKind, TypeRef};

/// Records, on every untagged union with two or more struct alternatives, the members each
/// of those alternatives keeps.
pub fn record_variant_members(types: &mut [TypeDef]) {
    for index in 0..types.len() {
        let TypeKind::Union(union) = &types[index].kind else {
            continue;
        };
        if union.discriminator.is_some() {
            continue;
        }
        let members: Vec<Option<DeclaredMembers>> =
            union.variants.iter().map(|v| struct_members(types, &v.ty)).collect();
        if members.iter().filter(|m| m.is_some()).count() < 2 {
            continue;
        }
        if let TypeKind::Union(union) = &mut types[index].kind {
            for (variant, members) in union.variants.iter_mut().zip(members) {
                variant.members = members;
            }
        }
    }
}

/// The members a struct keeps (through `Box` and alias chains); `None` for other types.
fn struct_members(types: &[TypeDef], ty: &TypeRef) -> Option<DeclaredMembers> {
    let mut ty = ty;
    // Alias chains are finite after `resolve_alias_cycles`; the bound is a guard only.
    for _ in 0..64 {
        match ty {
            TypeRef::Named(id) | TypeRef::Boxed(id) => match &types.get(id.index())?.kind {
                TypeKind::Alias(inner) => ty = inner,
                TypeKind::Struct(s) if s.additional.is_some() => return Some(DeclaredMembers::Any),
                TypeKind::Struct(s) => {
                    return Some(DeclaredMembers::Only(
                        s.fields.iter().map(|f| f.wire_name.clone()).collect(),
                    ));
                }
                _ => return None,
            },
            _ => return None,
        }
    }
    None
}
