//! Emitting the webhook events module: one enum of the events the API sends, with parsers
//! from a delivery's raw body.
//!
//! Verification is the runtime's job (`client_runtime::webhook`); the generated code only
//! maps event names to payload types and calls the runtime's payload helpers, so every
//! crate reports the same errors.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{doc_attrs, ident, type_tokens, From};
use crate::ir::model::{Ir, Webhooks};

/// The module's doc lines and items.
pub fn emit_module(ir: &Ir, webhooks: &Webhooks) -> TokenStream {
    let name = ident(&webhooks.enum_name);
    let variants = webhooks.events.iter().map(|event| {
        let variant = ident(&event.name);
        let mut doc = event.doc.clone().map(|d| format!("{d}\n\n")).unwrap_or_default();
        doc.push_str(&format!("Event {}.", super::doc_text::code_span(&event.wire_name)));
        let doc = doc_attrs(Some(&doc));
        match &event.payload {
            Some(ty) => {
                let ty = type_tokens(ir, ty, From::Elsewhere);
                quote! { #doc #variant(#ty), }
            }
            None => quote! { #doc #variant, },
        }
    });
    let wire_names: Vec<&str> = webhooks.events.iter().map(|e| e.wire_name.as_str()).collect();
    let parse_arms = webhooks.events.iter().map(|event| {
        let variant = ident(&event.name);
        let wire = &event.wire_name;
        match &event.payload {
            Some(_) => quote! { #wire => client_runtime::webhook::parse_payload(event, body).map(Self::#variant), },
            None => quote! { #wire => Ok(Self::#variant), },
        }
    });
    let name_arms = webhooks.events.iter().map(|event| {
        let variant = ident(&event.name);
        let wire = &event.wire_name;
        match &event.payload {
            Some(_) => quote! { Self::#variant(_) => #wire, },
            None => quote! { Self::#variant => #wire, },
        }
    });
    let from_body = webhooks
        .event_property
        .as_ref()
        .map(|property| from_body(webhooks, property));
    let from_headers = webhooks
        .event_header
        .as_ref()
        .map(|header| from_headers(webhooks, header));
    let mut parsers = vec![format!("[`{}::parse`]", webhooks.enum_name)];
    if webhooks.event_property.is_some() {
        parsers.push(format!("[`{}::from_body`]", webhooks.enum_name));
    }
    if webhooks.event_header.is_some() {
        parsers.push(format!("[`{}::from_headers`]", webhooks.enum_name));
    }
    let enum_doc = format!(
        " An event the API sends to your endpoint, with its payload. Verify the delivery first\n \
         (`client_runtime::webhook`), then parse its raw body with {}.",
        parsers.join(" or ")
    );
    let enum_doc = enum_doc.lines().map(|l| quote! { #[doc = #l] });
    quote! {
        #(#enum_doc)*
        #[derive(Debug, Clone)]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// The event names, as [`Self::parse`] takes them and [`Self::event`] returns them.
            pub const EVENTS: &'static [&'static str] = &[#(#wire_names),*];

            /// Parses the raw body of a delivery of `event` (one of [`Self::EVENTS`]), for
            /// example told by the URL the endpoint was registered under.
            pub fn parse(event: &str, body: &[u8]) -> Result<Self, client_runtime::webhook::EventError> {
                match event {
                    #(#parse_arms)*
                    other => Err(client_runtime::webhook::EventError::UnknownEvent(other.to_owned())),
                }
            }

            #from_body

            #from_headers

            /// The event's name, as the spec lists it.
            pub fn event(&self) -> &'static str {
                match self {
                    #(#name_arms)*
                }
            }
        }
    }
}

/// `from_body`: reads the event from the body property every payload fixes.
fn from_body(webhooks: &Webhooks, property: &str) -> TokenStream {
    let arms = webhooks.events.iter().filter_map(|event| {
        let variant = ident(&event.name);
        let tag = event.tag.as_ref()?;
        // Every event with a tag has a payload (the tag was found in it).
        event.payload.as_ref()?;
        Some(quote! { #tag => client_runtime::webhook::parse_payload(&event, body).map(Self::#variant), })
    });
    let doc = format!(" Parses a delivery's raw body, reading its event from the body's `{property}` property.");
    quote! {
        #[doc = #doc]
        pub fn from_body(body: &[u8]) -> Result<Self, client_runtime::webhook::EventError> {
            let event = client_runtime::webhook::event_name_in_body(body, #property)?;
            match event.as_str() {
                #(#arms)*
                _ => Err(client_runtime::webhook::EventError::UnknownEvent(event)),
            }
        }
    }
}

/// `from_headers`: reads the event from the request header every event fixes.
fn from_headers(webhooks: &Webhooks, header: &str) -> TokenStream {
    let arms = webhooks.events.iter().filter_map(|event| {
        let variant = ident(&event.name);
        let value = event.header_value.as_ref()?;
        Some(match &event.payload {
            Some(_) => quote! { #value => client_runtime::webhook::parse_payload(&event, body).map(Self::#variant), },
            None => quote! { #value => Ok(Self::#variant), },
        })
    });
    let doc = format!(" Parses a delivery's raw body, reading its event from the `{header}` request header.");
    quote! {
        #[doc = #doc]
        pub fn from_headers(
            headers: &client_runtime::reexports::http::HeaderMap,
            body: &[u8],
        ) -> Result<Self, client_runtime::webhook::EventError> {
            let event = client_runtime::webhook::event_name_in_header(headers, #header)?;
            match event.as_str() {
                #(#arms)*
                _ => Err(client_runtime::webhook::EventError::UnknownEvent(event)),
            }
        }
    }
}
