//! Untagged unions of structs: which members each alternative declares, and inside them.
//!
//! serde's untagged decoding takes the first alternative that decodes. Generated structs
//! ignore members they do not name, so an alternative whose fields are all optional decodes
//! any object, and the members only a later alternative names are lost (Intercom's event
//! details: every alternative is a struct of optional fields). Top-level names are not always
//! enough: two of those alternatives have the same members and differ inside one
//! (`value.previous`, `action.result`), and Intercom's search filter is a union of two arrays
//! of structs. So a union with at least two alternatives that are structs or arrays of structs
//! records, per alternative, the members it keeps and recursively what they keep (a bounded
//! depth and count, recursion cut where a struct contains itself); the emitted decoder gives a
//! value first to an alternative that declares every member it carries
//! (`client_runtime::untagged::Members::fits`), then to a struct that keeps extra members in a
//! map, and falls back to serde's order. Runs once every type is built (after implied
//! discriminators, which need no such help).

use super::model::{DeclaredMembers, TypeDef, TypeId, TypeKind, TypeRef};

/// How many objects deep an alternative is described: deeper differences are rare, and every
/// level is code in the decoder.
const MAX_DEPTH: usize = 4;

/// How many members an alternative's description names at most, all levels together; past
/// it, nested structs are described as `Any` (the top level is always named in full).
const MAX_MEMBERS: usize = 256;

