//! One type per shape: structurally identical types become one.
//!
//! A spec writes the same object at many places (a nullable `User` inline in every resource
//! that embeds one, a `{code, message}` error in every response); lowering names each from
//! its place, so without this pass each is a struct of its own. Two types are the same shape
//! when they are the same kind with the same fields (Rust and wire names, types, required),
//! extra properties, envelope, enum values or union variants and discriminator: everything
//! the generated code does with a value. Docs do not count.
//!
//! Shapes are compared on the type graph, not by recursing into it: the strongly connected
//! components are visited sinks first, so every type a type refers to already has its class
//! and a type's class is a hash-cons of its signature. Recursive families (one component)
//! are split by partition refinement (Moore): start from their signatures with members'
//! references unknown, refine by the members' current classes until nothing splits, which
//! yields the coarsest partition where equal members refer to equal classes. Refinement is
//! bounded by `MAX_REFINEMENT_ROUNDS`; past it the family's members all stay distinct,
//! which is always sound.
//!
//! Each class then has one definition:
//! - the first component schema in it (table order) keeps its definition; every other
//!   component schema keeps its public name as `pub type Other = First;`;
//! - with no component schema, the first member in table order (component schemas in
//!   document order, then inline schemas in the order the builder met them) is kept,
//!   renamed after the spec's `title` when a member has one and that name is free;
//! - inline members besides the kept one disappear, and every reference to them (in types,
//!   operations, webhooks and schema places) refers to the kept one.
//!
//! Aliases and response enums are never merged: the former are public names, the latter
//! belong to one operation.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::model::{
    Builtin, ErrorShape, Group, Operation, Pagination, Param, PartValue, RequestBody, Response, ResponseBody,
    SuccessShape, TypeDef, TypeId, TypeKind, TypeRef, Webhooks,
};
use super::visit;

/// How many rounds of refinement one recursive family may take before its members are kept
/// apart. Real families settle in a handful of rounds; a round costs the family's size.
const MAX_REFINEMENT_ROUNDS: usize = 64;

/// What the pass needs to know besides the types.
pub struct Facts<'a> {
    /// The component schemas' types: their names are public and kept.
    pub components: &'a BTreeSet<TypeId>,
    /// The `title` of inline schemas that have one.
    pub titles: &'a BTreeMap<TypeId, String>,
}

/// Where each type of the table before the pass went.
#[derive(Debug)]
pub struct Remap {
    /// Old index → new id (the kept type's, for merged ones).
    forward: Vec<TypeId>,
    /// The component schemas the pass made aliases, with the type each now names (new ids).
    aliases: Vec<(TypeId, TypeId)>,
}

impl Remap {
    /// The new id of what `id` was.
    pub fn id(&self, id: TypeId) -> TypeId {
        self.forward.get(id.index()).copied().unwrap_or(id)
    }

