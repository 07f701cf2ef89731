//! Cargo features per tag, so users of a large API compile only the groups they call.
//!
//! With two or more tagged groups, each group's module and accessor sit behind a feature
//! named after the module, and every type behind the features of the groups that use it
//! (directly or through other types). All features are on by default. Untagged operations
//! and types no operation uses are never gated, nor are webhook payloads and what they use.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::model::{Group, Ir, TypeId};

/// Whether the crate has per-group features.
pub fn enabled(ir: &Ir) -> bool {
    ir.groups.iter().filter(|g| g.sub_client().is_some()).count() >= 2
}

/// The feature of a group, if it has one.
fn feature(ir: &Ir, group: &Group) -> Option<String> {
    (enabled(ir) && group.sub_client().is_some()).then(|| group.module.clone())
}

/// `#[cfg(feature = "...")]` for a group's module and accessor, or nothing.
pub fn group_cfg(ir: &Ir, group: &Group) -> TokenStream {
    match feature(ir, group) {
        Some(name) => quote! { #[cfg(feature = #name)] },
        None => TokenStream::new(),
    }
}

/// Types shared by more groups than this are always compiled: they are the API's common
/// vocabulary (envelopes, errors), cheap to build, and a long `cfg(any(...))` helps no reader.
/// Whatever such a type refers to has at least the same users, so it stays ungated too.
const MAX_GATED_USERS: usize = 3;

/// The cfg of a type: any of its users' features, or nothing when an ungated group uses it, no
/// operation does, more than [`MAX_GATED_USERS`] groups share it, or a webhook payload needs
/// it (the webhook events module is never gated).
pub fn type_cfg(ir: &Ir, id: TypeId) -> TokenStream {
    if !enabled(ir) || ir.webhooks.as_ref().is_some_and(|w| w.types.contains(&id)) {
        return TokenStream::new();
    }
    let Some(users) = ir.type_users.get(&id).filter(|u| u.len() <= MAX_GATED_USERS) else {
        return TokenStream::new();
    };
    let mut names = Vec::with_capacity(users.len());
    for &index in users {
        match ir.groups.get(index).and_then(|g| feature(ir, g)) {
            Some(name) => names.push(name),
            None => return TokenStream::new(),
        }
    }
    names.sort();
    names.dedup();
    match names.as_slice() {
        [] => TokenStream::new(),
        [one] => quote! { #[cfg(feature = #one)] },
        _ => quote! { #[cfg(any(#(feature = #names),*))] },
    }
}

/// The name of the feature that turns on the runtime's Redis support: `redis`, unless a tag
/// already claimed that name.
pub fn redis_feature(ir: &Ir) -> &'static str {
    if ir.groups.iter().any(|g| feature(ir, g).as_deref() == Some("redis")) {
        "shared-redis"
    } else {
        "redis"
    }
}

/// The `[features]` section of `Cargo.toml`: one feature per tag, and the Redis one.
pub fn manifest_section(ir: &Ir) -> String {
    let names: Vec<String> = ir.groups.iter().filter_map(|g| feature(ir, g)).collect();
    let mut out = String::from("\n[features]\n");
    if !names.is_empty() {
        out.push_str("# One feature per tag; all on by default. Turn off default features and pick\n# the tags you call to compile less.\n");
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        out.push_str(&format!("default = [{}]\n", quoted.join(", ")));
        for name in &names {
            out.push_str(&format!("{name} = []\n"));
        }
    }
    out.push_str(&format!(
        "# Tokens and rate budget shared by every replica through Redis (see the README).\n{} = [\"client-runtime/redis\"]\n",
        redis_feature(ir)
    ));
    out
}
