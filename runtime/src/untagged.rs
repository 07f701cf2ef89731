//! Untagged unions of structs: which alternative an object fits, by the members it declares.
//!
//! A generated struct ignores members it does not name, so in an untagged union an earlier
//! alternative decodes an object meant for a later one and drops what only the later one
//! declares. Top-level member names are not always enough: Intercom's event details have two
//! alternatives with the same members whose `value` objects differ inside (`previous`), and a
//! union of two arrays of structs differs only in the items. Generated decoders describe each
//! alternative as [`Members`] and give a value first to an alternative it [fits](Members::fits).

use serde_json::Value;

/// The object members an alternative declares, and inside them, as far as the generator looked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Members {
    /// Any value: a map, a struct that keeps extra members, a union or a scalar (not looked into).
    Any,
    /// An object whose members are all among these, each fitting its own description.
    Object(&'static [(&'static str, Members)]),
    /// An array whose items each fit this description.
    Items(&'static Members),
    /// A union of these alternatives (an alternative that is itself a union of structs): a
    /// value fits when it fits one of them.
    OneOf(&'static [Members]),
}

impl Members {
    /// Whether `value` carries no member this description leaves out, at any depth it
    /// describes. Values of another JSON type than described (null, a string where an
    /// object is described) fit: decoding them decides, not this check.
    pub fn fits(&self, value: &Value) -> bool {
        match (self, value) {
            (Members::Object(declared), Value::Object(object)) => object.iter().all(|(key, member)| {
                declared
                    .iter()
                    .find(|(name, _)| name == key)
                    .is_some_and(|(_, inner)| inner.fits(member))
            }),
            (Members::Items(item), Value::Array(items)) => items.iter().all(|value| item.fits(value)),
            (Members::OneOf(alternatives), value) => alternatives.iter().any(|a| a.fits(value)),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Members;

    const UPDATED_BY_WORKFLOW: Members = Members::Object(&[
        ("attribute", Members::Any),
        ("value", Members::Object(&[("name", Members::Any)])),
    ]);
    const FILTERS: Members = Members::Items(&Members::Object(&[("operator", Members::Any), ("value", Members::Any)]));

    #[test]
    fn an_object_fits_when_every_member_is_declared_at_every_described_depth() {
        let by_workflow = json!({"attribute": {"name": "a"}, "value": {"name": "b"}});
        assert!(UPDATED_BY_WORKFLOW.fits(&by_workflow));
        let by_admin = json!({"attribute": {"name": "a"}, "value": {"name": "b", "previous": "c"}});
        assert!(!UPDATED_BY_WORKFLOW.fits(&by_admin));
        assert!(!UPDATED_BY_WORKFLOW.fits(&json!({"workflow": {}})));
    }

    #[test]
    fn array_items_are_each_looked_into() {
        assert!(FILTERS.fits(&json!([{"operator": "AND", "value": []}])));
        assert!(FILTERS.fits(&json!([])));
        assert!(!FILTERS.fits(&json!([{"operator": "AND"}, {"field": "name", "operator": "="}])));
    }

    #[test]
    fn a_union_alternative_fits_when_one_of_its_alternatives_does() {
        const EVENTS: Members = Members::OneOf(&[
            Members::Object(&[
                ("event", Members::Any),
                ("data", Members::Object(&[("thread_id", Members::Any)])),
            ]),
            Members::Object(&[("operator", Members::Any)]),
        ]);
        assert!(EVENTS.fits(&json!({"event": "run", "data": {"thread_id": "t"}})));
        assert!(EVENTS.fits(&json!({"operator": "AND"})));
        assert!(!EVENTS.fits(&json!({"event": "run", "data": {"thread_id": "t", "other": 1}})));
        assert!(!EVENTS.fits(&json!({"event": "run", "operator": "AND"})));
        assert!(!Members::OneOf(&[]).fits(&json!({})));
    }

    #[test]
    fn values_of_another_type_and_undescribed_depths_fit() {
        assert!(UPDATED_BY_WORKFLOW.fits(&json!(null)));
        assert!(UPDATED_BY_WORKFLOW.fits(&json!({"value": null})));
        assert!(UPDATED_BY_WORKFLOW.fits(&json!({"attribute": {"anything": [1, 2]}})));
        assert!(FILTERS.fits(&json!({"operator": "AND"})));
    }
}