    /// Points every generated type in `ty` at its new id.
    pub fn type_ref(&self, ty: &mut TypeRef) {
        let mut node = ty;
        loop {
            match node {
                TypeRef::Named(id) | TypeRef::Boxed(id) => {
                    *id = self.id(*id);
                    return;
                }
                TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) => node = inner,
                TypeRef::Builtin(_) => return,
            }
        }
    }

    /// Points every type reference of the operation groups at its new id, and drops repeats
    /// from each group's type list.
    pub fn groups(&self, groups: &mut [Group]) {
        for group in groups {
            for op in &mut group.operations {
                self.operation(op);
            }
            let mut seen = BTreeSet::new();
            group.types = group
                .types
                .iter()
                .map(|&id| self.id(id))
                .filter(|&id| seen.insert(id))
                .collect();
        }
    }

    /// Written out field by field (no `..`), so a new field that holds a type fails to
    /// compile here until it is remapped too.
    fn operation(&self, op: &mut Operation) {
        let Operation {
            name: _,
            operation_id: _,
            method: _,
            path: _,
            doc: _,
            deprecated: _,
            params,
            builder: _,
            body,
            responses,
            success,
            error,
            retry_safe: _,
            pagination,
        } = op;
        for Param { ty, .. } in params {
            self.type_ref(ty);
        }
        match body.as_mut().map(|b| &mut b.kind) {
            Some(RequestBody::Json(ty) | RequestBody::Form(ty)) => self.type_ref(ty),
            Some(RequestBody::Multipart(form)) => {
                for field in &mut form.fields {
                    if let PartValue::Value(ty) = &mut field.value {
                        self.type_ref(ty);
                    }
                }
            }
            Some(RequestBody::MultipartUntyped | RequestBody::Raw { .. }) | None => {}
        }
        for Response { body, .. } in responses {
            self.response_body(body);
        }
        match success {
            SuccessShape::Single(body) => self.response_body(body),
            SuccessShape::Enum(id) => *id = self.id(*id),
        }
        match error {
            ErrorShape::None => {}
            ErrorShape::Single(ty) => self.type_ref(ty),
            ErrorShape::Enum(id) => *id = self.id(*id),
        }
        if let Some(Pagination {
            page_type, item_type, ..
        }) = pagination
        {
            self.type_ref(page_type);
            self.type_ref(item_type);
        }
    }

    fn response_body(&self, body: &mut ResponseBody) {
        if let ResponseBody::Json(ty) = body {
            self.type_ref(ty);
        }
    }

    /// Points the webhook payloads at their new ids.
    pub fn webhooks(&self, webhooks: &mut Webhooks) {
        for payload in webhooks.events.iter_mut().filter_map(|e| e.payload.as_mut()) {
            self.type_ref(payload);
        }
        webhooks.types = webhooks.types.iter().map(|&id| self.id(id)).collect();
    }

    /// The component schemas the pass turned into `pub type Other = Kept;`, with the kept
    /// type. Uses of `Other` inside merged types now name `Kept`, so whoever needs `Kept`
    /// should get `Other` too (its name is public; a type alias costs nothing to compile).
    pub fn aliases(&self) -> &[(TypeId, TypeId)] {
        &self.aliases
    }

    /// Points the schema places at their new ids.
    pub fn places(&self, places: &mut BTreeMap<String, TypeRef>) {
        places.values_mut().for_each(|ty| self.type_ref(ty));
    }
}

/// Merges structurally identical types in `types` (see the module docs). `claim_title` claims
/// a type name for a title, or says `None` when that name is taken. The returned [`Remap`]
/// must be applied to everything else that holds a type (groups, webhooks, places).
pub fn merge_shapes(
    types: &mut Vec<TypeDef>,
    facts: &Facts<'_>,
    mut claim_title: impl FnMut(&str) -> Option<String>,
) -> Remap {
    let classes = shape_classes(types);
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (index, &class) in classes.iter().enumerate() {
        members.entry(class).or_default().push(index);
    }
    // Old index → the old index of the type that now stands for it.
    let mut kept_as: Vec<usize> = (0..types.len()).collect();
    let mut aliases: Vec<(usize, usize)> = Vec::new();
    for members in members.values().filter(|m| m.len() > 1) {
        let is_component = |index: &&usize| facts.components.contains(&TypeId::from_index(**index));
        let components: Vec<usize> = members.iter().filter(is_component).copied().collect();
        let Some(&keep) = components.first().or(members.first()) else {
            continue;
        };
        for &other in &components[1.min(components.len())..] {
            types[other].kind = TypeKind::Alias(TypeRef::Named(TypeId::from_index(keep)));
            aliases.push((other, keep));
        }
        for &other in members.iter().filter(|index| !is_component(index) && **index != keep) {
            kept_as[other] = keep;
        }
        if components.is_empty() {
            let title = members
                .iter()
                .find_map(|&index| facts.titles.get(&TypeId::from_index(index)));
            if let Some(name) = title.and_then(|title| claim_title(title)) {
                types[keep].name = name;
            }
            if types[keep].doc.is_none() {
                types[keep].doc = members.iter().find_map(|&index| types[index].doc.clone());
            }
        }
    }

    let mut new_index = vec![0usize; types.len()];
    let mut next = 0usize;
    for index in 0..types.len() {
        if kept_as[index] == index {
            new_index[index] = next;
            next += 1;
        }
    }
    let remap = Remap {
        forward: kept_as
            .iter()
            .map(|&keep| TypeId::from_index(new_index[keep]))
            .collect(),
        aliases: Vec::new(),
    };
    let aliases = aliases
        .into_iter()
        .map(|(alias, keep)| (remap.id(TypeId::from_index(alias)), remap.id(TypeId::from_index(keep))))
        .collect();
    let remap = Remap { aliases, ..remap };
    let mut index = 0usize;
    types.retain(|_| {
        let keep = kept_as[index] == index;
        index += 1;
        keep
    });
    for def in types.iter_mut() {
        def_refs_mut(def, |ty| remap.type_ref(ty));
    }
    remap
}

