//! The intermediate representation and its construction from an openapiv3 document.
//!
//! [`build`] is the only entry point: it reserves and converts every component schema,
//! lowers operations into groups, breaks type cycles and collects auth schemes. The result is
//! plain data; emission never looks at openapiv3.

pub mod cycles;
pub mod dedup;
pub mod model;
pub mod multipart;
pub mod op_names;
pub mod operation;
pub mod paging;
pub mod required;
pub mod schema;
pub mod tags;
pub mod untagged;
pub mod visit;
pub mod webhooks;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use openapiv3::{OpenAPI, ReferenceOr, SecurityScheme};

use crate::diagnostic::Diagnostic;
use crate::naming::{self, Scope};
pub use model::*;

/// Names the crate defines at its root; generated types must not take them.
pub const ROOT_NAMES: &[&str] = &["Client", "ClientBuilder", "Error", "ResponseValue", "DEFAULT_BASE_URL"];

/// Names a tag's module (and cargo feature) must not take: the crate's own modules, path
/// keywords, cargo's `default` feature, and the crates generated code names by path (a module
/// `client_runtime` or `serde` at the root would shadow them), and `main`, which rustc's
/// `special_module_name` lint refuses as a module of a library.
const ROOT_MODULES: &[&str] = &[
    "types",
    "client",
    "runtime",
    "prelude",
    "shared",
    "lib",
    "main",
    "crate",
    "self",
    "super",
    "default",
    "client_runtime",
    "serde",
    "serde_json",
    "chrono",
    "uuid",
    "std",
    "core",
    "alloc",
];

/// Methods `Client` has besides accessors and untagged operations (constructors, helpers and
/// the traits it derives).
const CLIENT_METHODS: &[&str] = &[
    "new",
    "builder",
    "api_client",
    "from_api_client",
    "with_auth",
    "with_bearer_token",
    "with_basic_auth",
    "with_authorization",
    "with_api_key",
    "with_app_credentials",
    "with_client_credentials",
    "with_client_credentials_at",
    "with_personal_access_token",
    "with_app_key",
    "with_personal_credentials",
    "clone",
    "fmt",
];

/// The IR plus the warnings met while building it.
pub struct Built {
    /// The IR.
    pub ir: Ir,
    /// Fallbacks and skipped constructs, each naming its place.
    pub warnings: Vec<Diagnostic>,
}

