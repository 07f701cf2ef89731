//! Emitting one module per operation group: the sub-client, one method per operation, and
//! each operation's builder.
//!
//! A method takes only the positional arguments the IR chose (at most two: the resource's
//! address and a required body) and returns the operation's builder, which holds every other
//! parameter as an `Option` with a setter. The builder renders the `ApiRequest` in one plain
//! function (a required parameter left unset makes the request invalid, naming it) and the
//! status match in another; `send` hands both to `client_runtime::call`, whose one boxed
//! future type serves every operation, so no operation compiles its own async state machine.
//!
//! Build cost: a library compiles every non-generic function it defines, called or not, but
//! an `#[inline]` one only where it is used. So every function of a call is `#[inline]` (the
//! method that makes the builder, setters, per-call overrides, `send`, `request`, `decode`,
//! `IntoFuture`, and `stream`, which instantiates the runtime's paginator with the
//! operation's own closures): the generated crate compiles none of them, and an application
//! compiles only the calls it makes. `decode` is most of it: it instantiates serde's
//! deserializers for every response and error type, which were three quarters of
//! oxide-nexus's LLVM IR when `send`/`request`/`decode` were compiled in the crate
//! (BENCHMARKS.md, "Call builders"). The positional `async fn`s before builders had the
//! same property without saying so: an `async fn`'s body is compiled only where it is polled.

use proc_macro2::TokenStream;
use quote::quote;

use super::args::{arg_kind, ArgKind};
use super::doc_text::{code_span, generator_doc_attrs};
use super::types::{doc_attrs, ident, type_tokens, From};
use crate::ir::model::{
    Body, ErrorShape, Group, GroupOwner, Ir, Operation, Param, ParamLocation, QueryStyle, RequestBody, ResponseBody,
    ResponseRole, StatusMatch, SuccessShape, TypeRef,
};

/// The body of one group's module: the sub-client (or `impl Client` for untagged operations)
/// with one method per operation, and each operation's builder.
/// `lib` is the crate's Rust name, which the operations' doc examples import.
pub fn emit_group(ir: &Ir, group: &Group, lib: &str) -> TokenStream {
    let builders = group.operations.iter().map(|op| {
        let body_type = super::multipart::request_type(ir, group, op);
        let builder = builder(ir, group, op);
        quote! { #body_type #builder }
    });
    // Root-group operations are methods of `Client` itself; the others hang off a sub-client.
    let GroupOwner::Tag(sub) = &group.owner else {
        let methods = group
            .operations
            .iter()
            .map(|op| method(ir, group, op, lib, &quote! { self }));
        return quote! {
            impl crate::Client {
                #(#methods)*
            }

            #(#builders)*
        };
    };
    let methods = group
        .operations
        .iter()
        .map(|op| method(ir, group, op, lib, &quote! { self.client }));
    let api = ident(&sub.api_name);
    let doc = group
        .doc
        .clone()
        .unwrap_or_else(|| format!("Operations tagged `{}`.", group.module));
    let doc = doc_attrs(Some(&doc));
    let accessor_doc = format!(" Obtained from [`crate::Client::{}`].", sub.accessor);
    quote! {
        #doc
        #[doc = ""]
        #[doc = #accessor_doc]
        #[derive(Debug, Clone, Copy)]
        pub struct #api<'a> {
            pub(crate) client: &'a crate::Client,
        }

        impl<'a> #api<'a> {
            #(#methods)*
        }

        #(#builders)*
    }
}

fn param_doc(p: &Param) -> String {
    let place = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query(_) => "query",
        ParamLocation::Header => "header",
    };
    let required = if p.required && !p.positional { ", required" } else { "" };
    match &p.doc {
        Some(doc) => format!("{} ({}, {place}{required})", doc.trim(), code_span(&p.wire_name)),
        None => format!("{} ({place}{required})", code_span(&p.wire_name)),
    }
}

