//! The shape of an OpenAPI document: which object holds which, so a pass knows what each
//! JSON object it meets is (a schema, a parameter, a path item...).
//!
//! Guessing an object's kind from its keys is unreliable (a schema may have a property named
//! `schema` or `responses`; example values may contain `$ref` as data), so passes walk from
//! the root (or from a piece whose kind is known) along the fields the specification defines.
//! Example values, defaults, enums and extensions are never entered. Covers 3.0, 3.1 and the
//! 3.2 additions (`additionalOperations`, `query`, `itemSchema`, `mediaTypes`).

use serde_json::Value;

/// What a JSON object in the document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The root OpenAPI object.
    Document,
    /// The Components object.
    Components,
    /// A Path Item object.
    PathItem,
    /// An Operation object.
    Operation,
    /// A Parameter object.
    Parameter,
    /// A Header object.
    Header,
    /// A Request Body object.
    RequestBody,
    /// A Response object.
    Response,
    /// A Media Type object.
    MediaType,
    /// An Encoding object.
    Encoding,
    /// An Example object.
    Example,
    /// A Link object.
    Link,
    /// A Callback object.
    Callback,
    /// A Security Scheme object.
    SecurityScheme,
    /// A Schema object (or a boolean schema).
    Schema,
}

impl Kind {
    /// The `components` section holding reusable objects of this kind, if there is one that
    /// openapiv3 reads.
    pub(crate) fn components_section(self) -> Option<&'static str> {
        Some(match self {
            Kind::Schema => "schemas",
            Kind::Response => "responses",
            Kind::Parameter => "parameters",
            Kind::Example => "examples",
            Kind::RequestBody => "requestBodies",
            Kind::Header => "headers",
            Kind::SecurityScheme => "securitySchemes",
            Kind::Link => "links",
            Kind::Callback => "callbacks",
            _ => return None,
        })
    }
}

/// What the walker does after visiting a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Go on into the node's children (as they are after the visit).
    Descend,
    /// Leave the node's children alone.
    Skip,
}

/// A pass over the document: called on every object (and boolean schema) before its children.
pub(crate) trait Visit {
    /// Visits `node`, which is of `kind` and stands at `path` (unescaped pointer tokens).
    fn visit(&mut self, kind: Kind, node: &mut Value, path: &mut Vec<String>) -> Flow;
}

/// The HTTP methods a Path Item holds as fixed fields (3.2 adds `query`).
const METHODS: [&str; 9] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace", "query",
];

/// Walks `node` as an object of `kind`, calling `visitor` on it and then on its descendants.
pub(crate) fn walk(kind: Kind, node: &mut Value, path: &mut Vec<String>, visitor: &mut impl Visit) {
    if visitor.visit(kind, node, path) == Flow::Skip {
        return;
    }
    let Some(object) = node.as_object_mut() else {
        return;
    };
    for (key, child) in object.iter_mut() {
        let Some(what) = child_kind(kind, key) else {
            continue;
        };
        path.push(key.clone());
        match what {
            Child::One(kind) => walk(kind, child, path, visitor),
            Child::Map(kind) => walk_map(kind, child, path, visitor),
            Child::List(kind) => walk_list(kind, child, path, visitor),
            Child::OneOrList(kind) if child.is_array() => walk_list(kind, child, path, visitor),
            Child::OneOrList(kind) => walk(kind, child, path, visitor),
            Child::ObjectOnly(kind) if child.is_object() => walk(kind, child, path, visitor),
            Child::ObjectOnly(_) => {}
            Child::Components => walk(Kind::Components, child, path, visitor),
            Child::Section => {
                if let Some(kind) = section_kind(key) {
                    walk_map(kind, child, path, visitor);
                }
            }
        }
        path.pop();
    }
}

