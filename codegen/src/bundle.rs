//! Resolves `$ref`s into other files by copying the referenced pieces into the document, and
//! checks that every local `$ref` points at something.
//!
//! Each piece another file holds is copied once into the `components` section its kind
//! belongs in (the kind comes from where the `$ref` stands: a schema position means
//! `schemas`), under a name taken from its pointer (or its file's name when it is a whole
//! file), made unique against what is already there; the `$ref` then points at the copy.
//! `$ref`s inside a copied piece are resolved relative to the piece's own file, so chains
//! and cycles across files work (a piece is named before its insides are resolved). Kinds
//! without a components section in OpenAPI 3.0 (path items, media types) are inlined where
//! they are referenced. No network: URL `$ref`s are an error.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use crate::diagnostic::{pointer, Diagnostic};
use crate::normalise::walk::{self, Flow, Kind, Visit};
use crate::source::Limits;

/// Bundles the external pieces `document` (read from `root`) refers to and checks its local
/// `$ref`s, reporting every problem found rather than the first.
///
/// Only regular files inside `limits.ref_root` (by default the root file's folder), after
/// symlinks, may be read, each within `limits.max_file_bytes`.
pub(crate) fn bundle(root: &Path, document: &mut Value, limits: &Limits) -> Result<(), Vec<Diagnostic>> {
    let sites = collect_sites(Kind::Document, document);
    if sites.is_empty() {
        return Ok(());
    }
    let folder = match &limits.ref_root {
        Some(folder) => folder.as_path(),
        None => root
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    };
    let mut bundler = Bundler {
        limits,
        allowed: std::fs::canonicalize(folder).unwrap_or_else(|_| clean(folder)),
        root: root.to_path_buf(),
        root_document: document,
        root_key: file_key(root),
        files: HashMap::new(),
        copies: HashMap::new(),
        inlining: Vec::new(),
        queue: VecDeque::new(),
        taken: HashMap::new(),
        numbers: HashMap::new(),
        pending: Vec::new(),
        errors: Vec::new(),
    };
    let origin = Origin {
        file: root.to_path_buf(),
        base: String::new(),
    };
    let replacements = bundler.resolve_sites(&origin, &sites);
    // Copied pieces are resolved one after another rather than recursively, so that long
    // chains of references cannot exhaust the stack.
    while let Some(copy) = bundler.queue.pop_front() {
        let resolved = bundler.resolve_piece(&copy.file, &copy.target, copy.kind, copy.piece);
        bundler.pending.push((copy.section, copy.name, resolved));
    }
    let pending = std::mem::take(&mut bundler.pending);
    let errors = std::mem::take(&mut bundler.errors);
    apply(document, replacements);
    insert_pending(document, pending);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A `$ref` found in a document or piece.
struct Site {
    /// The escaped JSON pointer of the object holding the `$ref`, within the walked value.
    at: String,
    /// The reference as written.
    reference: String,
    /// What kind of object is expected at that place.
    kind: Kind,
}

/// Finds every `$ref` in `value`, walked as an object of `kind`.
fn collect_sites(kind: Kind, value: &mut Value) -> Vec<Site> {
    let mut collector = Collector(Vec::new());
    walk::walk(kind, value, &mut Vec::new(), &mut collector);
    collector.0
}

/// The visitor behind [`collect_sites`].
struct Collector(Vec<Site>);

impl Visit for Collector {
    fn visit(&mut self, kind: Kind, node: &mut Value, path: &mut Vec<String>) -> Flow {
        let Some(Value::String(reference)) = node.get("$ref") else {
            return Flow::Descend;
        };
        self.0.push(Site {
            at: pointer(path.iter().map(String::as_str)),
            reference: reference.clone(),
            kind,
        });
        // An inlined object replaces the whole node, so nothing under it is a site of its
        // own; beside a copied one, 3.1 siblings may hold further references.
        if kind.components_section().is_some() {
            Flow::Descend
        } else {
            Flow::Skip
        }
    }
}

/// Where the value being resolved came from: its file and its pointer in that file.
struct Origin {
    file: PathBuf,
    base: String,
}

impl Origin {
    /// A diagnostic about the `$ref` at `site` (a pointer within the piece).
    fn error(&self, site: &str, message: String) -> Diagnostic {
        Diagnostic::at_pointer(&self.file, format!("{}{site}", self.base), message)
    }
}

/// What to do at a site once resolved.
enum Replacement {
    /// Point the `$ref` at this local reference.
    Reference(String, String),
    /// Replace the whole object with this one.
    Inline(String, Value),
}

/// Applies resolved replacements to a document or piece.
fn apply(value: &mut Value, replacements: Vec<Replacement>) {
    for replacement in replacements {
        match replacement {
            Replacement::Reference(at, local) => {
                if let Some(Value::Object(node)) = value.pointer_mut(&at) {
                    node.insert("$ref".to_string(), Value::String(local));
                }
            }
            Replacement::Inline(at, piece) => {
                if let Some(node) = value.pointer_mut(&at) {
                    *node = piece;
                }
            }
        }
    }
}

/// The state of one bundling.
struct Bundler<'a> {
    /// File size cap (and the folder setting `allowed` came from).
    limits: &'a Limits,
    /// The folder (canonical) whose files may be read.
    allowed: PathBuf,
    /// The root file as given, for messages.
    root: PathBuf,
    /// The root document as read (rewrites are applied once resolution is over).
    root_document: &'a Value,
    /// The root file's identity, to recognise references back into it.
    root_key: PathBuf,
    /// Other files read so far, by identity; `None` when reading failed (reported once).
    files: HashMap<PathBuf, Option<Value>>,
    /// Pieces already copied: (file, pointer, section) → local reference.
    copies: HashMap<(PathBuf, String, &'static str), String>,
    /// Pieces being inlined right now, to stop an inlining cycle.
    inlining: Vec<(PathBuf, String)>,
    /// Names used per components section (the document's own and those handed out).
    taken: HashMap<&'static str, HashSet<String>>,
    /// Per section and numbered stem, the number handed out last: names are only ever
    /// added, so the next free one is past it (counting from 2 each time made n pieces
    /// with the same name cost n²).
    numbers: HashMap<(&'static str, String), u64>,
    /// Copies named but whose own references are not resolved yet.
    queue: VecDeque<Copy>,
    /// Copies to insert into `components`, in the order they were named.
    pending: Vec<(&'static str, String, Value)>,
    errors: Vec<Diagnostic>,
}

/// A piece copied out of another file, waiting for its own references to be resolved.
struct Copy {
    /// The file it came from.
    file: PathBuf,
    /// Its pointer in that file.
    target: String,
    /// What kind of object it is.
    kind: Kind,
    /// The components section it goes into.
    section: &'static str,
    /// Its name there.
    name: String,
    /// The piece as copied.
    piece: Value,
}

/// A parsed `$ref`: the file part (empty when local) and the decoded JSON pointer.
struct Target {
    file: String,
    pointer: String,
}

impl Bundler<'_> {
    /// Resolves `sites` found in a value that came from `origin` and returns the rewrites to
    /// apply to that value.
    fn resolve_sites(&mut self, origin: &Origin, sites: &[Site]) -> Vec<Replacement> {
        let in_root = file_key(&origin.file) == self.root_key;
        let mut replacements = Vec::new();
        for site in sites {
            let target = match parse_reference(&site.reference) {
                Ok(target) => target,
                Err(message) => {
                    self.errors.push(origin.error(&site.at, message));
                    continue;
                }
            };
            if target.file.is_empty() && in_root {
                if self.root_document.pointer(&target.pointer).is_none() {
                    self.errors
                        .push(origin.error(&site.at, format!("dangling $ref `{}`", site.reference)));
                    continue;
                }
                // Later stages read a local `$ref` as `#` and a JSON pointer; a fragment with
                // `%XX` escapes (`#/components/schemas/My%20Pet`, a URI's way of writing it)
                // is written back decoded, so they find what it names.
                let canonical = format!("#{}", target.pointer);
                if canonical != site.reference {
                    replacements.push(Replacement::Reference(site.at.clone(), canonical));
                }
                continue;
            }
            let file = if target.file.is_empty() {
                origin.file.clone()
            } else {
                clean(&origin.file.parent().unwrap_or(Path::new("")).join(&target.file))
            };
            if let Some(replacement) = self.resolve_external(origin, site, &file, &target.pointer) {
                replacements.push(replacement);
            }
        }
        replacements
    }

    /// Resolves a reference to `pointer` in `file` (not the root document's own local refs).
    fn resolve_external(&mut self, origin: &Origin, site: &Site, file: &Path, target: &str) -> Option<Replacement> {
        let key = file_key(file);
        if key == self.root_key {
            // A reference back into the root document: it is local once bundled.
            return self.back_into_root(origin, site, target);
        }
        let piece = self.piece(origin, site, file, &key, target)?;
        let section = site.kind.components_section();
        let Some(section) = section else {
            return self.inline(origin, site, file, key, target, piece);
        };
        let memo = (key, target.to_string(), section);
        if let Some(local) = self.copies.get(&memo) {
            return Some(Replacement::Reference(site.at.clone(), local.clone()));
        }
        let name = self.name(section, file, target);
        let local = format!("#/components/{section}/{}", escape(&name));
        self.copies.insert(memo, local.clone());
        self.queue.push_back(Copy {
            file: file.to_path_buf(),
            target: target.to_string(),
            kind: site.kind,
            section,
            name,
            piece,
        });
        Some(Replacement::Reference(site.at.clone(), local))
    }

    /// A reference from another file into the root document becomes a checked local one.
    fn back_into_root(&mut self, origin: &Origin, site: &Site, target: &str) -> Option<Replacement> {
        if self.root_document.pointer(target).is_none() {
            self.errors.push(origin.error(
                &site.at,
                format!(
                    "dangling $ref `{}`: `{}` has nothing at `{target}`",
                    site.reference,
                    self.root.display()
                ),
            ));
            return None;
        }
        Some(Replacement::Reference(
            site.at.clone(),
            format!("#{}", escape_fragment(target)),
        ))
    }

    /// Inlines a piece of a kind that has no components section (path items, media types).
    fn inline(
        &mut self,
        origin: &Origin,
        site: &Site,
        file: &Path,
        key: PathBuf,
        target: &str,
        piece: Value,
    ) -> Option<Replacement> {
        let entry = (key, target.to_string());
        if self.inlining.contains(&entry) {
            self.errors.push(origin.error(
                &site.at,
                format!("$ref `{}` refers to itself through other files", site.reference),
            ));
            return None;
        }
        self.inlining.push(entry);
        let resolved = self.resolve_piece(file, target, site.kind, piece);
        self.inlining.pop();
        Some(Replacement::Inline(site.at.clone(), resolved))
    }

    /// Resolves the references inside a piece copied out of `file` at `target`.
    fn resolve_piece(&mut self, file: &Path, target: &str, kind: Kind, mut piece: Value) -> Value {
        let sites = collect_sites(kind, &mut piece);
        let origin = Origin {
            file: file.to_path_buf(),
            base: escape_fragment(target),
        };
        let replacements = self.resolve_sites(&origin, &sites);
        apply(&mut piece, replacements);
        piece
    }

    /// The value at `target` in `file`, read on first use; errors name the referring site.
    fn piece(&mut self, origin: &Origin, site: &Site, file: &Path, key: &Path, target: &str) -> Option<Value> {
        if !self.files.contains_key(key) {
            // `key` is canonical (symlinks resolved) for a file that exists; one that does not
            // is reported by the read below.
            if file.exists() && !key.starts_with(&self.allowed) {
                self.errors.push(origin.error(
                    &site.at,
                    format!(
                        "$ref `{}`: `{}` is outside `{}`, the folder $refs may read from (--ref-root widens it)",
                        site.reference,
                        file.display(),
                        self.allowed.display()
                    ),
                ));
                self.files.insert(key.to_path_buf(), None);
                return None;
            }
            let loaded = match crate::source::read_file(file, self.limits) {
                Ok(bytes) => match crate::source::load_value(file, &bytes, self.limits) {
                    Ok(value) => Some(value),
                    Err(syntax) => {
                        self.errors.push(syntax);
                        None
                    }
                },
                Err(unreadable) => {
                    self.errors
                        .push(origin.error(&site.at, format!("$ref `{}`: {}", site.reference, unreadable.message)));
                    None
                }
            };
            self.files.insert(key.to_path_buf(), loaded);
        }
        let document = self.files.get(key)?.as_ref()?;
        match document.pointer(target) {
            Some(piece) => Some(piece.clone()),
            None => {
                let message = format!(
                    "dangling $ref `{}`: `{}` has nothing at `{target}`",
                    site.reference,
                    file.display()
                );
                self.errors.push(origin.error(&site.at, message));
                None
            }
        }
    }

    /// A fresh name in `section` for the piece at `target` in `file`: the pointer's last
    /// token (a whole file: its name without extensions), prefixed with the file's name and
    /// then numbered if that is taken.
    fn name(&mut self, section: &'static str, file: &Path, target: &str) -> String {
        let stem = sanitize(
            file.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.split('.').next())
                .unwrap_or("external"),
        );
        let last = target.rsplit('/').next().unwrap_or("");
        let base = if target.is_empty() {
            stem.clone()
        } else {
            sanitize(last)
        };
        let root_document = self.root_document;
        let taken = self.taken.entry(section).or_insert_with(|| {
            root_document
                .pointer(&format!("/components/{section}"))
                .and_then(Value::as_object)
                .map(|existing| existing.keys().cloned().collect())
                .unwrap_or_default()
        });
        let mut candidates = vec![base.clone()];
        if !target.is_empty() {
            candidates.push(format!("{stem}_{base}"));
        }
        if let Some(name) = candidates.into_iter().find(|c| !taken.contains(c)) {
            taken.insert(name.clone());
            return name;
        }
        let numbered = format!("{stem}_{base}_");
        let last = self.numbers.entry((section, numbered.clone())).or_insert(1);
        let (number, name) = (*last + 1..)
            .map(|n| (n, format!("{numbered}{n}")))
            .find(|(_, c)| !taken.contains(c))
            .unwrap_or_default();
        *last = number;
        taken.insert(name.clone());
        name
    }
}

/// Inserts the copies into the document's `components` sections.
fn insert_pending(document: &mut Value, pending: Vec<(&'static str, String, Value)>) {
    if pending.is_empty() {
        return;
    }
    let Some(root) = document.as_object_mut() else {
        return;
    };
    let components = root.entry("components").or_insert_with(|| Value::Object(Map::new()));
    let Some(components) = components.as_object_mut() else {
        return;
    };
    for (section, name, piece) in pending {
        let section = components.entry(section).or_insert_with(|| Value::Object(Map::new()));
        if let Some(section) = section.as_object_mut() {
            section.insert(name, piece);
        }
    }
}

/// Splits a `$ref` into file and decoded pointer, refusing what cannot be resolved offline.
fn parse_reference(reference: &str) -> Result<Target, String> {
    if reference.contains("://") || reference.starts_with("//") {
        return Err(format!(
            "$ref `{reference}`: remote $refs are not supported (download the file and refer to it by path)"
        ));
    }
    let (file, fragment) = match reference.split_once('#') {
        Some((file, fragment)) => (file, fragment),
        None => (reference, ""),
    };
    let fragment = percent_decode(fragment);
    if !fragment.is_empty() && !fragment.starts_with('/') {
        return Err(format!(
            "$ref `{reference}`: only JSON pointer fragments (`#/...`) are supported"
        ));
    }
    Ok(Target {
        file: percent_decode(file),
        pointer: fragment,
    })
}

/// Decodes `%XX` escapes (URI fragments and paths may use them); invalid ones stay as written.
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Escapes a component name as one pointer token.
fn escape(name: &str) -> String {
    crate::diagnostic::escape_pointer_token(name)
}

/// A decoded pointer as it can stand in a `$ref` fragment (only `%` needs escaping back).
fn escape_fragment(pointer: &str) -> String {
    pointer.replace('%', "%25")
}

/// Keeps the characters OpenAPI allows in component names (`^[a-zA-Z0-9._-]+$`).
fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "external".to_string()
    } else {
        cleaned
    }
}

