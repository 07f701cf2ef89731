//! Short operation names: a method on a group's sub-client is named without the group's words.
//!
//! `customers().customers_list()` reads as a stutter; the group already says what the call is
//! about, so its words (singular or plural) are removed from the operation's name:
//! `customersList` on `Customers` is `list`, `getBooking` on `Bookings` is `get`,
//! `createBookingsBulk` is `create_bulk`. When nothing meaningful is left (no words, or only
//! the HTTP method's own verb), the name is a verb from the method and the path's shape:
//! `list` for a GET of a collection, `get` for one record, `create`, `update`, `delete`.
//! Untagged operations (methods of `Client` itself) keep their whole name.

use crate::naming;

/// The words of a `snake_case` name.
fn words(snake: &str) -> Vec<&str> {
    snake.split('_').filter(|w| !w.is_empty()).collect()
}

/// A naive English plural, enough to match `customer` with `customers` and `category` with
/// `categories`.
fn plural(word: &str) -> String {
    let consonant_y = word.len() > 1
        && word.ends_with('y')
        && !matches!(word.as_bytes()[word.len() - 2], b'a' | b'e' | b'i' | b'o' | b'u');
    if consonant_y {
        format!("{}ies", &word[..word.len() - 1])
    } else if ["s", "x", "ch", "sh"].iter().any(|end| word.ends_with(end)) {
        format!("{word}es")
    } else {
        format!("{word}s")
    }
}

/// Whether a word reads as a plural (`bookings`, not `status` or `address`).
fn is_plural(word: &str) -> bool {
    word.len() > 2 && word.ends_with('s') && !["ss", "us", "is"].iter().any(|end| word.ends_with(end))
}

/// Whether two words are the same but for number.
fn same_word(a: &str, b: &str) -> bool {
    a == b || plural(a) == b || plural(b) == a
}

/// The group's words in `name`, removed wherever they stand as a run; and whether a removed
/// run ended in a plural (`getBookings` names the collection, `getBooking` one record).
fn without_group<'a>(name: &[&'a str], group: &[&str]) -> (Vec<&'a str>, Option<bool>) {
    let mut kept = Vec::with_capacity(name.len());
    let mut removed_plural = None;
    let mut i = 0;
    while i < name.len() {
        let run = name.get(i..i + group.len());
        let matches = !group.is_empty()
            && run.is_some_and(|run| {
                run.iter()
                    .zip(group)
                    .all(|(word, group_word)| same_word(word, group_word))
            });
        if matches {
            removed_plural = Some(is_plural(name[i + group.len() - 1]));
            i += group.len();
        } else {
            kept.push(name[i]);
            i += 1;
        }
    }
    (kept, removed_plural)
}

/// The verb for an operation whose own name says nothing beyond its group.
fn verb(method: &str, path: &str, collection: bool) -> String {
    let ends_in_param = path.trim_end_matches('/').ends_with('}');
    match method {
        "GET" if !ends_in_param && collection => "list".to_owned(),
        "GET" => "get".to_owned(),
        "POST" => "create".to_owned(),
        "PUT" | "PATCH" => "update".to_owned(),
        "DELETE" => "delete".to_owned(),
        other => naming::snake(other),
    }
}

/// The short name of an operation whose full name (operationId, or method and path) is
/// `raw`, in the group named `group` (`None` for untagged operations, which keep `raw`).
pub fn short_name(raw: &str, group: Option<&str>, method: &str, path: &str) -> String {
    let full = naming::snake(raw);
    let Some(group) = group else {
        return full;
    };
    let group_snake = naming::snake(group);
    let group_words = words(&group_snake);
    let name_words = words(&full);
    let (kept, removed_plural) = without_group(&name_words, &group_words);
    let Some(removed_plural) = removed_plural else {
        return full;
    };
    let method_word = method.to_ascii_lowercase();
    if kept.is_empty() || kept == [method_word.as_str()] {
        // A lone `get` on a path that ends in a literal names the collection when the group
        // word was plural (`getBookings`); a list operation named by its group alone as well.
        return verb(method, path, removed_plural || kept.is_empty());
    }
    naming::snake(&kept.join("_"))
}

/// The names an operation may take, best first: its short name; when another operation of
/// the group has that, its full name (if that does not start with the group's words, e.g.
/// `get_group_booking` beside `get_group`), then the short name followed by the group's
/// (`index_custom_entity` for `customEntityCustomEntityIndex` beside `customEntityIndex`).
/// The caller numbers the first when all are taken.
pub fn candidates(raw: &str, group: Option<&str>, method: &str, path: &str) -> Vec<String> {
    let short = short_name(raw, group, method, path);
    let mut out = vec![short.clone()];
    if let Some(group) = group {
        let full = naming::snake(raw);
        if !starts_with_group(&full, group) {
            out.push(full);
        }
        out.push(naming::snake(&format!(
            "{}_{}",
            short.trim_end_matches('_'),
            naming::snake(group)
        )));
    }
    out.dedup();
    out
}

