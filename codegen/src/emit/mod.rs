//! Emission: IR in, formatted files out.
//!
//! Each construct has its own module (`types`, `operations`, `client`, `manifest`); this one
//! assembles them into files, checks the tokens parse as Rust (syn) and formats them
//! (prettyplease), so layout is never hand-managed.

pub mod args;
pub mod builder;
pub mod client;
pub mod doc_text;
pub mod example;
pub mod features;
pub mod imports;
pub mod manifest;
pub mod multipart;
pub mod op_doc;
pub mod operations;
pub mod pagination;
pub mod required;
pub mod split;
pub mod types;
pub mod webhooks;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::model::{Group, Ir, TypeId};

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
    let text = doc_text::expand_doc_lines(&prettyplease::unparse(&file));
    Ok(format!("{header}{}", space_items(&text)))
}

/// Puts a blank line between items, which prettyplease does not keep (syn has no trivia).
///
/// Works on prettyplease's own, fully regular output: an item or method ends with a line that
/// is exactly `}` (or a `;`-terminated one-line item) at the top level or one indent deep.
fn space_items(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    // Inside a multi-line inner attribute (the crate's `#![allow(...)]`), whose `)]` ends it.
    let mut in_inner_attr = false;
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
        let one_line_item = indent == 0 && line.ends_with(';') && !line.starts_with(' ') && !line.starts_with("//");
        let inner_attr_end = (line.starts_with("#![") && line.ends_with(']')) || (in_inner_attr && *line == ")]");
        if line.starts_with("#![") && !line.ends_with(']') {
            in_inner_attr = true;
        } else if *line == ")]" {
            in_inner_attr = false;
        }
        let next_continues = next_trimmed.starts_with('}') || next_trimmed.starts_with(')') || next_trimmed.is_empty();
        // `use` lines stay together (a long one ends with `};`), as do `mod` lines.
        let use_block = (line.starts_with("use ") || *line == "};") && next.starts_with("use ");
        let same_kind =
            one_line_item && (first_word(line) == first_word(next_trimmed) || use_block) && next_indent == 0;
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

/// How many types one formatting unit of `types.rs` holds. Fixed, so that output never
/// depends on the number of threads.
const TYPES_PER_UNIT: usize = 150;

/// A piece of output that is built and formatted on its own (possibly on another thread).
enum Unit<'a> {
    /// `src/lib.rs`.
    Lib,
    /// A run of consecutive types of `src/types.rs`; the first run carries the file's header.
    Types { ids: &'a [TypeId], first: bool },
    /// One group's module file.
    Group(&'a Group),
    /// The webhook events module.
    Webhooks(&'a crate::ir::model::Webhooks),
}

/// The Rust source files of the crate (whose Rust name is `lib`): `src/lib.rs`, `src/types.rs`
/// and one per group.
///
/// Building tokens, re-parsing them with syn and printing them is most of generation's time,
/// so the units are spread over the available cores. Token streams cannot cross threads; each
/// thread builds its own units' tokens from the shared IR, and the texts are assembled in
/// unit order, so the bytes are the same whatever the scheduling.
pub fn rust_files(ir: &Ir, source: &str, lib: &str) -> Result<Vec<GeneratedFile>, String> {
    let header = client::file_header(source);
    let ids: Vec<TypeId> = ir.type_ids().collect();
    let type_runs: Vec<&[TypeId]> = if ids.is_empty() {
        vec![&ids[..]]
    } else {
        ids.chunks(TYPES_PER_UNIT).collect()
    };
    let mut units = vec![Unit::Lib];
    units.extend(
        type_runs
            .iter()
            .enumerate()
            .map(|(index, ids)| Unit::Types { ids, first: index == 0 }),
    );
    units.extend(ir.groups.iter().map(Unit::Group));
    units.extend(ir.webhooks.iter().map(Unit::Webhooks));

    // The largest units start first, so that no large one is left to run alone at the end
    // while the other cores idle; results go back to unit order before assembly.
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&index| std::cmp::Reverse(units.get(index).map_or(0, Unit::weight)));
    let rendered = parallel_map(&order, |&index| match units.get(index) {
        Some(unit) => render(ir, unit, &header, lib),
        None => Err("a formatting unit went missing".to_owned()),
    })?;
    let mut in_unit_order: Vec<Option<Result<String, String>>> = units.iter().map(|_| None).collect();
    for (index, text) in order.into_iter().zip(rendered) {
        if let Some(slot) = in_unit_order.get_mut(index) {
            *slot = Some(text);
        }
    }
    let mut texts = in_unit_order.into_iter().flatten();
    let mut next = || {
        texts
            .next()
            .unwrap_or_else(|| Err("a formatting unit produced no text".to_owned()))
    };
    let mut files = vec![GeneratedFile {
        path: "src/lib.rs".to_owned(),
        contents: next()?,
    }];
    let mut types_text = String::new();
    for index in 0..type_runs.len() {
        if index > 0 {
            types_text.push('\n');
        }
        types_text.push_str(&next()?);
    }
    let types_path = if split::enabled(ir) {
        format!("{}/src/lib.rs", split::FOLDER)
    } else {
        "src/types.rs".to_owned()
    };
    files.push(GeneratedFile {
        path: types_path,
        contents: types_text,
    });
    for group in &ir.groups {
        files.push(GeneratedFile {
            path: format!("src/{}.rs", group.module),
            contents: next()?,
        });
    }
    if let Some(webhooks) = &ir.webhooks {
        files.push(GeneratedFile {
            path: format!("src/{}.rs", webhooks.module),
            contents: next()?,
        });
    }
    Ok(files)
}

impl Unit<'_> {
    /// A rough measure of how long the unit takes to render (about a kilobyte of output per
    /// unit of weight), to start the largest first.
    fn weight(&self) -> usize {
        match self {
            Unit::Lib => 4,
            Unit::Types { ids, .. } => ids.len(),
            Unit::Group(group) => 2 * group.operations.len() + group.types.len(),
            Unit::Webhooks(webhooks) => webhooks.events.len(),
        }
    }
}

/// Builds and formats one unit.
fn render(ir: &Ir, unit: &Unit<'_>, header: &str, lib: &str) -> Result<String, String> {
    match unit {
        Unit::Lib => {
            let mut modules: Vec<TokenStream> = ir
                .groups
                .iter()
                .map(|g| {
                    let module = types::ident(&g.module);
                    let doc = doc_text::generator_doc_attrs(&group_summary(g));
                    let cfg = features::group_cfg(ir, g);
                    quote! { #doc #cfg pub mod #module; }
                })
                .collect();
            if let Some(webhooks) = &ir.webhooks {
                let module = types::ident(&webhooks.module);
                modules.push(quote! {
                    /// Webhook events the API sends, parsed from a delivery's raw body.
                    pub mod #module;
                });
            }
            let lib = client::emit_lib(ir, lib, &modules);
            format_file(lib, &format!("{header}{}\n", client::lints_preamble()), "src/lib.rs")
        }
        Unit::Types { ids, first: true } if split::enabled(ir) => {
            // The types crate's root: its own crate docs and the client crate's allowed lints.
            let items = types::emit_types(ir, ids);
            let doc = format!(" The data types of `{lib}` (re-exported there as `{lib}::types`).");
            format_file(
                quote! {
                    #![doc = #doc]
                    #![allow(clippy::large_enum_variant, clippy::enum_variant_names, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
                    #items
                },
                &format!("{header}{}\n", client::lints_preamble()),
                "types/src/lib.rs",
            )
        }
        Unit::Types { ids, first: true } => {
            let items = types::emit_types(ir, ids);
            format_file(
                quote! { //! The API's data types.
                #items },
                header,
                "src/types.rs",
            )
        }
        Unit::Types { ids, first: false } => format_file(types::emit_types(ir, ids), "", "src/types.rs"),
        Unit::Group(group) => {
            let body = imports::with_imports(operations::emit_group(ir, group, lib));
            let doc = group
                .doc
                .as_deref()
                .map_or_else(|| group_summary(group), doc_text::escape);
            let doc_lines = doc.lines().map(|l| {
                let l = format!(" {}", l.trim_end());
                quote! { #![doc = #l] }
            });
            let path = format!("src/{}.rs", group.module);
            format_file(quote! { #(#doc_lines)* #body }, header, &path)
        }
        Unit::Webhooks(webhooks) => {
            let body = imports::with_imports(webhooks::emit_module(ir, webhooks));
            let path = format!("src/{}.rs", webhooks.module);
            format_file(
                quote! {
                    //! Webhook events: the requests the API sends to your endpoints.
                    //!
                    //! Check each delivery with a verifier from `client_runtime::webhook` before
                    //! parsing it; the parsers here trust their input's origin.
                    #body
                },
                header,
                &path,
            )
        }
    }
}

/// A group's one-line description (rustdoc-safe: spec text escaped, generator text may link).
fn group_summary(group: &Group) -> String {
    match &group.doc {
        Some(doc) => doc_text::escape(doc.lines().next().unwrap_or_default()),
        None if group.sub_client().is_none() => "Operations without a tag, as methods of [`crate::Client`].".to_owned(),
        None => format!("Operations tagged `{}`.", group.module),
    }
}

/// The stack of each formatting thread. Types nest up to the IR's schema depth limit (64),
/// and building, parsing and printing them recurses that deep: about 4 MB in a debug build,
/// more than a spawned thread's default 2 MB.
const UNIT_STACK: usize = 16 * 1024 * 1024;

/// `f` over `items` on up to as many threads as there are cores; results in item order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Result<Vec<R>, String> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return Ok(items.iter().map(f).collect());
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers = (0..threads)
            .map(|_| {
                std::thread::Builder::new()
                    .stack_size(UNIT_STACK)
                    .spawn_scoped(scope, || {
                        let mut out = Vec::new();
                        loop {
                            let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(item) = items.get(index) else { break };
                            out.push((index, f(item)));
                        }
                        out
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("cannot start a generator thread: {e}"))?;
        let mut all = Vec::with_capacity(items.len());
        for worker in workers {
            all.extend(worker.join().map_err(|_| "a generator thread panicked".to_owned())?);
        }
        Ok::<_, String>(all)
    })?;
    done.sort_by_key(|(index, _)| *index);
    Ok(done.into_iter().map(|(_, result)| result).collect())
}
