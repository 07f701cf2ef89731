//! Implied discriminators: a `oneOf` without a `discriminator` whose alternatives are objects
//! told apart by one string-enum property (`type: card` / `type: ideal`) decodes by that
//! property, like a declared discriminator.
//!
//! Without this, the union is untagged and serde takes the first alternative that decodes.
//! Generated string enums are open (they keep unknown values), so the first alternative with
//! the property accepts every object, and the fields only the right alternative names are
//! dropped. When every alternative has the property and their value sets are disjoint, the
//! value selects exactly one alternative, as the schema's `oneOf` does; an object without the
//! property, or with a value no alternative lists, is kept as JSON (`Unknown`), as with a
//! declared discriminator. Runs once every type is built, so forward `$ref`s are resolved.

use std::collections::BTreeSet;

use super::model::{TypeDef, TypeKind, TypeRef};

/// Gives every untagged union whose alternatives are told apart by one string-enum property
/// that property as its discriminator, and each alternative its values as tags.
pub fn infer_discriminators(types: &mut [TypeDef]) {
    for index in 0..types.len() {
        let TypeKind::Union(union) = &types[index].kind else {
            continue;
        };
        if union.discriminator.is_some() || union.variants.len() < 2 {
            continue;
        }
        let Some((property, tags)) = implied_tag(types, union.variants.iter().map(|v| &v.ty)) else {
            continue;
        };
        if let TypeKind::Union(union) = &mut types[index].kind {
            union.discriminator = Some(property);
            for (variant, tags) in union.variants.iter_mut().zip(tags) {
                variant.tags = tags;
            }
        }
    }
}

/// The property that tells the alternatives apart, and each alternative's values of it.
fn implied_tag<'a>(
    types: &[TypeDef],
    alternatives: impl Iterator<Item = &'a TypeRef>,
) -> Option<(String, Vec<Vec<String>>)> {
    let structs = alternatives
        .map(|ty| match &types[named(types, ty)?.index()].kind {
            TypeKind::Struct(s) => Some(s),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    let first = structs.first()?;
    'candidates: for field in &first.fields {
        let mut seen = BTreeSet::new();
        let mut tags = Vec::with_capacity(structs.len());
        for s in &structs {
            let Some(values) = s
                .fields
                .iter()
                .find(|f| f.wire_name == field.wire_name)
                .and_then(|f| enum_values(types, &f.ty))
            else {
                continue 'candidates;
            };
            // Disjoint value sets, or the value does not single out one alternative.
            if values.is_empty() || !values.iter().all(|v| seen.insert(v.clone())) {
                continue 'candidates;
            }
            tags.push(values);
        }
        return Some((field.wire_name.clone(), tags));
    }
    None
}

/// The known values of a string enum type (through `Option` and aliases).
fn enum_values(types: &[TypeDef], ty: &TypeRef) -> Option<Vec<String>> {
    match &types[named(types, ty)?.index()].kind {
        TypeKind::StringEnum(e) => Some(e.variants.iter().map(|v| v.wire_value.clone()).collect()),
        _ => None,
    }
}

/// The named type a use site denotes, looking through `Option`, `Box` and alias chains.
fn named(types: &[TypeDef], ty: &TypeRef) -> Option<super::model::TypeId> {
    let mut ty = ty;
    // Alias chains are finite after `resolve_alias_cycles`; the bound is a guard only.
    for _ in 0..64 {
        match ty {
            TypeRef::Option(inner) => ty = inner,
            TypeRef::Named(id) | TypeRef::Boxed(id) => match &types.get(id.index())?.kind {
                TypeKind::Alias(inner) => ty = inner,
                _ => return Some(*id),
            },
            _ => return None,
        }
    }
    None
}
