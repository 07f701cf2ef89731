//! `use` lines for a generated module.
//!
//! The emitters write every path in full (`crate::types::CustomerInput`,
//! `client_runtime::ApiRequest`, `std::time::Duration`), which is always correct but reads as
//! generated. This pass, run on a module's finished tokens, shortens each such path to its last
//! name and imports that name once at the top of the module, unless the short name could mean
//! something else there:
//!
//! - a name the module already uses bare (a derive like `Debug`, a prelude trait like `Into`, a
//!   builder the module defines) is never imported, so a type named like one keeps its path;
//! - two paths that end in the same name (a spec type `Duration` next to `std::time::Duration`)
//!   give the name to the one listed first in `KNOWN` or, between types, the first seen; the
//!   other keeps its full path.
//!
//! Only paths that end in a type or trait (a capitalised name) are shortened; functions and
//! modules (`client_runtime::call`, `client_runtime::pagination::paginate`) keep their path,
//! which says where they come from.

use std::collections::{BTreeMap, HashSet};

use proc_macro2::{Delimiter, Group, Ident, Spacing, Span, TokenStream, TokenTree};
use quote::quote;

/// Fixed paths that may be shortened, in the order they claim their name. The runtime's own
/// items come through the `client_runtime::Name` rule; these are the deeper ones.
const KNOWN: &[&[&str]] = &[
    &["std", "time", "Duration"],
    &["std", "future", "IntoFuture"],
    &["std", "convert", "Infallible"],
    &["client_runtime", "reexports", "http", "Method"],
    &["client_runtime", "reexports", "bytes", "Bytes"],
    &["crate", "Client"],
];

/// `tokens` (a module's items) with shortenable paths shortened and the `use` items that
/// import them in front.
pub fn with_imports(tokens: TokenStream) -> TokenStream {
    // The module is taken apart once into a tree this pass owns, read by reference, and put
    // together once. Walking `TokenStream`s directly would copy every token at each walk
    // (a stream shared with its group is copied when iterated), which was a fifth of
    // generation's time.
    let nodes = own(tokens);
    let mut found: Vec<Vec<String>> = Vec::new();
    collect_paths(&nodes, &mut found);
    let candidates: HashSet<&str> = found
        .iter()
        .filter_map(|path| path.last().map(String::as_str))
        .collect();
    let mut bare = HashSet::new();
    bare_names(&nodes, &candidates, &mut String::new(), &mut bare);
    // Known paths first (in their own order), then the runtime's items, then the types.
    found.sort_by_key(|path| rank(path));
    let mut claimed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in &found {
        let Some(name) = path.last() else { continue };
        if bare.contains(name) || claimed.contains_key(name) {
            continue;
        }
        claimed.insert(name.clone(), path.clone());
    }
    let imported: HashSet<Vec<String>> = claimed.values().cloned().collect();
    let body = assemble(nodes, &imported);
    if claimed.is_empty() {
        return body;
    }
    let uses = use_items(&claimed);
    quote! { #(#uses)* #body }
}

/// A token of a module taken apart: a group's contents are nodes of their own.
enum Node {
    /// An identifier, punctuation or literal (never a group).
    Leaf(TokenTree),
    /// A delimited group.
    Group {
        delimiter: Delimiter,
        span: Span,
        nodes: Vec<Node>,
    },
}

/// `tokens` as nodes, consuming them (no token is copied unless it was shared).
fn own(tokens: TokenStream) -> Vec<Node> {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Group(group) => {
                let (delimiter, span, stream) = (group.delimiter(), group.span(), group.stream());
                // The group's own handle goes first, so the stream is no longer shared.
                drop(group);
                Node::Group {
                    delimiter,
                    span,
                    nodes: own(stream),
                }
            }
            leaf => Node::Leaf(leaf),
        })
        .collect()
}