/// Every type written in a definition, for rewriting (the mutable twin of [`visit::def_uses`]).
fn def_refs_mut(def: &mut TypeDef, mut visit: impl FnMut(&mut TypeRef)) {
    match &mut def.kind {
        TypeKind::Struct(s) => {
            s.fields.iter_mut().for_each(|f| visit(&mut f.ty));
            if let Some(extra) = &mut s.additional {
                visit(extra);
            }
        }
        TypeKind::Union(u) => u.variants.iter_mut().for_each(|v| visit(&mut v.ty)),
        TypeKind::Alias(ty) | TypeKind::Newtype(ty) => visit(ty),
        TypeKind::StringEnum(_) => {}
        TypeKind::Responses(variants) => {
            for variant in variants {
                if let ResponseBody::Json(ty) = &mut variant.body {
                    visit(ty);
                }
            }
        }
    }
}

/// A type at a use site with each generated type replaced by its class: the wrappers from
/// the outside in, then what they wrap. Flat, so nesting depth costs no recursion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Use {
    wrappers: Vec<Wrapper>,
    leaf: Leaf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Wrapper {
    Vec,
    Map,
    Option,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Leaf {
    Builtin(Builtin),
    /// A type whose class is settled.
    Class(usize),
    /// A member of the recursive family being refined, by its current block.
    Block(usize),
}

/// Everything that makes two definitions the same Rust type, with references as [`Use`]s.
#[derive(Debug, PartialEq, Eq, Hash)]
enum Signature<'a> {
    Struct {
        fields: Vec<(&'a str, &'a str, Use, bool)>,
        additional: Option<Use>,
        envelope: Option<&'a str>,
    },
    StringEnum(Vec<(&'a str, &'a str)>),
    Union {
        variants: Vec<(&'a str, Use, &'a [String])>,
        discriminator: Option<&'a str>,
    },
    Newtype(Use),
}

/// The signature of a mergeable definition; `leaf` says what a reference to a generated type is.
fn signature<'a>(def: &'a TypeDef, leaf: &impl Fn(TypeId) -> Leaf) -> Option<Signature<'a>> {
    let use_of = |ty: &TypeRef| {
        let mut wrappers = Vec::new();
        let mut node = ty;
        loop {
            match node {
                TypeRef::Vec(inner) => (wrappers.push(Wrapper::Vec), node = inner),
                TypeRef::Map(inner) => (wrappers.push(Wrapper::Map), node = inner),
                TypeRef::Option(inner) => (wrappers.push(Wrapper::Option), node = inner),
                TypeRef::Named(id) | TypeRef::Boxed(id) => {
                    return Use {
                        wrappers,
                        leaf: leaf(*id),
                    }
                }
                TypeRef::Builtin(builtin) => {
                    return Use {
                        wrappers,
                        leaf: Leaf::Builtin(*builtin),
                    }
                }
            };
        }
    };
    Some(match &def.kind {
        TypeKind::Struct(s) => Signature::Struct {
            fields: s
                .fields
                .iter()
                .map(|f| (f.name.as_str(), f.wire_name.as_str(), use_of(&f.ty), f.required))
                .collect(),
            additional: s.additional.as_ref().map(use_of),
            envelope: s.envelope.as_deref(),
        },
        TypeKind::StringEnum(e) => Signature::StringEnum(
            e.variants
                .iter()
                .map(|v| (v.name.as_str(), v.wire_value.as_str()))
                .collect(),
        ),
        TypeKind::Union(u) => Signature::Union {
            variants: u
                .variants
                .iter()
                .map(|v| (v.name.as_str(), use_of(&v.ty), v.tags.as_slice()))
                .collect(),
            discriminator: u.discriminator.as_deref(),
        },
        TypeKind::Newtype(ty) => Signature::Newtype(use_of(ty)),
        TypeKind::Alias(_) | TypeKind::Responses(_) => return None,
    })
}

