//! Which sent types get a `<Name>Required` struct and `Name::new`.
//!
//! A struct with required fields cannot derive `Default` (it would send empty values for them),
//! so without help a caller spells out every optional field as `None`. For the types the client
//! sends (request bodies, parameters, and every type they use) that have both required fields
//! and fields a caller may leave unset, the struct of the required fields lets the caller write
//! `Name { optional: Some(..), ..Name::new(NameRequired { required: .. }) }`: every field named,
//! a missing required one a compile error, nothing per optional field. Received-only types get
//! nothing (nobody builds them), nor do structs that are all required (a literal is as short)
//! or all optional, nullable required fields included (they derive `Default`).

use std::collections::BTreeSet;

use super::model::{TypeDef, TypeId, TypeKind, TypeRef};

/// Names the required-fields struct of every type in `sent` that needs one, claiming each name
/// with `claim` (the types' naming scope, so it clashes with no type), in type-id order so the
/// names are deterministic.
pub fn name_required_structs(types: &mut [TypeDef], sent: &BTreeSet<TypeId>, mut claim: impl FnMut(&str) -> String) {
    for id in sent {
        let Some(def) = types.get_mut(id.index()) else {
            continue;
        };
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        // A required field that is nullable is an `Option` and lets the struct derive
        // `Default` (emit's rule): only a required field without one needs `new`.
        let has_required = s
            .fields
            .iter()
            .any(|f| f.required && !matches!(f.ty, TypeRef::Option(_)));
        let has_unset = s.additional.is_some() || s.fields.iter().any(|f| !f.required);
        if has_required && has_unset {
            s.required = Some(claim(&format!("{}Required", def.name)));
        }
    }
}
