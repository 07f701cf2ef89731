//! Documents built to break the generator: long chains, deep nesting, huge counts. Each must
//! end in a crate or a clear diagnostic, without deep recursion (these tests run on the test
//! harness's small thread stacks, so a recursive walk would overflow here first).

use std::fmt::Write as _;
use std::path::Path;

use codegen::parse::parse_bytes;

/// Settings for a crate that is generated but not written anywhere.
fn settings() -> codegen::CrateSettings {
    codegen::CrateSettings {
        name: "limits-client".to_owned(),
        version: "0.1.0".to_owned(),
        runtime_path: "../runtime".to_owned(),
        standalone: true,
        source_label: "limits.yaml".to_owned(),
        extra_files: Vec::new(),
        has_quickstart: false,
    }
}

/// Parses and generates `text`, returning the crate or the diagnostics as text.
fn generate(text: &str) -> Result<codegen::GeneratedCrate, Vec<String>> {
    let shown = |errors: Vec<codegen::Diagnostic>| errors.iter().map(ToString::to_string).collect::<Vec<_>>();
    let parsed = parse_bytes(Path::new("limits.yaml"), text.as_bytes()).map_err(shown)?;
    codegen::generate(&parsed, &settings()).map_err(shown)
}

/// A document with these component schemas (YAML flow mappings, one per line).
fn with_schemas(schemas: impl IntoIterator<Item = (String, String)>) -> String {
    let mut text = String::from("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n");
    for (name, schema) in schemas {
        let _ = writeln!(text, "    {name}: {schema}");
    }
    text
}

fn types_rs(generated: &codegen::GeneratedCrate) -> &str {
    generated
        .files
        .iter()
        // A big API's types are a crate of their own (emit/split.rs).
        .find(|f| f.path == "src/types.rs" || f.path == "types/src/lib.rs")
        .map_or("", |f| f.contents.as_str())
}

#[test]
fn a_7000_link_alias_chain_used_in_all_of_generates() {
    let n = 7000;
    let mut schemas: Vec<(String, String)> = (0..n)
        .map(|i| (format!("A{i}"), format!("{{$ref: '#/components/schemas/A{}'}}", i + 1)))
        .collect();
    schemas.push((
        format!("A{n}"),
        "{type: object, properties: {x: {type: string}}}".to_owned(),
    ));
    schemas.push((
        "User".to_owned(),
        "{allOf: [{$ref: '#/components/schemas/A0'}, {type: object, properties: {y: {type: integer}}}]}".to_owned(),
    ));
    let generated = generate(&with_schemas(schemas)).unwrap_or_else(|e| panic!("{e:#?}"));
    let types = types_rs(&generated);
    assert!(types.contains("pub type A0 = A1;"), "aliases stay aliases");
    // The merged struct has the chain's end's property and its own.
    let user = types.split("pub struct User {").nth(1).unwrap_or_default();
    let user = user.split('}').next().unwrap_or_default();
    assert!(
        user.contains("pub x: Option<String>") && user.contains("pub y: Option<i64>"),
        "{user}"
    );
}

#[test]
fn a_5000_link_all_of_chain_is_cut_off_with_a_warning() {
    let n = 5000;
    let mut schemas: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                format!("A{i}"),
                format!(
                    "{{allOf: [{{$ref: '#/components/schemas/A{}'}}, {{type: object, properties: {{p{i}: {{type: string}}}}}}]}}",
                    i + 1
                ),
            )
        })
        .collect();
    schemas.push((
        format!("A{n}"),
        "{type: object, properties: {x: {type: string}}}".to_owned(),
    ));
    let generated = generate(&with_schemas(schemas)).unwrap_or_else(|e| panic!("{e:#?}"));
    let types = types_rs(&generated);
    // Near the end of the chain the merge is complete; far from it, a JSON object.
    assert!(types.contains("pub struct A4990 {"));
    assert!(types.contains("pub type A0 = serde_json::Map<String, serde_json::Value>;"));
    let cut: Vec<String> = generated
        .warnings
        .iter()
        .filter(|w| w.message.contains("allOf merges more than 128 schemas"))
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        cut.first().map(String::as_str),
        Some("limits.yaml #/components/schemas/A0: allOf merges more than 128 schemas; typed as a JSON object")
    );
}

