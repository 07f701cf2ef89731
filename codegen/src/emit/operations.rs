//! Emitting one module per operation group: the sub-client, its methods and params structs.

use proc_macro2::TokenStream;
use quote::quote;

use super::args::{arg_kind, ArgKind};
use super::types::{doc_attrs, ident, type_tokens, From};
use crate::ir::model::{
    Body, ErrorShape, Group, GroupOwner, Ir, Operation, Param, ParamLocation, QueryStyle, RequestBody, ResponseBody,
    ResponseRole, StatusMatch, SuccessShape, TypeRef,
};

/// The body of one group's module.
pub fn emit_group(ir: &Ir, group: &Group) -> TokenStream {
    let params_structs: Vec<TokenStream> = group
        .operations
        .iter()
        .filter_map(|op| params_struct(ir, group, op))
        .collect();
    // `_stream` methods of paginated operations (see `pagination`).
    let streams: Vec<TokenStream> = group
        .operations
        .iter()
        .filter_map(|op| super::pagination::stream_method(ir, group, op))
        .collect();
    // Root-group operations are methods of `Client` itself; the others hang off a sub-client.
    let GroupOwner::Tag(sub) = &group.owner else {
        let methods = group.operations.iter().map(|op| method(ir, op, &quote! { self }));
        return quote! {
            #(#params_structs)*

            impl crate::Client {
                #(#methods)*
                #(#streams)*
            }
        };
    };
    let methods = group
        .operations
        .iter()
        .map(|op| method(ir, op, &quote! { self.client }));
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

        #(#params_structs)*

        impl #api<'_> {
            #(#methods)*
            #(#streams)*
        }
    }
}

fn params_struct(ir: &Ir, group: &Group, op: &Operation) -> Option<TokenStream> {
    let name = ident(op.params_struct.as_deref()?);
    let owner = match group.sub_client() {
        None => "crate::Client".to_owned(),
        Some(sub) => sub.api_name.clone(),
    };
    let doc = format!(" Optional parameters of [`{owner}::{}`].", op.name);
    let fields = op.params.iter().filter(|p| !p.required).map(|p| {
        let field = ident(&p.name);
        let inner = match &p.ty {
            TypeRef::Option(inner) => type_tokens(ir, inner, From::Elsewhere),
            other => type_tokens(ir, other, From::Elsewhere),
        };
        let doc = doc_attrs(Some(&param_doc(p)));
        quote! { #doc pub #field: Option<#inner>, }
    });
    Some(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Default)]
        pub struct #name {
            #(#fields)*
        }
    })
}

fn param_doc(p: &Param) -> String {
    let place = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query(_) => "query",
        ParamLocation::Header => "header",
    };
    match &p.doc {
        Some(doc) => format!("{} (`{}`, {place})", doc.trim(), p.wire_name),
        None => format!("`{}` ({place})", p.wire_name),
    }
}