/// Builds the IR of `openapi` (whose normalised JSON is `document`, read from `file`).
pub fn build(file: &Path, document: &serde_json::Value, openapi: &OpenAPI) -> Result<Built, Vec<Diagnostic>> {
    let empty = indexmap::IndexMap::new();
    let schemas = openapi.components.as_ref().map_or(&empty, |c| &c.schemas);
    let mut builder = schema::TypeBuilder::new(file, document, schemas, ROOT_NAMES);
    let raw_operations = operation::collect(openapi, &mut builder);

    // Groups in order of first appearance; module names unique and clear of root names.
    let mut group_index: BTreeMap<Option<String>, usize> = BTreeMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut scopes: Vec<Scope> = Vec::new();
    let mut modules = Scope::with_reserved(ROOT_MODULES.iter().copied());
    // Accessors and untagged operations are both methods of `Client`: one scope holds them.
    // Accessors are claimed first, so a tag keeps its name and an operation that clashes
    // with one gets `_op`.
    let mut client_methods = Scope::with_reserved(CLIENT_METHODS.iter().copied());
    let mut accessors: BTreeMap<String, String> = BTreeMap::new();
    for raw in &raw_operations {
        if let Some(tag) = operation::group_key(&raw.operation) {
            accessors
                .entry(tag)
                .or_insert_with_key(|tag| client_methods.claim(naming::snake(tag)));
        }
    }
    client_methods.prefer_on_clash("_op");
    let tag_docs = operation::tag_docs(openapi);
    for raw in &raw_operations {
        let key = operation::group_key(&raw.operation);
        let index = *group_index.entry(key.clone()).or_insert_with(|| {
            let group = match &key {
                Some(tag) => Group {
                    module: modules.claim(naming::snake(tag)),
                    owner: GroupOwner::Tag(SubClient {
                        api_name: builder.claim_name(&format!("{}Api", naming::camel(tag))),
                        accessor: accessors.get(tag).cloned().unwrap_or_default(),
                    }),
                    doc: tag_docs.get(tag).cloned(),
                    operations: Vec::new(),
                    types: Vec::new(),
                },
                None => Group {
                    module: modules.claim("operations".to_owned()),
                    owner: GroupOwner::Root,
                    doc: None,
                    operations: Vec::new(),
                    types: Vec::new(),
                },
            };
            groups.push(group);
            // The root group's methods live on `Client`, next to its accessors and constructors.
            // A sub-client derives `Clone`, `Copy` and `Debug`: its methods keep clear of theirs.
            scopes.push(if key.is_none() {
                std::mem::take(&mut client_methods)
            } else {
                Scope::with_reserved(["clone", "clone_from", "fmt"])
            });
            groups.len() - 1
        });
        let first_type = builder.types.len();
        let names = operation::GroupNames {
            tag: key.as_deref(),
            scope: &mut scopes[index],
        };
        let op = operation::lower(openapi, raw, &mut builder, names);
        groups[index]
            .types
            .extend((first_type..builder.types.len()).map(TypeId::from_index));
        groups[index].operations.push(op);
    }

    let mut webhooks = webhooks::lower(document, openapi, &mut builder, || {
        modules.claim("webhook_events".to_owned())
    });

    if !builder.errors.is_empty() {
        let mut errors = std::mem::take(&mut builder.errors);
        errors.sort();
        errors.dedup();
        return Err(errors);
    }
    let mut types = std::mem::take(&mut builder.types);
    let mut warnings = std::mem::take(&mut builder.warnings);
    let mut places = std::mem::take(&mut builder.places);
    cycles::resolve_alias_cycles(&mut types, file, &mut warnings);
    tags::infer_discriminators(&mut types);
    tags::add_schema_tags(&mut types);
    // One type per shape, before cycles are boxed: boxing follows the merged graph.
    let components = builder.component_ids();
    let titles = std::mem::take(&mut builder.titles);
    let facts = dedup::Facts {
        components: &components,
        titles: &titles,
    };
    let remap = dedup::merge_shapes(&mut types, &facts, |title| builder.claim_exact_name(title));
    remap.groups(&mut groups);
    remap.places(&mut places);
    if let Some(webhooks) = &mut webhooks {
        remap.webhooks(webhooks);
    }
    untagged::record_variant_members(&mut types);
    cycles::break_cycles(&mut types);
    if let Some(webhooks) = &mut webhooks {
        webhooks::finish(webhooks, &types);
    }
    let auth = auth_schemes(openapi, file, &mut warnings);
    let mut type_users = type_users(&types, &groups);
    // A component the dedup pass made an alias may no longer be named by any operation (its
    // uses inside merged types name the kept type); it is compiled wherever that type is.
    for &(alias, kept) in remap.aliases() {
        if let (false, Some(users)) = (type_users.contains_key(&alias), type_users.get(&kept).cloned()) {
            type_users.insert(alias, users);
        }
    }
    let unreferenced_types = unreferenced_types(&types, &type_users, webhooks.as_ref());
    ungate_widely_used(&mut type_users, file, &mut warnings);
    let serialized_types = serialized_types(&types, &groups);
    required::name_required_structs(&mut types, &serialized_types, |hint| builder.claim_name(hint));
    let provenance_note = provenance_note(file, openapi);
    let doc = naming::doc_text(Some(&openapi.info.title), openapi.info.description.as_deref());
    let doc = match (doc, &provenance_note) {
        (Some(doc), Some(note)) => Some(format!("{doc}\n\n{note}")),
        (doc, _) => doc,
    };
    let dependencies = dependencies(&types, &groups, webhooks.as_ref());
    let ir = Ir {
        title: openapi.info.title.clone(),
        doc,
        provenance_note,
        server: openapi.servers.first().map(|s| {
            // The variables are the arguments of one function: one scope (`self` and `Self`,
            // `a-b` and `a_b` read alike).
            let mut arguments = Scope::default();
            Server {
                url: s.url.clone(),
                variables: s
                    .variables
                    .iter()
                    .flat_map(|vars| vars.iter())
                    .map(|(name, var)| ServerVariable {
                        wire_name: name.clone(),
                        name: arguments.claim(naming::snake(name)),
                        default: var.default.clone(),
                        doc: var.description.clone(),
                    })
                    .collect(),
            }
        }),
        types,
        groups,
        auth,
        error_message_pointers: document
            .get("x-error-message-pointers")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect())
            .unwrap_or_default(),
        rate_limit: rate_limit(document.get("x-rate-limit")),
        type_users,
        unreferenced_types,
        serialized_types,
        webhooks,
        dependencies,
        places,
    };
    Ok(Built { ir, warnings })
}

