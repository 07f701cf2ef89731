//! Finding every example in a normalised document, with the schema it claims to satisfy.
//!
//! Examples stand in media types (`example`, `examples/<name>/value`, the latter possibly a
//! `$ref` to `components/examples`), in parameters, and in schemas (`example`; the normaliser
//! turns a 3.1 `examples` array into its first entry). Each is recorded with two pointers to
//! its schema: where the schema really is (for the validator, which resolves `$ref`s in the
//! document) and the place the generator lowered it under (for the generated type), which
//! differ when a response, request body or parameter is a `$ref`: the generator keys those by
//! the operation, as if the object stood inline.

use serde_json::Value;

use codegen::diagnostic::escape_pointer_token;

/// One example found in the document.
#[derive(Debug, Clone)]
pub struct Example {
    /// Where the example stands, as reached from its use site (for the report).
    pub location: String,
    /// Where its schema really is in the document (for the validator).
    pub schema_at: String,
    /// The schema's place as the generator keys it (for the generated type).
    pub place: String,
    /// The example's value.
    pub value: Value,
    /// Where the example comes from.
    pub origin: Origin,
    /// What the validator checks instead of `value`: an open instance's known twin.
    pub validate_instead: Option<Value>,
}

/// Where an example comes from: the document, a fixture file, or the instance generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// An `example`/`examples` in the document.
    Document,
    /// A fixture file that the manifest maps to a place of the document.
    Fixture,
    /// A generated instance the schema allows.
    Instance,
    /// A generated instance only an open type takes (an unknown enum value): the validator
    /// checks its known twin ([`Example::validate_instead`]), the type must decode and
    /// round-trip the instance itself.
    OpenInstance,
}

impl Origin {
    /// Whether the example is a generated instance (reported apart from examples).
    pub fn is_instance(self) -> bool {
        matches!(self, Origin::Instance | Origin::OpenInstance)
    }
}

/// The HTTP methods a path item holds operations under.
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Every example of `document`, in document order.
pub fn collect(document: &Value, is_place: &dyn Fn(&str) -> bool) -> Vec<Example> {
    let mut walker = Walker {
        document,
        is_place,
        out: Vec::new(),
    };
    if let Some(Value::Object(paths)) = document.get("paths") {
        for (path, item) in paths {
            let at = format!("/paths/{}", escape_pointer_token(path));
            walker.path_item(item, &at);
        }
    }
    if let Some(Value::Object(schemas)) = document.pointer("/components/schemas") {
        for (name, schema) in schemas {
            let at = format!("/components/schemas/{}", escape_pointer_token(name));
            walker.schema(schema, &Site::same(&at));
        }
    }
    walker.out
}

/// A place in the document seen two ways: where it really is, and the generator's key for it.
#[derive(Clone)]
struct Site {
    /// The real JSON pointer.
    real: String,
    /// The pointer the generator uses (the use site's, through `$ref`'d objects).
    logical: String,
}

impl Site {
    fn same(pointer: &str) -> Self {
        Self {
            real: pointer.to_owned(),
            logical: pointer.to_owned(),
        }
    }

    fn child(&self, token: &str) -> Self {
        let token = escape_pointer_token(token);
        Self {
            real: format!("{}/{token}", self.real),
            logical: format!("{}/{token}", self.logical),
        }
    }
}

struct Walker<'a> {
    document: &'a Value,
    is_place: &'a dyn Fn(&str) -> bool,
    out: Vec<Example>,
}

