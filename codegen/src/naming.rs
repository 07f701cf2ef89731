//! Turning spec names into valid, idiomatic, unique Rust identifiers.
//!
//! Every renamed thing keeps its wire name beside the identifier (serde `rename`), so naming
//! can be as aggressive as Rust needs without changing what goes over the wire.

use std::collections::{BTreeSet, HashMap};

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words Rust reserves; an identifier equal to one gets a trailing underscore.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "do", "dyn", "else", "enum", "extern",
    "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut",
    "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield", "abstract", "become",
];

/// Names that would shadow what generated code relies on (prelude types and our own items).
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    // Generated code implements `From<&str>` for string enums in `types.rs`.
    "From",
    "Client",
    "Error",
    "ResponseValue",
    "ApiClient",
    "Value",
    "Map",
    "BTreeMap",
    "HashMap",
    "Serialize",
    "Deserialize",
];

/// Replaces characters that cannot stand in an identifier by word breaks, so heck can recase.
fn words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c == '+' {
            out.push_str(" plus ");
        } else {
            out.push(' ');
        }
    }
    out
}

/// The longest identifier handed out. Module names become file names (255 bytes at most on
/// common file systems), and names derived from names (`Customer` + `address` + ...) must not
/// grow without bound; real APIs stay far below.
const MAX_IDENT_LEN: usize = 200;

/// `name` cut to [`MAX_IDENT_LEN`] when longer, ending in a hash of the whole name so that
/// different long names stay different, and the same name always gives the same result.
fn shorten(mut name: String, separator: &str) -> String {
    if name.len() <= MAX_IDENT_LEN {
        return name;
    }
    // FNV-1a: tiny, stable across Rust versions and platforms (std's hasher promises neither).
    let hash = name
        .bytes()
        .fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    let tail = format!("{separator}{hash:08x}");
    // Identifiers are ASCII here (`words` keeps only ASCII letters and digits), so any byte
    // index is a character boundary.
    name.truncate(MAX_IDENT_LEN - tail.len());
    let keep = name.trim_end_matches('_').len();
    name.truncate(keep);
    name.push_str(&tail);
    name
}

