//! Emitting `<operation>_stream` methods for operations the IR gave a [`Pagination`].
//!
//! The stream method takes the operation's arguments minus the page parameter and returns a
//! `client_runtime::PageStream` of items: the runtime walks the pages, calling the
//! operation's own method once per page (with the page number set, or through a client
//! aimed at the next-page URL), so request building and response decoding stay in one place.
//! Whether an operation pages, and the items' type, were settled when the IR was built.

use proc_macro2::TokenStream;
use quote::quote;

use super::args::{arg_kind, ArgKind};
use super::types::{ident, type_tokens, From};
use crate::ir::model::{ErrorShape, Group, Ir, Operation, PageNext, Pagination, TypeRef};

/// The `_stream` method of `op`, or nothing when the operation does not page.
pub fn stream_method(ir: &Ir, group: &Group, op: &Operation) -> Option<TokenStream> {
    let pagination: &Pagination = op.pagination.as_ref()?;
    let page_param = match &pagination.next {
        PageNext::Number { param, required, .. } => Some((param.as_str(), *required)),
        PageNext::Url(_) => None,
    };

    let mut args = Vec::new();
    let mut call_args = Vec::new();
    for p in op.params.iter().filter(|p| p.required) {
        let arg = ident(&p.name);
        if page_param == Some((p.name.as_str(), true)) {
            call_args.push(quote! { number });
            continue;
        }
        let ty = type_tokens(ir, &p.ty, From::Elsewhere);
        args.push(match arg_kind(&p.ty) {
            ArgKind::Str => quote! { #arg: &'a str },
            ArgKind::Value => quote! { #arg: #ty },
            ArgKind::Ref => quote! { #arg: &'a #ty },
        });
        call_args.push(quote! { #arg });
    }
    let mut setup = TokenStream::new();
    let mut set_page = TokenStream::new();
    if let Some(params) = &op.params_struct {
        let params_ty = ident(params);
        args.push(quote! { params: #params_ty });
        call_args.push(quote! { params });
        setup = match page_param {
            Some((name, false)) => {
                let field = ident(name);
                set_page = quote! { params.#field = Some(number); };
                quote! { let mut params = params.clone(); }
            }
            _ => quote! { let params = params.clone(); },
        };
    }
    let number = if page_param.is_some() {
        quote! {
            let Some(number) = page.number() else {
                return Err(client_runtime::Error::invalid_request(
                    "the page number does not fit the page parameter".to_owned(),
                ));
            };
            #set_page
        }
    } else {
        TokenStream::new()
    };

    let items = &pagination.items;
    let pages = match &pagination.next {
        PageNext::Number { start, total_pages, .. } => {
            let total = match total_pages {
                Some(p) => quote! { Some(#p) },
                None => quote! { None },
            };
            quote! { client_runtime::Pages::numbered(#items, #start, #total) }
        }
        PageNext::Url(next) => quote! { client_runtime::Pages::next_url(#items, #next) },
    };
    let item_ty = type_tokens(ir, &pagination.item_type, From::Elsewhere);
    let err_ty = error_body(ir, op);
    let op_name = ident(&op.name);
    let name = ident(&format!("{}_stream", op.name));
    let (api_client, call) = match group.sub_client() {
        None => (
            quote! { self.api_client() },
            quote! { client.#op_name(#(#call_args),*).await },
        ),
        Some(sub) => {
            let accessor = ident(&sub.accessor);
            (
                quote! { self.client.api_client() },
                quote! { client.#accessor().#op_name(#(#call_args),*).await },
            )
        }
    };
    let doc = format!(
        " Every item of [`Self::{}`], as a lazy stream that fetches the next page only when \
         the items of the current one are used up.\n\n Stops at an empty page, at the last \
         page, or when there is no next page; see [`client_runtime::pagination`].",
        op.name
    );
    let doc_lines = doc.lines().map(|l| quote! { #[doc = #l] });
    // The stream borrows only the arguments, not `self`: `paginate` clones the client, so a
    // stream made from a temporary group (`client.customer().x_stream(..)`) can be kept.
    Some(quote! {
        #(#doc_lines)*
        pub fn #name<'a>(&self, #(#args),*) -> client_runtime::PageStream<'a, #item_ty, #err_ty> {
            let pages = #pages;
            client_runtime::pagination::paginate(#api_client, pages, move |page: client_runtime::PageRequest| {
                #setup
                async move {
                    #number
                    let client = crate::Client::from_api_client(page.into_client());
                    #call
                }
            })
        }
    })
}

/// The operation's documented error body type (the `E` of `Error<E>`).
fn error_body(ir: &Ir, op: &Operation) -> TokenStream {
    match &op.error {
        ErrorShape::None => quote! { std::convert::Infallible },
        ErrorShape::Single(ty) => type_tokens(ir, ty, From::Elsewhere),
        ErrorShape::Enum(id) => type_tokens(ir, &TypeRef::Named(*id), From::Elsewhere),
    }
}
