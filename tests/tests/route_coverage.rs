//! Every route the vendors document (tests/data/bookingtime-routes.tsv, from bookingtime's
//! route list; tests/data/timekit-sdk-endpoints.tsv, from Timekit's SDK;
//! tests/data/timekit-documented-endpoints.tsv, routes outside the SDK: the webhook routes
//! Pipedream's Timekit app calls and the booking meta update) is an operation of
//! the spec (checked through the codegen library's IR) and a `pub fn` (the call's method) in the checked-in
//! generated crate.

use std::collections::BTreeMap;

use workspace_tests::{fixture, workspace_root};

/// `/a/{x}/b` and `/a/{y}/b` name the same route: parameter names may differ.
fn route_key(method: &str, path: &str) -> String {
    let mut key = format!("{} ", method.to_ascii_uppercase());
    let mut in_param = false;
    for c in path.trim_end_matches('/').chars() {
        match c {
            '{' => {
                in_param = true;
                key.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => key.push(c),
        }
    }
    key
}

/// The spec's operations by route: (module file, function name).
fn operations(spec: &str) -> BTreeMap<String, (String, String)> {
    let path = workspace_root().join("specs").join(spec);
    let parsed = codegen::parse::parse_file(&path).unwrap_or_else(|d| panic!("{spec} does not parse: {}", d[0]));
    let built = codegen::ir::build(&parsed.file, &parsed.document, &parsed.openapi)
        .unwrap_or_else(|d| panic!("{spec}: no IR: {}", d[0]));
    let mut routes = BTreeMap::new();
    for group in &built.ir.groups {
        for operation in &group.operations {
            routes.insert(
                route_key(&operation.method, &operation.path),
                (group.module.clone(), operation.name.clone()),
            );
        }
    }
    routes
}

fn check(routes_file: &str, spec: &str, crate_dir: &str) {
    let operations = operations(spec);
    let listed = fixture(routes_file);
    let mut missing = Vec::new();
    let mut checked = 0;
    for line in listed.lines().filter(|l| !l.trim().is_empty()) {
        let (method, path) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("{routes_file}: not `METHOD<TAB>path`: {line:?}"));
        let key = route_key(method.trim(), path.trim());
        let Some((module, name)) = operations.get(&key) else {
            missing.push(format!("{line}: no operation in {spec}"));
            continue;
        };
        let source_path = workspace_root()
            .join("generated")
            .join(crate_dir)
            .join("src")
            .join(format!("{module}.rs"));
        let source =
            std::fs::read_to_string(&source_path).unwrap_or_else(|e| panic!("reading {}: {e}", source_path.display()));
        // Short names repeat across groups (`list`, `show`): the signature is searched in
        // the group's own module, where names are unique.
        let signature = format!("pub fn {name}(");
        if !source.contains(&signature) {
            missing.push(format!(
                "{line}: `{signature}` not in {} (run `cargo xtask generate`)",
                source_path.display()
            ));
        }
        checked += 1;
    }
    assert!(
        missing.is_empty(),
        "{} route(s) missing:\n{}",
        missing.len(),
        missing.join("\n")
    );
    assert_eq!(checked, listed.lines().filter(|l| !l.trim().is_empty()).count());
}

#[test]
fn every_bookingtime_route_is_a_generated_function() {
    check("bookingtime-routes.tsv", "bookingtime.yaml", "bookingtime-client");
}

#[test]
fn every_timekit_sdk_endpoint_is_a_generated_function() {
    check("timekit-sdk-endpoints.tsv", "timekit.yaml", "timekit-client");
}

#[test]
fn timekit_routes_outside_the_sdk_are_generated_functions() {
    check("timekit-documented-endpoints.tsv", "timekit.yaml", "timekit-client");
}

#[test]
fn route_keys_ignore_parameter_names() {
    assert_eq!(route_key("get", "/apps/{slug}/"), route_key("GET", "/apps/{appSlug}"));
    assert_ne!(route_key("GET", "/apps/{slug}"), route_key("DELETE", "/apps/{slug}"));
}
