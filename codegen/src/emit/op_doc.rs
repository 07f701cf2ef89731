//! The caller's part of an operation method's doc comment, after the spec's own text: the
//! parameters (Rust name, where each goes, required or not, the spec's description), what the
//! call returns and which error type it fails with, and a `no_run` example that rustdoc
//! compiles with the crate's doctests.
//!
//! Everything here is generator Markdown (it links to types and setters); spec text enters
//! only through [`escape`], as in every other doc comment.

use super::doc_text::{code_span, escape};
use super::example::operation_example;
use super::types::{type_tokens, From};
use crate::ir::model::{
    Body, ErrorShape, Group, Ir, Operation, Param, ParamLocation, RequestBody, ResponseBody, SuccessShape, TypeRef,
};

/// The sections that follow the spec's text in the doc of `op`'s method, as Markdown for
/// `generator_doc_attrs`; `lib` is the crate's Rust name, which the example imports.
pub fn sections(ir: &Ir, group: &Group, op: &Operation, lib: &str) -> String {
    let mut out = String::new();
    let params = parameters(ir, group, op);
    if !params.is_empty() {
        out.push_str("\n# Parameters\n\n");
        for line in params {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push_str("\n# Returns\n\n");
    out.push_str(&returns(ir, op));
    out.push('\n');
    out.push_str("\n# Example\n\n");
    for line in operation_example(ir, group, op, lib) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// One list item per parameter, then the body, in the order the method and builder take them.
fn parameters(ir: &Ir, group: &Group, op: &Operation) -> Vec<String> {
    let mut items = Vec::new();
    for param in &op.params {
        let name = if param.positional {
            format!("`{}`", param.name)
        } else {
            format!("[`{}`]({})", param.name, setter_path(group, op, &param.name))
        };
        let place = match param.location {
            ParamLocation::Path => "path",
            ParamLocation::Query(_) => "query",
            ParamLocation::Header => "header",
        };
        let how = how_taken(param.positional, param.required);
        let head = format!("- {name} ({how}; {place} {})", code_span(&param.wire_name));
        items.push(with_description(head, param_description(param)));
    }
    if let Some(body) = &op.body {
        items.push(body_item(ir, group, op, body));
    }
    items
}

/// Whether the method takes it, or a setter that must or may be called.
fn how_taken(positional: bool, required: bool) -> &'static str {
    match (positional, required) {
        (true, _) => "argument",
        (false, true) => "required",
        (false, false) => "optional",
    }
}

fn param_description(param: &Param) -> Option<String> {
    param
        .doc
        .as_deref()
        .map(str::trim)
        .filter(|doc| !doc.is_empty())
        .map(escape)
}

/// The body's list item: its type (or its multipart fields) and whether it is required.
fn body_item(ir: &Ir, group: &Group, op: &Operation, body: &Body) -> String {
    let name = if body.positional {
        "`body`".to_owned()
    } else {
        format!("[`body`]({})", setter_path(group, op, "body"))
    };
    let how = how_taken(body.positional, body.required);
    let what = match &body.kind {
        RequestBody::Json(ty) => format!("JSON {}", type_doc(ir, ty)),
        RequestBody::Form(ty) => format!("a form of {}", type_doc(ir, ty)),
        // The form's struct sits in this module: its bare name is the link (an explicit
        // target would be redundant, which rustdoc warns about).
        RequestBody::Multipart(form) => format!("multipart form data from [`{}`]", form.name),
        RequestBody::MultipartUntyped => "multipart form data (a `Multipart` you fill)".to_owned(),
        RequestBody::Raw { content_type } => format!("raw bytes sent as `{content_type}`"),
    };
    format!("- {name} ({how}): {what}.")
}

/// `head`, then the spec's description: on the same line when it is one plain paragraph, else
/// as an indented block under it, so that a fence or list in the description stays one.
fn with_description(head: String, description: Option<String>) -> String {
    let Some(description) = description else {
        return head;
    };
    let indented: Vec<String> = description
        .lines()
        .map(|line| match line.trim_end() {
            "" => String::new(),
            line => format!("  {line}"),
        })
        .collect();
    if is_plain_paragraph(&description) {
        format!("{head}: {}", indented.join("\n").trim_start())
    } else {
        format!("{head}:\n\n{}\n", indented.join("\n"))
    }
}

/// Text with no blank line and no line that Markdown could read as the start of a block.
fn is_plain_paragraph(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim_start();
        let ordered_item = line
            .split_once(['.', ')'])
            .is_some_and(|(number, _)| !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()));
        !(line.is_empty()
            || ordered_item
            || ["```", "~~~", "#", "-", "*", "+", ">", "|", "=", "<"]
                .iter()
                .any(|start| line.starts_with(start)))
    })
}