/// `nodes` as tokens again, with every path in `imported` replaced by its last name.
fn assemble(nodes: Vec<Node>, imported: &HashSet<Vec<String>>) -> TokenStream {
    // Where the imported paths are (start, length), found before the nodes are consumed.
    let mut cuts = Vec::new();
    let mut index = 0;
    while index < nodes.len() {
        match path_at(&nodes, index) {
            Some((path, len)) if imported.contains(&path) => {
                cuts.push((index, len));
                index += len;
            }
            _ => index += 1,
        }
    }
    let mut cuts = cuts.into_iter().peekable();
    let mut out = Vec::with_capacity(nodes.len());
    let mut skip_until = 0;
    for (index, node) in nodes.into_iter().enumerate() {
        if index < skip_until {
            continue;
        }
        if let Some(&(start, len)) = cuts.peek() {
            if start == index {
                cuts.next();
                // Only the path's last token, its name, stays (see below).
                skip_until = index + len - 1;
                continue;
            }
        }
        out.push(match node {
            // The last token of a shortened path is its name, with the span it was written with.
            Node::Leaf(token) => token,
            Node::Group { delimiter, span, nodes } => {
                let mut group = Group::new(delimiter, assemble(nodes, imported));
                group.set_span(span);
                TokenTree::Group(group)
            }
        });
    }
    out.into_iter().collect()
}

/// Where a path stands in the claiming order: [`KNOWN`] paths, `client_runtime::Name`, types.
fn rank(path: &[String]) -> (usize, usize) {
    if let Some(index) = KNOWN.iter().position(|known| known.iter().eq(path.iter())) {
        return (0, index);
    }
    if path.first().is_some_and(|first| first == "client_runtime") {
        return (1, 0);
    }
    (2, 0)
}

/// The identifier at `nodes[index]`, if it is one.
fn ident_at(nodes: &[Node], index: usize) -> Option<&Ident> {
    match nodes.get(index) {
        Some(Node::Leaf(TokenTree::Ident(ident))) => Some(ident),
        _ => None,
    }
}

/// Whether `nodes[index]` is a `::` (two `:` puncts, the first joint).
fn is_path_sep(nodes: &[Node], index: usize) -> bool {
    matches!(
        (nodes.get(index), nodes.get(index + 1)),
        (Some(Node::Leaf(TokenTree::Punct(a))), Some(Node::Leaf(TokenTree::Punct(b))))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    )
}

/// Whether the token before `index` ends a `::`, i.e. the ident at `index` continues a path.
fn follows_path_sep(nodes: &[Node], index: usize) -> bool {
    index >= 2 && is_path_sep(nodes, index - 2)
}

/// Records in `out` every identifier among `candidates` that the module uses on its own (not
/// after `::`), in any group. `buffer` is reused to spell each identifier.
fn bare_names(nodes: &[Node], candidates: &HashSet<&str>, buffer: &mut String, out: &mut HashSet<String>) {
    use std::fmt::Write as _;
    for (index, node) in nodes.iter().enumerate() {
        match node {
            Node::Leaf(TokenTree::Ident(ident)) if !follows_path_sep(nodes, index) => {
                buffer.clear();
                // Writing into a String cannot fail.
                let _ = write!(buffer, "{ident}");
                if candidates.contains(buffer.as_str()) && !out.contains(buffer.as_str()) {
                    out.insert(buffer.clone());
                }
            }
            Node::Group { nodes, .. } => bare_names(nodes, candidates, buffer, out),
            Node::Leaf(_) => {}
        }
    }
}

/// The shortenable path starting at `nodes[index]`, as its segments, with the number of
/// tokens it spans.
fn path_at(nodes: &[Node], index: usize) -> Option<(Vec<String>, usize)> {
    // Every shortenable path starts with one of these and has a `::` after it; testing that
    // first spares spelling out every other identifier of the module.
    let first = ident_at(nodes, index)?;
    if !(first == "std" || first == "client_runtime" || first == "crate") || !is_path_sep(nodes, index + 1) {
        return None;
    }
    if follows_path_sep(nodes, index) {
        return None;
    }
    // The segments `a::b::c` from `index` on, and the token count of each prefix.
    let mut segments = Vec::new();
    let mut at = index;
    while let Some(ident) = ident_at(nodes, at) {
        segments.push(ident.to_string());
        if !is_path_sep(nodes, at + 1) {
            break;
        }
        at += 3;
    }
    let span = |count: usize| count * 3 - 2;
    for known in KNOWN {
        if segments.len() >= known.len() && known.iter().eq(segments[..known.len()].iter()) {
            return Some((segments[..known.len()].to_vec(), span(known.len())));
        }
    }
    let capitalised = |s: &String| s.starts_with(|c: char| c.is_ascii_uppercase());
    match segments.as_slice() {
        [first, name, ..] if first == "client_runtime" && capitalised(name) => Some((segments[..2].to_vec(), span(2))),
        [first, module, name, ..] if first == "crate" && module == "types" && capitalised(name) => {
            Some((segments[..3].to_vec(), span(3)))
        }
        _ => None,
    }
}

