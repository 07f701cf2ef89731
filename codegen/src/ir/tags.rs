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

/// Gives an alternative of a declared discriminator the values its own schema allows for the
/// property, when none of its tags is among them. Without a `mapping` entry the tag is the
/// schema's name (OpenAPI's implicit mapping), but OpenAI's `ComputerAction` names
/// `ClickParam` whose `type` is `enum: [click]`: the API sends `click`, which no tag
/// matched, so every such value was kept as JSON (`Unknown`). Only a value that one
/// alternative alone allows (and no alternative has as a tag) is added: OpenAI's Realtime
/// items are three alternatives of `type: message`, told apart by `role`, and giving
/// `message` to the first would decode a user's message as a system one and drop its audio.
pub fn add_schema_tags(types: &mut [TypeDef]) {
    for index in 0..types.len() {
        let TypeKind::Union(union) = &types[index].kind else {
            continue;
        };
        let Some(property) = &union.discriminator else {
            continue;
        };
        let allowed: Vec<Vec<String>> = union
            .variants
            .iter()
            .map(|variant| {
                named(types, &variant.ty)
                    .and_then(|id| match &types[id.index()].kind {
                        TypeKind::Struct(s) => s.fields.iter().find(|f| f.wire_name == *property),
                        _ => None,
                    })
                    .and_then(|field| enum_values(types, &field.ty))
                    .unwrap_or_default()
            })
            .collect();
        let tags: BTreeSet<&String> = union.variants.iter().flat_map(|v| &v.tags).collect();
        let mut allowed_by: std::collections::BTreeMap<&String, usize> = std::collections::BTreeMap::new();
        for value in allowed.iter().flatten() {
            *allowed_by.entry(value).or_default() += 1;
        }
        let added: Vec<Vec<String>> = union
            .variants
            .iter()
            .zip(&allowed)
            .map(|(variant, allowed)| {
                if variant.tags.iter().any(|t| allowed.contains(t)) {
                    return Vec::new();
                }
                allowed
                    .iter()
                    .filter(|v| allowed_by.get(v) == Some(&1) && !tags.contains(v))
                    .cloned()
                    .collect()
            })
            .collect();
        if let TypeKind::Union(union) = &mut types[index].kind {
            for (variant, values) in union.variants.iter_mut().zip(added) {
                variant.tags.extend(values);
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