/// The front-page sentence for a reconstructed spec: `info.x-provenance` holds the maintainers'
/// notes (sources, fact tags), which stay out of the generated docs.
fn provenance_note(file: &Path, openapi: &OpenAPI) -> Option<String> {
    openapi.info.extensions.get("x-provenance")?;
    let spec = file
        .file_name()
        .map_or_else(String::new, |name| format!(" in `{}`", name.to_string_lossy()));
    Some(format!(
        "The spec behind this client is not the vendor's own: it is reconstructed from public \
         sources, and the maintainers' notes on where each fact comes from are its \
         `x-provenance` entries{spec}."
    ))
}

/// Reads `x-rate-limit: {requests, per-seconds, rate-limited-statuses}`; anything malformed
/// means no preset limit.
fn rate_limit(value: Option<&serde_json::Value>) -> Option<RateLimit> {
    let value = value?;
    let requests = u32::try_from(value.get("requests")?.as_u64()?).ok()?;
    let per_seconds = value.get("per-seconds")?.as_u64()?;
    let statuses = value
        .get("rate-limited-statuses")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|s| u16::try_from(s.as_u64()?).ok()).collect())
        .unwrap_or_default();
    (requests > 0 && per_seconds > 0).then_some(RateLimit {
        requests,
        per_seconds,
        statuses,
    })
}

fn auth_schemes(openapi: &OpenAPI, file: &Path, warnings: &mut Vec<Diagnostic>) -> Vec<AuthScheme> {
    let Some(components) = &openapi.components else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, scheme) in &components.security_schemes {
        let pointer = format!(
            "/components/securitySchemes/{}",
            crate::diagnostic::escape_pointer_token(name)
        );
        let ReferenceOr::Item(scheme) = scheme else {
            continue;
        };
        let extensions = match scheme {
            SecurityScheme::APIKey { extensions, .. }
            | SecurityScheme::HTTP { extensions, .. }
            | SecurityScheme::OAuth2 { extensions, .. }
            | SecurityScheme::OpenIDConnect { extensions, .. } => extensions,
        };
        let flow = extensions.get("x-token-flow");
        let kind = flow.and_then(|f| f.get("kind")).and_then(|k| k.as_str());
        let lowered = match (kind, scheme) {
            (Some("timify-app-token"), _) => Some(AuthScheme::TimifyAppToken),
            (Some("bookingtime-client-credentials"), _) => Some(AuthScheme::BookingtimeClientCredentials {
                auth_url: flow
                    .and_then(|f| f.get("authUrl"))
                    .and_then(|u| u.as_str())
                    .unwrap_or("https://auth.bookingtime.com")
                    .to_owned(),
            }),
            (Some("timeneye-personal-token"), _) => Some(AuthScheme::TimeneyePersonalToken),
            (Some("timeneye-oauth-pkce"), _) => Some(AuthScheme::TimeneyeOAuth),
            (Some("timekit-app-token-bootstrap"), _) => Some(AuthScheme::TimekitAppToken),
            (Some(other), _) => {
                warnings.push(Diagnostic::at_pointer(
                    file,
                    &pointer,
                    format!("unknown x-token-flow kind `{other}`; the standard scheme is used"),
                ));
                standard_scheme(scheme)
            }
            (None, _) => standard_scheme(scheme),
        };
        match (lowered, scheme) {
            (Some(lowered), _) => {
                if !out.contains(&lowered) {
                    out.push(lowered);
                }
            }
            (
                None,
                SecurityScheme::APIKey {
                    location: openapiv3::APIKeyLocation::Cookie,
                    name: cookie,
                    ..
                },
            ) => warnings.push(Diagnostic::at_pointer(
                file,
                &pointer,
                format!(
                    "an API key in the cookie `{cookie}` is not supported: the client has no constructor for it (a reqwest client with a default `Cookie` header, set with `Client::builder().configure(|b| b.http_client(..))`, sends it)"
                ),
            )),
            (None, _) => {}
        }
    }
    out
}

fn standard_scheme(scheme: &SecurityScheme) -> Option<AuthScheme> {
    match scheme {
        SecurityScheme::APIKey {
            location: openapiv3::APIKeyLocation::Header,
            name,
            ..
        } => Some(AuthScheme::ApiKeyHeader(name.clone())),
        SecurityScheme::APIKey {
            location: openapiv3::APIKeyLocation::Query,
            name,
            ..
        } => Some(AuthScheme::ApiKeyQuery(name.clone())),
        SecurityScheme::APIKey { .. } => None,
        SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => Some(AuthScheme::Basic),
        SecurityScheme::HTTP { .. } | SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => {
            Some(AuthScheme::Bearer)
        }
    }
}