impl<'a> Walker<'a> {
    /// Follows a local `$ref` (one step at a time, at most a few) to the object it names.
    fn resolve(&self, value: &'a Value, site: &Site) -> Option<(&'a Value, Site)> {
        let mut value = value;
        let mut site = site.clone();
        for _ in 0..8 {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Some((value, site));
            };
            let pointer = reference.strip_prefix('#')?;
            value = self.document.pointer(pointer)?;
            site.real = pointer.to_owned();
        }
        None
    }

    fn path_item(&mut self, item: &'a Value, at: &str) {
        let site = Site::same(at);
        self.parameters(item, &site);
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                self.operation(operation, &site.child(method));
            }
        }
        if let Some(Value::Object(extra)) = item.get("x-additional-operations") {
            for (method, operation) in extra {
                let token = escape_pointer_token(method);
                let site = Site {
                    real: format!("{at}/x-additional-operations/{token}"),
                    logical: format!("{at}/additionalOperations/{token}"),
                };
                self.operation(operation, &site);
            }
        }
    }

    fn parameters(&mut self, owner: &'a Value, site: &Site) {
        let Some(Value::Array(parameters)) = owner.get("parameters") else {
            return;
        };
        for (index, parameter) in parameters.iter().enumerate() {
            let site = site.child("parameters").child(&index.to_string());
            let Some((parameter, site)) = self.resolve(parameter, &site) else {
                continue;
            };
            self.examples_of(parameter, &site, &site.child("schema"));
            if let Some(schema) = parameter.get("schema") {
                self.schema(schema, &site.child("schema"));
            }
        }
    }

    fn operation(&mut self, operation: &'a Value, site: &Site) {
        self.parameters(operation, site);
        if let Some(body) = operation.get("requestBody") {
            if let Some((body, body_site)) = self.resolve(body, &site.child("requestBody")) {
                self.content(body, &body_site);
            }
        }
        if let Some(Value::Object(responses)) = operation.get("responses") {
            for (status, response) in responses {
                // The generator writes ranges as `4XX` (and `default` as it is).
                let token = if status.len() == 3 && status.ends_with(['x', 'X']) {
                    status.to_ascii_uppercase()
                } else {
                    status.clone()
                };
                let responses = site.child("responses");
                let site = Site {
                    real: responses.child(status).real,
                    logical: responses.child(&token).logical,
                };
                if let Some((response, site)) = self.resolve(response, &site) {
                    self.content(response, &site);
                }
            }
        }
    }

    fn content(&mut self, owner: &'a Value, site: &Site) {
        let Some(Value::Object(content)) = owner.get("content") else {
            return;
        };
        for (media, media_type) in content {
            let site = site.child("content").child(media);
            let schema_site = site.child("schema");
            self.examples_of(media_type, &site, &schema_site);
            if let Some(schema) = media_type.get("schema") {
                self.schema(schema, &schema_site);
            }
        }
    }

    /// The `example` and `examples` of a media type or parameter at `site`, for the schema at `schema`.
    fn examples_of(&mut self, owner: &'a Value, site: &Site, schema: &Site) {
        if let Some(value) = owner.get("example") {
            self.push(&site.child("example"), schema, value);
        }
        let Some(Value::Object(examples)) = owner.get("examples") else {
            return;
        };
        for (name, example) in examples {
            let example_site = site.child("examples").child(name);
            // An Example Object's `value`; one with only `externalValue` has nothing to check.
            if let Some(value) = self.resolve(example, &example_site).and_then(|(e, _)| e.get("value")) {
                self.push(&example_site, schema, value);
            }
        }
    }

    /// Schema-level `example`s in the schema at `site` and every schema inside it.
    fn schema(&mut self, schema: &'a Value, site: &Site) {
        let Value::Object(map) = schema else {
            return;
        };
        if let Some(value) = map.get("example") {
            if (self.is_place)(&site.logical) {
                self.push(&site.child("example"), site, value);
            }
        }
        for (key, child) in map {
            // Values, not schemas.
            if matches!(key.as_str(), "example" | "enum" | "default" | "const") || key.starts_with("x-") {
                continue;
            }
            match child {
                Value::Object(_) => self.schema(child, &site.child(key)),
                Value::Array(items) => {
                    for (index, item) in items.iter().enumerate() {
                        self.schema(item, &site.child(key).child(&index.to_string()));
                    }
                }
                _ => {}
            }
        }
    }

    fn push(&mut self, example: &Site, schema: &Site, value: &Value) {
        self.out.push(Example {
            location: example.logical.clone(),
            schema_at: schema.real.clone(),
            place: schema.logical.clone(),
            value: value.clone(),
            origin: Origin::Document,
            validate_instead: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finds_media_type_parameter_and_schema_examples_through_refs() {
        let document = json!({
            "paths": {"/pets/{id}": {
                "parameters": [{"$ref": "#/components/parameters/Id"}],
                "get": {"responses": {"200": {"$ref": "#/components/responses/Pet"},
                    "4xx": {"content": {"text/plain": {"example": "no"}}},
                    "default": {"content": {"text/plain": {"example": "err"}}}}},
                "post": {"requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Pet"},
                    "examples": {"rex": {"$ref": "#/components/examples/Rex"}, "far": {"externalValue": "x"}}
                }}}, "responses": {}}
            }},
            "components": {
                "parameters": {"Id": {"name": "id", "in": "path", "schema": {"type": "integer"}, "example": 7}},
                "responses": {"Pet": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Pet"}, "example": {"name": "a"}}}}},
                "examples": {"Rex": {"value": {"name": "rex"}}},
                "schemas": {"Pet": {"type": "object", "example": {"name": "p"},
                    "properties": {"name": {"type": "string", "example": "n"}}}}
            }
        });
        let found = collect(&document, &|_| true);
        let summary: Vec<(&str, &str, &str, &Value)> = found
            .iter()
            .map(|e| (e.location.as_str(), e.schema_at.as_str(), e.place.as_str(), &e.value))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "/paths/~1pets~1{id}/parameters/0/example",
                    "/components/parameters/Id/schema",
                    "/paths/~1pets~1{id}/parameters/0/schema",
                    &json!(7)
                ),
                (
                    "/paths/~1pets~1{id}/get/responses/200/content/application~1json/example",
                    "/components/responses/Pet/content/application~1json/schema",
                    "/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema",
                    &json!({"name": "a"})
                ),
                (
                    "/paths/~1pets~1{id}/get/responses/4XX/content/text~1plain/example",
                    "/paths/~1pets~1{id}/get/responses/4xx/content/text~1plain/schema",
                    "/paths/~1pets~1{id}/get/responses/4XX/content/text~1plain/schema",
                    &json!("no")
                ),
                (
                    "/paths/~1pets~1{id}/get/responses/default/content/text~1plain/example",
                    "/paths/~1pets~1{id}/get/responses/default/content/text~1plain/schema",
                    "/paths/~1pets~1{id}/get/responses/default/content/text~1plain/schema",
                    &json!("err")
                ),
                (
                    "/paths/~1pets~1{id}/post/requestBody/content/application~1json/examples/rex",
                    "/paths/~1pets~1{id}/post/requestBody/content/application~1json/schema",
                    "/paths/~1pets~1{id}/post/requestBody/content/application~1json/schema",
                    &json!({"name": "rex"})
                ),
                (
                    "/components/schemas/Pet/example",
                    "/components/schemas/Pet",
                    "/components/schemas/Pet",
                    &json!({"name": "p"})
                ),
                (
                    "/components/schemas/Pet/properties/name/example",
                    "/components/schemas/Pet/properties/name",
                    "/components/schemas/Pet/properties/name",
                    &json!("n")
                ),
            ]
        );
    }
}
