//! Emitting a multipart body's request type: a struct with one public field per form field
//! (files as `FilePart`, optional fields as `Option`) and the function that turns it into
//! the runtime's `Multipart`, field by field in the spec's order.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{doc_attrs, ident, type_tokens, From};
use crate::ir::model::{Body, Group, Ir, MultipartField, Operation, PartValue, RequestBody};

/// The request type of `op`'s multipart body, if it has a typed one.
pub fn request_type(ir: &Ir, group: &Group, op: &Operation) -> TokenStream {
    let Some(Body {
        kind: RequestBody::Multipart(form),
        ..
    }) = &op.body
    else {
        return TokenStream::new();
    };
    let owner = match group.sub_client() {
        None => "crate::Client".to_owned(),
        Some(sub) => sub.api_name.clone(),
    };
    let doc = format!(
        " The `multipart/form-data` body of [`{owner}::{}`]: each field is sent as a part of \
         its name (a list as one part per item, an object as JSON, a file with its file name \
         and content type); a `None` field is not sent.",
        op.name
    );
    let name = ident(&form.name);
    let fields = form.fields.iter().map(|f| field(ir, f));
    let parts = form.fields.iter().map(part);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        pub struct #name {
            #(#fields,)*
        }

        impl #name {
            /// The parts to send.
            fn multipart(&self) -> client_runtime::Multipart {
                client_runtime::Multipart::new() #(#parts)*
            }
        }
    }
}

/// The call that sends the form `body` (an expression of type `&Form`).
pub fn set_body(body: &TokenStream) -> TokenStream {
    quote! { .multipart(#body.multipart()) }
}

fn field(ir: &Ir, f: &MultipartField) -> TokenStream {
    let name = ident(&f.name);
    let ty = match &f.value {
        PartValue::File { repeated: false } => quote! { client_runtime::FilePart },
        PartValue::File { repeated: true } => quote! { Vec<client_runtime::FilePart> },
        PartValue::Value(ty) => type_tokens(ir, ty, From::Elsewhere),
    };
    let ty = if f.required {
        ty
    } else {
        quote! { Option<#ty> }
    };
    let wire = &f.wire_name;
    let what = match (&f.value, &f.content_type) {
        (PartValue::File { repeated: true }, Some(default)) => {
            format!("`{wire}`, files, one part each; `{default}` unless a file sets its type")
        }
        (PartValue::File { repeated: true }, None) => format!("`{wire}`, files, one part each"),
        (PartValue::File { .. }, Some(default)) => {
            format!("`{wire}`, a file; `{default}` unless it sets its type")
        }
        (PartValue::File { .. }, None) => format!("`{wire}`, a file"),
        (PartValue::Value(_), Some(content_type)) => format!("`{wire}`, sent as `{content_type}`"),
        (PartValue::Value(_), None) => format!("`{wire}`"),
    };
    let doc = match &f.doc {
        Some(doc) => format!("{} ({what})", doc.trim()),
        None => what,
    };
    let doc = doc_attrs(Some(&doc));
    quote! {
        #doc
        pub #name: #ty
    }
}

/// The builder call that adds field `f`'s parts.
fn part(f: &MultipartField) -> TokenStream {
    let name = ident(&f.name);
    let wire = &f.wire_name;
    match &f.value {
        PartValue::File { repeated } => {
            let files = match (repeated, f.required) {
                (false, true) => quote! { [&self.#name] },
                (true, true) | (false, false) => quote! { &self.#name },
                (true, false) => quote! { self.#name.iter().flatten() },
            };
            let default = f.content_type.as_deref().map_or_else(
                || quote! { client_runtime::DEFAULT_FILE_CONTENT_TYPE },
                |t| quote! { #t },
            );
            quote! { .files(#wire, #files, #default) }
        }
        PartValue::Value(_) => {
            let content_type = match &f.content_type {
                Some(t) => quote! { Some(#t) },
                None => quote! { None },
            };
            quote! { .field(#wire, &self.#name, #content_type) }
        }
    }
}
