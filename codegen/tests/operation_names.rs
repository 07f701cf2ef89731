//! Operation names and arguments as the IR decides them, over the four vendor specs and a
//! fixture: short (no method starts with its group's name), unique, deterministic, and at
//! most two positional arguments.

use std::path::{Path, PathBuf};

use codegen::ir::model::{Group, Ir};
use codegen::ir::op_names::starts_with_group;

fn vendor_specs() -> Vec<PathBuf> {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    ["bookingtime", "timify", "timekit", "timeneye"]
        .iter()
        .map(|name| specs.join(format!("{name}.yaml")))
        .collect()
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/operation-names.yaml")
}

fn ir_of(path: &Path) -> Ir {
    let spec = codegen::parse::parse_file(path).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
    match codegen::ir::build(&spec.file, &spec.document, &spec.openapi) {
        Ok(built) => built.ir,
        Err(errors) => panic!("{}: {errors:?}", path.display()),
    }
}

/// Every group's (module, operation names), in order.
fn names(ir: &Ir) -> Vec<(String, Vec<String>)> {
    ir.groups
        .iter()
        .map(|g| {
            (
                g.module.clone(),
                g.operations.iter().map(|op| op.name.clone()).collect(),
            )
        })
        .collect()
}

fn check_group(spec: &Path, group: &Group) {
    let mut seen = std::collections::BTreeSet::new();
    for op in &group.operations {
        assert!(
            seen.insert(op.name.as_str()),
            "{}: `{}` twice in `{}`",
            spec.display(),
            op.name,
            group.module
        );
        if group.sub_client().is_some() {
            assert!(
                !starts_with_group(&op.name, &group.module),
                "{}: `{}` starts with its group's name `{}`",
                spec.display(),
                op.name,
                group.module
            );
        }
        let positional = op.params.iter().filter(|p| p.positional).count()
            + usize::from(op.body.as_ref().is_some_and(|b| b.positional));
        assert!(
            positional <= 2,
            "{}: `{}` takes {positional} positional arguments",
            spec.display(),
            op.name
        );
    }
}

#[test]
fn vendor_operations_are_short_unique_and_take_at_most_two_arguments() {
    for spec in vendor_specs().iter().chain([&fixture()]) {
        let ir = ir_of(spec);
        assert!(!ir.groups.is_empty(), "{}: no operations", spec.display());
        for group in &ir.groups {
            check_group(spec, group);
        }
    }
}

#[test]
fn names_are_the_same_on_every_run() {
    for spec in vendor_specs() {
        assert_eq!(names(&ir_of(&spec)), names(&ir_of(&spec)), "{}", spec.display());
    }
}

#[test]
fn group_words_are_dropped_and_collisions_resolved_in_document_order() {
    let ir = ir_of(&fixture());
    let customers = &ir.groups[0];
    let names: Vec<&str> = customers.operations.iter().map(|op| op.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "list",
            "create",
            "get",
            "update",
            "statistics_month",
            "list_customers",
            "list_2"
        ]
    );
}

#[test]
fn the_address_and_a_required_body_are_positional_and_everything_else_a_setter() {
    let ir = ir_of(&fixture());
    let customers = &ir.groups[0];
    let positional = |name: &str| -> Vec<String> {
        let op = customers
            .operations
            .iter()
            .find(|op| op.name == name)
            .expect("operation");
        let mut out: Vec<String> = op
            .params
            .iter()
            .filter(|p| p.positional)
            .map(|p| p.name.clone())
            .collect();
        if op.body.as_ref().is_some_and(|b| b.positional) {
            out.push("body".to_owned());
        }
        out
    };
    assert_eq!(positional("list"), ["organization_id"]);
    assert_eq!(positional("create"), ["organization_id", "body"]);
    assert_eq!(positional("get"), ["organization_id", "customer_id"]);
    // The record and its body; the organization becomes a required setter.
    assert_eq!(positional("update"), ["customer_id", "body"]);
    // Numbers in the path are not an address.
    assert_eq!(positional("statistics_month"), ["organization_id"]);
    // A parameter named like a builder method keeps clear of it.
    let list = customers.operations.iter().find(|op| op.name == "list").expect("list");
    let params: Vec<&str> = list.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, ["organization_id", "page", "timeout_param"]);
}
