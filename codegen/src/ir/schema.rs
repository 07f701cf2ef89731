//! Lowering schemas into [`TypeDef`]s and [`TypeRef`]s.
//!
//! Two phases, so forward and circular `$ref`s resolve: first every component schema gets a
//! [`TypeId`] and a name, then each is converted. Inline schemas get names from where they
//! stand (`Pet` + `status` → `PetStatus`). What cannot be expressed falls back to
//! `serde_json::Value` with a warning naming the place.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use openapiv3::{
    AdditionalProperties, AnySchema, ReferenceOr, Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};

use super::model::{
    Builtin, EnumVariant, Field, StringEnumDef, StructDef, TypeDef, TypeId, TypeKind, TypeRef, UnionDef, UnionVariant,
};
use crate::diagnostic::{escape_pointer_token, Diagnostic};
use crate::naming::{self, Scope};

/// A schema position: a `$ref` or an inline schema.
#[derive(Clone, Copy)]
pub enum SchemaRef<'a> {
    /// A reference string.
    Ref(&'a str),
    /// An inline schema.
    Inline(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SchemaRef<'a> {
    fn from(value: &'a ReferenceOr<Schema>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(schema) => SchemaRef::Inline(schema),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SchemaRef<'a> {
    fn from(value: &'a ReferenceOr<Box<Schema>>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(schema) => SchemaRef::Inline(schema),
        }
    }
}

const COMPONENT_PREFIX: &str = "#/components/schemas/";

/// Builds the crate's types from a document's schemas.
pub struct TypeBuilder<'a> {
    file: &'a Path,
    document: &'a serde_json::Value,
    components: BTreeMap<&'a str, &'a ReferenceOr<Schema>>,
    /// The types built so far; `TypeId`s index this.
    pub types: Vec<TypeDef>,
    names: Scope,
    ref_ids: BTreeMap<String, TypeId>,
    /// Named types whose own schema is nullable: every use is an `Option`.
    nullable: BTreeSet<TypeId>,
    /// Refs being resolved from the raw document, to stop infinite inlining.
    resolving: BTreeSet<String>,
    /// What each ref outside components was lowered to: every later use takes it. Lowered
    /// again at each use, a schema that refers twice to one that refers twice to ... (a
    /// binary tree of refs, 20 levels in a few KB) took 2^20 lowerings.
    lowered_refs: BTreeMap<String, TypeRef>,
    /// How many [`TypeBuilder::lower`] calls are under way, to bound the recursion.
    depth: usize,
    /// How many more union alternatives may get object keywords merged in (each one a new
    /// type), so nested unions cannot multiply the output without bound.
    distribution_budget: usize,
    /// Warnings about fallbacks.
    pub warnings: Vec<Diagnostic>,
    /// Errors that stop generation (dangling refs).
    pub errors: Vec<Diagnostic>,
    /// The type of every schema place lowered so far: JSON pointer → type at that place.
    pub places: BTreeMap<String, TypeRef>,
    /// The `title` of each inline schema that got a type of its own and has one (what
    /// [`super::dedup`] names a merged type by).
    pub titles: BTreeMap<TypeId, String>,
}

impl<'a> TypeBuilder<'a> {
    /// Reserves a type for every component schema, then converts them all.
    pub fn new(
        file: &'a Path,
        document: &'a serde_json::Value,
        schemas: impl IntoIterator<Item = (&'a String, &'a ReferenceOr<Schema>)>,
        reserved_names: &[&str],
    ) -> Self {
        let mut builder = Self {
            file,
            document,
            components: BTreeMap::new(),
            types: Vec::new(),
            names: Scope::with_reserved(reserved_names.iter().copied()),
            ref_ids: BTreeMap::new(),
            nullable: BTreeSet::new(),
            resolving: BTreeSet::new(),
            lowered_refs: BTreeMap::new(),
            depth: 0,
            distribution_budget: MAX_DISTRIBUTED_ALTERNATIVES,
            warnings: Vec::new(),
            errors: Vec::new(),
            places: BTreeMap::new(),
            titles: BTreeMap::new(),
        };
        let schemas: Vec<_> = schemas.into_iter().collect();
        for (name, schema) in &schemas {
            let pointer = format!("/components/schemas/{}", escape_pointer_token(name));
            let id = builder.reserve(name, pointer);
            builder
                .ref_ids
                .insert(format!("{COMPONENT_PREFIX}{}", escape_pointer_token(name)), id);
            builder.components.insert(name.as_str(), schema);
            if let ReferenceOr::Item(schema) = schema {
                if schema.schema_data.nullable {
                    builder.nullable.insert(id);
                }
            }
        }
        for (name, schema) in schemas {
            let id = builder.ref_ids[&format!("{COMPONENT_PREFIX}{}", escape_pointer_token(name))];
            let pointer = builder.types[id.index()].pointer.clone();
            let type_name = builder.types[id.index()].name.clone();
            let (kind, doc) = match schema {
                ReferenceOr::Reference { reference } => (TypeKind::Alias(builder.lower_ref(reference, &pointer)), None),
                ReferenceOr::Item(schema) => (
                    builder.lower_definition(schema, &type_name, &pointer),
                    schema_doc(schema),
                ),
            };
            builder.types[id.index()].kind = kind;
            builder.types[id.index()].doc = doc;
            if let ReferenceOr::Item(schema) = schema {
                builder.mark_envelope(id, schema, &pointer);
            }
            let place = if builder.nullable.contains(&id) {
                TypeRef::Option(Box::new(TypeRef::Named(id)))
            } else {
                TypeRef::Named(id)
            };
            builder.places.insert(pointer, place);
        }
        builder
    }

    /// `x-envelope: <property>` on a component object: the property wraps the record, and
    /// the generated struct gets `client_runtime::Envelope`. It must name a required property.
    fn mark_envelope(&mut self, id: TypeId, schema: &Schema, pointer: &str) {
        let Some(value) = schema.schema_data.extensions.get("x-envelope") else {
            return;
        };
        let Some(property) = value.as_str() else {
            self.warn(pointer, "x-envelope must name a property; ignored");
            return;
        };
        let TypeKind::Struct(def) = &mut self.types[id.index()].kind else {
            self.warn(
                pointer,
                format!("x-envelope `{property}` on a schema that is not an object; ignored"),
            );
            return;
        };
        match def.fields.iter().find(|f| f.wire_name == property) {
            Some(field) if field.required && !matches!(field.ty, TypeRef::Option(_)) => {
                def.envelope = Some(field.name.clone());
            }
            Some(_) => self.warn(
                pointer,
                format!("x-envelope `{property}` names a property that is optional or nullable; ignored"),
            ),
            None => self.warn(pointer, format!("x-envelope `{property}` names no property; ignored")),
        }
    }

    fn reserve(&mut self, raw_name: &str, pointer: String) -> TypeId {
        let name = self.names.claim(naming::type_name(raw_name));
        self.types.push(TypeDef {
            name,
            pointer,
            doc: None,
            kind: TypeKind::Alias(TypeRef::Builtin(Builtin::Json)),
        });
        TypeId::from_index(self.types.len() - 1)
    }

    /// Adds a type with a fresh name derived from `hint` (e.g. a response enum).
    pub fn add_type(&mut self, hint: &str, pointer: &str, doc: Option<String>, kind: TypeKind) -> TypeId {
        let id = self.reserve(hint, pointer.to_owned());
        self.types[id.index()].doc = doc;
        self.types[id.index()].kind = kind;
        id
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Diagnostic::at_pointer(self.file, pointer, message));
    }

    /// Records a warning at `pointer`.
    pub fn warn_at(&mut self, pointer: &str, message: String) {
        self.warn(pointer, message);
    }

    /// Claims a crate-unique type name derived from `hint` (for types emitted outside the IR's list).
    pub fn claim_name(&mut self, hint: &str) -> String {
        self.names.claim(naming::type_name(hint))
    }

    /// Claims the type name derived from `hint` as it is, or `None` when it is taken (no
    /// numbered variant: a merged type named after a title would rather keep its place name).
    pub fn claim_exact_name(&mut self, hint: &str) -> Option<String> {
        let name = naming::type_name(hint);
        (!self.names.contains(&name)).then(|| self.names.claim(name))
    }

    /// The types of the component schemas, whose names are public.
    pub fn component_ids(&self) -> BTreeSet<TypeId> {
        self.ref_ids.values().copied().collect()
    }

    /// The type of a schema at a use site. `hint` names inline types created for it.
    ///
    /// Records the result in [`TypeBuilder::places`], so that tools (the conformance check)
    /// know which Rust type reads the values found at `pointer`.
    ///
    /// Lowering recurses into inline schemas and into `$ref`s outside components (which are
    /// inlined), so a chain of those could go as deep as the document is long; past
    /// `MAX_SCHEMA_DEPTH` levels the schema is typed as JSON with a warning.
    pub fn lower(&mut self, schema: SchemaRef<'_>, hint: &str, pointer: &str) -> TypeRef {
        if self.depth >= MAX_SCHEMA_DEPTH {
            self.warn(
                pointer,
                format!("schemas nest deeper than {MAX_SCHEMA_DEPTH} levels here; typed as JSON"),
            );
            return TypeRef::Builtin(Builtin::Json);
        }
        self.depth += 1;
        let ty = match schema {
            SchemaRef::Ref(reference) => self.lower_ref(reference, pointer),
            SchemaRef::Inline(schema) => self.lower_inline(schema, hint, pointer),
        };
        self.depth -= 1;
        self.places.insert(pointer.to_owned(), ty.clone());
        ty
    }

    fn lower_ref(&mut self, reference: &str, pointer: &str) -> TypeRef {
        if let Some(&id) = self.ref_ids.get(reference) {
            let named = TypeRef::Named(id);
            return if self.nullable.contains(&id) {
                TypeRef::Option(Box::new(named))
            } else {
                named
            };
        }
        // Not a component schema: resolve the pointer in the raw document and lower it as an
        // inline schema, once, under a name taken from the pointer's last token.
        let Some(target) = reference.strip_prefix('#').and_then(|p| self.document.pointer(p)) else {
            self.errors.push(Diagnostic::at_pointer(
                self.file,
                pointer,
                format!("dangling $ref `{reference}`: nothing at that place"),
            ));
            return TypeRef::Builtin(Builtin::Json);
        };
        if let Some(ty) = self.lowered_refs.get(reference) {
            return ty.clone();
        }
        if !self.resolving.insert(reference.to_owned()) {
            self.warn(
                pointer,
                format!("recursive $ref `{reference}` outside components is typed as JSON"),
            );
            return TypeRef::Builtin(Builtin::Json);
        }
        let lowered = match serde_json::from_value::<Schema>(target.clone()) {
            Ok(schema) => {
                let hint = reference.rsplit('/').next().unwrap_or("Value").to_owned();
                let target_pointer = reference.trim_start_matches('#').to_owned();
                self.lower_inline(&schema, &hint, &target_pointer)
            }
            Err(e) => {
                self.warn(
                    pointer,
                    format!("$ref `{reference}` is not a schema ({e}); typed as JSON"),
                );
                TypeRef::Builtin(Builtin::Json)
            }
        };
        self.resolving.remove(reference);
        self.lowered_refs.insert(reference.to_owned(), lowered.clone());
        lowered
    }

    fn lower_inline(&mut self, schema: &Schema, hint: &str, pointer: &str) -> TypeRef {
        let ty = self.lower_shape(schema, hint, pointer);
        if schema.schema_data.nullable && !matches!(ty, TypeRef::Option(_)) {
            TypeRef::Option(Box::new(ty))
        } else {
            ty
        }
    }

    /// Creates a named type for `kind`, or returns the builtin it reduces to.
    fn named(&mut self, schema: &Schema, hint: &str, pointer: &str, kind: TypeKind) -> TypeRef {
        if let TypeKind::Alias(inner) = kind {
            return inner;
        }
        let id = self.add_type(hint, pointer, schema_doc(schema), kind);
        if let Some(title) = schema.schema_data.title.as_deref().filter(|t| !t.trim().is_empty()) {
            self.titles.insert(id, title.to_owned());
        }
        TypeRef::Named(id)
    }

    fn lower_shape(&mut self, schema: &Schema, hint: &str, pointer: &str) -> TypeRef {
        let kind = self.lower_definition(schema, hint, pointer);
        self.named(schema, hint, pointer, kind)
    }

    /// The kind of a type defined by `schema`; `Alias` when it needs no definition of its own.
    fn lower_definition(&mut self, schema: &Schema, name: &str, pointer: &str) -> TypeKind {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                let values: Vec<&str> = s.enumeration.iter().flatten().map(String::as_str).collect();
                if !values.is_empty() {
                    return string_enum(&values);
                }
                let lenient =
                    schema.schema_data.extensions.get("x-lenient-date-time") == Some(&serde_json::Value::Bool(true));
                TypeKind::Alias(TypeRef::Builtin(match &s.format {
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) if lenient => Builtin::LenientDateTime,
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => Builtin::DateTime,
                    VariantOrUnknownOrEmpty::Item(StringFormat::Date) => Builtin::Date,
                    VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => Builtin::Uuid,
                    _ => Builtin::String,
                }))
            }
            SchemaKind::Type(Type::Integer(i)) => TypeKind::Alias(TypeRef::Builtin(integer_type(
                matches!(
                    &i.format,
                    VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32)
                ),
                i.minimum,
                format_name(&i.format),
            ))),
            SchemaKind::Type(Type::Number(n)) => TypeKind::Alias(TypeRef::Builtin(
                if matches!(&n.format, VariantOrUnknownOrEmpty::Item(openapiv3::NumberFormat::Float)) {
                    Builtin::F32
                } else {
                    Builtin::F64
                },
            )),
            SchemaKind::Type(Type::Boolean(_)) => TypeKind::Alias(TypeRef::Builtin(Builtin::Bool)),
            SchemaKind::Type(Type::Array(a)) => TypeKind::Alias(self.lower_array(a.items.as_ref(), name, pointer)),
            SchemaKind::Type(Type::Object(o)) => self.lower_object(
                &o.properties,
                &o.required,
                o.additional_properties.as_ref(),
                name,
                pointer,
            ),
            SchemaKind::OneOf { one_of } => self.lower_union(schema, one_of, None, name, &format!("{pointer}/oneOf")),
            SchemaKind::AnyOf { any_of } => self.lower_union(schema, any_of, None, name, &format!("{pointer}/anyOf")),
            SchemaKind::AllOf { all_of } => self.lower_all_of(all_of, name, pointer),
            SchemaKind::Not { .. } => TypeKind::Alias(TypeRef::Builtin(Builtin::Json)),
            SchemaKind::Any(any) => self.lower_any(schema, any, name, pointer),
        }
    }

    fn lower_array(&mut self, items: Option<&ReferenceOr<Box<Schema>>>, name: &str, pointer: &str) -> TypeRef {
        let item = match items {
            Some(items) => self.lower(items.into(), &format!("{name}Item"), &format!("{pointer}/items")),
            None => TypeRef::Builtin(Builtin::Json),
        };
        TypeRef::Vec(Box::new(item))
    }

    fn lower_object(
        &mut self,
        properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        name: &str,
        pointer: &str,
    ) -> TypeKind {
        let additional_ty = match additional {
            Some(AdditionalProperties::Schema(schema)) => Some(self.lower(
                schema.as_ref().into(),
                &format!("{name}Value"),
                &format!("{pointer}/additionalProperties"),
            )),
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Builtin(Builtin::Json)),
            Some(AdditionalProperties::Any(false)) | None => None,
        };
        if properties.is_empty() {
            return TypeKind::Alias(match additional_ty {
                Some(TypeRef::Builtin(Builtin::Json)) | None => TypeRef::Builtin(Builtin::JsonObject),
                Some(value) => TypeRef::Map(Box::new(value)),
            });
        }
        let mut fields = Vec::with_capacity(properties.len());
        let mut scope = Scope::with_reserved(["additional_properties"]);
        for (wire_name, property) in properties {
            let field_pointer = format!("{pointer}/properties/{}", escape_pointer_token(wire_name));
            let hint = format!("{name}{}", naming::camel(wire_name));
            let ty = self.lower(property.into(), &hint, &field_pointer);
            let doc = match property {
                ReferenceOr::Item(schema) => schema_doc(schema),
                ReferenceOr::Reference { .. } => None,
            };
            fields.push(Field {
                name: scope.claim(naming::snake(wire_name)),
                wire_name: wire_name.clone(),
                ty,
                required: required.contains(wire_name),
                doc,
            });
        }
        TypeKind::Struct(StructDef {
            fields,
            additional: additional_ty,
            envelope: None,
            required: None,
        })
    }

    fn lower_any(&mut self, schema: &Schema, any: &AnySchema, name: &str, pointer: &str) -> TypeKind {
        // Object keywords beside a composition (`type: object, properties, allOf` or
        // `properties, oneOf`) constrain the value as much as the members do.
        let siblings = object_siblings(any);
        if !any.all_of.is_empty() {
            let Some(siblings) = siblings else {
                return self.lower_all_of(&any.all_of, name, pointer);
            };
            let mut members = any.all_of.clone();
            members.push(ReferenceOr::Item(siblings));
            return self.lower_all_of(&members, name, pointer);
        }
        if !any.one_of.is_empty() {
            let pointer = format!("{pointer}/oneOf");
            return self.lower_union(schema, &any.one_of, siblings.as_ref(), name, &pointer);
        }
        if !any.any_of.is_empty() {
            let pointer = format!("{pointer}/anyOf");
            return self.lower_union(schema, &any.any_of, siblings.as_ref(), name, &pointer);
        }
        if !any.properties.is_empty() || any.typ.as_deref() == Some("object") {
            return self.lower_object(
                &any.properties,
                &any.required,
                any.additional_properties.as_ref(),
                name,
                pointer,
            );
        }
        // `items` beside another type (`type: string, items: ...`, seen in Xero's spec) is a
        // stray keyword: the type says what the value is.
        if any.typ.as_deref() == Some("array") || any.items.is_some() && any.typ.is_none() {
            return TypeKind::Alias(self.lower_array(any.items.as_ref(), name, pointer));
        }
        let strings: Vec<&str> = any.enumeration.iter().filter_map(|v| v.as_str()).collect();
        if !strings.is_empty() && strings.len() == any.enumeration.iter().filter(|v| !v.is_null()).count() {
            return string_enum(&strings);
        }
        TypeKind::Alias(TypeRef::Builtin(match any.typ.as_deref() {
            Some("string") => Builtin::String,
            Some("integer") => integer_type(any.format.as_deref() == Some("int32"), None, any.format.as_deref()),
            Some("number") => Builtin::F64,
            Some("boolean") => Builtin::Bool,
            _ => Builtin::Json,
        }))
    }

    /// Lowers a `oneOf`/`anyOf`. `siblings`, the object keywords beside it, are merged into
    /// every alternative (`A and (B1 or B2)` is `(A and B1) or (A and B2)`), so each variant
    /// has the fields every object has as well as its own.
    fn lower_union(
        &mut self,
        schema: &Schema,
        alternatives: &[ReferenceOr<Schema>],
        siblings: Option<&Schema>,
        name: &str,
        pointer: &str,
    ) -> TypeKind {
        // 3.1's `anyOf: [X, {type: "null"}]` arrives normalised as a bare `{nullable: true}`
        // alternative: it makes the union nullable rather than adding a variant.
        let (nulls, alternatives): (Vec<_>, Vec<_>) = alternatives.iter().partition(|a| is_null_only(a));
        if !nulls.is_empty() {
            let owned: Vec<ReferenceOr<Schema>> = alternatives.into_iter().cloned().collect();
            let inner = match self.lower_union(schema, &owned, siblings, name, pointer) {
                TypeKind::Alias(ty) => ty,
                kind => TypeRef::Named(self.add_type(name, pointer, schema_doc(schema), kind)),
            };
            return TypeKind::Alias(match inner {
                TypeRef::Option(_) => inner,
                other => TypeRef::Option(Box::new(other)),
            });
        }
        let alternatives: Vec<&ReferenceOr<Schema>> = alternatives;
        let siblings = match siblings {
            Some(_) if self.distribution_budget < alternatives.len() => {
                self.warn(
                    pointer,
                    format!(
                        "more than {MAX_DISTRIBUTED_ALTERNATIVES} union alternatives with object keywords beside them; \
                         these alternatives are typed without them"
                    ),
                );
                None
            }
            Some(siblings) => {
                self.distribution_budget -= alternatives.len();
                Some(siblings)
            }
            None => None,
        };
        if let [single] = alternatives.as_slice() {
            let merged = siblings.map(|siblings| merged_with(siblings, single));
            let single = merged.as_ref().map_or((*single).into(), SchemaRef::Inline);
            return TypeKind::Alias(self.lower(single, name, &format!("{pointer}/0")));
        }
        let discriminator = schema.schema_data.discriminator.as_ref();
        let mut scope = Scope::with_reserved(["Unknown"]);
        let mut variants: Vec<UnionVariant> = Vec::with_capacity(alternatives.len());
        for (index, alternative) in alternatives.iter().enumerate() {
            let alt_pointer = format!("{pointer}/{index}");
            let (variant_hint, tags) = match alternative {
                ReferenceOr::Reference { reference } => {
                    let short = reference.rsplit('/').next().unwrap_or("Variant").to_owned();
                    let tags: Vec<String> = match discriminator {
                        Some(d) if d.mapping.values().any(|target| target == reference) => d
                            .mapping
                            .iter()
                            .filter(|(_, target)| *target == reference)
                            .map(|(tag, _)| tag.clone())
                            .collect(),
                        Some(_) => vec![short.clone()],
                        None => Vec::new(),
                    };
                    (short, tags)
                }
                ReferenceOr::Item(alt) => (
                    alt.schema_data.title.clone().unwrap_or_else(|| kind_word(alt)),
                    Vec::new(),
                ),
            };
            let merged = siblings.map(|siblings| merged_with(siblings, alternative));
            let ty = self.lower(
                merged.as_ref().map_or((*alternative).into(), SchemaRef::Inline),
                &format!("{name}{}", naming::camel(&variant_hint)),
                &alt_pointer,
            );
            // Alternatives that reduce to the same Rust type would make an ambiguous untagged enum.
            if variants.iter().any(|v| v.ty == ty) {
                continue;
            }
            variants.push(UnionVariant {
                name: scope.claim(naming::camel(&variant_hint)),
                ty,
                tags,
                members: None,
            });
        }
        if let Some(d) = discriminator {
            let schema_pointer = pointer
                .strip_suffix("/oneOf")
                .or_else(|| pointer.strip_suffix("/anyOf"))
                .unwrap_or(pointer);
            for (tag, target) in &d.mapping {
                let names_an_alternative = alternatives.iter().any(|alt| {
                    matches!(alt, ReferenceOr::Reference { reference }
                        if reference == target || reference.rsplit('/').next() == Some(target.as_str()))
                });
                if !names_an_alternative {
                    self.warn(
                        &format!("{schema_pointer}/discriminator/mapping"),
                        format!("the discriminator mapping `{tag}` → `{target}` names no alternative of this union; the entry is ignored"),
                    );
                }
            }
        }
        let discriminator = discriminator
            .filter(|_| variants.iter().all(|v| !v.tags.is_empty()))
            .map(|d| d.property_name.clone());
        if discriminator.is_none() {
            // serde tries untagged variants in order: put the most specific (structs, then
            // enums) before catch-alls such as strings and JSON values.
            variants.sort_by_key(|v| self.untagged_rank(&v.ty));
        }
        TypeKind::Union(UnionDef {
            variants,
            discriminator,
        })
    }

    fn untagged_rank(&self, ty: &TypeRef) -> u8 {
        match ty {
            TypeRef::Named(id) | TypeRef::Boxed(id) => match &self.types[id.index()].kind {
                TypeKind::Struct(s) if s.fields.iter().any(|f| f.required) => 0,
                TypeKind::Struct(_) => 2,
                TypeKind::StringEnum(_) => 3,
                TypeKind::Newtype(_) => 1,
                TypeKind::Union(_) | TypeKind::Alias(_) | TypeKind::Responses(_) => 4,
            },
            TypeRef::Builtin(Builtin::Bool | Builtin::I32 | Builtin::I64 | Builtin::U64) => 5,
            TypeRef::Builtin(Builtin::F32 | Builtin::F64) => 6,
            TypeRef::Vec(_) | TypeRef::Map(_) => 1,
            TypeRef::Builtin(Builtin::DateTime | Builtin::LenientDateTime | Builtin::Date | Builtin::Uuid) => 3,
            TypeRef::Builtin(Builtin::String) => 7,
            TypeRef::Option(inner) => self.untagged_rank(inner),
            TypeRef::Builtin(Builtin::JsonObject) => 8,
            TypeRef::Builtin(Builtin::Json | Builtin::Unit) => 9,
        }
    }

    /// Merges allOf members into one struct: properties and `required` from every member,
    /// following `$ref`s and nested allOf.
    fn lower_all_of(&mut self, members: &[ReferenceOr<Schema>], name: &str, pointer: &str) -> TypeKind {
        // A lone member (typically a `$ref` wrapped to carry `nullable` or a description) is that type.
        if let [single] = members {
            return TypeKind::Alias(self.lower(single.into(), name, &format!("{pointer}/allOf/0")));
        }
        if let Some(union) = self.single_union_member(members) {
            // `allOf: [A, {oneOf: [B1, B2]}]` is `oneOf: [A and B1, A and B2]`.
            let mut rest: Vec<ReferenceOr<Schema>> = members
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != union.index)
                .map(|(_, member)| member.clone())
                .collect();
            rest.extend(union.siblings.map(ReferenceOr::Item));
            let siblings = Schema {
                schema_data: openapiv3::SchemaData::default(),
                schema_kind: SchemaKind::AllOf { all_of: rest },
            };
            let pointer = format!("{pointer}/allOf/{}", union.index);
            return self.lower_union(&union.schema, &union.alternatives, Some(&siblings), name, &pointer);
        }
        let mut merge = Merge::default();
        for member in members {
            if !self.collect_object(member.into(), &mut merge) {
                self.warn(
                    pointer,
                    format!("allOf merges more than {MAX_ALL_OF_MEMBERS} schemas; typed as a JSON object"),
                );
                return TypeKind::Alias(TypeRef::Builtin(Builtin::JsonObject));
            }
        }
        if merge.unmergeable && merge.properties.is_empty() {
            // e.g. allOf of a string and a constraint: type it as the first member.
            if let Some(first) = members.first() {
                return TypeKind::Alias(self.lower(first.into(), name, &format!("{pointer}/allOf/0")));
            }
        }
        if !merge.says_object {
            // Only annotations (`allOf: [{}, {description}, {example}]`): any JSON value is
            // allowed, not only objects.
            return TypeKind::Alias(TypeRef::Builtin(Builtin::Json));
        }
        self.lower_object(
            &merge.properties,
            &merge.required,
            merge.additional.as_ref(),
            name,
            &format!("{pointer}/allOf"),
        )
    }

    /// The one member of an `allOf` that is a `oneOf`/`anyOf` (resolved); `None` when there
    /// is none or more than one.
    fn single_union_member(&self, members: &[ReferenceOr<Schema>]) -> Option<UnionMember> {
        let mut found = None;
        for (index, member) in members.iter().enumerate() {
            let schema = match member {
                ReferenceOr::Reference { reference } => match self.resolve_schema(reference) {
                    Some(schema) => schema,
                    None => continue,
                },
                ReferenceOr::Item(schema) => schema.clone(),
            };
            let (alternatives, siblings) = match &schema.schema_kind {
                SchemaKind::OneOf { one_of } => (one_of.clone(), None),
                SchemaKind::AnyOf { any_of } => (any_of.clone(), None),
                SchemaKind::Any(any) if any.all_of.is_empty() && !any.one_of.is_empty() => {
                    (any.one_of.clone(), object_siblings(any))
                }
                SchemaKind::Any(any) if any.all_of.is_empty() && !any.any_of.is_empty() => {
                    (any.any_of.clone(), object_siblings(any))
                }
                _ => continue,
            };
            if found.is_some() {
                return None;
            }
            found = Some(UnionMember {
                index,
                schema,
                alternatives,
                siblings,
            });
        }
        found
    }

    /// Gathers into `merge` the properties of `member` and everything it includes through
    /// `$ref`s and nested `allOf`s, depth first in document order (later members override
    /// earlier ones).
    ///
    /// A work stack rather than recursion, so a long chain of `allOf`s cannot exhaust the
    /// stack; `merge.seen` stops reference cycles. Returns `false` when the merge would visit
    /// more than [`MAX_ALL_OF_MEMBERS`] schemas.
    fn collect_object(&mut self, member: SchemaRef<'_>, merge: &mut Merge) -> bool {
        let mut stack: Vec<ReferenceOr<Schema>> = vec![match member {
            SchemaRef::Ref(reference) => ReferenceOr::Reference {
                reference: reference.to_owned(),
            },
            SchemaRef::Inline(schema) => ReferenceOr::Item(schema.clone()),
        }];
        while let Some(next) = stack.pop() {
            if merge.seen.len() > MAX_ALL_OF_MEMBERS {
                return false;
            }
            let schema = match next {
                ReferenceOr::Reference { reference } => {
                    if !merge.seen.insert(reference.clone()) {
                        continue;
                    }
                    match self.resolve_schema(&reference) {
                        Some(schema) => schema,
                        None => {
                            merge.unmergeable = true;
                            continue;
                        }
                    }
                }
                ReferenceOr::Item(schema) => schema,
            };
            // Children are pushed in reverse so they are taken in document order.
            let (props, req, extra, nested): (_, _, _, &[ReferenceOr<Schema>]) = match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => {
                    merge.says_object = true;
                    (&o.properties, &o.required, &o.additional_properties, &[])
                }
                SchemaKind::Any(any) => {
                    merge.says_object |= any.typ.as_deref() == Some("object")
                        || !any.properties.is_empty()
                        || !any.required.is_empty()
                        || any.additional_properties.is_some();
                    (&any.properties, &any.required, &any.additional_properties, &any.all_of)
                }
                SchemaKind::AllOf { all_of } => {
                    stack.extend(all_of.iter().rev().cloned());
                    continue;
                }
                _ => {
                    merge.unmergeable = true;
                    continue;
                }
            };
            for (name, property) in props {
                merge.properties.insert(name.clone(), property.clone());
            }
            merge.required.extend(req.iter().cloned());
            if extra.is_some() {
                merge.additional.clone_from(extra);
            }
            stack.extend(nested.iter().rev().cloned());
        }
        true
    }

    /// The schema a `$ref` points at, from components or the raw document.
    ///
    /// Component aliases (`A: {$ref: B}`) are followed in a loop; `None` when they close a
    /// cycle or lead nowhere.
    pub fn resolve_schema(&self, reference: &str) -> Option<Schema> {
        let mut current = reference;
        let mut followed: BTreeSet<&str> = BTreeSet::new();
        loop {
            if let Some(name) = current.strip_prefix(COMPONENT_PREFIX) {
                let name = if name.contains('~') {
                    std::borrow::Cow::Owned(name.replace("~1", "/").replace("~0", "~"))
                } else {
                    std::borrow::Cow::Borrowed(name)
                };
                match self.components.get(name.as_ref()) {
                    Some(ReferenceOr::Item(schema)) => return Some(schema.clone()),
                    Some(ReferenceOr::Reference { reference }) => {
                        if !followed.insert(reference) {
                            return None;
                        }
                        current = reference;
                        continue;
                    }
                    None => {}
                }
            }
            let target = current.strip_prefix('#').and_then(|p| self.document.pointer(p))?;
            return serde_json::from_value(target.clone()).ok();
        }
    }
}