/// Records, on every untagged union with two or more alternatives that are structs or arrays
/// of structs, the members each of those alternatives keeps.
pub fn record_variant_members(types: &mut [TypeDef]) {
    for index in 0..types.len() {
        let TypeKind::Union(union) = &types[index].kind else {
            continue;
        };
        if union.discriminator.is_some() {
            continue;
        }
        let members: Vec<Option<DeclaredMembers>> = union
            .variants
            .iter()
            .map(|v| alternative_members(types, &v.ty))
            .collect();
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

/// What an alternative keeps when it is a struct (`Any` when it keeps extra members in a map),
/// an array of structs that declare their members, or a union whose alternatives are such
/// (one of their descriptions: without it a struct alternative that does not fit would still
/// win, in serde's order, over a later union that declares every member, as in OpenAI's
/// stream events); `None` for other types.
fn alternative_members(types: &[TypeDef], ty: &TypeRef) -> Option<DeclaredMembers> {
    let mut describe = Describe {
        types,
        open: Vec::new(),
        budget: MAX_MEMBERS,
    };
    match resolve(types, ty)? {
        ty @ (TypeRef::Named(id) | TypeRef::Boxed(id)) => match &types.get(id.index())?.kind {
            TypeKind::Union(union) => {
                let mut alternatives: Vec<DeclaredMembers> = Vec::new();
                for variant in &union.variants {
                    match describe.alternative(&variant.ty) {
                        // An alternative that keeps any member: the union fits every object.
                        Some(DeclaredMembers::Any) => return None,
                        Some(members) if !alternatives.contains(&members) => alternatives.push(members),
                        // Scalars are told apart by decoding, not by members.
                        _ => {}
                    }
                }
                (!alternatives.is_empty()).then_some(DeclaredMembers::OneOf(alternatives))
            }
            _ => describe.alternative(ty),
        },
        ty => describe.alternative(ty),
    }
}

/// Follows alias and newtype chains (finite after `resolve_alias_cycles`; the bound is a
/// guard only) to the type a value of `ty` decodes as.
fn resolve<'a>(types: &'a [TypeDef], mut ty: &'a TypeRef) -> Option<&'a TypeRef> {
    for _ in 0..64 {
        match ty {
            TypeRef::Named(id) | TypeRef::Boxed(id) => match &types.get(id.index())?.kind {
                TypeKind::Alias(inner) | TypeKind::Newtype(inner) => ty = inner,
                _ => return Some(ty),
            },
            _ => return Some(ty),
        }
    }
    None
}

/// One alternative's description in the making.
struct Describe<'a> {
    types: &'a [TypeDef],
    /// The structs being described, outermost first: a struct met again inside itself is `Any`.
    open: Vec<TypeId>,
    /// Members that may still be named.
    budget: usize,
}

impl Describe<'_> {
    /// What a struct or an array of structs keeps, each described from the top (a struct
    /// already being described is named again: union alternatives are siblings, not nested);
    /// `None` for other types.
    fn alternative(&mut self, ty: &TypeRef) -> Option<DeclaredMembers> {
        match resolve(self.types, ty)? {
            TypeRef::Vec(item) => match self.members(item, MAX_DEPTH) {
                DeclaredMembers::Any => None,
                item => Some(DeclaredMembers::Items(Box::new(item))),
            },
            ty @ (TypeRef::Named(id) | TypeRef::Boxed(id)) => match &self.types.get(id.index())?.kind {
                TypeKind::Struct(_) => Some(self.members(ty, MAX_DEPTH)),
                _ => None,
            },
            _ => None,
        }
    }

    /// What a value of `ty` keeps, looking `depth` objects deep.
    fn members(&mut self, ty: &TypeRef, depth: usize) -> DeclaredMembers {
        let Some(ty) = resolve(self.types, ty) else {
            return DeclaredMembers::Any;
        };
        match ty {
            TypeRef::Option(inner) => self.members(inner, depth),
            TypeRef::Vec(item) => match self.members(item, depth) {
                DeclaredMembers::Any => DeclaredMembers::Any,
                item => DeclaredMembers::Items(Box::new(item)),
            },
            TypeRef::Named(id) | TypeRef::Boxed(id) => self.struct_members(*id, depth),
            TypeRef::Builtin(_) | TypeRef::Map(_) => DeclaredMembers::Any,
        }
    }

    fn struct_members(&mut self, id: TypeId, depth: usize) -> DeclaredMembers {
        let Some(TypeKind::Struct(s)) = self.types.get(id.index()).map(|t| &t.kind) else {
            return DeclaredMembers::Any;
        };
        let outermost = self.open.is_empty();
        let too_far = depth == 0 || self.open.contains(&id) || s.fields.len() > self.budget;
        if s.additional.is_some() || (too_far && !outermost) {
            return DeclaredMembers::Any;
        }
        self.budget = self.budget.saturating_sub(s.fields.len());
        self.open.push(id);
        let members = s
            .fields
            .iter()
            .map(|f| (f.wire_name.clone(), self.members(&f.ty, depth.saturating_sub(1))))
            .collect();
        self.open.pop();
        DeclaredMembers::Object(members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::model::{Builtin, Field, StructDef, UnionDef, UnionVariant};

    fn field(name: &str, ty: TypeRef) -> Field {
        Field {
            name: name.to_owned(),
            wire_name: name.to_owned(),
            ty,
            required: false,
            doc: None,
        }
    }

    fn def(name: &str, kind: TypeKind) -> TypeDef {
        TypeDef {
            name: name.to_owned(),
            pointer: String::new(),
            doc: None,
            kind,
        }
    }

    fn strukt(fields: Vec<Field>) -> TypeKind {
        TypeKind::Struct(StructDef {
            fields,
            additional: None,
            envelope: None,
            required: None,
        })
    }

    fn union(variants: &[TypeRef]) -> TypeKind {
        TypeKind::Union(UnionDef {
            variants: variants
                .iter()
                .enumerate()
                .map(|(i, ty)| UnionVariant {
                    name: format!("V{i}"),
                    ty: ty.clone(),
                    tags: Vec::new(),
                    members: None,
                })
                .collect(),
            discriminator: None,
        })
    }

    fn members_of(types: &[TypeDef], index: usize) -> Vec<Option<DeclaredMembers>> {
        let TypeKind::Union(u) = &types[index].kind else {
            panic!("not a union");
        };
        u.variants.iter().map(|v| v.members.clone()).collect()
    }

    fn named(index: usize) -> TypeRef {
        TypeRef::Named(TypeId::from_index(index))
    }

    fn any(name: &str) -> (String, DeclaredMembers) {
        (name.to_owned(), DeclaredMembers::Any)
    }

    #[test]
    fn alternatives_are_described_inside_their_members() {
        let string = TypeRef::Builtin(Builtin::String);
        let mut types = vec![
            def("Value", strukt(vec![field("name", string.clone())])),
            def(
                "ValueWithPrevious",
                strukt(vec![field("name", string.clone()), field("previous", string.clone())]),
            ),
            def(
                "ByWorkflow",
                strukt(vec![field("value", TypeRef::Option(Box::new(named(0))))]),
            ),
            def("ByAdmin", strukt(vec![field("value", named(1))])),
            def("Details", union(&[named(2), named(3), string])),
        ];
        record_variant_members(&mut types);
        let object = |members: Vec<(String, DeclaredMembers)>| DeclaredMembers::Object(members);
        assert_eq!(
            members_of(&types, 4),
            vec![
                Some(object(vec![("value".to_owned(), object(vec![any("name")]))])),
                Some(object(vec![(
                    "value".to_owned(),
                    object(vec![any("name"), any("previous")])
                )])),
                None,
            ]
        );
    }

    #[test]
    fn arrays_of_structs_are_alternatives_and_recursion_is_cut() {
        let string = TypeRef::Builtin(Builtin::String);
        let mut types = vec![
            // A filter that holds filters: itself, met again inside, is not looked into.
            def(
                "Multiple",
                strukt(vec![
                    field("operator", string.clone()),
                    field("value", TypeRef::Vec(Box::new(TypeRef::Boxed(TypeId::from_index(0))))),
                ]),
            ),
            def("Single", strukt(vec![field("field", string.clone())])),
            def(
                "Value",
                union(&[
                    TypeRef::Vec(Box::new(named(0))),
                    TypeRef::Vec(Box::new(named(1))),
                    TypeRef::Vec(Box::new(string)),
                ]),
            ),
        ];
        record_variant_members(&mut types);
        let items = |members| Some(DeclaredMembers::Items(Box::new(DeclaredMembers::Object(members))));
        assert_eq!(
            members_of(&types, 2),
            vec![
                items(vec![any("operator"), any("value")]),
                items(vec![any("field")]),
                None
            ]
        );
    }

    #[test]
    fn a_union_alternative_is_one_of_its_alternatives_descriptions() {
        let string = TypeRef::Builtin(Builtin::String);
        let mut types = vec![
            def("Thread", strukt(vec![field("id", string.clone())])),
            def(
                "Run",
                strukt(vec![field("id", string.clone()), field("thread_id", string.clone())]),
            ),
            def("Queued", strukt(vec![field("run", named(1))])),
            def("Created", strukt(vec![field("run", named(1))])),
            def(
                "Loose",
                TypeKind::Struct(StructDef {
                    fields: vec![field("note", string.clone())],
                    additional: Some(string.clone()),
                    envelope: None,
                    required: None,
                }),
            ),
            // The same description twice is named once; a scalar alternative is left out.
            def("RunEvent", union(&[named(2), named(3), string.clone()])),
            def("ThreadEvent", strukt(vec![field("thread", named(0))])),
            def("Event", union(&[named(6), named(5)])),
            def("OpenEvent", union(&[named(2), named(4)])),
            def("Either", union(&[named(6), named(8)])),
        ];
        record_variant_members(&mut types);
        let object = |members: Vec<(String, DeclaredMembers)>| DeclaredMembers::Object(members);
        let run = object(vec![("run".to_owned(), object(vec![any("id"), any("thread_id")]))]);
        assert_eq!(
            members_of(&types, 7),
            vec![
                Some(object(vec![("thread".to_owned(), object(vec![any("id")]))])),
                Some(DeclaredMembers::OneOf(vec![run])),
            ]
        );
        // A union with an alternative that keeps any member fits every object: not described,
        // which leaves its outer union one described alternative, so serde's order.
        assert_eq!(members_of(&types, 9), vec![None, None]);
    }

    #[test]
    fn a_union_with_one_struct_alternative_is_left_to_serde() {
        let string = TypeRef::Builtin(Builtin::String);
        let mut types = vec![
            def("Only", strukt(vec![field("a", string.clone())])),
            def("Either", union(&[named(0), string])),
        ];
        record_variant_members(&mut types);
        assert_eq!(members_of(&types, 1), vec![None, None]);
    }
}