/// The objects directly under `node` (of `kind`) that the walker would visit, with the
/// pointer tokens leading to each: a read-only view, used only to locate errors.
pub(crate) fn children(kind: Kind, node: &Value) -> Vec<(Vec<String>, Kind, &Value)> {
    let mut out = Vec::new();
    let Some(object) = node.as_object() else {
        return out;
    };
    for (key, child) in object {
        let Some(what) = child_kind(kind, key) else {
            continue;
        };
        let (kind, shape) = match what {
            Child::One(kind) => (kind, Shape::One),
            Child::ObjectOnly(kind) if child.is_object() => (kind, Shape::One),
            Child::ObjectOnly(_) => continue,
            Child::Map(kind) => (kind, Shape::Map),
            Child::List(kind) => (kind, Shape::List),
            Child::OneOrList(kind) if child.is_array() => (kind, Shape::List),
            Child::OneOrList(kind) => (kind, Shape::One),
            Child::Components => (Kind::Components, Shape::One),
            Child::Section => match section_kind(key) {
                Some(kind) => (kind, Shape::Map),
                None => continue,
            },
        };
        match (shape, child) {
            (Shape::One, _) => out.push((vec![key.clone()], kind, child)),
            (Shape::Map, Value::Object(map)) => {
                for (name, grandchild) in map {
                    if kind == Kind::Schema || !name.starts_with("x-") {
                        out.push((vec![key.clone(), name.clone()], kind, grandchild));
                    }
                }
            }
            (Shape::List, Value::Array(items)) => {
                for (index, grandchild) in items.iter().enumerate() {
                    out.push((vec![key.clone(), index.to_string()], kind, grandchild));
                }
            }
            _ => {}
        }
    }
    out
}

/// How [`children`] finds the objects under one field.
#[derive(Clone, Copy)]
enum Shape {
    One,
    Map,
    List,
}

/// How a field holds its children.
#[derive(Clone, Copy)]
enum Child {
    /// The field is one object of the kind.
    One(Kind),
    /// The field maps names to objects of the kind (extension keys skipped).
    Map(Kind),
    /// The field is a list of objects of the kind.
    List(Kind),
    /// Either one object or a list of them (`items` in older JSON Schema drafts).
    OneOrList(Kind),
    /// One object of the kind, where a boolean means something else (`additionalProperties`).
    ObjectOnly(Kind),
    /// The root's `components`.
    Components,
    /// A `components` section, its kind told by its name.
    Section,
}

/// The kind of the children under `key` in an object of `parent` kind, if any.
fn child_kind(parent: Kind, key: &str) -> Option<Child> {
    use Child::{List, Map, One};
    Some(match (parent, key) {
        (Kind::Document, "paths" | "webhooks") => Map(Kind::PathItem),
        (Kind::Document, "components") => Child::Components,
        (Kind::Components, _) => Child::Section,
        (Kind::PathItem, "parameters") => List(Kind::Parameter),
        (Kind::PathItem, "additionalOperations" | "x-additional-operations") => Map(Kind::Operation),
        (Kind::PathItem, method) if METHODS.contains(&method) => One(Kind::Operation),
        (Kind::Operation, "parameters") => List(Kind::Parameter),
        (Kind::Operation, "requestBody") => One(Kind::RequestBody),
        (Kind::Operation, "responses") => Map(Kind::Response),
        (Kind::Operation, "callbacks") => Map(Kind::Callback),
        (Kind::Callback, _) if !key.starts_with("x-") => One(Kind::PathItem),
        (Kind::Parameter | Kind::Header, "schema") => One(Kind::Schema),
        (Kind::Parameter | Kind::Header | Kind::RequestBody | Kind::Response, "content") => Map(Kind::MediaType),
        (Kind::Parameter | Kind::Header | Kind::MediaType, "examples") => Map(Kind::Example),
        (Kind::Response | Kind::Encoding, "headers") => Map(Kind::Header),
        (Kind::Response, "links") => Map(Kind::Link),
        (Kind::MediaType, "schema" | "itemSchema") => One(Kind::Schema),
        (Kind::MediaType, "encoding") => Map(Kind::Encoding),
        (Kind::Schema, _) => schema_child(key)?,
        _ => return None,
    })
}