/// The object keywords of a schema that also composes (`properties`, `required`,
/// `additionalProperties`), as a schema of their own; `None` when it has none.
fn object_siblings(any: &AnySchema) -> Option<Schema> {
    if any.properties.is_empty() && any.required.is_empty() && any.additional_properties.is_none() {
        return None;
    }
    Some(Schema {
        schema_data: openapiv3::SchemaData::default(),
        schema_kind: SchemaKind::Any(AnySchema {
            typ: Some("object".to_owned()),
            properties: any.properties.clone(),
            required: any.required.clone(),
            additional_properties: any.additional_properties.clone(),
            ..AnySchema::default()
        }),
    })
}

/// `allOf: [siblings, alternative]`, keeping the alternative's title (its variant's name).
fn merged_with(siblings: &Schema, alternative: &ReferenceOr<Schema>) -> Schema {
    let title = match alternative {
        ReferenceOr::Item(schema) => schema.schema_data.title.clone(),
        ReferenceOr::Reference { .. } => None,
    };
    Schema {
        schema_data: openapiv3::SchemaData {
            title,
            ..openapiv3::SchemaData::default()
        },
        schema_kind: SchemaKind::AllOf {
            all_of: vec![ReferenceOr::Item(siblings.clone()), alternative.clone()],
        },
    }
}