/// The parameter's type without the `Option` an optional parameter's schema may carry.
fn param_type(p: &Param) -> &TypeRef {
    match &p.ty {
        TypeRef::Option(inner) if !p.required => inner,
        other => other,
    }
}

/// The operation method on the sub-client (or `Client`): takes the positional arguments and
/// returns the builder with everything else unset.
fn method(ir: &Ir, group: &Group, op: &Operation, lib: &str, client: &TokenStream) -> TokenStream {
    let name = ident(&op.name);
    let builder = ident(&op.builder);
    let mut args = Vec::new();
    let mut fields = Vec::new();
    for p in &op.params {
        let field = ident(&p.name);
        if p.positional {
            let ty = borrowed_type(ir, param_type(p));
            args.push(quote! { #field: #ty });
            fields.push(quote! { #field });
        } else {
            fields.push(quote! { #field: None });
        }
    }
    if let Some(body) = &op.body {
        if body.positional {
            let (ty, field) = match &body.kind {
                RequestBody::Raw { .. } => (
                    quote! { impl Into<client_runtime::reexports::bytes::Bytes> },
                    quote! { body: body.into() },
                ),
                kind => (request_body_type(ir, kind), quote! { body }),
            };
            args.push(quote! { body: #ty });
            fields.push(field);
        } else {
            fields.push(quote! { body: None });
        }
    }
    let doc = doc_attrs(Some(&method_doc(op)));
    let caller_doc = generator_doc_attrs(&super::op_doc::sections(ir, group, op, lib));
    let (lifetime, receiver) = match client.to_string().as_str() {
        "self" => (quote! { <'a> }, quote! { &'a self }),
        _ => (quote! {}, quote! { &self }),
    };
    quote! {
        #doc
        #caller_doc
        #[inline]
        pub fn #name #lifetime (#receiver, #(#args),*) -> #builder<'a> {
            #builder {
                client: #client,
                #(#fields,)*
                options: client_runtime::CallOptions::default(),
            }
        }
    }
}

/// How a value is held by a builder and taken by its method or setter: strings as `&str`,
/// lists as slices, copyable scalars by value, the rest by reference.
fn borrowed_type(ir: &Ir, ty: &TypeRef) -> TokenStream {
    match (arg_kind(ty), ty) {
        (ArgKind::Str, _) => quote! { &'a str },
        (ArgKind::Value, _) => type_tokens(ir, ty, From::Elsewhere),
        (ArgKind::Ref, TypeRef::Vec(item)) => {
            let item = type_tokens(ir, item, From::Elsewhere);
            quote! { &'a [#item] }
        }
        (ArgKind::Ref, _) => {
            let ty = type_tokens(ir, ty, From::Elsewhere);
            quote! { &'a #ty }
        }
    }
}

/// How a request body is held by the builder.
fn request_body_type(ir: &Ir, kind: &RequestBody) -> TokenStream {
    match kind {
        RequestBody::Json(ty) | RequestBody::Form(ty) => {
            let ty = type_tokens(ir, ty, From::Elsewhere);
            quote! { &'a #ty }
        }
        RequestBody::Multipart(form) => {
            let ty = ident(&form.name);
            quote! { &'a #ty }
        }
        RequestBody::MultipartUntyped => quote! { client_runtime::Multipart },
        RequestBody::Raw { .. } => quote! { client_runtime::reexports::bytes::Bytes },
    }
}

/// The operation's builder: its fields, setters, per-call overrides, `send` and `IntoFuture`,
/// and `stream` when it pages.
fn builder(ir: &Ir, group: &Group, op: &Operation) -> TokenStream {
    let name = ident(&op.builder);
    let owner = match group.sub_client() {
        None => "crate::Client".to_owned(),
        Some(sub) => sub.api_name.clone(),
    };
    let doc = format!(
        " A call of [`{owner}::{}`]: set its parameters, then send it with `.send().await` or \
         just `.await`.",
        op.name
    );
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    let mut builds = Vec::new();
    for p in &op.params {
        let field = ident(&p.name);
        let ty = borrowed_type(ir, param_type(p));
        let wire = &p.wire_name;
        if p.positional {
            fields.push(quote! { #field: #ty });
        } else {
            fields.push(quote! { #field: Option<#ty> });
            let doc = doc_attrs(Some(&param_doc(p)));
            setters.push(quote! {
                #doc
                #[inline]
                pub fn #field(mut self, value: #ty) -> Self {
                    self.#field = Some(value);
                    self
                }
            });
            if p.required {
                let rust_name = &p.name;
                builds.push(quote! { .require(#rust_name, self.#field.is_some()) });
            }
        }
        builds.push(match p.location {
            ParamLocation::Path => quote! { .path_param(#wire, &self.#field) },
            ParamLocation::Header => quote! { .header(#wire, &self.#field) },
            ParamLocation::Query(style) => {
                let style = match style {
                    QueryStyle::Form => quote! { client_runtime::QueryStyle::Form },
                    QueryStyle::FormNoExplode => quote! { client_runtime::QueryStyle::FormNoExplode },
                    QueryStyle::DeepObject => quote! { client_runtime::QueryStyle::DeepObject },
                };
                quote! { .query(#wire, &self.#field, #style) }
            }
        });
    }
    let mut body_stmt = TokenStream::new();
    if let Some(Body { kind, positional, .. }) = &op.body {
        let ty = request_body_type(ir, kind);
        let set = |body: TokenStream| match kind {
            RequestBody::Json(_) => quote! { .json(#body) },
            RequestBody::Form(_) => quote! { .form(#body) },
            RequestBody::Multipart(_) => super::multipart::set_body(&body),
            RequestBody::MultipartUntyped => quote! { .multipart(#body.clone()) },
            RequestBody::Raw { content_type } => quote! { .raw(#content_type, #body.clone()) },
        };
        if *positional {
            fields.push(quote! { body: #ty });
            builds.push(set(quote! { self.body }));
        } else {
            let set = set(quote! { body });
            fields.push(quote! { body: Option<#ty> });
            let (setter_ty, value) = match kind {
                RequestBody::Raw { .. } => (
                    quote! { impl Into<client_runtime::reexports::bytes::Bytes> },
                    quote! { body.into() },
                ),
                _ => (ty, quote! { body }),
            };
            setters.push(quote! {
                /// The request body.
                #[inline]
                pub fn body(mut self, body: #setter_ty) -> Self {
                    self.body = Some(#value);
                    self
                }
            });
            body_stmt = quote! {
                let request = match &self.body {
                    Some(body) => request #set,
                    None => request,
                };
            };
        }
    }
    if op.retry_safe {
        builds.push(quote! { .retry_safe(true) });
    }
    let method = match op.method.as_str() {
        "GET" | "PUT" | "POST" | "DELETE" | "OPTIONS" | "HEAD" | "PATCH" | "TRACE" => {
            let m = ident(&op.method);
            quote! { client_runtime::reexports::http::Method::#m }
        }
        other => quote! { client_runtime::ApiRequest::custom_method(#other) },
    };
    let path = &op.path;
    let operation_id = &op.operation_id;
    let ok_ty = success_type(ir, op);
    let err_ty = error_body(ir, op);
    let dispatch = dispatch(ir, op);
    let stream = super::pagination::stream_method(ir, op);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "a call does nothing until it is sent or awaited"]
        pub struct #name<'a> {
            client: &'a crate::Client,
            #(#fields,)*
            options: client_runtime::CallOptions,
        }

        impl<'a> #name<'a> {
            #(#setters)*

            /// Limits this call to `timeout` (the whole request, body included), instead of
            /// the client's request timeout.
            #[inline]
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// Sends this call once, whatever the client's retry policy (a rejected token is
            /// still renewed once).
            #[inline]
            pub fn without_retries(mut self) -> Self {
                self.options.no_retries = true;
                self
            }

            /// Sends the request and decodes the answer; `.await` on the builder does the same.
            #[inline]
            pub fn send(self) -> client_runtime::CallFuture<'a, #ok_ty, #err_ty> {
                client_runtime::call(self.client.api_client(), self.request(), Self::decode)
            }

            #[inline]
            fn request(&self) -> client_runtime::ApiRequest {
                let request = client_runtime::ApiRequest::new(#method, #path).operation(#operation_id) #(#builds)*;
                #body_stmt
                request.options(self.options)
            }

            #[inline]
            fn decode(
                response: client_runtime::RawResponse,
            ) -> Result<client_runtime::ResponseValue<#ok_ty>, client_runtime::Error<#err_ty>> {
                #dispatch
            }

            #stream
        }

        impl<'a> std::future::IntoFuture for #name<'a> {
            type Output = Result<client_runtime::ResponseValue<#ok_ty>, client_runtime::Error<#err_ty>>;
            type IntoFuture = client_runtime::CallFuture<'a, #ok_ty, #err_ty>;

            #[inline]
            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    }
}

fn method_doc(op: &Operation) -> String {
    let mut doc = op.doc.clone().unwrap_or_default();
    if op.deprecated {
        doc.push_str("\n\n**Deprecated** by the API.");
    }
    match op.body.as_ref().map(|b| &b.kind) {
        Some(RequestBody::Multipart(form)) => doc.push_str(&format!(
            "\n\nThe body is a `{}`, sent as `multipart/form-data`.",
            form.name
        )),
        Some(RequestBody::MultipartUntyped) => {
            doc.push_str("\n\nThe body is a `Multipart` you fill: the spec does not describe its fields as an object.")
        }
        _ => {}
    }
    doc.push_str(&format!("\n\n`{} {}`", op.method, op.path));
    doc.trim_start().to_owned()
}

fn body_type(ir: &Ir, body: &ResponseBody) -> TokenStream {
    match body {
        ResponseBody::Json(ty) => type_tokens(ir, ty, From::Elsewhere),
        ResponseBody::Text => quote! { String },
        ResponseBody::Bytes => quote! { client_runtime::reexports::bytes::Bytes },
        ResponseBody::Empty => quote! { () },
    }
}

fn success_type(ir: &Ir, op: &Operation) -> TokenStream {
    match &op.success {
        SuccessShape::Single(body) => body_type(ir, body),
        SuccessShape::Enum(id) => type_tokens(ir, &TypeRef::Named(*id), From::Elsewhere),
    }
}

/// The expression that turns `response` (a `client_runtime::RawResponse`) into the
/// operation's result: a match on the status, one arm per documented response. The success
/// arms decode with `response.json()`, so the page type a stream reads is inferred where the
/// stream's extractor reads pages as JSON values.
pub(super) fn dispatch(ir: &Ir, op: &Operation) -> TokenStream {
    let arms = arms(ir, op);
    // A lone `default` response needs no status match.
    match arms.as_slice() {
        [(None, expr)] => quote! { #expr },
        _ => {
            let arms = arms.iter().map(|(pattern, expr)| {
                let pattern = pattern.clone().unwrap_or_else(|| quote! { _ });
                quote! { #pattern => #expr, }
            });
            quote! {
                match response.status().as_u16() {
                    #(#arms)*
                }
            }
        }
    }
}

/// The operation's documented error body type (the `E` of `Error<E>`).
pub(super) fn error_body(ir: &Ir, op: &Operation) -> TokenStream {
    match &op.error {
        ErrorShape::None => quote! { std::convert::Infallible },
        ErrorShape::Single(ty) => type_tokens(ir, ty, From::Elsewhere),
        ErrorShape::Enum(id) => type_tokens(ir, &TypeRef::Named(*id), From::Elsewhere),
    }
}

fn read_body(body: &ResponseBody) -> TokenStream {
    match body {
        ResponseBody::Json(_) => quote! { response.json() },
        ResponseBody::Text => quote! { response.text() },
        ResponseBody::Bytes => quote! { response.bytes() },
        ResponseBody::Empty => quote! { response.empty() },
    }
}

/// The pattern of a range arm (`4XX`): the range without the statuses that have arms of their
/// own (`404` beside `4XX` gives `400..=403 | 405..=499`). Those arms come first and win
/// anyway, but a pattern overlapping them fails clippy's `match_overlapping_arm`. `None` when
/// no status is left.
fn range_pattern(op: &Operation, range: u16) -> Option<TokenStream> {
    let low = range.saturating_mul(100);
    let high = low.saturating_add(99);
    let taken: std::collections::BTreeSet<u16> = op
        .responses
        .iter()
        .filter_map(|r| match r.status {
            StatusMatch::Code(code) if (low..=high).contains(&code) => Some(code),
            _ => None,
        })
        .collect();
    let mut pieces = Vec::new();
    let mut start = low;
    for code in taken.iter().copied().chain(std::iter::once(high.saturating_add(1))) {
        if code > start {
            let first = proc_macro2::Literal::u16_unsuffixed(start);
            let last = proc_macro2::Literal::u16_unsuffixed(code - 1);
            pieces.push(if start == code - 1 {
                quote! { #first }
            } else {
                quote! { #first..=#last }
            });
        }
        start = code.saturating_add(1);
    }
    (!pieces.is_empty()).then(|| quote! { #(#pieces)|* })
}

/// The status arms: (pattern, or `None` for the catch-all; expression).
fn arms(ir: &Ir, op: &Operation) -> Vec<(Option<TokenStream>, TokenStream)> {
    let mut arms = Vec::new();
    let mut has_default = false;
    for response in &op.responses {
        let pattern = match response.status {
            StatusMatch::Code(code) => {
                let code = proc_macro2::Literal::u16_unsuffixed(code);
                Some(quote! { #code })
            }
            StatusMatch::Range(range) => match range_pattern(op, range) {
                Some(pattern) => Some(pattern),
                // Every status of the range has an arm of its own: this one is unreachable.
                None => continue,
            },
            StatusMatch::Default => {
                has_default = true;
                None
            }
        };
        let variant = ident(&response.variant);
        let expr = if response.role == ResponseRole::Success {
            let read = read_body(&response.body);
            match &op.success {
                SuccessShape::Single(_) => read,
                SuccessShape::Enum(id) => {
                    let ty = type_tokens(ir, &TypeRef::Named(*id), From::Elsewhere);
                    match &response.body {
                        ResponseBody::Empty => {
                            quote! { #read.map(|value| value.map(|()| #ty::#variant)) }
                        }
                        ResponseBody::Json(body) => {
                            // The variant constructor alone does not pin the body type for inference.
                            let body = type_tokens(ir, body, From::Elsewhere);
                            quote! { response.json::<#body, _>().map(|value| value.map(#ty::#variant)) }
                        }
                        _ => quote! { #read.map(|value| value.map(#ty::#variant)) },
                    }
                }
            }
        } else {
            match (&response.body, &op.error) {
                (ResponseBody::Json(_), ErrorShape::Single(_)) => {
                    quote! { Err(response.error_json(std::convert::identity)) }
                }
                (ResponseBody::Json(_), ErrorShape::Enum(id)) => {
                    let ty = type_tokens(ir, &TypeRef::Named(*id), From::Elsewhere);
                    quote! { Err(response.error_json(#ty::#variant)) }
                }
                _ => quote! { Err(response.unexpected()) },
            }
        };
        arms.push((pattern, expr));
    }
    if !has_default {
        arms.push((None, quote! { Err(response.unexpected()) }));
    }
    arms
}