#[test]
fn alias_cycles_through_all_of_terminate() {
    let text = with_schemas([
        ("A".to_owned(), "{$ref: '#/components/schemas/B'}".to_owned()),
        ("B".to_owned(), "{$ref: '#/components/schemas/A'}".to_owned()),
        (
            "C".to_owned(),
            "{allOf: [{$ref: '#/components/schemas/A'}, {type: object, properties: {c: {type: string}}}]}".to_owned(),
        ),
    ]);
    let generated = generate(&text).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(types_rs(&generated).contains("pub struct C {"));
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "limits.yaml #/components/schemas/A: `A` is an alias of itself (through aliases only), which describes no value; typed as JSON",
            "limits.yaml #/components/schemas/B: `B` is an alias of itself (through aliases only), which describes no value; typed as JSON",
        ]
    );
}

#[test]
fn a_7000_link_chain_of_refs_outside_components_is_cut_off_with_a_warning() {
    // `$ref`s outside components are inlined where they are used, so each link nests one
    // level deeper.
    let n = 7000;
    let mut text = String::from(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/x-defs/A0'}\nx-defs:\n",
    );
    for i in 0..n {
        let _ = writeln!(
            text,
            "  A{i}: {{type: object, properties: {{n: {{$ref: '#/x-defs/A{}'}}}}}}",
            i + 1
        );
    }
    let _ = writeln!(text, "  A{n}: {{type: string}}");
    let generated = generate(&text).unwrap_or_else(|e| panic!("{e:#?}"));
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["limits.yaml #/x-defs/A63/properties/n: schemas nest deeper than 64 levels here; typed as JSON"]
    );
    assert!(types_rs(&generated).contains("pub n: Option<serde_json::Value>"));
}