fn method(ir: &Ir, op: &Operation, client: &TokenStream) -> TokenStream {
    let name = ident(&op.name);
    let mut args = Vec::new();
    let mut builds = Vec::new();
    for p in &op.params {
        let value = if p.required {
            let arg = ident(&p.name);
            let ty = type_tokens(ir, &p.ty, From::Elsewhere);
            match arg_kind(&p.ty) {
                ArgKind::Str => {
                    args.push(quote! { #arg: &str });
                    quote! { #arg }
                }
                ArgKind::Value => {
                    args.push(quote! { #arg: #ty });
                    quote! { &#arg }
                }
                ArgKind::Ref => {
                    args.push(quote! { #arg: &#ty });
                    quote! { #arg }
                }
            }
        } else {
            let field = ident(&p.name);
            quote! { &params.#field }
        };
        builds.push(param_setter(p, &value));
    }
    let mut body_stmt = TokenStream::new();
    if let Some(Body { kind: body, required }) = &op.body {
        match body {
            RequestBody::Json(ty) | RequestBody::Form(ty) => {
                let ty = type_tokens(ir, ty, From::Elsewhere);
                let setter = if matches!(body, RequestBody::Json(_)) {
                    quote! { json }
                } else {
                    quote! { form }
                };
                if *required {
                    args.push(quote! { body: &#ty });
                    builds.push(quote! { .#setter(body) });
                } else {
                    args.push(quote! { body: Option<&#ty> });
                    body_stmt = quote! {
                        if let Some(body) = body {
                            request = request.#setter(body);
                        }
                    };
                }
            }
            RequestBody::Multipart { .. } => {
                args.push(quote! { body: client_runtime::Multipart });
                builds.push(quote! { .multipart(body) });
            }
            RequestBody::Raw { content_type } => {
                args.push(quote! { body: impl Into<client_runtime::reexports::bytes::Bytes> });
                builds.push(quote! { .raw(#content_type, body) });
            }
        }
    }
    if let Some(params) = &op.params_struct {
        let params = ident(params);
        args.push(quote! { params: #params });
    }
    if op.retry_safe {
        builds.push(quote! { .retry_safe(true) });
    }
    let method = http_method(op);
    let path = &op.path;
    let operation_id = &op.operation_id;
    let ok_ty = success_type(ir, op);
    let err_ty = error_type(ir, op);
    let dispatch = dispatch(ir, op);
    let doc = doc_attrs(Some(&method_doc(op)));
    let mutability = if body_stmt.is_empty() {
        quote! {}
    } else {
        quote! { mut }
    };
    quote! {
        #doc
        pub async fn #name(&self, #(#args),*) -> Result<client_runtime::ResponseValue<#ok_ty>, #err_ty> {
            let #mutability request = client_runtime::ApiRequest::new(#method, #path).operation(#operation_id) #(#builds)*;
            #body_stmt
            let response = #client.api_client().send(request).await?;
            #dispatch
        }
    }
}

/// The request-builder call that sets parameter `p` to `value` (an expression of a reference).
pub(super) fn param_setter(p: &Param, value: &TokenStream) -> TokenStream {
    let wire = &p.wire_name;
    match p.location {
        ParamLocation::Path => quote! { .path_param(#wire, #value) },
        ParamLocation::Header => quote! { .header(#wire, #value) },
        ParamLocation::Query(style) => {
            let style = match style {
                QueryStyle::Form => quote! { client_runtime::QueryStyle::Form },
                QueryStyle::FormNoExplode => {
                    quote! { client_runtime::QueryStyle::FormNoExplode }
                }
                QueryStyle::DeepObject => quote! { client_runtime::QueryStyle::DeepObject },
            };
            quote! { .query(#wire, #value, #style) }
        }
    }
}

/// The operation's HTTP method as an `http::Method` expression.
pub(super) fn http_method(op: &Operation) -> TokenStream {
    match op.method.as_str() {
        "GET" | "PUT" | "POST" | "DELETE" | "OPTIONS" | "HEAD" | "PATCH" | "TRACE" => {
            let m = ident(&op.method);
            quote! { client_runtime::reexports::http::Method::#m }
        }
        other => quote! { client_runtime::ApiRequest::custom_method(#other) },
    }
}

/// The expression that turns `response` (a `client_runtime::RawResponse`) into the
/// operation's result: a match on the status, one arm per documented response.
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

fn method_doc(op: &Operation) -> String {
    let mut doc = op.doc.clone().unwrap_or_default();
    if op.deprecated {
        doc.push_str("\n\n**Deprecated** by the API.");
    }
    if let Some(Body {
        kind: RequestBody::Multipart { fields },
        ..
    }) = &op.body
    {
        let fields: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
        doc.push_str(&format!(
            "\n\nThe multipart body takes the fields {}.",
            fields.join(", ")
        ));
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

fn error_type(ir: &Ir, op: &Operation) -> TokenStream {
    match &op.error {
        ErrorShape::None => quote! { client_runtime::Error },
        ErrorShape::Single(ty) => {
            let ty = type_tokens(ir, ty, From::Elsewhere);
            quote! { client_runtime::Error<#ty> }
        }
        ErrorShape::Enum(id) => {
            let ty = type_tokens(ir, &TypeRef::Named(*id), From::Elsewhere);
            quote! { client_runtime::Error<#ty> }
        }
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
            StatusMatch::Range(range) => {
                let low = proc_macro2::Literal::u16_unsuffixed(range * 100);
                let high = proc_macro2::Literal::u16_unsuffixed(range * 100 + 99);
                Some(quote! { #low..=#high })
            }
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
