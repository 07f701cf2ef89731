//! Emitting the `stream` method of the builders of operations the IR gave a [`Pagination`].
//!
//! `stream` takes the builder as it is set (every parameter but the page number) and returns
//! a `client_runtime::PageStream` of items. It hands the runtime's `paginate` three closures:
//! one renders the builder's request for a page (with the page number set; the runtime aims
//! it at a next-page URL itself), one decodes the response with the operation's own status
//! dispatch, and the typed extractor, which moves the items out of the decoded page and reads
//! the link to the next page. Whether an operation pages, and how a page is taken apart, were
//! settled when the IR was built.
//!
//! `stream` is `#[inline]`: each one instantiates the paginator with its own closures, the
//! most expensive code of a builder, so it is compiled only in applications that call it.

use proc_macro2::TokenStream;
use quote::quote;

use super::operations::{dispatch, error_body};
use super::types::{ident, type_tokens, From};
use crate::ir::model::{FieldStep, Ir, Operation, PageField, PageNext, Pagination};

/// The builder's `stream` method, or nothing when the operation does not page.
pub fn stream_method(ir: &Ir, op: &Operation) -> Option<TokenStream> {
    let pagination: &Pagination = op.pagination.as_ref()?;
    let (receiver, pages, set_page, request_arg) = match &pagination.next {
        PageNext::Number { start, ty, param, .. } => {
            let ty = type_tokens(ir, ty, From::Elsewhere);
            let field = ident(param);
            (
                quote! { mut self },
                quote! { client_runtime::Pages::Numbered { start: #start } },
                quote! {
                    let number: #ty = page.number()?;
                    self.#field = Some(number);
                },
                quote! { page },
            )
        }
        PageNext::Url(_) => (
            quote! { self },
            quote! { client_runtime::Pages::NextUrl },
            TokenStream::new(),
            quote! { _ },
        ),
    };
    let dispatch = dispatch(ir, op);
    let extract = extractor(ir, pagination);
    let item_ty = type_tokens(ir, &pagination.item_type, From::Elsewhere);
    let err_ty = error_body(ir, op);
    // The decode closure inlines the dispatch (rather than calling `Self::decode`) so that a
    // page read as a JSON value by the extractor is decoded as one.
    Some(quote! {
        /// Every item of every page, as a lazy stream that fetches the next page only when
        /// the items of the current one are used up (the page number is set per page).
        ///
        /// Stops at an empty page, at the last page, or when there is no next page; see
        /// [`client_runtime::pagination`].
        #[inline]
        pub fn stream(#receiver) -> client_runtime::PageStream<'a, #item_ty, #err_ty> {
            let client = self.client.api_client();
            client_runtime::pagination::paginate(
                client,
                #pages,
                move |#request_arg: &client_runtime::PageRequest| {
                    #set_page
                    Ok(self.request())
                },
                |response: client_runtime::RawResponse| #dispatch,
                #extract,
            )
        }
    })
}

/// The closure that takes a decoded page apart into a `client_runtime::Page`: the link to
/// the next page is read first (by reference, so it may share fields with the items' path),
/// then the items are moved out.
fn extractor(ir: &Ir, pagination: &Pagination) -> TokenStream {
    let page_ty = type_tokens(ir, &pagination.page_type, From::Elsewhere);
    let (link, set_link) = match &pagination.next {
        PageNext::Number { total_pages: None, .. } => (TokenStream::new(), TokenStream::new()),
        PageNext::Number {
            total_pages: Some(field),
            ..
        } => {
            let read = match field {
                PageField::Fields(steps) => {
                    let place = borrowed(steps);
                    quote! { #place.and_then(client_runtime::PageCount::page_count) }
                }
                PageField::Pointer(pointer) => quote! {
                    page.pointer(#pointer).and_then(client_runtime::PageCount::page_count)
                },
            };
            (
                quote! { let total_pages = #read; },
                quote! { .total_pages(total_pages) },
            )
        }
        PageNext::Url(field) => {
            let read = match field {
                PageField::Fields(steps) => {
                    let place = borrowed(steps);
                    quote! { #place.cloned() }
                }
                PageField::Pointer(pointer) => quote! {
                    page.pointer(#pointer).and_then(|url| url.as_str()).map(str::to_owned)
                },
            };
            (quote! { let next_url = #read; }, quote! { .next_url(next_url) })
        }
    };
    match &pagination.items {
        PageField::Fields(steps) => {
            let items = moved(steps);
            quote! {
                |page: #page_ty| {
                    #link
                    client_runtime::Page::new(#items) #set_link
                }
            }
        }
        // Pages read as JSON values: the runtime reads every pointer.
        PageField::Pointer(items) => {
            let pointer = |field: Option<&PageField>| match field {
                Some(PageField::Pointer(p)) => quote! { Some(#p) },
                _ => quote! { None },
            };
            let (total, next) = match &pagination.next {
                PageNext::Number { total_pages, .. } => (pointer(total_pages.as_ref()), quote! { None }),
                PageNext::Url(next) => (quote! { None }, pointer(Some(next))),
            };
            quote! {
                |page: serde_json::Value| client_runtime::Page::from_json(page, #items, #total, #next)
            }
        }
    }
}

/// `Option<&T>` of the field at the end of `steps`, borrowed from `page`.
fn borrowed(steps: &[FieldStep]) -> TokenStream {
    let mut expr = quote! { page };
    let mut optional = false;
    for step in steps {
        let field = ident(&step.field);
        expr = match (optional, step.options) {
            (false, 0) => quote! { #expr.#field },
            (false, _) => quote! { #expr.#field.as_ref() },
            (true, 0) => quote! { #expr.map(|v| &v.#field) },
            (true, _) => quote! { #expr.and_then(|v| v.#field.as_ref()) },
        };
        for _ in 1..step.options {
            expr = quote! { #expr.and_then(|v| v.as_ref()) };
        }
        optional |= step.options > 0;
    }
    if optional {
        expr
    } else {
        quote! { Some(&#expr) }
    }
}

/// The items at the end of `steps`, moved out of `page` (absent items are none).
fn moved(steps: &[FieldStep]) -> TokenStream {
    let mut expr = quote! { page };
    let mut optional = false;
    for step in steps {
        let field = ident(&step.field);
        expr = match (optional, step.options) {
            (false, _) => quote! { #expr.#field },
            (true, 0) => quote! { #expr.map(|v| v.#field) },
            (true, _) => quote! { #expr.and_then(|v| v.#field) },
        };
        for _ in 1..step.options {
            expr = quote! { #expr.flatten() };
        }
        optional |= step.options > 0;
    }
    if optional {
        quote! { #expr.unwrap_or_default() }
    } else {
        expr
    }
}
