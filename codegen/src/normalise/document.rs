//! Document-level rules: a `paths` object is always there, empty path items go, security
//! schemes openapiv3 cannot read go (with a warning), and 3.2 `additionalOperations` become an
//! extension openapiv3 keeps.

use serde_json::{Map, Value};

/// Adds an empty `paths` when it is missing: 3.1 allows documents with only `webhooks` or
/// `components`, but openapiv3 requires the field.
pub(crate) fn ensure_paths(document: &mut Value) {
    if let Some(root) = document.as_object_mut() {
        if !root.contains_key("paths") {
            root.insert("paths".to_string(), Value::Object(Map::new()));
        }
    }
}

/// Removes Path Items that are empty objects (`"/p": {}`): they declare no operation, so
/// nothing is generated from them, and each would otherwise cost openapiv3 a full `PathItem`
/// (about 10 KB), which made 200,000 empty paths take 2 GB.
pub(crate) fn drop_empty_path_items(document: &mut Value) {
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        paths.retain(|_, item| !matches!(item, Value::Object(fields) if fields.is_empty()));
    }
}

/// Removes the paths whose key does not start with `/` (extensions, `x-...`, stay) and
/// returns their keys: OpenAPI requires the slash, and openapiv3 would drop them without a
/// word, so the caller warns instead.
pub(crate) fn drop_paths_without_slash(document: &mut Value) -> Vec<String> {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return Vec::new();
    };
    let mut dropped = Vec::new();
    paths.retain(|key, _| {
        let keep = key.starts_with('/') || key.starts_with("x-");
        if !keep {
            dropped.push(key.clone());
        }
        keep
    });
    dropped
}

/// The security scheme types openapiv3 reads.
const KNOWN_SCHEME_TYPES: &[&str] = &["apiKey", "http", "oauth2", "openIdConnect"];

/// Removes the security schemes whose `type` openapiv3 does not know, returning each one's
/// name and type: 3.1's `mutualTLS` (TLS client certificates, which the caller configures on
/// the HTTP client, not per request) or a type no version defines. openapiv3 rejects the
/// whole document for one of them, and the generated client could not use them anyway.
pub(crate) fn drop_unknown_security_schemes(document: &mut Value) -> Vec<(String, String)> {
    let Some(schemes) = document
        .get_mut("components")
        .and_then(|c| c.get_mut("securitySchemes"))
        .and_then(Value::as_object_mut)
    else {
        return Vec::new();
    };
    let mut dropped = Vec::new();
    schemes.retain(|name, scheme| match scheme.get("type").and_then(Value::as_str) {
        Some(kind) if !KNOWN_SCHEME_TYPES.contains(&kind) => {
            dropped.push((name.clone(), kind.to_owned()));
            false
        }
        _ => true,
    });
    dropped
}

/// Renames a Path Item's `additionalOperations` (3.2: operations for custom HTTP methods such
/// as `LINK`) to `x-additional-operations`, content unchanged.
///
/// openapiv3 silently ignores unknown non-`x-` keys, so under the 3.2 name the operations
/// would vanish from the model; as an extension they stay in `PathItem::extensions` and in
/// the JSON document for later stages. The key keeps its position so output stays stable.
pub(crate) fn rename_additional_operations(path_item: &mut Value) {
    let Some(item) = path_item.as_object_mut() else {
        return;
    };
    if item.contains_key("x-additional-operations") {
        return;
    }
    let Some(index) = item.keys().position(|k| k == "additionalOperations") else {
        return;
    };
    if let Some(operations) = item.shift_remove("additionalOperations") {
        item.shift_insert(index, "x-additional-operations".to_string(), operations);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_paths_become_empty() {
        let mut doc = json!({"openapi": "3.1.0", "webhooks": {}});
        ensure_paths(&mut doc);
        assert_eq!(doc, json!({"openapi": "3.1.0", "webhooks": {}, "paths": {}}));
        let mut doc = json!({"paths": {"/a": {}}});
        ensure_paths(&mut doc);
        assert_eq!(doc, json!({"paths": {"/a": {}}}));
    }

    #[test]
    fn empty_path_items_are_dropped_and_others_kept_in_order() {
        let mut doc = json!({"paths": {
            "/a": {}, "/b": {"get": {}}, "/c": {}, "/d": {"parameters": []}
        }});
        drop_empty_path_items(&mut doc);
        assert_eq!(
            serde_json::to_string(&doc).unwrap_or_default(),
            r#"{"paths":{"/b":{"get":{}},"/d":{"parameters":[]}}}"#
        );
    }

    #[test]
    fn paths_without_a_slash_are_dropped_and_named() {
        let mut doc = json!({"paths": {"/a": {}, "": {}, "b": {}, "x-note": 1}});
        assert_eq!(drop_paths_without_slash(&mut doc), ["", "b"]);
        assert_eq!(doc, json!({"paths": {"/a": {}, "x-note": 1}}));
    }

    #[test]
    fn unknown_security_scheme_types_are_dropped_and_named() {
        let mut doc = json!({"components": {"securitySchemes": {
            "tls": {"type": "mutualTLS"},
            "key": {"type": "apiKey", "in": "header", "name": "k"},
            "odd": {"type": "carrierPigeon"},
            "shared": {"$ref": "#/components/securitySchemes/key"}
        }}});
        let dropped = drop_unknown_security_schemes(&mut doc);
        assert_eq!(
            dropped,
            vec![
                ("tls".to_owned(), "mutualTLS".to_owned()),
                ("odd".to_owned(), "carrierPigeon".to_owned())
            ]
        );
        let kept: Vec<&String> = doc["components"]["securitySchemes"]
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert_eq!(kept, ["key", "shared"]);
    }

    #[test]
    fn additional_operations_become_an_extension_in_place() {
        let mut item = json!({
            "get": {},
            "additionalOperations": {"LINK": {"operationId": "link"}},
            "parameters": []
        });
        rename_additional_operations(&mut item);
        assert_eq!(
            serde_json::to_string(&item).unwrap_or_default(),
            r#"{"get":{},"x-additional-operations":{"LINK":{"operationId":"link"}},"parameters":[]}"#
        );
    }
}