/// Each type's shape class: equal classes are the same shape.
fn shape_classes(types: &[TypeDef]) -> Vec<usize> {
    const UNSET: usize = usize::MAX;
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|def| {
            let mut out = Vec::new();
            visit::def_uses(def, &mut |ty| visit::named_types(ty, &mut out));
            let mut out: Vec<usize> = out
                .into_iter()
                .map(TypeId::index)
                .filter(|&target| target < types.len())
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect();
    let component = super::cycles::strongly_connected(&edges);
    // Tarjan numbers components sinks first: each one's references lie in earlier ones.
    let mut families: Vec<Vec<usize>> = vec![Vec::new(); component.iter().map(|&c| c + 1).max().unwrap_or(0)];
    for (index, &c) in component.iter().enumerate() {
        families[c].push(index);
    }

    let mut class = vec![UNSET; types.len()];
    let mut next_class = 0usize;
    let mut fresh = || {
        next_class += 1;
        next_class - 1
    };
    let mut table: HashMap<Signature<'_>, usize> = HashMap::new();
    for family in &families {
        let recursive = family.len() > 1 || family.iter().any(|&index| edges[index].contains(&index));
        if !recursive {
            for &index in family {
                let settled = |id: TypeId| Leaf::Class(class.get(id.index()).copied().unwrap_or(UNSET));
                class[index] = match signature(&types[index], &settled) {
                    Some(sig) => match table.entry(sig) {
                        Entry::Occupied(entry) => *entry.get(),
                        Entry::Vacant(entry) => *entry.insert(fresh()),
                    },
                    None => fresh(),
                };
            }
            continue;
        }
        let blocks = refine(types, family, &class);
        let mut block_class: BTreeMap<usize, usize> = BTreeMap::new();
        for (&index, &block) in family.iter().zip(&blocks) {
            class[index] = *block_class.entry(block).or_insert_with(&mut fresh);
        }
        // Register the family's signatures, so what refers into it can merge with its members.
        for &index in family {
            let settled = |id: TypeId| Leaf::Class(class.get(id.index()).copied().unwrap_or(UNSET));
            if let Some(sig) = signature(&types[index], &settled) {
                table.entry(sig).or_insert(class[index]);
            }
        }
    }
    class
}

/// Partition refinement of one recursive family: each member's block, equal blocks being the
/// same shape. References outside the family are settled classes (`class`).
fn refine(types: &[TypeDef], family: &[usize], class: &[usize]) -> Vec<usize> {
    let position: HashMap<usize, usize> = family.iter().enumerate().map(|(at, &index)| (index, at)).collect();
    // Unmergeable members get a block of their own, numbered past any signature's.
    let own_block = |at: usize| family.len() + at;
    let leaf_with = |blocks: &[usize], id: TypeId| match position.get(&id.index()) {
        Some(&at) => Leaf::Block(blocks[at]),
        None => Leaf::Class(class.get(id.index()).copied().unwrap_or(usize::MAX)),
    };
    let mut blocks = vec![0usize; family.len()];
    let mut count = 0usize;
    for _ in 0..MAX_REFINEMENT_ROUNDS {
        let mut numbering: HashMap<(usize, Signature<'_>), usize> = HashMap::new();
        let mut next = Vec::with_capacity(family.len());
        for (at, &index) in family.iter().enumerate() {
            let block = match signature(&types[index], &|id| leaf_with(&blocks, id)) {
                Some(sig) => {
                    let fresh = numbering.len();
                    *numbering.entry((blocks[at], sig)).or_insert(fresh)
                }
                None => own_block(at),
            };
            next.push(block);
        }
        let new_count = numbering.len();
        blocks = next;
        // Blocks only ever split; when none did, the partition is stable.
        if new_count == count {
            return blocks;
        }
        count = new_count;
    }
    (0..family.len()).map(own_block).collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::ir::model::{Ir, ResponseBody, TypeKind, TypeRef};

    fn build(yaml: &str) -> Ir {
        let parsed = crate::parse::parse_bytes(Path::new("test.yaml"), yaml.as_bytes()).expect("spec parses");
        crate::ir::build(&parsed.file, &parsed.document, &parsed.openapi)
            .map(|built| built.ir)
            .unwrap_or_else(|e| panic!("IR builds: {e:?}"))
    }

    fn names(ir: &Ir) -> Vec<&str> {
        ir.types.iter().map(|t| t.name.as_str()).collect()
    }

    fn field_type<'a>(ir: &'a Ir, type_name: &str, field: &str) -> &'a TypeRef {
        let def = ir.types.iter().find(|t| t.name == type_name).expect("type exists");
        let TypeKind::Struct(s) = &def.kind else {
            panic!("{type_name} is not a struct")
        };
        &s.fields.iter().find(|f| f.wire_name == field).expect("field exists").ty
    }

    fn type_name(ir: &Ir, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Named(id) | TypeRef::Boxed(id) => ir.types[id.index()].name.clone(),
            TypeRef::Option(inner) => format!("Option<{}>", type_name(ir, inner)),
            other => format!("{other:?}"),
        }
    }

    const TWO_INLINE_USERS: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Discussion:
      type: object
      properties:
        chosen_by:
          type: object
          description: Who chose the answer.
          required: [id]
          properties:
            id: {type: integer}
            login: {type: string}
        author:
          type: object
          required: [id]
          properties:
            id: {type: integer}
            login: {type: string}