/// For each type, the groups that use it (directly or through other types).
fn type_users(types: &[TypeDef], groups: &[Group]) -> BTreeMap<TypeId, Vec<usize>> {
    let mut users: BTreeMap<TypeId, Vec<usize>> = BTreeMap::new();
    for (index, group) in groups.iter().enumerate() {
        let mut stack: Vec<TypeId> = Vec::new();
        for op in &group.operations {
            visit::operation_uses(op, &mut |ty| visit::named_types(ty, &mut stack));
        }
        stack.extend(group.types.iter().copied());
        while let Some(id) = stack.pop() {
            let entry = users.entry(id).or_default();
            // Groups are walked one after the other, so this group's index, if there, is last.
            if entry.last() == Some(&index) {
                continue;
            }
            entry.push(index);
            if let Some(def) = types.get(id.index()) {
                visit::def_uses(def, &mut |ty| visit::named_types(ty, &mut stack));
            }
        }
    }
    users
}

/// The most features one type's `cfg(any(...))` lists. A type more groups need than this is
/// compiled whatever features are on: nearly every build needs it anyway, and without the cap
/// a document with many tags sharing many types makes output of tags × types size.
const MAX_TYPE_FEATURES: usize = 64;

/// Takes the types more than [`MAX_TYPE_FEATURES`] groups use out of `type_users` (so they are
/// not gated), with one warning saying how many.
fn ungate_widely_used(type_users: &mut BTreeMap<TypeId, Vec<usize>>, file: &Path, warnings: &mut Vec<Diagnostic>) {
    let before = type_users.len();
    type_users.retain(|_, users| users.len() <= MAX_TYPE_FEATURES);
    let ungated = before - type_users.len();
    if ungated > 0 {
        warnings.push(Diagnostic::at_pointer(
            file,
            "/paths",
            format!(
                "{ungated} types are used by more than {MAX_TYPE_FEATURES} tags each; they are compiled whatever tag features are on"
            ),
        ));
    }
}

/// The types neither a group nor a webhook payload uses, and every type they use.
fn unreferenced_types(
    types: &[TypeDef],
    users: &BTreeMap<TypeId, Vec<usize>>,
    webhooks: Option<&Webhooks>,
) -> BTreeSet<TypeId> {
    let used = |id: &TypeId| users.contains_key(id) || webhooks.is_some_and(|w| w.types.contains(id));
    let roots = (0..types.len())
        .map(TypeId::from_index)
        .filter(|id| !used(id))
        .collect();
    closure(types, roots)
}

/// The types some operation serialises (sends, or reads as JSON: pages), and every type they use.
fn serialized_types(types: &[TypeDef], groups: &[Group]) -> BTreeSet<TypeId> {
    let mut roots: Vec<TypeId> = Vec::new();
    for op in groups.iter().flat_map(|g| &g.operations) {
        visit::serialized_uses(op, &mut |ty| visit::named_types(ty, &mut roots));
    }
    closure(types, roots)
}

/// `roots` and every type they use, directly or through other types.
fn closure(types: &[TypeDef], mut stack: Vec<TypeId>) -> BTreeSet<TypeId> {
    let mut out = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !out.insert(id) {
            continue;
        }
        if let Some(def) = types.get(id.index()) {
            visit::def_uses(def, &mut |ty| visit::named_types(ty, &mut stack));
        }
    }
    out
}

/// The optional crates the generated code needs, from every use site: type definitions and
/// every operation's parameters, bodies and responses, and webhook payloads.
fn dependencies(types: &[TypeDef], groups: &[Group], webhooks: Option<&Webhooks>) -> Dependencies {
    let mut deps = Dependencies::default();
    let mut note = |ty: &TypeRef| {
        visit::walk(ty, &mut |node| {
            match node {
                TypeRef::Builtin(Builtin::DateTime | Builtin::Date) => deps.chrono = true,
                TypeRef::Builtin(Builtin::Uuid) => deps.uuid = true,
                _ => {}
            }
            visit::Descend::Yes
        })
    };
    for def in types {
        visit::def_uses(def, &mut note);
    }
    for op in groups.iter().flat_map(|g| &g.operations) {
        visit::operation_uses(op, &mut note);
    }
    for payload in webhooks
        .iter()
        .flat_map(|w| &w.events)
        .filter_map(|e| e.payload.as_ref())
    {
        note(payload);
    }
    deps
}
