//! The first stage end to end: real files in, a parsed spec or exact diagnostics out.

use std::path::{Path, PathBuf};
use std::time::Instant;

use codegen::parse::{parse_bytes, parse_bytes_with, parse_file, parse_file_with, Limits, ParsedSpec};
use codegen::{Diagnostic, Location};
use serde_json::json;

/// A fixture under `tests/parse/`.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parse").join(name)
}

/// Parses a fixture that must parse.
fn parse_ok(name: &str) -> ParsedSpec {
    match parse_file(&fixture(name)) {
        Ok(spec) => spec,
        Err(errors) => panic!("{name} failed: {}", shown(&errors).join("\n")),
    }
}

/// Parses in-memory text that must fail, returning the diagnostics.
fn parse_err(name: &str, text: &str) -> Vec<Diagnostic> {
    match parse_bytes(&fixture(name), text.as_bytes()) {
        Ok(_) => panic!("{name} parsed but should not have"),
        Err(errors) => errors,
    }
}

/// Diagnostics as `place: message` lines, with the file made relative to the fixtures.
fn shown(errors: &[Diagnostic]) -> Vec<String> {
    let base = fixture("");
    errors
        .iter()
        .map(|d| {
            let file = d.file.strip_prefix(&base).unwrap_or(&d.file);
            format!("{} {}: {}", file.display(), d.location, d.message)
        })
        .collect()
}

#[test]
fn corpus_documents_parse() {
    let corpus = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"));
    let Ok(entries) = std::fs::read_dir(corpus) else {
        println!("no corpus at {}: skipping", corpus.display());
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "yaml")))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for file in &files {
        let started = Instant::now();
        let result = parse_file(file);
        let took = started.elapsed();
        match result {
            Ok(spec) => println!(
                "ok   {} in {took:.2?} ({} warnings)",
                file.display(),
                spec.warnings.len()
            ),
            Err(errors) => {
                println!("FAIL {} in {took:.2?}", file.display());
                for e in &errors {
                    println!("     {e}");
                }
                failures.push(file.display().to_string());
            }
        }
    }
    assert!(failures.is_empty(), "failed to parse: {failures:#?}");
}

#[test]
fn external_refs_are_bundled_into_components() {
    let spec = parse_ok("bundle/openapi.yaml");
    let doc = &spec.document;
    // Whole files are named after the file; pieces after their pointer's last token; a
    // taken name (the document's own `Error`) gets the file's name in front.
    assert_eq!(
        doc.pointer("/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema/$ref"),
        Some(&json!("#/components/schemas/pet"))
    );
    assert_eq!(
        doc.pointer("/paths/~1pets~1{id}/get/parameters/0/$ref"),
        Some(&json!("#/components/parameters/Id"))
    );
    assert_eq!(
        doc.pointer("/paths/~1pets~1{id}/get/responses/default/$ref"),
        Some(&json!("#/components/responses/Problem"))
    );
    assert_eq!(
        doc.pointer("/components/responses/Problem/content/application~1json/schema/$ref"),
        Some(&json!("#/components/schemas/common_Error"))
    );
    assert_eq!(
        doc.pointer("/components/schemas/common_Error/properties/message/type"),
        Some(&json!("string"))
    );
    assert_eq!(doc.pointer("/components/schemas/Error/type"), Some(&json!("string")));
    // The cycle pet → owner → pet closes on the copy already made.
    assert_eq!(
        doc.pointer("/components/schemas/pet/properties/owner/$ref"),
        Some(&json!("#/components/schemas/owner"))
    );
    assert_eq!(
        doc.pointer("/components/schemas/owner/properties/pets/items/$ref"),
        Some(&json!("#/components/schemas/pet"))
    );
    // Path items have no components section in 3.0: they are inlined, their refs resolved
    // relative to their own file.
    assert_eq!(
        doc.pointer("/paths/~1pets/get/responses/200/content/application~1json/schema/items/$ref"),
        Some(&json!("#/components/schemas/pet"))
    );
    let components = spec.openapi.components.as_ref().map(|c| {
        let mut names: Vec<&str> = c.schemas.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    });
    assert_eq!(components, Some(vec!["Error", "common_Error", "owner", "pet"]));
    assert!(spec.openapi.paths.paths.contains_key("/pets"));
}