/// How many union alternatives in all may get object keywords merged in (see
/// `TypeBuilder::distribution_budget`). Real documents use a few dozen.
const MAX_DISTRIBUTED_ALTERNATIVES: usize = 4096;

/// The union member of an `allOf` (see `TypeBuilder::single_union_member`).
struct UnionMember {
    /// Its index among the members.
    index: usize,
    /// The member, `$ref` resolved.
    schema: Schema,
    /// Its alternatives.
    alternatives: Vec<ReferenceOr<Schema>>,
    /// The object keywords beside its `oneOf`/`anyOf`, if any.
    siblings: Option<Schema>,
}

/// What an `allOf` merge has gathered so far.
#[derive(Default)]
struct Merge {
    /// Properties of every member, later members overriding earlier ones.
    properties: indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
    /// `required` of every member.
    required: Vec<String>,
    /// The last member's `additionalProperties`.
    additional: Option<AdditionalProperties>,
    /// `$ref`s followed, to stop cycles and bound the merge.
    seen: BTreeSet<String>,
    /// A member is not an object schema (a string, a union) or its `$ref` leads nowhere.
    unmergeable: bool,
    /// A member says the value is an object (`type: object`, properties, `required` or
    /// `additionalProperties`); without one, the members only annotate.
    says_object: bool,
}