/// A `snake_case` identifier for a field, function, parameter or module.
pub fn snake(raw: &str) -> String {
    let mut name = shorten(words(raw).to_snake_case(), "_");
    if name.is_empty() {
        name = "value".to_owned();
    }
    if name.chars().all(|c| c.is_ascii_digit() || c == '_') {
        // Digits alone (`123`): `_123` as an argument or binding draws clippy's
        // `just_underscores_and_digits`, so it reads `v123`, like `V123` for a type.
        name.insert(0, 'v');
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// An `UpperCamelCase` identifier for a type or enum variant.
pub fn camel(raw: &str) -> String {
    let mut name = shorten(words(raw).to_upper_camel_case(), "X");
    if name.is_empty() {
        name = "Value".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name == "Self" {
        name.push('_');
    }
    name
}

/// A type name: [`camel`], avoiding the names generated code relies on.
pub fn type_name(raw: &str) -> String {
    let name = camel(raw);
    if RESERVED_TYPE_NAMES.contains(&name.as_str()) {
        format!("{name}Type")
    } else {
        name
    }
}

/// The cargo package name for a crate generated from a spec file named `stem`: kebab case
/// with `-client`, and valid whatever the file is called (cargo wants a leading letter, so
/// `2fa.yaml` gives `api-2fa-client`).
pub fn package_name(stem: &str) -> String {
    let base = shorten(words(stem).to_snake_case(), "_").replace('_', "-");
    if base.is_empty() {
        "api-client".to_owned()
    } else if base.starts_with(|c: char| c.is_ascii_digit()) {
        format!("api-{base}-client")
    } else {
        format!("{base}-client")
    }
}

/// Hands out names unique within one scope, suffixing clashes with 2, 3, ... in call order.
#[derive(Debug, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
    /// A suffix tried before numbering when a name is taken (e.g. `_op`).
    clash_suffix: Option<&'static str>,
    /// Per numbered stem (`name` and separator), the number handed out last. Taken names only
    /// grow, so the first free number is always past it: resuming there gives the same names
    /// as counting from 2, without making n clashing names cost n² (20,000 schema keys that
    /// all read `A`, such as `a!` and `a#`, took minutes).
    next_number: HashMap<String, u64>,
}

impl Scope {
    /// A scope where `reserved` names are already taken.
    pub fn with_reserved<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            taken: reserved.into_iter().map(str::to_owned).collect(),
            clash_suffix: None,
            next_number: HashMap::new(),
        }
    }

    /// From now on, a name that is taken is first tried with `suffix` (`pets` → `pets_op`),
    /// then numbered.
    pub fn prefer_on_clash(&mut self, suffix: &'static str) {
        self.clash_suffix = Some(suffix);
    }

    /// Claims `name`, or the first free `name2`, `name3`, ... (`name_2` for snake case names).
    pub fn claim(&mut self, name: String) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        if let Some(suffix) = self.clash_suffix {
            // A keyword's name already ends in `_` (`self_`): `self__param` would not be
            // snake case, so the suffix's own underscore stands for it.
            let stem = if suffix.starts_with('_') {
                name.trim_end_matches('_')
            } else {
                &name
            };
            let alternative = format!("{stem}{suffix}");
            if self.taken.insert(alternative.clone()) {
                return alternative;
            }
        }
        // Judged on the name without a keyword's trailing `_`: `Self_` (a variant) numbers as
        // `Self2`, which is UpperCamelCase, and `self_` as `self_2`.
        let base = name.trim_end_matches('_');
        let separator = if base.contains('_') || base.chars().all(|c| !c.is_ascii_uppercase()) {
            "_"
        } else {
            ""
        };
        let stem = format!("{base}{separator}");
        let start = self.next_number.get(&stem).map_or(2, |last| last + 1);
        let Some((number, claimed)) = (start..)
            .map(|n| (n, format!("{stem}{n}")))
            .find(|(_, candidate)| self.taken.insert(candidate.clone()))
        else {
            return name;
        };
        self.next_number.insert(stem, number);
        claimed
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

/// A doc comment text from a spec's summary and description, trimmed, or `None`.
pub fn doc_text(summary: Option<&str>, description: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [summary, description]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    match parts.as_slice() {
        [] => None,
        [a, b] if a == b => Some((*a).to_owned()),
        _ => Some(parts.join("\n\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_fields_and_keywords() {
        assert_eq!(snake("firstName"), "first_name");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("a-b"), "a_b");
        assert_eq!(snake("2fa"), "_2fa");
        assert_eq!(snake("123"), "v123");
        assert_eq!(snake("@id"), "id");
        assert_eq!(snake("$"), "value");
        assert_eq!(snake("created_at[gte]"), "created_at_gte");
        assert_eq!(snake("+1"), "plus_1");
    }

    #[test]
    fn camel_case_types_and_variants() {
        assert_eq!(camel("pet-store"), "PetStore");
        assert_eq!(camel("2fa"), "V2fa");
        assert_eq!(camel("in_progress"), "InProgress");
        assert_eq!(camel("self"), "Self_");
        assert_eq!(camel(""), "Value");
        assert_eq!(type_name("Error"), "ErrorType");
        assert_eq!(type_name("client"), "ClientType");
    }

    #[test]
    fn long_names_are_shortened_deterministically() {
        let long = "a".repeat(300);
        let snake_name = snake(&long);
        assert_eq!(snake_name.len(), MAX_IDENT_LEN);
        assert_eq!(snake_name, snake(&long));
        assert!(snake_name.starts_with("aaaa") && snake_name.as_bytes()[MAX_IDENT_LEN - 9] == b'_');
        assert_ne!(snake(&format!("{long}b")), snake_name);
        let camel_name = camel(&format!("{long} tag"));
        assert_eq!(camel_name.len(), MAX_IDENT_LEN);
        assert!(camel_name.starts_with("Aaaa"));
        assert_eq!(snake("short_name"), "short_name");
    }

    #[test]
    fn package_names_are_valid_for_any_file_name() {
        assert_eq!(package_name("timify"), "timify-client");
        assert_eq!(package_name("2fa"), "api-2fa-client");
        assert_eq!(package_name("My Spec (v2)"), "my-spec-v2-client");
        assert_eq!(package_name("***"), "api-client");
        assert_eq!(package_name("self"), "self-client");
    }

    #[test]
    fn a_clash_suffix_is_tried_before_numbers() {
        let mut scope = Scope::with_reserved(["pets"]);
        scope.prefer_on_clash("_op");
        assert_eq!(scope.claim("pets".into()), "pets_op");
        assert_eq!(scope.claim("pets".into()), "pets_2");
    }

    #[test]
    fn a_clash_suffix_after_a_keyword_keeps_snake_case() {
        // Parameters `self` and `Self` both become `self_`; the second must not be `self__param`.
        let mut scope = Scope::default();
        scope.prefer_on_clash("_param");
        assert_eq!(scope.claim(snake("self")), "self_");
        assert_eq!(scope.claim(snake("Self")), "self_param");
        assert_eq!(scope.claim(snake("SELF")), "self_2");
    }

    #[test]
    fn a_numbered_keyword_variant_stays_upper_camel_case() {
        // Enum values `Self` and `self` both become the variant `Self_`.
        let mut scope = Scope::default();
        assert_eq!(scope.claim(camel("Self")), "Self_");
        assert_eq!(scope.claim(camel("self")), "Self2");
    }

    #[test]
    fn scopes_suffix_clashes_deterministically() {
        let mut scope = Scope::default();
        assert_eq!(scope.claim("Pet".into()), "Pet");
        assert_eq!(scope.claim("Pet".into()), "Pet2");
        assert_eq!(scope.claim("Pet".into()), "Pet3");
        let mut fields = Scope::default();
        assert_eq!(fields.claim("a_b".into()), "a_b");
        assert_eq!(fields.claim("a_b".into()), "a_b_2");
        assert_eq!(fields.claim("type_".into()), "type_");
        assert_eq!(fields.claim("type_".into()), "type_2");
    }

    #[test]
    fn docs_join_summary_and_description() {
        assert_eq!(doc_text(Some(" List pets "), None).as_deref(), Some("List pets"));
        assert_eq!(doc_text(Some("A"), Some("A")).as_deref(), Some("A"));
        assert_eq!(doc_text(Some("A"), Some("B")).as_deref(), Some("A\n\nB"));
        assert_eq!(doc_text(None, Some("  ")), None);
    }
}