#[test]
fn bundling_is_deterministic() {
    let first = parse_ok("bundle/openapi.yaml");
    let second = parse_ok("bundle/openapi.yaml");
    assert_eq!(
        serde_json::to_string(&first.document).ok(),
        serde_json::to_string(&second.document).ok()
    );
}

#[test]
fn openapi_31_documents_are_normalised() {
    let spec = parse_ok("openapi31.yaml");
    let pet = spec.document.pointer("/components/schemas/Pet").cloned();
    assert_eq!(
        pet,
        Some(json!({
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "nickname": {"type": "string", "nullable": true},
                "age": {"type": "integer", "minimum": 0, "exclusiveMinimum": true},
                "tag": {"oneOf": [
                    {"type": "string"},
                    {"type": "integer"},
                    {"type": "array", "items": {"type": "string"}}
                ]},
                "kind": {"enum": ["cat"]},
                "owner": {
                    "allOf": [{"$ref": "#/components/schemas/Owner"}],
                    "nullable": true,
                    "description": "The owner, if any."
                },
                "anything": {},
                "nothing": {"nullable": true}
            }
        }))
    );
    assert_eq!(
        spec.document.pointer("/components/schemas/Owner/example"),
        Some(&json!({"name": "Ann"}))
    );
    // Webhooks-only 3.1 documents get an empty `paths`.
    assert!(spec.openapi.paths.paths.is_empty());
    assert_eq!(spec.openapi.openapi, "3.1.0");
    assert_eq!(
        shown(&spec.warnings),
        ["openapi31.yaml #/components/schemas/Pet/properties/age/maximum: dropped `maximum: 1e+20`: an integer schema's bounds must fit in a signed 64-bit integer"]
    );
    let age = spec
        .openapi
        .components
        .as_ref()
        .and_then(|c| c.schemas.get("Pet"))
        .and_then(|s| s.as_item())
        .map(|s| &s.schema_kind);
    assert!(matches!(
        age,
        Some(openapiv3::SchemaKind::Type(openapiv3::Type::Object(_)))
    ));
}

#[test]
fn bom_prefixed_files_parse() {
    let spec = parse_ok("bom.json");
    assert_eq!(spec.openapi.info.title, "BOM");
}

#[test]
fn additional_operations_survive_as_an_extension() {
    let spec = parse_ok("additional-operations.yaml");
    assert_eq!(
        spec.document
            .pointer("/paths/~1pets~1{id}/x-additional-operations/LINK/operationId"),
        Some(&json!("linkPet"))
    );
    // Schemas inside them are normalised like any other.
    assert_eq!(
        spec.document
            .pointer("/paths/~1pets~1{id}/x-additional-operations/LINK/responses/409/content/application~1json/schema"),
        Some(&json!({"type": "object", "nullable": true}))
    );
    let item = spec.openapi.paths.paths.get("/pets/{id}").and_then(|i| i.as_item());
    assert!(item.is_some_and(|i| i.extensions.contains_key("x-additional-operations")));
}

#[test]
fn yaml_syntax_errors_give_line_and_column() {
    let errors = parse_err(
        "broken.yaml",
        "openapi: 3.0.0\ninfo:\n  title: x\n   version: 1\npaths: {}\n",
    );
    assert_eq!(
        shown(&errors),
        ["broken.yaml 4:11: invalid YAML: mapping values are not allowed in this context"]
    );
    assert_eq!(
        errors.first().map(|e| &e.location),
        Some(&Location::Line { line: 4, column: 11 })
    );
}

