//! Cargo features per tag, so users of a large API compile only the groups they call.
//!
//! With two or more tagged groups, each group's module (and accessor) sits behind a feature
//! named after the module: one per tag, and `operations` (or whatever name the root group's
//! module got) for the untagged operations on `Client`. Every type is compiled exactly when a
//! feature that needs it is on: `#[cfg(any(...))]` over the features of the groups that use
//! it, directly or through other types (a type more than 64 groups use is not gated: the IR
//! leaves it out of `type_users`, with a warning). Types no operation uses sit behind
//! [`UNREFERENCED_FEATURE`] (with what they use); webhook payloads and what they use are never
//! gated, as the webhook events module is not. All features are on by default.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::model::{Group, Ir, TypeId, TypeKind};

/// The feature of the types no operation uses. A tag or root module name is a Rust
/// identifier, so a name with a hyphen can never clash with one.
pub const UNREFERENCED_FEATURE: &str = "unreferenced-types";

/// The default-on feature that derives `Serialize` for the types no operation sends.
pub const SERIALIZE_FEATURE: &str = "serialize-responses";

/// Whether some type gets `Serialize` only with [`SERIALIZE_FEATURE`].
fn serialize_gated(ir: &Ir) -> bool {
    ir.type_ids().any(|id| {
        !ir.serialized_types.contains(&id)
            && ir
                .type_def(id)
                .is_some_and(|t| matches!(t.kind, TypeKind::Struct(_) | TypeKind::Union(_) | TypeKind::Newtype(_)))
    })
}

/// Whether the crate has per-group features.
pub fn enabled(ir: &Ir) -> bool {
    ir.groups.iter().filter(|g| g.sub_client().is_some()).count() >= 2
}

/// The feature of a group, if the crate has features.
fn feature(ir: &Ir, group: &Group) -> Option<String> {
    enabled(ir).then(|| group.module.clone())
}

/// `#[cfg(feature = "...")]` for a group's module and accessor, or nothing.
pub fn group_cfg(ir: &Ir, group: &Group) -> TokenStream {
    match feature(ir, group) {
        Some(name) => quote! { #[cfg(feature = #name)] },
        None => TokenStream::new(),
    }
}

/// The cfg of a type: any of the features that need it (sorted), or nothing when the crate
/// has no features or a webhook payload needs it (the webhook events module is never gated).
pub fn type_cfg(ir: &Ir, id: TypeId) -> TokenStream {
    if !enabled(ir) || ir.webhooks.as_ref().is_some_and(|w| w.types.contains(&id)) {
        return TokenStream::new();
    }
    let mut names: Vec<&str> = ir
        .type_users
        .get(&id)
        .into_iter()
        .flatten()
        .filter_map(|&index| ir.groups.get(index))
        .map(|g| g.module.as_str())
        .collect();
    if ir.unreferenced_types.contains(&id) {
        names.push(UNREFERENCED_FEATURE);
    }
    names.sort_unstable();
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

/// The `[features]` section of the client crate's `Cargo.toml`: one feature per group, the one
/// of the types no operation uses, the one deriving `Serialize` for received types, and the
/// Redis one. With a types crate (`types_package`), each of the first three turns on the types
/// crate's feature of the same name, which gates the types.
pub fn manifest_section(ir: &Ir, types_package: Option<&str>) -> String {
    let mut out = type_features(ir, types_package);
    out.push_str(&format!(
        "# Tokens and rate budget shared by every replica through Redis (see the README).\n{} = [\"client-runtime/redis\"]\n",
        redis_feature(ir)
    ));
    out
}

/// The `[features]` section of the types crate's `Cargo.toml` (see [`super::split`]): the
/// features that gate types, named as in the client crate, which turns them on.
pub fn types_manifest_section(ir: &Ir) -> String {
    type_features(ir, None)
}

/// `[features]` with the features that gate types and `default`; each forwards to
/// `forward_to`'s feature of the same name when given.
fn type_features(ir: &Ir, forward_to: Option<&str>) -> String {
    let mut out = String::from("\n[features]\n");
    let mut names: Vec<&str> = Vec::with_capacity(ir.groups.len() + 2);
    let mut lines = String::new();
    let feature_line = |name: &str| match forward_to {
        Some(package) => format!("{name} = [\"{package}/{name}\"]\n"),
        None => format!("{name} = []\n"),
    };
    if enabled(ir) {
        out.push_str("# One feature per tag; all on by default. Turn off default features and pick\n# the tags you call to compile less: each type is built only if a feature on needs it.\n");
        for group in &ir.groups {
            if group.sub_client().is_none() {
                lines.push_str("# The operations without a tag (methods on `Client`).\n");
            }
            lines.push_str(&feature_line(&group.module));
            names.push(&group.module);
        }
        if !ir.unreferenced_types.is_empty() {
            lines.push_str("# The types no operation uses (and what they use).\n");
            lines.push_str(&feature_line(UNREFERENCED_FEATURE));
            names.push(UNREFERENCED_FEATURE);
        }
    }
    if serialize_gated(ir) {
        lines.push_str("# `Serialize` for the types the API only sends back (to cache or forward them);\n# the types requests carry always have it.\n");
        lines.push_str(&feature_line(SERIALIZE_FEATURE));
        names.push(SERIALIZE_FEATURE);
    }
    if !names.is_empty() {
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        out.push_str(&format!("default = [{}]\n", quoted.join(", ")));
        out.push_str(&lines);
    }
    out
}