/// How much longer generating `document(4 n)` takes than `document(n)`: the best of two runs
/// of each, so one busy moment on a shared machine does not decide. About 4 when the work is
/// linear; about 16 when it is quadratic.
fn growth(document: impl Fn(usize) -> String, n: usize) -> f64 {
    let best = |size: usize| {
        let text = document(size);
        (0..2)
            .map(|_| {
                let started = std::time::Instant::now();
                let generated = generate(&text).unwrap_or_else(|e| panic!("{e:#?}"));
                assert!(!generated.files.is_empty());
                started.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let small = best(n);
    let large = best(4 * n);
    large / small.max(1e-3)
}

/// The `i`th of the keys `a`, `a#`, `a$`, ...: letters only `a`, so each reads `a` in Rust.
fn alike_key(i: usize) -> String {
    const SYMBOLS: &[u8] = b"!#$%&*+,-.:;<=>?@^_|~";
    let mut key = String::from("a");
    let mut rest = i;
    while rest > 0 {
        key.push(char::from(SYMBOLS[rest % SYMBOLS.len()]));
        rest /= SYMBOLS.len();
    }
    key
}

#[test]
fn thousands_of_names_that_read_alike_are_numbered_in_linear_time() {
    // Property keys `a`, `a!`, `a#`, ... all read `a`: each clash was numbered by counting
    // from 2 again, so 20,000 of them took minutes.
    let keys = |n: usize| (0..n).map(alike_key);
    let document = |n: usize| {
        let mut text = String::from(
            "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"t\", \"version\": \"1\"}, \"paths\": {}, \"components\": {\"schemas\": {\"Big\": {\"type\": \"object\", \"properties\": {",
        );
        let fields: Vec<String> = keys(n)
            .map(|key| format!("{}: {{\"type\": \"string\"}}", serde_json::Value::String(key)))
            .collect();
        text.push_str(&fields.join(", "));
        text.push_str("}}}}}");
        text
    };
    let generated = generate(&document(500)).unwrap_or_else(|e| panic!("{e:#?}"));
    let types = types_rs(&generated);
    // Every key a field of its own (`+` reads `plus`, so a few are `a_plus...`).
    assert_eq!(types.matches("pub a").count(), 500);
    assert!(types.contains("pub a: Option<String>") && types.contains("pub a_400: Option<String>"));
    let growth = growth(document, 2500);
    assert!(growth < 10.0, "4x the names took {growth:.1}x the time");
}

#[test]
fn refs_outside_components_that_fan_out_are_lowered_once_each() {
    // Each of 40 schemas outside components refers twice to the next: lowered again at each
    // use, that was 2^40 lowerings from a document of a few KB.
    let n = 40;
    let mut text = String::from(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/x-defs/A0'}\nx-defs:\n",
    );
    for i in 0..n {
        let next = i + 1;
        let _ = writeln!(
            text,
            "  A{i}: {{type: object, properties: {{l: {{$ref: '#/x-defs/A{next}'}}, r: {{$ref: '#/x-defs/A{next}'}}}}}}"
        );
    }
    let _ = writeln!(text, "  A{n}: {{type: string}}");
    let generated = generate(&text).unwrap_or_else(|e| panic!("{e:#?}"));
    let types = types_rs(&generated);
    // One struct per schema, both fields of each the same type.
    assert_eq!(types.matches("pub struct A").count(), n, "{types}");
    assert!(types.contains("pub l: Option<A1>") && types.contains("pub r: Option<A1>"));
}

/// `n` tags, each with one operation answering the first of a chain of `n` schemas, so every
/// schema is used by every tag.
fn tags_sharing_a_chain(n: usize) -> String {
    let mut text = String::from("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n");
    for i in 0..n {
        let _ = writeln!(
            text,
            "  /p{i}:\n    get:\n      tags: [t{i}]\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/S0'}}"
        );
    }
    text.push_str("components:\n  schemas:\n");
    for i in 0..n {
        let next = if i + 1 < n {
            format!("{{$ref: '#/components/schemas/S{}'}}", i + 1)
        } else {
            "{type: string}".to_owned()
        };
        let _ = writeln!(text, "    S{i}: {{type: object, properties: {{next: {next}}}}}");
    }
    text
}

#[test]
fn many_tags_sharing_many_types_give_output_linear_in_the_document() {
    // Each type listed every tag that reaches it in its cfg: 1,000 tags sharing a chain of
    // 1,000 schemas made 32 MB of Rust from 300 KB. A type more than 64 tags use is ungated.
    let size = |n: usize| {
        let generated = generate(&tags_sharing_a_chain(n)).unwrap_or_else(|e| panic!("{e:#?}"));
        let bytes: usize = generated.files.iter().map(|f| f.contents.len()).sum();
        (generated, bytes)
    };
    let (generated, small) = size(100);
    let types = types_rs(&generated);
    assert!(types.contains("pub struct S0"), "{types}");
    assert!(!types.contains("feature = \"t0\""), "the shared types are not gated");
    assert!(
        generated
            .warnings
            .iter()
            .any(|w| w.to_string().contains("100 types are used by more than 64 tags")),
        "{:#?}",
        generated.warnings
    );
    let (_, large) = size(400);
    let growth = large as f64 / small as f64;
    assert!(growth < 6.0, "4x the tags and types gave {growth:.1}x the output");
}

#[test]
fn a_type_few_tags_use_stays_behind_their_features() {
    let generated = generate(&tags_sharing_a_chain(3)).unwrap_or_else(|e| panic!("{e:#?}"));
    let types = types_rs(&generated);
    assert!(
        types.contains("#[cfg(any(feature = \"t0\", feature = \"t1\", feature = \"t2\"))]\n#[derive(Debug, Clone, Default, serde::Deserialize)]"),
        "{types}"
    );
    assert!(generated
        .warnings
        .iter()
        .all(|w| !w.to_string().contains("more than 64 tags")));
}

#[test]
fn an_api_key_in_a_cookie_is_named_in_a_warning_not_dropped_unseen() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  securitySchemes:\n    session: {type: apiKey, in: cookie, name: SID}\n    key: {type: apiKey, in: header, name: X-Key}\n";
    let generated = generate(text).unwrap_or_else(|e| panic!("{e:#?}"));
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("/components/securitySchemes/session") && w.contains("cookie `SID` is not supported")),
        "{warnings:#?}"
    );
    assert_eq!(warnings.len(), 1, "the header key is supported: {warnings:#?}");
}

#[test]
fn a_discriminator_mapping_to_no_alternative_is_named_in_a_warning() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Pet:\n      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]\n      discriminator:\n        propertyName: kind\n        mapping: {cat: '#/components/schemas/Cat', dog: Dog, fish: '#/components/schemas/Fish'}\n    Cat: {type: object, required: [kind], properties: {kind: {type: string}}}\n    Dog: {type: object, required: [kind], properties: {kind: {type: string}}}\n    Fish: {type: object, properties: {kind: {type: string}}}\n";
    let generated = generate(text).unwrap_or_else(|e| panic!("{e:#?}"));
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("/components/schemas/Pet/discriminator/mapping")
                && w.contains("`fish` → `#/components/schemas/Fish` names no alternative")),
        "{warnings:#?}"
    );
    // `cat` names an alternative by its $ref and `dog` by its schema name: no warning for them.
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
}