#[test]
fn json_syntax_errors_give_line_and_column() {
    let errors = parse_err(
        "broken.json",
        "{\n  \"openapi\": \"3.0.0\",\n  \"info\": {\"title\": \"x\",}\n}\n",
    );
    assert_eq!(shown(&errors), ["broken.json 3:25: invalid JSON: trailing comma"]);
    let errors = parse_err("truncated.json", "{\n  \"openapi\": \"3.0.0\",\n");
    assert_eq!(
        shown(&errors),
        ["truncated.json 3:1: invalid JSON: EOF while parsing a value"]
    );
}

#[test]
fn dangling_local_refs_are_errors_naming_both_ends() {
    let errors = parse_err(
        "dangling.yaml",
        r##"
openapi: 3.0.0
info: {title: x, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Nope"
components:
  schemas:
    A:
      properties:
        b:
          $ref: "#/components/schemas/Gone"
"##,
    );
    assert_eq!(
        shown(&errors),
        [
            "dangling.yaml #/paths/~1a/get/responses/200/content/application~1json/schema: dangling $ref `#/components/schemas/Nope`",
            "dangling.yaml #/components/schemas/A/properties/b: dangling $ref `#/components/schemas/Gone`",
        ]
    );
}

/// A document whose only schema is a `$ref` to `target`, read as `refs.yaml` in the fixtures.
fn referring_to(target: &str) -> Vec<Diagnostic> {
    parse_err(
        "refs.yaml",
        &format!(
            "openapi: 3.0.0\ninfo: {{title: x, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    A:\n      $ref: '{target}'\n"
        ),
    )
}

#[test]
fn a_missing_external_file_is_an_error_at_the_ref() {
    let errors = referring_to("missing.yaml#/components/schemas/X");
    assert_eq!(
        shown(&errors),
        ["refs.yaml #/components/schemas/A: $ref `missing.yaml#/components/schemas/X`: cannot read the file: No such file or directory (os error 2)"]
    );
}

#[test]
fn a_dangling_pointer_into_an_external_file_is_an_error_at_the_ref() {
    let errors = referring_to("bundle/common.yaml#/components/schemas/Nope");
    let file = fixture("bundle/common.yaml");
    assert_eq!(
        shown(&errors),
        [format!("refs.yaml #/components/schemas/A: dangling $ref `bundle/common.yaml#/components/schemas/Nope`: `{}` has nothing at `/components/schemas/Nope`", file.display())]
    );
}

#[test]
fn remote_refs_are_refused() {
    let errors = referring_to("https://example.com/schemas.yaml#/Pet");
    assert_eq!(
        shown(&errors),
        ["refs.yaml #/components/schemas/A: $ref `https://example.com/schemas.yaml#/Pet`: remote $refs are not supported (download the file and refer to it by path)"]
    );
}

#[test]
fn documents_openapiv3_rejects_name_the_place() {
    let errors = parse_err("bad.yaml", "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: 5\n");
    assert_eq!(
        shown(&errors),
        ["bad.yaml #/paths: not a valid OpenAPI document: invalid type: integer `5`, expected struct Paths"]
    );
}

#[test]
fn nested_rejections_point_into_the_document() {
    let errors = parse_err(
        "bad-response.yaml",
        "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          content: {}\n",
    );
    assert_eq!(
        shown(&errors),
        ["bad-response.yaml #/paths/~1a/get/responses/200: not a valid OpenAPI document: missing field `description`"]
    );
}

#[test]
fn errors_inside_external_files_name_that_file() {
    let errors = referring_to("bundle/broken-ref.yaml");
    let file = fixture("bundle/broken-ref.yaml");
    assert_eq!(
        shown(&errors),
        [format!(
            "bundle/broken-ref.yaml #/properties/friend: dangling $ref `#/definitions/Friend`: `{}` has nothing at `/definitions/Friend`",
            file.display()
        )]
    );
}

#[test]
fn odd_inputs_give_diagnostics_not_panics() {
    let inputs = [
        "",
        "null",
        "[]",
        "{}",
        "42",
        "openapi: 3.1.0",
        "openapi: 3.1.0\ninfo: {title: x, version: '1'}\ncomponents: 5\n",
        "openapi: 3.1.0\ninfo: {title: x, version: '1'}\ncomponents: {schemas: []}\n",
        "openapi: 3.1.0\ninfo: {title: x, version: '1'}\ncomponents: {schemas: {A: {type: 5, items: 5, properties: [], required: x, enum: 5}}}\n",
        "openapi: 3.1.0\ninfo: {title: x, version: '1'}\ncomponents: {schemas: {A: {$ref: 5}, B: {type: [5, null]}, C: {prefixItems: 5, items: [true, false]}}}\n",
        "openapi: 3.1.0\ninfo: {title: x, version: '1'}\ncomponents: {schemas: {A: {exclusiveMinimum: x, exclusiveMaximum: 1e400, const: null}}}\n",
        "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {/a: {$ref: '#'}, /b: {additionalOperations: 5}}\n",
        "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {/a: {$ref: 'bundle'}}\n",
        "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {/a: {$ref: '%zz#%'}}\n",
        "{\"openapi\": \"3.0.0\", \"paths\": {\"/a\": {\"get\": {\"responses\": {\"200\": {\"description\": 5}}}}}}",
        "a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    ];
    for input in inputs {
        match parse_bytes(&fixture("odd.yaml"), input.as_bytes()) {
            Ok(spec) => assert!(!spec.openapi.openapi.is_empty(), "{input}"),
            Err(errors) => {
                println!("{}", shown(&errors).join("\n"));
                assert!(!errors.is_empty(), "{input}")
            }
        }
    }
}

#[test]
fn swagger_2_is_refused_with_advice() {
    let errors = parse_err(
        "swagger.yaml",
        "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n",
    );
    assert_eq!(
        shown(&errors),
        ["swagger.yaml #/swagger: Swagger 2.0 documents are not supported; convert it to OpenAPI 3 first (e.g. with swagger2openapi, or the Swagger Editor's \"Convert to OpenAPI 3\")"]
    );
    let errors = parse_err(
        "two.yaml",
        "openapi: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n",
    );
    assert_eq!(
        errors.first().map(|e| e.location.to_string()),
        Some("#/openapi".to_owned())
    );
}

#[test]
fn unknown_openapi_versions_warn() {
    for version in ["4.0.0", "banana", "3"] {
        let text = format!("openapi: '{version}'\ninfo: {{title: x, version: '1'}}\npaths: {{}}\n");
        let spec = parse_bytes(&fixture("version.yaml"), text.as_bytes())
            .unwrap_or_else(|e| panic!("{version}: {}", shown(&e).join("\n")));
        assert_eq!(
            shown(&spec.warnings),
            [format!(
                "version.yaml #/openapi: unknown OpenAPI version `{version}`; read as 3.x (supported: 3.0, 3.1, 3.2)"
            )]
        );
    }
    let spec = parse_ok("openapi31.yaml");
    assert!(!shown(&spec.warnings)
        .iter()
        .any(|w| w.contains("unknown OpenAPI version")));
}

#[test]
fn refs_outside_the_spec_folder_are_refused() {
    let outside = referring_to("../fixtures/objects.yaml#/components/schemas/Customer");
    let folder = std::fs::canonicalize(fixture("")).unwrap_or_default();
    assert_eq!(
        shown(&outside),
        [format!(
            "refs.yaml #/components/schemas/A: $ref `../fixtures/objects.yaml#/components/schemas/Customer`: `{}` is outside `{}`, the folder $refs may read from (--ref-root widens it)",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/objects.yaml").display(),
            folder.display()
        )]
    );
    // A wider root lets it through.
    let text = "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: '../fixtures/objects.yaml#/components/schemas/Customer'\n";
    let limits = Limits {
        ref_root: Some(fixture("..")),
        ..Limits::default()
    };
    let spec = parse_bytes_with(&fixture("refs.yaml"), text.as_bytes(), &limits);
    assert!(spec.is_ok(), "{:?}", spec.err().map(|e| shown(&e)));
}

#[test]
fn refs_to_devices_are_refused_without_reading_them() {
    let dev_zero = if cfg!(unix) { "/dev/zero" } else { return };
    let text = format!("openapi: 3.0.0\ninfo: {{title: x, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    A:\n      $ref: '{dev_zero}'\n");
    let errors = parse_bytes(&fixture("zero.yaml"), text.as_bytes())
        .err()
        .unwrap_or_default();
    assert!(
        shown(&errors).iter().any(|e| e.contains("is outside")),
        "{:?}",
        shown(&errors)
    );
    let limits = Limits {
        ref_root: Some(PathBuf::from("/")),
        ..Limits::default()
    };
    let errors = parse_bytes_with(&fixture("zero.yaml"), text.as_bytes(), &limits)
        .err()
        .unwrap_or_default();
    assert_eq!(
        shown(&errors),
        ["zero.yaml #/components/schemas/A: $ref `/dev/zero`: cannot read the file: not a regular file"]
    );
}

#[test]
fn files_over_the_size_limit_are_refused() {
    let limits = Limits {
        max_file_bytes: 100,
        ..Limits::default()
    };
    let errors = parse_file_with(&fixture("openapi31.yaml"), &limits)
        .err()
        .unwrap_or_default();
    assert_eq!(
        shown(&errors),
        ["openapi31.yaml (document): the file is larger than 100 bytes (the limit; --max-file-bytes raises it)"]
    );
}

#[test]
fn deep_yaml_nesting_fails_at_its_place() {
    // 100,000 nested `[` in 100 KB: refused before the YAML scanner, whose time grows with
    // the square of the depth (39 s before this check).
    let text = format!(
        "openapi: 3.0.0\ninfo: {{title: x, version: '1'}}\npaths: {{}}\nx: {}\n",
        "[".repeat(100_000)
    );
    let errors = parse_err("deep.yaml", &text);
    assert_eq!(
        shown(&errors),
        ["deep.yaml 4:132: invalid YAML: nested deeper than 128 levels (--max-nesting raises it)"]
    );
    let json = format!("{{\"a\": {}", "[".repeat(100_000));
    let errors = parse_err("deep.json", &json);
    assert_eq!(
        shown(&errors),
        ["deep.json 1:134: invalid JSON: nested deeper than 128 levels (--max-nesting raises it)"]
    );
}

/// A JSON spec nested `depth` levels deep: a component schema that is an array of arrays of
/// ... of strings (the root object is level 1, `Deep` level 4).
fn deep_json_spec(depth: usize) -> String {
    let inner = depth - 4;
    let mut text = String::from(
        r##"{"openapi": "3.0.3", "info": {"title": "deep", "version": "1"}, "paths": {}, "components": {"schemas": {"Deep": "##,
    );
    text.push_str(&r#"{"type": "array", "items": "#.repeat(inner));
    text.push_str(r#"{"type": "string"}"#);
    text.push_str(&"}".repeat(inner));
    text.push_str("}}}\n");
    text
}

fn with_nesting(max_nesting: usize) -> Limits {
    Limits {
        max_nesting,
        ..Limits::default()
    }
}

#[test]
fn nesting_past_the_limit_fails_naming_the_flag_and_a_raised_limit_generates() {
    let text = deep_json_spec(200);
    let errors = parse_err("deep.json", &text);
    assert_eq!(
        shown(&errors),
        ["deep.json 1:3488: invalid JSON: nested deeper than 128 levels (--max-nesting raises it)"]
    );
    let limits = with_nesting(300);
    let generated = codegen::parse::on_stack_for(&limits, || {
        let parsed =
            parse_bytes_with(&fixture("deep.json"), text.as_bytes(), &limits).map_err(|errors| shown(&errors))?;
        let settings = codegen::CrateSettings {
            name: "deep-client".to_owned(),
            version: "0.1.0".to_owned(),
            runtime_path: "../runtime".to_owned(),
            standalone: true,
            source_label: "deep.json".to_owned(),
            extra_files: Vec::new(),
            has_quickstart: false,
        };
        codegen::generate(&parsed, &settings)
            .map(|generated| generated.warnings.iter().map(ToString::to_string).collect::<Vec<_>>())
            .map_err(|errors| shown(&errors))
    });
    let warnings = generated
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.join("\n")));
    // The IR's own limit on schema depth then types the innermost levels as JSON.
    let place = format!("/components/schemas/Deep{}", "/items".repeat(65));
    assert_eq!(
        warnings,
        Ok(vec![format!(
            "{} #{place}: schemas nest deeper than 64 levels here; typed as JSON",
            fixture("deep.json").display()
        )])
    );
}

#[test]
fn yaml_stops_at_128_levels_whatever_the_limit() {
    let text = format!(
        "openapi: 3.0.0\ninfo: {{title: x, version: '1'}}\npaths: {{}}\nx: {}{}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    let errors = parse_bytes_with(&fixture("deep.yaml"), text.as_bytes(), &with_nesting(300))
        .err()
        .unwrap_or_default();
    assert_eq!(
        shown(&errors),
        ["deep.yaml 4:131: invalid YAML: nested deeper than 128 levels, the most the YAML reader takes whatever --max-nesting says (a JSON document may nest deeper)"]
    );
}

#[test]
fn a_lowered_limit_names_the_first_place_too_deep() {
    let text = "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\nx-deep:\n  a:\n    b: [1]\n";
    let errors = parse_bytes_with(&fixture("deep.yaml"), text.as_bytes(), &with_nesting(3))
        .err()
        .unwrap_or_default();
    assert_eq!(
        shown(&errors),
        ["deep.yaml #/x-deep/a/b: nested deeper than 3 levels (--max-nesting raises it)"]
    );
    assert!(parse_bytes_with(&fixture("deep.yaml"), text.as_bytes(), &with_nesting(4)).is_ok());
}

#[test]
fn a_limit_past_the_most_supported_is_refused_before_reading() {
    // 100,000 levels with a limit of 200,000: refused before a byte is looked at.
    let json = format!("{{\"a\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let errors = parse_bytes_with(&fixture("deep.json"), json.as_bytes(), &with_nesting(200_000))
        .err()
        .unwrap_or_default();
    assert_eq!(
        shown(&errors),
        ["deep.json (document): a nesting limit of 200000 is not supported (--max-nesting takes 1 to 1000: openapiv3 reads schemas in time that grows with the square of their depth)"]
    );
}

#[test]
fn path_and_schema_counts_are_limited() {
    let mut text = String::from("openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n");
    for i in 0..11 {
        text.push_str(&format!("  /p{i}: {{}}\n"));
    }
    text.push_str("components:\n  schemas:\n    A: {type: string}\n    B: {type: string}\n");
    let limits = Limits {
        max_paths: 10,
        ..Limits::default()
    };
    let errors = parse_bytes_with(&fixture("many.yaml"), text.as_bytes(), &limits)
        .err()
        .unwrap_or_default();
    assert_eq!(
        shown(&errors),
        ["many.yaml #/paths: 11 paths, more than the limit of 10 (--max-paths raises it)"]
    );
    let limits = Limits {
        max_schemas: 1,
        ..Limits::default()
    };
    let errors = parse_bytes_with(&fixture("many.yaml"), text.as_bytes(), &limits)
        .err()
        .unwrap_or_default();
    assert_eq!(
        shown(&errors),
        ["many.yaml #/components/schemas: 2 schemas, more than the limit of 1 (--max-schemas raises it)"]
    );
    assert!(parse_bytes(&fixture("many.yaml"), text.as_bytes()).is_ok());
}
