//! Emitting a sent type's `<Name>Required` struct and `Name::new` (which types get one is
//! decided in the IR, `ir/required.rs`, and read here from `StructDef::required`).

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::types::{doc_attrs, ident, type_tokens, From};
use crate::ir::model::{Ir, StructDef};

/// The struct of `s`'s required fields, named `required`, and `new` on the type `name` taking
/// it; `cfg` (possibly empty) gates both like the type. No derives: the struct only carries the
/// fields into `new`, and each derive would be compiled for every such type of a big crate;
/// `new` is `#[inline]`, so a crate compiles it only where a caller uses it.
pub fn emit_required(
    ir: &Ir,
    name: &Ident,
    s: &StructDef,
    required: &str,
    from: From,
    cfg: &TokenStream,
) -> TokenStream {
    let required = ident(required);
    let fields = s.fields.iter().filter(|f| f.required).map(|f| {
        let (field, doc, ty) = (
            ident(&f.name),
            doc_attrs(f.doc.as_deref()),
            type_tokens(ir, &f.ty, from),
        );
        quote! { #doc pub #field: #ty, }
    });
    let taken = s.fields.iter().filter(|f| f.required).map(|f| ident(&f.name));
    let given = taken.clone();
    let unset = s.fields.iter().filter(|f| !f.required).map(|f| ident(&f.name));
    let additional = s
        .additional
        .as_ref()
        .map(|_| quote! { additional_properties: Default::default(), });
    let struct_doc = format!(
        " The required fields of [`{name}`], for [`{name}::new`]: \
         `{name} {{ optional: Some(..), ..{name}::new({required} {{ .. }}) }}`."
    );
    let new_doc = format!(" [`{name}`] from its required fields, every optional field unset.");
    quote! {
        #[doc = #struct_doc]
        #cfg
        pub struct #required {
            #(#fields)*
        }

        #cfg
        impl #name {
            #[doc = #new_doc]
            #[inline]
            pub fn new(required: #required) -> Self {
                let #required { #(#taken),* } = required;
                Self {
                    #(#given,)*
                    #(#unset: Default::default(),)*
                    #additional
                }
            }
        }
    }
}
