//! Rewrites what openapiv3 (an OpenAPI 3.0 model) cannot take as it is into the closest 3.0
//! form, so 3.1 and 3.2 documents parse instead of being rejected.
//!
//! One walk over the document ([`walk`]) visits every object knowing its kind; the visitor
//! applies the document-level rules ([`document`]) and, on every schema, the schema rules
//! ([`schema`]) in a fixed order before the walker goes on into the (rewritten) children.
//! Each rule lives in its own module with its own tests.

mod boolean_schema;
mod document;
mod keywords;
mod numbers;
mod ref_siblings;
mod schema;
mod type_array;
pub(crate) mod walk;
pub(crate) mod yaml_value;

use std::path::Path;

use serde_json::Value;

use crate::diagnostic::{pointer, Diagnostic};
use walk::{Flow, Kind, Visit};

/// Normalises `document` in place and returns the warnings about what changed.
pub(crate) fn normalise(file: &Path, document: &mut Value) -> Vec<Diagnostic> {
    let mut normaliser = Normaliser {
        file,
        warnings: Vec::new(),
    };
    document::ensure_paths(document);
    document::drop_empty_path_items(document);
    for key in document::drop_paths_without_slash(document) {
        normaliser.warnings.push(Diagnostic::at_pointer(
            file,
            pointer(["paths", key.as_str()]),
            format!("path `{key}` does not start with `/`; its operations are skipped"),
        ));
    }
    for (name, kind) in document::drop_unknown_security_schemes(document) {
        let why = if kind == "mutualTLS" {
            "a TLS client certificate is configured on the HTTP client, not by the generated code"
        } else {
            "no OpenAPI version defines this type"
        };
        normaliser.warnings.push(Diagnostic::at_pointer(
            file,
            pointer(["components", "securitySchemes", name.as_str()]),
            format!("security scheme `{name}` of type `{kind}` is skipped: {why}"),
        ));
    }
    walk::walk(Kind::Document, document, &mut Vec::new(), &mut normaliser);
    normaliser.warnings
}

/// The visitor that applies the rules.
struct Normaliser<'a> {
    file: &'a Path,
    warnings: Vec<Diagnostic>,
}

impl Visit for Normaliser<'_> {
    fn visit(&mut self, kind: Kind, node: &mut Value, path: &mut Vec<String>) -> Flow {
        let mut ctx = Ctx {
            file: self.file,
            path,
            warnings: &mut self.warnings,
        };
        match kind {
            Kind::PathItem => document::rename_additional_operations(node),
            Kind::Schema => schema::normalise(node, &mut ctx),
            _ => {}
        }
        Flow::Descend
    }
}

/// Where a rule is working, so that it can warn about what it changed.
pub(crate) struct Ctx<'a> {
    file: &'a Path,
    path: &'a [String],
    warnings: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    /// Records a warning at the current node, or at its `keyword` child if given.
    pub(crate) fn warn(&mut self, keyword: Option<&str>, message: impl Into<String>) {
        let tokens = self.path.iter().map(String::as_str).chain(keyword);
        self.warnings
            .push(Diagnostic::at_pointer(self.file, pointer(tokens), message));
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Runs one rule on a snippet, for the rules' unit tests.

    use super::*;

    /// Applies `rule` to `input` at pointer `/s` and returns the result and warning messages.
    pub(crate) fn run(input: Value, rule: impl FnOnce(&mut Value, &mut Ctx<'_>)) -> (Value, Vec<String>) {
        let mut value = input;
        let mut warnings = Vec::new();
        let path = vec!["s".to_string()];
        let mut ctx = Ctx {
            file: Path::new("t.yaml"),
            path: &path,
            warnings: &mut warnings,
        };
        rule(&mut value, &mut ctx);
        let messages = warnings
            .into_iter()
            .map(|d| format!("{}: {}", d.location, d.message))
            .collect();
        (value, messages)
    }

    /// Normalises a whole schema tree (every rule, every subschema) rooted at `input`.
    pub(crate) fn normalise_schema(input: Value) -> (Value, Vec<String>) {
        let mut value = input;
        let mut normaliser = Normaliser {
            file: Path::new("t.yaml"),
            warnings: Vec::new(),
        };
        walk::walk(Kind::Schema, &mut value, &mut vec!["s".to_string()], &mut normaliser);
        let messages = normaliser
            .warnings
            .into_iter()
            .map(|d| format!("{}: {}", d.location, d.message))
            .collect();
        (value, messages)
    }
}