/// The intra-doc path of a setter of `op`'s builder.
fn setter_path(group: &Group, op: &Operation, setter: &str) -> String {
    ["crate", &group.module, &op.builder, setter].join("::")
}

/// What a successful call gives and what a failed one gives.
fn returns(ir: &Ir, op: &Operation) -> String {
    let success = match &op.success {
        SuccessShape::Single(ResponseBody::Empty) => "No body".to_owned(),
        SuccessShape::Single(ResponseBody::Text) => "The body as `String`".to_owned(),
        SuccessShape::Single(ResponseBody::Bytes) => "The body's bytes".to_owned(),
        SuccessShape::Single(ResponseBody::Json(ty)) => type_doc(ir, ty),
        SuccessShape::Enum(id) => format!(
            "{} (one variant per success status)",
            type_doc(ir, &TypeRef::Named(*id))
        ),
    };
    let error = match &op.error {
        ErrorShape::None => "[`Error`](crate::Error)".to_owned(),
        ErrorShape::Single(ty) => format!("[`Error`](crate::Error)`<`{}`>`", type_doc(ir, ty)),
        ErrorShape::Enum(id) => format!("[`Error`](crate::Error)`<`{}`>`", type_doc(ir, &TypeRef::Named(*id))),
    };
    let mut out = format!(
        "{success}, with the status and headers ([`ResponseValue`](crate::ResponseValue)); \
         fails with {error}."
    );
    if let Some(pagination) = &op.pagination {
        out.push_str(&format!(
            " The builder's `stream()` yields every {} of every page.",
            type_doc(ir, &pagination.item_type)
        ));
    }
    out
}

/// A type as the docs show it: a link for a generated type, code for anything else (with the
/// generated types inside it written by their short names).
fn type_doc(ir: &Ir, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(id) | TypeRef::Boxed(id) => match ir.type_def(*id) {
            Some(def) => format!("[`{0}`](crate::types::{0})", def.name),
            None => "`serde_json::Value`".to_owned(),
        },
        _ => format!("`{}`", type_text(ir, ty).replace("crate::types::", "")),
    }
}

/// `ty` as Rust source text, as it is written outside `types.rs` (`crate::types::Name`).
pub(super) fn type_text(ir: &Ir, ty: &TypeRef) -> String {
    type_tokens(ir, ty, From::Elsewhere)
        .to_string()
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_paragraph_description_follows_its_parameter_on_the_line() {
        let item = with_description(
            "- `id` (argument; path `id`)".to_owned(),
            Some("The record's id,\nas the API gave it.".to_owned()),
        );
        assert_eq!(
            item,
            "- `id` (argument; path `id`): The record's id,\n  as the API gave it."
        );
    }

    #[test]
    fn a_description_with_blocks_is_indented_under_its_parameter() {
        let item = with_description(
            "- `q` (optional; query `q`)".to_owned(),
            Some("A filter:\n\n```text\na=1\n```\n- one\n- two".to_owned()),
        );
        assert_eq!(
            item,
            "- `q` (optional; query `q`):\n\n  A filter:\n\n  ```text\n  a=1\n  ```\n  - one\n  - two\n"
        );
    }

    #[test]
    fn block_starts_and_blank_lines_are_not_plain_paragraphs() {
        assert!(is_plain_paragraph("Plain text\nover two lines."));
        for text in [
            "a\n\nb",
            "# Title",
            "1. first",
            "2) second",
            "> quote",
            "| a | b |",
            "<b>",
            "```x",
        ] {
            assert!(!is_plain_paragraph(text), "{text:?}");
        }
    }
}