/// Whether `name` starts with the group's words (singular or plural): what short names avoid.
pub fn starts_with_group(name: &str, group: &str) -> bool {
    let group_snake = naming::snake(group);
    let group_words = words(&group_snake);
    let name_words = words(name);
    !group_words.is_empty()
        && name_words.len() >= group_words.len()
        && name_words
            .iter()
            .zip(&group_words)
            .all(|(word, group_word)| same_word(word, group_word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_words_are_removed_in_either_number() {
        assert_eq!(
            short_name("customersList", Some("Customers"), "GET", "/customers"),
            "list"
        );
        assert_eq!(
            short_name("customer_add", Some("customer"), "POST", "/o/{o}/customer/add"),
            "add"
        );
        assert_eq!(
            short_name("accountSync", Some("Accounts"), "POST", "/accounts/sync"),
            "sync"
        );
        assert_eq!(
            short_name("createBookingsBulk", Some("Bookings"), "POST", "/bookings/bulk"),
            "create_bulk"
        );
        assert_eq!(
            short_name(
                "getLocationServices",
                Some("LocationServices"),
                "GET",
                "/location/services"
            ),
            "list"
        );
        assert_eq!(
            short_name("customersCustomFieldCategoriesGet", Some("Customers"), "GET", "/c/{id}"),
            "custom_field_categories_get"
        );
        assert_eq!(
            short_name(
                "appointmentTemplateCategoryShow",
                Some("appointmentTemplateCategory"),
                "GET",
                "/x"
            ),
            "show"
        );
    }

    #[test]
    fn a_bare_method_verb_becomes_a_verb_from_method_and_shape() {
        assert_eq!(short_name("getBookings", Some("Bookings"), "GET", "/bookings"), "list");
        assert_eq!(
            short_name("getBooking", Some("Bookings"), "GET", "/bookings/{id}"),
            "get"
        );
        assert_eq!(short_name("getApp", Some("Apps"), "GET", "/app"), "get");
        assert_eq!(short_name("auth", Some("Auth"), "POST", "/auth"), "create");
        assert_eq!(
            short_name("deleteBooking", Some("Bookings"), "DELETE", "/bookings/{id}"),
            "delete"
        );
        assert_eq!(short_name("customers", Some("Customers"), "LINK", "/c"), "link");
    }

    #[test]
    fn names_without_the_group_words_and_untagged_operations_are_kept() {
        assert_eq!(
            short_name("findTime", Some("Availability"), "POST", "/findtime"),
            "find_time"
        );
        assert_eq!(short_name("listPets", None, "GET", "/pets"), "list_pets");
        assert_eq!(
            short_name("GET /pets/{id}", Some("pets"), "GET", "/pets/{id}"),
            "get_id"
        );
        // Words that only share a prefix with the group's are not the group's.
        assert_eq!(
            short_name("customerGroupList", Some("customer_group"), "GET", "/x"),
            "list"
        );
        assert_eq!(
            short_name("customerGroupList", Some("customer"), "GET", "/x"),
            "group_list"
        );
    }

    #[test]
    fn keywords_stay_valid_identifiers() {
        assert_eq!(short_name("typeType", Some("type"), "GET", "/types/{t}"), "get");
        assert_eq!(short_name("petsMatch", Some("pets"), "POST", "/m"), "match_");
    }

    #[test]
    fn colliding_short_names_have_alternatives_that_avoid_the_group_prefix() {
        assert_eq!(
            candidates("getGroupBooking", Some("Bookings"), "GET", "/bookings/groups/{id}"),
            ["get_group", "get_group_booking", "get_group_bookings"]
        );
        assert_eq!(
            candidates(
                "customEntityCustomEntityIndex",
                Some("customEntity"),
                "GET",
                "/x/{page}"
            ),
            ["index", "index_custom_entity"]
        );
        assert_eq!(candidates("listPets", None, "GET", "/pets"), ["list_pets"]);
    }

    #[test]
    fn group_prefixes_are_recognised_in_either_number() {
        assert!(starts_with_group("customers_list", "customer"));
        assert!(starts_with_group("customer_list", "Customers"));
        assert!(!starts_with_group("list", "Customers"));
        assert!(!starts_with_group("custom_list", "Customers"));
    }
}