/// Every shortenable path in `nodes`, in order of appearance (duplicates included).
fn collect_paths(nodes: &[Node], out: &mut Vec<Vec<String>>) {
    for (index, node) in nodes.iter().enumerate() {
        if let Node::Group { nodes, .. } = node {
            collect_paths(nodes, out);
        } else if let Some((path, _)) = path_at(nodes, index) {
            out.push(path);
        }
    }
}

/// One `use` item per module path, ordered std, then other crates, then this crate.
fn use_items(claimed: &BTreeMap<String, Vec<String>>) -> Vec<TokenStream> {
    let mut by_module: BTreeMap<(u8, Vec<String>), Vec<&str>> = BTreeMap::new();
    for path in claimed.values() {
        let Some((name, module)) = path.split_last() else {
            continue;
        };
        let order = match module.first().map(String::as_str) {
            Some("std") => 0,
            Some("crate") => 2,
            _ => 1,
        };
        by_module.entry((order, module.to_vec())).or_default().push(name);
    }
    by_module
        .into_iter()
        .map(|((_, module), mut names)| {
            names.sort_unstable();
            let mut prefix = TokenStream::new();
            for segment in &module {
                let segment = Ident::new(segment, Span::call_site());
                prefix.extend(quote! { #segment:: });
            }
            let names: Vec<Ident> = names.iter().map(|name| Ident::new(name, Span::call_site())).collect();
            match names.as_slice() {
                [one] => quote! { use #prefix #one; },
                _ => {
                    let list = Group::new(Delimiter::Brace, quote! { #(#names),* });
                    quote! { use #prefix #list; }
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2::<syn::File>(tokens).expect("valid Rust"))
    }

    #[test]
    fn full_paths_become_use_lines_grouped_by_module() {
        let module = quote! {
            pub struct CustomerShowBuilder<'a> {
                client: &'a crate::Client,
                body: &'a crate::types::CustomerInput,
                options: client_runtime::CallOptions,
            }
            fn decode(r: client_runtime::RawResponse) -> Result<crate::types::Customer, client_runtime::Error<crate::types::ErrorEnvelope>> {
                let _ = std::time::Duration::from_secs(1);
                let _ = client_runtime::reexports::http::Method::GET;
                client_runtime::call(r)
            }
        };
        let out = text(with_imports(module));
        assert!(
            out.starts_with(
                "use std::time::Duration;\n\
             use client_runtime::{CallOptions, Error, RawResponse};\n\
             use client_runtime::reexports::http::Method;\n\
             use crate::Client;\n\
             use crate::types::{Customer, CustomerInput, ErrorEnvelope};\n"
            ),
            "{out}"
        );
        assert!(out.contains("client: &'a Client,"), "{out}");
        assert!(out.contains("-> Result<Customer, Error<ErrorEnvelope>>"), "{out}");
        assert!(out.contains("Method::GET"), "{out}");
        // Functions keep the path that says where they come from.
        assert!(out.contains("client_runtime::call(r)"), "{out}");
    }

    #[test]
    fn a_type_named_like_a_runtime_item_or_a_bare_name_keeps_its_path() {
        let module = quote! {
            #[derive(Debug)]
            pub struct X {
                a: std::time::Duration,
                b: crate::types::Duration,
                c: crate::types::Debug,
                d: client_runtime::Error<crate::types::Into>,
            }
            fn f(v: impl Into<String>) {}
        };
        let out = text(with_imports(module));
        assert!(out.contains("a: Duration,"), "{out}");
        assert!(out.contains("b: crate::types::Duration,"), "{out}");
        assert!(out.contains("c: crate::types::Debug,"), "{out}");
        assert!(out.contains("d: Error<crate::types::Into>,"), "{out}");
        assert!(!out.contains("use crate::types"), "{out}");
    }

    #[test]
    fn a_module_without_full_paths_is_left_as_it_is() {
        let module = quote! { pub struct X; };
        assert_eq!(with_imports(module.clone()).to_string(), module.to_string());
    }
}
