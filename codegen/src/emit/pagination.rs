//! Emitting `<operation>_stream` methods for operations with an `x-pagination` extension.
//!
//! The stream method takes the operation's arguments minus the page parameter and returns a
//! `client_runtime::PageStream` of items: the runtime walks the pages, calling the
//! operation's own method once per page (with the page number set, or through a client
//! aimed at the next-page URL), so request building and response decoding stay in one place.
//!
//! The item type is found by following the `items` JSON pointer through the success body's
//! types to an array; where that fails the items are `serde_json::Value`.

use proc_macro2::TokenStream;
use quote::quote;

use super::operations::{arg_kind, ArgKind};
use super::types::{ident, type_tokens, From};
use crate::ir::{Builtin, ErrorShape, Group, Ir, Operation, PageNext, ResponseBody, SuccessShape, TypeKind, TypeRef};

/// The `_stream` method of `op`, or nothing when the operation does not page (or pages in a
/// way the runtime cannot drive: a request body, a page parameter that is not an integer).
pub fn stream_method(ir: &Ir, group: &Group, op: &Operation) -> Option<TokenStream> {
    let pagination = op.pagination.as_ref()?;
    if op.body.is_some() {
        return None;
    }
    let SuccessShape::Single(ResponseBody::Json(body)) = &op.success else {
        return None;
    };
    let page_param = match &pagination.next {
        PageNext::Number { param, .. } => {
            let p = op.params.iter().find(|p| &p.name == param)?;
            if !is_integer(&p.ty) {
                return None;
            }
            Some((param.as_str(), p.required))
        }
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
                return Err(client_runtime::Error::InvalidRequest(
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
    let item_ty = item_type(ir, body, items)
        .map(|ty| type_tokens(ir, &ty, From::Elsewhere))
        .unwrap_or_else(|| quote! { client_runtime::reexports::serde_json::Value });
    let err_ty = error_body(ir, op);
    let op_name = ident(&op.name);
    let name = ident(&format!("{}_stream", op.name));
    let (api_client, call) = if group.accessor.is_empty() {
        (
            quote! { self.api_client() },
            quote! { client.#op_name(#(#call_args),*).await },
        )
    } else {
        let accessor = ident(&group.accessor);
        (
            quote! { self.client.api_client() },
            quote! { client.#accessor().#op_name(#(#call_args),*).await },
        )
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

fn is_integer(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Option(inner) => is_integer(inner),
        TypeRef::Builtin(b) => matches!(b, Builtin::I32 | Builtin::I64 | Builtin::U64),
        _ => false,
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

/// Follows `pointer` through struct fields (by wire name) to an array and returns its item
/// type.
fn item_type(ir: &Ir, body: &TypeRef, pointer: &str) -> Option<TypeRef> {
    let mut current = body.clone();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let fields = struct_fields(ir, &current)?;
        current = fields.iter().find(|f| f.wire_name == segment)?.ty.clone();
    }
    match resolve(ir, &current)? {
        TypeRef::Vec(item) => Some(*item),
        _ => None,
    }
}

/// Strips `Option`, boxes and aliases.
fn resolve(ir: &Ir, ty: &TypeRef) -> Option<TypeRef> {
    let mut ty = ty.clone();
    // Aliases can chain; a bound keeps a malformed cycle from looping.
    for _ in 0..16 {
        ty = match ty {
            TypeRef::Option(inner) => *inner,
            TypeRef::Named(id) | TypeRef::Boxed(id) => match &ir.types.get(id)?.kind {
                TypeKind::Alias(target) => target.clone(),
                _ => return Some(TypeRef::Named(id)),
            },
            other => return Some(other),
        };
    }
    None
}

fn struct_fields<'i>(ir: &'i Ir, ty: &TypeRef) -> Option<&'i [crate::ir::Field]> {
    match resolve(ir, ty)? {
        TypeRef::Named(id) => match &ir.types.get(id)?.kind {
            TypeKind::Struct(s) => Some(&s.fields),
            _ => None,
        },
        _ => None,
    }
}