/// Removes `.` and resolvable `..` components, so messages and names read naturally.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A file's identity: its canonical path when it exists, else its cleaned path.
fn file_key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| clean(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_split_into_file_and_pointer() {
        let t = parse_reference("common.yaml#/components/schemas/A%20B").unwrap_or(Target {
            file: String::new(),
            pointer: String::new(),
        });
        assert_eq!(t.file, "common.yaml");
        assert_eq!(t.pointer, "/components/schemas/A B");
        assert!(parse_reference("https://x/y.yaml").is_err());
        assert!(parse_reference("#anchor").is_err());
    }

    #[test]
    fn dangling_local_refs_are_all_reported() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}},
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"properties": {"c": {"$ref": "#/components/schemas/C"}}}
            }}
        });
        let errors = bundle(Path::new("t.yaml"), &mut doc, &Limits::default())
            .err()
            .unwrap_or_default();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "t.yaml #/paths/~1a/get/responses/200: dangling $ref `#/components/responses/Nope`",
                "t.yaml #/components/schemas/B/properties/c: dangling $ref `#/components/schemas/C`",
            ]
        );
    }

    #[test]
    fn percent_escaped_local_refs_are_written_decoded() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/p%20q"}]}}},
            "components": {
                "parameters": {"p q": {"name": "q", "in": "query"}},
                "schemas": {
                    "My Pet": {"type": "string"},
                    "a/b": {"type": "string"},
                    "Uses": {"properties": {
                        "x": {"$ref": "#/components/schemas/My%20Pet"},
                        "y": {"$ref": "#/components/schemas/a%7E1b"},
                        "z": {"$ref": "#/components/schemas/a~1b"}
                    }}
                }
            }
        });
        assert!(bundle(Path::new("t.yaml"), &mut doc, &Limits::default()).is_ok());
        let uses = &doc["components"]["schemas"]["Uses"]["properties"];
        assert_eq!(uses["x"]["$ref"], "#/components/schemas/My Pet");
        assert_eq!(uses["y"]["$ref"], "#/components/schemas/a~1b");
        assert_eq!(uses["z"]["$ref"], "#/components/schemas/a~1b");
        assert_eq!(
            doc["paths"]["/a"]["get"]["parameters"][0]["$ref"],
            "#/components/parameters/p q"
        );
    }

    #[test]
    fn paths_are_cleaned() {
        assert_eq!(clean(Path::new("a/./b/../c.yaml")), PathBuf::from("a/c.yaml"));
    }
}