/// The subschemas of a Schema object, by keyword (JSON Schema 2020-12 and draft 4 alike).
fn schema_child(key: &str) -> Option<Child> {
    use Child::{List, Map, ObjectOnly, One, OneOrList};
    Some(match key {
        "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => Map(Kind::Schema),
        "allOf" | "anyOf" | "oneOf" | "prefixItems" => List(Kind::Schema),
        "items" => OneOrList(Kind::Schema),
        // `additionalProperties: false` is valid 3.0 (a closed object), not a boolean schema
        // to rewrite; the same booleans under the 3.1 names are mapped by the keyword rules.
        "additionalProperties" | "unevaluatedProperties" | "unevaluatedItems" | "additionalItems" => {
            ObjectOnly(Kind::Schema)
        }
        "not" | "contains" | "propertyNames" | "if" | "then" | "else" | "contentSchema" => One(Kind::Schema),
        _ => return None,
    })
}

/// The kind of object a `components` section holds.
fn section_kind(section: &str) -> Option<Kind> {
    Some(match section {
        "schemas" => Kind::Schema,
        "responses" => Kind::Response,
        "parameters" => Kind::Parameter,
        "examples" => Kind::Example,
        "requestBodies" => Kind::RequestBody,
        "headers" => Kind::Header,
        "securitySchemes" => Kind::SecurityScheme,
        "links" => Kind::Link,
        "callbacks" => Kind::Callback,
        "pathItems" => Kind::PathItem,
        "mediaTypes" => Kind::MediaType,
        _ => return None,
    })
}

/// Walks each value of a name → object map, skipping `x-` extension entries (whose values
/// are free-form) except in schema maps, where every key is a name.
fn walk_map(kind: Kind, node: &mut Value, path: &mut Vec<String>, visitor: &mut impl Visit) {
    let Some(object) = node.as_object_mut() else {
        return;
    };
    for (key, child) in object.iter_mut() {
        if kind != Kind::Schema && key.starts_with("x-") {
            continue;
        }
        path.push(key.clone());
        walk(kind, child, path, visitor);
        path.pop();
    }
}

/// Walks each element of a list of objects.
fn walk_list(kind: Kind, node: &mut Value, path: &mut Vec<String>, visitor: &mut impl Visit) {
    let Some(items) = node.as_array_mut() else {
        return;
    };
    for (index, child) in items.iter_mut().enumerate() {
        path.push(index.to_string());
        walk(kind, child, path, visitor);
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Records the kind and pointer of every node visited.
    struct Recorder(Vec<(Kind, String)>);

    impl Visit for Recorder {
        fn visit(&mut self, kind: Kind, _: &mut Value, path: &mut Vec<String>) -> Flow {
            self.0
                .push((kind, crate::diagnostic::pointer(path.iter().map(String::as_str))));
            Flow::Descend
        }
    }

    #[test]
    fn schemas_are_found_by_position_not_by_shape() {
        let mut doc = json!({
            "paths": {"/a": {"get": {
                "parameters": [{"name": "p", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"properties": {"schema": {"items": true}}, "additionalProperties": false},
                    "example": {"$ref": "not a ref", "schema": {}}
                }}}}
            }}},
            "components": {"schemas": {"X": {"allOf": [{}]}}, "x-other": {}}
        });
        let mut recorder = Recorder(Vec::new());
        walk(Kind::Document, &mut doc, &mut Vec::new(), &mut recorder);
        let schemas: Vec<&str> = recorder
            .0
            .iter()
            .filter(|(kind, _)| *kind == Kind::Schema)
            .map(|(_, p)| p.as_str())
            .collect();
        assert_eq!(
            schemas,
            [
                "/paths/~1a/get/parameters/0/schema",
                "/paths/~1a/get/responses/200/content/application~1json/schema",
                "/paths/~1a/get/responses/200/content/application~1json/schema/properties/schema",
                "/paths/~1a/get/responses/200/content/application~1json/schema/properties/schema/items",
                "/components/schemas/X",
                "/components/schemas/X/allOf/0",
            ]
        );
    }
}