/// How deeply inline schemas (and `$ref`s outside components, which are inlined) may nest
/// under one use site. Real documents nest a handful of levels.
const MAX_SCHEMA_DEPTH: usize = 64;

/// How many schemas one `allOf` merge may visit (members, their `$ref`s and nested `allOf`s).
/// Real documents stay far below; a longer chain would make output grow with its square.
const MAX_ALL_OF_MEMBERS: usize = 128;

fn format_name<T>(format: &VariantOrUnknownOrEmpty<T>) -> Option<&str> {
    match format {
        VariantOrUnknownOrEmpty::Unknown(f) => Some(f.as_str()),
        _ => None,
    }
}

fn integer_type(int32: bool, minimum: Option<i64>, format: Option<&str>) -> Builtin {
    if int32 {
        Builtin::I32
    } else if matches!(format, Some("uint64")) && minimum.is_some_and(|m| m >= 0) {
        Builtin::U64
    } else {
        Builtin::I64
    }
}

fn string_enum(values: &[&str]) -> TypeKind {
    let mut scope = Scope::with_reserved(["Unknown"]);
    let mut seen = BTreeSet::new();
    let variants = values
        .iter()
        .filter(|value| seen.insert(**value))
        .map(|value| EnumVariant {
            name: scope.claim(naming::camel(value)),
            wire_value: (*value).to_owned(),
        })
        .collect();
    TypeKind::StringEnum(StringEnumDef { variants })
}

