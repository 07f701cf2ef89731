//! Emitting `<operation>_stream` methods for operations the IR gave a [`Pagination`].
//!
//! The stream method takes the operation's arguments minus the page parameter and returns a
//! `client_runtime::PageStream` of items. It hands the runtime's `paginate` three closures:
//! one builds the operation's request for a page (with the page number set; the runtime
//! aims it at a next-page URL itself), one decodes the response with the operation's own
//! status dispatch, and the typed extractor, which moves the items out of the decoded page
//! and reads the link to the next page. Whether an operation pages, and how a page is taken
//! apart, were settled when the IR was built.

use proc_macro2::TokenStream;
use quote::quote;

use super::args::{arg_kind, ArgKind};
use super::operations::{dispatch, http_method, param_setter};
use super::types::{ident, type_tokens, From};
use crate::ir::model::{ErrorShape, FieldStep, Group, Ir, Operation, PageField, PageNext, Pagination, TypeRef};

/// The `_stream` method of `op`, or nothing when the operation does not page.
pub fn stream_method(ir: &Ir, group: &Group, op: &Operation) -> Option<TokenStream> {
    let pagination: &Pagination = op.pagination.as_ref()?;
    let page_param = match &pagination.next {
        PageNext::Number { param, .. } => Some(param.as_str()),
        PageNext::Url(_) => None,
    };

    let mut args = Vec::new();
    let mut builds = Vec::new();
    let mut uses_params = false;
    for p in &op.params {
        let value = if page_param == Some(p.name.as_str()) {
            quote! { &number }
        } else if p.required {
            let arg = ident(&p.name);
            let ty = type_tokens(ir, &p.ty, From::Elsewhere);
            match arg_kind(&p.ty) {
                ArgKind::Str => {
                    args.push(quote! { #arg: &'a str });
                    quote! { #arg }
                }
                ArgKind::Value => {
                    args.push(quote! { #arg: #ty });
                    quote! { &#arg }
                }
                ArgKind::Ref => {
                    args.push(quote! { #arg: &'a #ty });
                    quote! { #arg }
                }
            }
        } else {
            let field = ident(&p.name);
            uses_params = true;
            quote! { &params.#field }
        };
        builds.push(param_setter(p, &value));
    }
    // A params struct that holds only the page number is not asked for.
    if let Some(params) = op.params_struct.as_ref().filter(|_| uses_params) {
        let params_ty = ident(params);
        args.push(quote! { params: #params_ty });
    }
    if op.retry_safe {
        builds.push(quote! { .retry_safe(true) });
    }
    let (pages, number, request_arg) = match &pagination.next {
        PageNext::Number { start, ty, .. } => {
            let ty = type_tokens(ir, ty, From::Elsewhere);
            (
                quote! { client_runtime::Pages::Numbered { start: #start } },
                quote! { let number: #ty = page.number()?; },
                quote! { page },
            )
        }
        PageNext::Url(_) => (
            quote! { client_runtime::Pages::NextUrl },
            TokenStream::new(),
            quote! { _ },
        ),
    };
    let method = http_method(op);
    let path = &op.path;
    let operation_id = &op.operation_id;
    let dispatch = dispatch(ir, op);
    let extract = extractor(ir, pagination);
    let item_ty = type_tokens(ir, &pagination.item_type, From::Elsewhere);
    let err_ty = error_body(ir, op);
    let name = ident(&format!("{}_stream", op.name));
    let api_client = match group.sub_client() {
        None => quote! { self.api_client() },
        Some(_) => quote! { self.client.api_client() },
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
            client_runtime::pagination::paginate(
                #api_client,
                #pages,
                move |#request_arg: &client_runtime::PageRequest| {
                    #number
                    Ok(client_runtime::ApiRequest::new(#method, #path).operation(#operation_id) #(#builds)*)
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

/// The operation's documented error body type (the `E` of `Error<E>`).
fn error_body(ir: &Ir, op: &Operation) -> TokenStream {
    match &op.error {
        ErrorShape::None => quote! { std::convert::Infallible },
        ErrorShape::Single(ty) => type_tokens(ir, ty, From::Elsewhere),
        ErrorShape::Enum(id) => type_tokens(ir, &TypeRef::Named(*id), From::Elsewhere),
    }
}
