//! Snapshots of the generated code, one per fixture in tests/fixtures (one fixture per
//! construct). Review changes with `cargo insta review`.

mod common;

/// The crate's Rust files and manifest as one text, each file under a `==> path` heading.
fn render(name: &str) -> String {
    let generated = common::generate_fixture(name, "../../runtime");
    let mut text = String::new();
    for file in generated
        .files
        .iter()
        .filter(|f| f.path.ends_with(".rs") || f.path == "Cargo.toml")
    {
        text.push_str(&format!("==> {}\n{}\n", file.path, file.contents));
    }
    if !generated.warnings.is_empty() {
        text.push_str("==> warnings\n");
        for warning in &generated.warnings {
            // Name the fixture by its file name: the checkout's location must not show.
            let file = warning.file.file_name().unwrap_or_default().to_string_lossy();
            text.push_str(&format!("{file} {}: {}\n", warning.location, warning.message));
        }
    }
    text
}

macro_rules! snapshot_tests {
    ($($test:ident => $fixture:literal,)*) => {
        $(
            #[test]
            fn $test() {
                insta::assert_snapshot!($fixture, render($fixture));
            }
        )*

        /// Every fixture file has a snapshot test above, so none is silently left out.
        #[test]
        fn every_fixture_is_snapshotted() {
            let listed = [$($fixture),*];
            let missing: Vec<String> =
                common::fixture_names().into_iter().filter(|name| !listed.contains(&name.as_str())).collect();
            assert!(missing.is_empty(), "fixtures without a snapshot test in tests/snapshots.rs: {missing:?}");
        }
    };
}

snapshot_tests! {
    alias_cycles => "alias-cycles",
    annotation_all_of_allows_any_value => "annotation-all-of",
    auth_schemes => "auth",
    request_bodies => "bodies",
    composition_siblings_are_merged => "composition-siblings",
    custom_methods => "custom-methods",
    dependencies_from_every_use_site => "dependencies",
    string_enums => "enums",
    exact_feature_gates => "feature-gates",
    hostile_inputs_build => "hostile-inputs",
    implied_discriminator => "implied-discriminator",
    multipart_bodies_are_typed_per_field => "multipart",
    names_are_valid_and_unique => "names",
    nullable_request_fields_are_tri_state => "nullable",
    objects_and_formats => "objects",
    openapi_31_constructs => "openapi31",
    operation_names_and_arguments => "operation-names",
    pagination_extension => "pagination",
    parameters => "parameters",
    prelude_names => "prelude-names",
    rate_limit_extension => "rate-limit",
    tags_clear_of_reserved_names => "tag-names",
    stray_keywords_keep_the_type => "stray-keywords",
    recursive_types => "recursion",
    sent_types_with_required_fields_get_new => "required-fields",
    responses_per_status => "responses",
    vendor_data_extensions => "vendor-data",
    unions_and_all_of => "unions",
    untagged_structs_decode_by_declared_members => "untagged-structs",
    webhooks_and_callbacks => "webhooks",
}