/// A word for an inline alternative without a title: its kind.
fn kind_word(schema: &Schema) -> String {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => "String",
        SchemaKind::Type(Type::Integer(_)) => "Integer",
        SchemaKind::Type(Type::Number(_)) => "Number",
        SchemaKind::Type(Type::Boolean(_)) => "Boolean",
        SchemaKind::Type(Type::Array(_)) => "Array",
        SchemaKind::Type(Type::Object(_)) => "Object",
        SchemaKind::Any(any) => match any.typ.as_deref() {
            Some("string") => "String",
            Some("array") => "Array",
            _ => "Object",
        },
        _ => "Variant",
    }
    .to_owned()
}

/// A schema's doc comment: title and description.
pub fn schema_doc(schema: &Schema) -> Option<String> {
    naming::doc_text(
        schema.schema_data.title.as_deref(),
        schema.schema_data.description.as_deref(),
    )
}

/// Whether an alternative only says "null": a nullable schema with no type or constraints.
fn is_null_only(alternative: &ReferenceOr<Schema>) -> bool {
    match alternative {
        ReferenceOr::Item(schema) => {
            schema.schema_data.nullable
                && matches!(&schema.schema_kind, SchemaKind::Any(any) if *any == AnySchema::default())
        }
        ReferenceOr::Reference { .. } => false,
    }
}
