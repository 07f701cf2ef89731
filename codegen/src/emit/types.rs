//! Emitting `types.rs`: structs, enums and unions from the IR.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::doc_text::code_span;
use crate::ir::model::{
    Builtin, DeclaredMembers, EnumVariant, Field, Ir, ResponseBody, ResponseVariant, StringEnumDef, StructDef, TypeDef,
    TypeId, TypeKind, TypeRef, UnionDef, UnionVariant,
};

/// Where a type path is written from: inside `types.rs` or from another module.
#[derive(Clone, Copy)]
pub enum From {
    /// Inside `types.rs`: bare names.
    Types,
    /// Elsewhere: `crate::types::Name`.
    Elsewhere,
}

/// An identifier; raw identifiers are never needed because naming escapes keywords.
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = ...]` lines for a doc text from the spec, escaped for rustdoc (`doc_text`).
pub fn doc_attrs(doc: Option<&str>) -> TokenStream {
    match doc {
        Some(doc) => super::doc_text::spec_doc_attrs(doc),
        None => TokenStream::new(),
    }
}

/// The Rust type for a use site.
pub fn type_tokens(ir: &Ir, ty: &TypeRef, from: From) -> TokenStream {
    match ty {
        TypeRef::Named(id) => named(ir, *id, from),
        TypeRef::Boxed(id) => {
            let inner = named(ir, *id, from);
            quote! { Box<#inner> }
        }
        TypeRef::Builtin(b) => builtin(*b),
        TypeRef::Vec(inner) => {
            let inner = type_tokens(ir, inner, from);
            quote! { Vec<#inner> }
        }
        TypeRef::Map(inner) => {
            let inner = type_tokens(ir, inner, from);
            quote! { std::collections::BTreeMap<String, #inner> }
        }
        TypeRef::Option(inner) => {
            let inner = type_tokens(ir, inner, from);
            quote! { Option<#inner> }
        }
    }
}

fn named(ir: &Ir, id: TypeId, from: From) -> TokenStream {
    let name = ident(ir.type_def(id).map_or("Value", |t| t.name.as_str()));
    match from {
        From::Types => quote! { #name },
        From::Elsewhere => quote! { crate::types::#name },
    }
}

/// The Rust type of a builtin.
pub fn builtin(b: Builtin) -> TokenStream {
    match b {
        Builtin::String => quote! { String },
        Builtin::Bool => quote! { bool },
        Builtin::I32 => quote! { i32 },
        Builtin::I64 => quote! { i64 },
        Builtin::U64 => quote! { u64 },
        Builtin::F32 => quote! { f32 },
        Builtin::F64 => quote! { f64 },
        Builtin::DateTime => quote! { chrono::DateTime<chrono::FixedOffset> },
        Builtin::LenientDateTime => quote! { client_runtime::LenientDateTime },
        Builtin::Date => quote! { chrono::NaiveDate },
        Builtin::Uuid => quote! { uuid::Uuid },
        Builtin::Json => quote! { serde_json::Value },
        Builtin::JsonObject => quote! { serde_json::Map<String, serde_json::Value> },
        Builtin::Unit => quote! { () },
    }
}

/// Whether values of `ty` can derive `Eq`/`Hash`-free traits only (floats and JSON cannot be `Eq`).
fn is_optional(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Option(_))
}

/// The whole `types.rs` body.
pub fn emit_types(ir: &Ir, ids: &[TypeId]) -> TokenStream {
    let items = ids.iter().filter_map(|&id| {
        let def = ir.type_def(id)?;
        let serialize = Serialize::of(ir, id);
        Some(emit_type(
            ir,
            def,
            From::Types,
            &super::features::type_cfg(ir, id),
            serialize,
        ))
    });
    quote! { #(#items)* }
}

/// How a type implements `Serialize`.
#[derive(Clone, Copy)]
pub enum Serialize {
    /// Always: the generated code serialises it (or a type that uses it).
    Always,
    /// Only with the default-on feature [`super::features::SERIALIZE_FEATURE`]: the type is
    /// only ever received, and deriving `Serialize` for every response type was a large share
    /// of a big crate's build.
    WithFeature,
}

impl Serialize {
    /// How the type `id` implements `Serialize`.
    pub fn of(ir: &Ir, id: TypeId) -> Self {
        if ir.serialized_types.contains(&id) {
            Self::Always
        } else {
            Self::WithFeature
        }
    }

    /// `serde::Serialize,` for the derive list, or nothing.
    fn in_derive(self) -> TokenStream {
        match self {
            Self::Always => quote! { serde::Serialize, },
            Self::WithFeature => TokenStream::new(),
        }
    }

    /// The `cfg_attr` deriving it with the feature (with `extra` serde container attributes
    /// that only serialising reads), or nothing.
    fn cfg_attr(self, extra: TokenStream) -> TokenStream {
        let feature = super::features::SERIALIZE_FEATURE;
        match self {
            Self::Always => TokenStream::new(),
            Self::WithFeature if extra.is_empty() => {
                quote! { #[cfg_attr(feature = #feature, derive(serde::Serialize))] }
            }
            Self::WithFeature => quote! { #[cfg_attr(feature = #feature, derive(serde::Serialize), serde(#extra))] },
        }
    }
}

/// One type definition; `cfg` (possibly empty) gates each item it expands to.
pub fn emit_type(ir: &Ir, def: &TypeDef, from: From, cfg: &TokenStream, serialize: Serialize) -> TokenStream {
    let name = ident(&def.name);
    let doc = doc_attrs(def.doc.as_deref());
    let doc = quote! { #doc #cfg };
    match &def.kind {
        TypeKind::Struct(s) => {
            let definition = emit_struct(ir, &name, doc, s, from, serialize);
            let envelope = s
                .envelope
                .as_deref()
                .and_then(|field| emit_envelope(ir, &name, s, field, from, cfg));
            let required = s
                .required
                .as_deref()
                .map(|required| super::required::emit_required(ir, &name, s, required, from, cfg));
            quote! { #definition #envelope #required }
        }
        TypeKind::StringEnum(e) => emit_string_enum(&name, doc, e, cfg),
        TypeKind::Union(u) => emit_union(ir, &name, doc, u, from, cfg, serialize),
        TypeKind::Alias(ty) => {
            let ty = type_tokens(ir, ty, from);
            quote! { #doc pub type #name = #ty; }
        }
        TypeKind::Newtype(ty) => {
            let ty = type_tokens(ir, ty, from);
            let (derive, cfg_attr) = (serialize.in_derive(), serialize.cfg_attr(TokenStream::new()));
            quote! {
                #doc
                #[derive(Debug, Clone, #derive serde::Deserialize)]
                #cfg_attr
                #[serde(transparent)]
                pub struct #name(pub #ty);
            }
        }
        TypeKind::Responses(variants) => emit_responses(ir, &name, doc, variants, from),
    }
}

fn field_tokens(ir: &Ir, field: &Field, from: From, serialize: Serialize) -> TokenStream {
    let name = ident(&field.name);
    let doc = doc_attrs(field.doc.as_deref());
    let wire = &field.wire_name;
    let rename = (field.name != *wire).then(|| quote! { rename = #wire, });
    // A type the client sends keeps "left out" and `null` apart, so a PATCH can clear a field.
    if let (false, TypeRef::Option(value), Serialize::Always) = (field.required, &field.ty, serialize) {
        let value = type_tokens(ir, value, from);
        return quote! {
            #doc
            #[serde(#rename default, skip_serializing_if = "client_runtime::Nullable::is_absent")]
            pub #name: client_runtime::Nullable<#value>,
        };
    }
    let inner = type_tokens(ir, &field.ty, from);
    if field.required {
        let attrs = rename.map(|r| quote! { #[serde(#r)] });
        quote! { #doc #attrs pub #name: #inner, }
    } else {
        let ty = if is_optional(&field.ty) {
            inner
        } else {
            quote! { Option<#inner> }
        };
        quote! {
            #doc
            #[serde(#rename default, skip_serializing_if = "Option::is_none")]
            pub #name: #ty,
        }
    }
}

// Structs, unions and response enums derive what a client needs (Debug, Clone, serde) and no
// more: PartialEq on every API type cost about 15% of a large crate's build time, and
// progenitor's crates derive the same set. String enums keep Eq and Hash (small; map keys).
fn emit_struct(
    ir: &Ir,
    name: &Ident,
    doc: TokenStream,
    s: &StructDef,
    from: From,
    serialize: Serialize,
) -> TokenStream {
    let fields = s.fields.iter().map(|f| field_tokens(ir, f, from, serialize));
    let all_optional = s.fields.iter().all(|f| !f.required || is_optional(&f.ty));
    let default = all_optional.then(|| quote! { Default, });
    let additional = s.additional.as_ref().map(|ty| {
        let ty = type_tokens(ir, ty, from);
        quote! {
            /// Properties beyond the ones the spec names.
            #[serde(flatten)]
            pub additional_properties: std::collections::BTreeMap<String, #ty>,
        }
    });
    let (derive, cfg_attr) = (serialize.in_derive(), serialize.cfg_attr(TokenStream::new()));
    quote! {
        #doc
        #[derive(Debug, Clone, #default #derive serde::Deserialize)]
        #cfg_attr
        pub struct #name {
            #(#fields)*
            #additional
        }
    }
}

/// `client_runtime::Envelope` for a struct whose `field` wraps the record.
fn emit_envelope(
    ir: &Ir,
    name: &Ident,
    s: &StructDef,
    field: &str,
    from: From,
    cfg: &TokenStream,
) -> Option<TokenStream> {
    let content = type_tokens(ir, &s.fields.iter().find(|f| f.name == field)?.ty, from);
    let field = ident(field);
    Some(quote! {
        #cfg
        impl client_runtime::Envelope for #name {
            type Content = #content;

            fn content(&self) -> &Self::Content {
                &self.#field
            }

            fn into_content(self) -> Self::Content {
                self.#field
            }
        }
    })
}

fn emit_string_enum(name: &Ident, doc: TokenStream, e: &StringEnumDef, cfg: &TokenStream) -> TokenStream {
    let variants = e.variants.iter().map(
        |EnumVariant {
             name: variant,
             wire_value: wire,
         }| {
            let variant = ident(variant);
            let doc = format!(" {}", code_span(wire));
            quote! { #[doc = #doc] #variant, }
        },
    );
    let as_str = e.variants.iter().map(
        |EnumVariant {
             name: variant,
             wire_value: wire,
         }| {
            let variant = ident(variant);
            quote! { Self::#variant => #wire, }
        },
    );
    let from_str = e.variants.iter().map(
        |EnumVariant {
             name: variant,
             wire_value: wire,
         }| {
            let variant = ident(variant);
            quote! { #wire => Self::#variant, }
        },
    );
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
            /// A value this client does not know yet; kept as sent.
            Unknown(String),
        }

        #cfg
        impl #name {
            /// The value as it goes over the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Unknown(other) => other,
                }
            }
        }

        #cfg
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #cfg
        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        #cfg
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        #cfg
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    }
}

fn emit_union(
    ir: &Ir,
    name: &Ident,
    doc: TokenStream,
    u: &UnionDef,
    from: From,
    cfg: &TokenStream,
    serialize: Serialize,
) -> TokenStream {
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let ty = type_tokens(ir, &v.ty, from);
        quote! { #variant(#ty), }
    });
    let Some(tag) = &u.discriminator else {
        if u.variants.iter().all(|v| v.members.is_none()) {
            let (derive, cfg_attr) = (serialize.in_derive(), serialize.cfg_attr(TokenStream::new()));
            return quote! {
                #doc
                #[derive(Debug, Clone, #derive serde::Deserialize)]
                #cfg_attr
                #[serde(untagged)]
                pub enum #name {
                    #(#variants)*
                }
            };
        }
        return emit_best_fit_union(ir, name, doc, u, from, cfg, untagged_serialize_attrs(serialize));
    };
    // Decoding by the discriminator keeps the tag field in the variant's struct (serde's
    // internal tagging would consume it) and keeps unknown tags instead of failing.
    let arms = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let tags = &v.tags;
        quote! {
            Some(#(#tags)|*) => serde_json::from_value(value).map(Self::#variant).map_err(serde::de::Error::custom),
        }
    });
    let unknown_doc = format!(
        " A {} value this client does not know yet, kept as JSON.",
        code_span(tag)
    );
    let serialize_attrs = untagged_serialize_attrs(serialize);
    quote! {
        #doc
        #serialize_attrs
        pub enum #name {
            #(#variants)*
            #[doc = #unknown_doc]
            Unknown(serde_json::Value),
        }

        #cfg
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                match value.get(#tag).and_then(serde_json::Value::as_str) {
                    #(#arms)*
                    _ => Ok(Self::Unknown(value)),
                }
            }
        }
    }
}

/// The derives and attributes of a union whose Deserialize is written out: `untagged` is
/// read only by the Serialize derive.
fn untagged_serialize_attrs(serialize: Serialize) -> TokenStream {
    match serialize {
        Serialize::Always => quote! { #[derive(Debug, Clone, serde::Serialize)] #[serde(untagged)] },
        Serialize::WithFeature => {
            let cfg_attr = serialize.cfg_attr(quote! { untagged });
            quote! { #[derive(Debug, Clone)] #cfg_attr }
        }
    }
}

/// An untagged union whose struct alternatives decode by the members they keep: a value goes
/// first to an alternative that declares every member it carries (at every depth described),
/// then to one that keeps extra members in a map, then to each in order.
fn emit_best_fit_union(
    ir: &Ir,
    name: &Ident,
    doc: TokenStream,
    u: &UnionDef,
    from: From,
    cfg: &TokenStream,
    serialize_attrs: TokenStream,
) -> TokenStream {
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let ty = type_tokens(ir, &v.ty, from);
        quote! { #variant(#ty), }
    });
    let attempt = |v: &UnionVariant| {
        let variant = ident(&v.name);
        let ty = type_tokens(ir, &v.ty, from);
        quote! {
            if let Ok(decoded) = <#ty as serde::Deserialize>::deserialize(&value) {
                return Ok(Self::#variant(decoded));
            }
        }
    };
    let exact_fits = u.variants.iter().filter_map(|v| {
        let members = v.members.as_ref().filter(|m| **m != DeclaredMembers::Any)?;
        let members = members_tokens(members);
        // A let chain (edition 2024), as clippy's `collapsible_if` asks of nested `if`s.
        let variant = ident(&v.name);
        let ty = type_tokens(ir, &v.ty, from);
        Some(quote! {
            if #members.fits(&value)
                && let Ok(decoded) = <#ty as serde::Deserialize>::deserialize(&value)
            {
                return Ok(Self::#variant(decoded));
            }
        })
    });
    let open_fits = u
        .variants
        .iter()
        .filter(|v| v.members == Some(DeclaredMembers::Any))
        .map(attempt);
    let in_order = u.variants.iter().map(attempt);
    let message = format!("data did not match any variant of untagged enum {name}");
    quote! {
        #doc
        #serialize_attrs
        pub enum #name {
            #(#variants)*
        }

        #cfg
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use client_runtime::untagged::Members;
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                // Structs ignore members they do not name: an earlier alternative would take
                // the value and drop what only a later one declares.
                #(#exact_fits)*
                #(#open_fits)*
                #(#in_order)*
                Err(serde::de::Error::custom(#message))
            }
        }
    }
}

/// `Members::...`, a constant expression describing what an alternative keeps.
fn members_tokens(members: &DeclaredMembers) -> TokenStream {
    match members {
        DeclaredMembers::Any => quote! { Members::Any },
        DeclaredMembers::Object(members) => {
            let members = members.iter().map(|(name, inner)| {
                let inner = members_tokens(inner);
                quote! { (#name, #inner) }
            });
            quote! { Members::Object(&[#(#members),*]) }
        }
        DeclaredMembers::Items(item) => {
            let item = members_tokens(item);
            quote! { Members::Items(&#item) }
        }
        DeclaredMembers::OneOf(alternatives) => {
            let alternatives = alternatives.iter().map(members_tokens);
            quote! { Members::OneOf(&[#(#alternatives),*]) }
        }
    }
}

fn emit_responses(ir: &Ir, name: &Ident, doc: TokenStream, variants: &[ResponseVariant], from: From) -> TokenStream {
    let variants = variants.iter().map(|ResponseVariant { name: variant, body }| {
        let variant_ident = ident(variant);
        let ty = match body {
            ResponseBody::Json(ty) => Some(type_tokens(ir, ty, from)),
            ResponseBody::Text => Some(quote! { String }),
            ResponseBody::Bytes => Some(quote! { client_runtime::reexports::bytes::Bytes }),
            ResponseBody::Empty => None,
        };
        let status_doc = format!(" The `{}` response.", variant.trim_start_matches("Status"));
        match ty {
            Some(ty) => quote! { #[doc = #status_doc] #variant_ident(#ty), },
            None => quote! { #[doc = #status_doc] #variant_ident, },
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub enum #name {
            #(#variants)*
        }
    }
}