"#;

    #[test]
    fn two_identical_inline_objects_become_one_type() {
        let ir = build(TWO_INLINE_USERS);
        assert_eq!(names(&ir), ["Discussion", "DiscussionChosenBy"]);
        assert_eq!(
            type_name(&ir, field_type(&ir, "Discussion", "author")),
            "DiscussionChosenBy"
        );
        assert_eq!(
            type_name(&ir, field_type(&ir, "Discussion", "chosen_by")),
            "DiscussionChosenBy"
        );
        // The kept type is the first place's, with its description.
        assert_eq!(ir.types[1].doc.as_deref(), Some("Who chose the answer."));
        // Both places read values with the one type.
        let author = &ir.places["/components/schemas/Discussion/properties/author"];
        assert_eq!(type_name(&ir, author), "DiscussionChosenBy");
    }

    #[test]
    fn objects_that_differ_in_one_field_stay_apart() {
        let differing_type = TWO_INLINE_USERS.replacen("login: {type: string}", "login: {type: boolean}", 1);
        let differing_required = TWO_INLINE_USERS.replacen("required: [id]", "required: [id, login]", 1);
        let differing_name = TWO_INLINE_USERS.replacen("login: {type: string}", "name: {type: string}", 1);
        let nullable = TWO_INLINE_USERS.replacen("login: {type: string}", "login: {type: string, nullable: true}", 1);
        for spec in [differing_type, differing_required, differing_name, nullable] {
            let ir = build(&spec);
            assert_eq!(
                names(&ir),
                ["Discussion", "DiscussionChosenBy", "DiscussionAuthor"],
                "{spec}"
            );
        }
    }

    #[test]
    fn inline_copies_fold_into_the_component_and_components_keep_their_names() {
        let ir = build(
            r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /users/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: integer}
                  login: {type: string}
components:
  schemas:
    Issue:
      type: object
      properties:
        assignee:
          type: object
          nullable: true
          properties:
            id: {type: integer}
            login: {type: string}
    User:
      type: object
      properties:
        id: {type: integer}
        login: {type: string}
    Account:
      type: object
      properties:
        id: {type: integer}
        login: {type: string}
"#,
        );
        assert_eq!(names(&ir), ["Issue", "User", "Account"]);
        // A nullable copy is an `Option` of the component, not a type of its own.
        assert_eq!(type_name(&ir, field_type(&ir, "Issue", "assignee")), "Option<User>");
        assert!(matches!(&ir.types[2].kind, TypeKind::Alias(TypeRef::Named(id)) if id.index() == 1));
        let ResponseBody::Json(success) = &ir.groups[0].operations[0].responses[0].body else {
            panic!("a JSON success body")
        };
        assert_eq!(type_name(&ir, success), "User");
    }

    #[test]
    fn merged_inline_types_take_the_title() {
        let spec = TWO_INLINE_USERS.replacen(
            "author:\n          type: object",
            "author:\n          title: simple user\n          type: object",
            1,
        );
        let ir = build(&spec);
        assert_eq!(names(&ir), ["Discussion", "SimpleUser"]);
        assert_eq!(type_name(&ir, field_type(&ir, "Discussion", "chosen_by")), "SimpleUser");
    }

    #[test]
    fn recursive_copies_merge_with_the_recursive_type() {
        // `Node.children` items are a copy of `Node` written out one level: the same infinite
        // shape, so one type. `Leaf` ends the recursion with a different field: a type of its own.
        let ir = build(
            r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Node:
      type: object
      properties:
        name: {type: string}
        children:
          type: array
          items:
            type: object
            properties:
              name: {type: string}
              children:
                type: array
                items: {$ref: '#/components/schemas/Node'}
    Tree:
      type: object
      properties:
        root:
          type: object
          properties:
            name: {type: string}
            children:
              type: array
              items: {$ref: '#/components/schemas/Node'}
        leaf:
          type: object
          properties:
            name: {type: integer}
            children:
              type: array
              items: {$ref: '#/components/schemas/Node'}
"#,
        );
        assert_eq!(names(&ir), ["Node", "Tree", "TreeLeaf"]);
        assert_eq!(type_name(&ir, field_type(&ir, "Tree", "root")), "Node");
        let TypeRef::Vec(item) = field_type(&ir, "Node", "children") else {
            panic!("children is a Vec")
        };
        assert_eq!(type_name(&ir, item), "Node");
    }

    #[test]
    fn recursive_types_that_differ_further_down_stay_apart() {
        // A and B look alike one level down, but B's `next` leads to C, which has a field
        // more: refinement must split them (and C) after two rounds.
        let ir = build(
            r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    A:
      type: object
      properties:
        next: {$ref: '#/components/schemas/B'}
    B:
      type: object
      properties:
        next: {$ref: '#/components/schemas/C'}
    C:
      type: object
      properties:
        next: {$ref: '#/components/schemas/A'}
        extra: {type: integer}
    D:
      type: object
      properties:
        next: {$ref: '#/components/schemas/A'}
        extra: {type: integer}
"#,
        );
        assert_eq!(names(&ir), ["A", "B", "C", "D"]);
        for name in ["A", "B", "C"] {
            let def = ir.types.iter().find(|t| t.name == name).expect("type exists");
            assert!(matches!(def.kind, TypeKind::Struct(_)), "{name} keeps its definition");
        }
        // D is C's shape (outside the cycle, referring into it): the same type, by its own name.
        let d = ir.types.iter().find(|t| t.name == "D").expect("D exists");
        assert!(matches!(&d.kind, TypeKind::Alias(TypeRef::Named(id)) if ir.types[id.index()].name == "C"));
    }

    #[test]
    fn the_result_does_not_depend_on_anything_but_the_document() {
        // Each build hashes with fresh random keys, so a hash-order dependence would show.
        let spec = TWO_INLINE_USERS;
        let first = build(spec);
        for _ in 0..5 {
            let again = build(spec);
            assert_eq!(names(&again), names(&first));
            assert_eq!(format!("{:?}", again.types), format!("{:?}", first.types));
            assert_eq!(format!("{:?}", again.places), format!("{:?}", first.places));
        }
    }
}
