//! Emission: IR in, formatted files out.
//!
//! Each construct has its own module (`types`, `operations`, `client`, `manifest`); this one
//! assembles them into files, checks the tokens parse as Rust (syn) and formats them
//! (prettyplease), so layout is never hand-managed.

pub mod client;
pub mod manifest;
pub mod operations;
pub mod pagination;
pub mod types;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Builtin, Ir, TypeDef, TypeKind, TypeRef};

/// A file of the generated crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the crate root, with `/` separators.
    pub path: String,
    /// Contents.
    pub contents: String,
}

/// Formats `tokens` as a Rust file, with the generated-code header.
pub fn format_file(tokens: TokenStream, header: &str, path: &str) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("generated {path} is not valid Rust: {e}"))?;
    Ok(format!("{header}{}", space_items(&prettyplease::unparse(&file))))
}

/// Puts a blank line between items, which prettyplease does not keep (syn has no trivia).
///
/// Works on prettyplease's own, fully regular output: an item or method ends with a line that
/// is exactly `}` (or a `;`-terminated one-line item) at the top level or one indent deep.
fn space_items(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for (index, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        let Some(next) = lines.get(index + 1) else {
            continue;
        };
        let next_trimmed = next.trim_start();
        let indent = line.len() - line.trim_start().len();
        let next_indent = next.len() - next_trimmed.len();
        let closes_item = line.trim_start() == "}" && indent <= 4 && next_indent == indent;
        let one_line_item = indent == 0 && line.ends_with(';') && !line.starts_with(' ');
        let inner_attr_end = (line.starts_with("#![") && line.ends_with(']')) || *line == ")]";
        let next_continues = next_trimmed.starts_with('}') || next_trimmed.starts_with(')') || next_trimmed.is_empty();
        let same_kind = one_line_item && first_word(line) == first_word(next_trimmed) && next_indent == 0;
        let doc_block_end = line.starts_with("//!") && !next.starts_with("//!");
        if (closes_item || (one_line_item && !same_kind) || inner_attr_end || doc_block_end) && !next_continues {
            out.push('\n');
        }
    }
    out
}

fn first_word(line: &str) -> (&str, &str) {
    let mut words = line.split_whitespace();
    (words.next().unwrap_or(""), words.next().unwrap_or(""))
}

/// The Rust source files of the crate: `src/lib.rs`, `src/types.rs` and one per group.
pub fn rust_files(ir: &Ir, source: &str) -> Result<Vec<GeneratedFile>, String> {
    let header = client::file_header(source);
    let mut files = Vec::new();
    let modules: Vec<TokenStream> = ir
        .groups
        .iter()
        .map(|g| {
            let module = types::ident(&g.module);
            let doc = g.doc.clone().unwrap_or_else(|| {
                if g.accessor.is_empty() {
                    "Operations without a tag, as methods of [`Client`].".to_owned()
                } else {
                    format!("Operations tagged `{}`.", g.module)
                }
            });
            let doc = types::doc_attrs(Some(doc.lines().next().unwrap_or_default()));
            quote! { #doc pub mod #module; }
        })
        .collect();
    let lib = client::emit_lib(ir, &modules);
    let lib_text = format_file(lib, &format!("{header}{}\n", client::lints_preamble()), "src/lib.rs")?;
    files.push(GeneratedFile {
        path: "src/lib.rs".to_owned(),
        contents: lib_text,
    });
    let ids: Vec<usize> = (0..ir.types.len()).collect();
    let types_tokens = types::emit_types(ir, &ids);
    let types_tokens = quote! {
        //! The API's data types.
        #types_tokens
    };
    files.push(GeneratedFile {
        path: "src/types.rs".to_owned(),
        contents: format_file(types_tokens, &header, "src/types.rs")?,
    });
    for group in &ir.groups {
        let body = operations::emit_group(ir, group);
        let doc = group
            .doc
            .clone()
            .unwrap_or_else(|| format!("Operations tagged `{}`.", group.module));
        let doc_lines = doc.lines().map(|l| {
            let l = format!(" {}", l.trim_end());
            quote! { #![doc = #l] }
        });
        let tokens = quote! { #(#doc_lines)* #body };
        let path = format!("src/{}.rs", group.module);
        files.push(GeneratedFile {
            contents: format_file(tokens, &header, &path)?,
            path,
        });
    }
    Ok(files)
}

/// Which optional libraries the generated types need.
#[derive(Debug, Default, Clone, Copy)]
pub struct Uses {
    /// `chrono` for dates and times.
    pub chrono: bool,
    /// `uuid`.
    pub uuid: bool,
}

/// Scans the IR for types that need `chrono` or `uuid`.
pub fn uses(ir: &Ir) -> Uses {
    let mut uses = Uses::default();
    let mut visit = |ty: &TypeRef| scan(ty, &mut uses);
    for TypeDef { kind, .. } in &ir.types {
        match kind {
            TypeKind::Struct(s) => {
                s.fields.iter().for_each(|f| visit(&f.ty));
                if let Some(extra) = &s.additional {
                    visit(extra);
                }
            }
            TypeKind::Union(u) => u.variants.iter().for_each(|v| visit(&v.ty)),
            TypeKind::Alias(ty) => visit(ty),
            TypeKind::StringEnum(_) | TypeKind::Responses(_) => {}
        }
    }
    for op in ir.groups.iter().flat_map(|g| &g.operations) {
        op.params.iter().for_each(|p| visit(&p.ty));
    }
    uses
}

fn scan(ty: &TypeRef, uses: &mut Uses) {
    match ty {
        TypeRef::Builtin(Builtin::DateTime | Builtin::Date) => uses.chrono = true,
        TypeRef::Builtin(Builtin::Uuid) => uses.uuid = true,
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) => scan(inner, uses),
        _ => {}
    }
}
