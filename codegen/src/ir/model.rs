//! The IR: plain data describing the crate to generate, with every name already resolved.
//!
//! Nothing here refers to openapiv3; emission reads only these types.

use std::collections::{BTreeMap, BTreeSet};

/// A generated type: its index in [`Ir::types`]. Only the IR builder makes new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(usize);

impl TypeId {
    /// The id of the type at `index` in the type table.
    pub(in crate::ir) fn from_index(index: usize) -> Self {
        Self(index)
    }

    /// Its index in [`Ir::types`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// A type as it appears at a use site (a field, a parameter, a body).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    /// A generated type.
    Named(TypeId),
    /// A `Box` around a generated type, to break a recursive cycle.
    Boxed(TypeId),
    /// A primitive or library type.
    Builtin(Builtin),
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// `Option<T>` (the value may be null).
    Option(Box<TypeRef>),
}

/// Types that need no generated definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Builtin {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `u64`, for integers too large for `i64`.
    U64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `chrono::DateTime<chrono::FixedOffset>`.
    DateTime,
    /// `client_runtime::LenientDateTime`: RFC 3339 or a colon-less offset (`x-lenient-date-time`).
    LenientDateTime,
    /// `chrono::NaiveDate`.
    Date,
    /// `uuid::Uuid`.
    Uuid,
    /// `serde_json::Value`: anything.
    Json,
    /// `serde_json::Map<String, serde_json::Value>`: any object.
    JsonObject,
    /// `()`, for bodies that carry nothing.
    Unit,
}

/// A generated type definition.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// The Rust name, unique in the crate.
    pub name: String,
    /// Where the schema stands, as a JSON pointer (for docs and warnings).
    pub pointer: String,
    /// Doc comment.
    pub doc: Option<String>,
    /// What kind of type it is.
    pub kind: TypeKind,
}

/// The shapes a generated type takes.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// A struct with named fields.
    Struct(StructDef),
    /// A string enum that keeps unknown values.
    StringEnum(StringEnumDef),
    /// A union of alternatives (oneOf/anyOf, or several types).
    Union(UnionDef),
    /// `pub type Name = T;` for named schemas that are just another type.
    Alias(TypeRef),
    /// `pub struct Name(pub T);`, serde-transparent: an alias that refers to itself through a
    /// container (`Tree: {type: array, items: {$ref: Tree}}`), which a type alias cannot.
    Newtype(TypeRef),
    /// An operation's responses when they differ by status: one variant per response.
    Responses(Vec<ResponseVariant>),
}

/// A struct.
#[derive(Debug, Clone)]
pub struct StructDef {
    /// The fields, in spec order.
    pub fields: Vec<Field>,
    /// Extra properties kept in a flattened map, when the schema allows them explicitly.
    pub additional: Option<TypeRef>,
    /// The Rust name of the required field that wraps the record, when the schema is a
    /// response envelope (`x-envelope: <property>`).
    pub envelope: Option<String>,
    /// The name of the struct of its required fields (`<Name>Required`), when the client sends
    /// this type and it has both required fields and fields a caller may leave unset: then
    /// `Name::new(NameRequired { .. })` names every required field and sets the rest to unset,
    /// so a literal needs `..` rather than one `None` per optional field. Set by
    /// [`crate::ir::required`] after the types are final.
    pub required: Option<String>,
}

/// A struct field.
#[derive(Debug, Clone)]
pub struct Field {
    /// The Rust name, unique in the struct.
    pub name: String,
    /// The property name on the wire.
    pub wire_name: String,
    /// The field's type, without the `Option` that [`Field::required`] may add.
    pub ty: TypeRef,
    /// Whether the property must be present. Absent-allowed fields become `Option`.
    pub required: bool,
    /// Doc comment.
    pub doc: Option<String>,
}

/// A variant of a response enum.
#[derive(Debug, Clone)]
pub struct ResponseVariant {
    /// The Rust variant name (`Status200`, `Default`).
    pub name: String,
    /// The body the variant carries.
    pub body: ResponseBody,
}

/// A string enum.
#[derive(Debug, Clone)]
pub struct StringEnumDef {
    /// The known values, in spec order.
    pub variants: Vec<EnumVariant>,
}

/// One known value of a string enum.
#[derive(Debug, Clone)]
pub struct EnumVariant {
    /// The Rust variant name.
    pub name: String,
    /// The value on the wire.
    pub wire_value: String,
}

/// A union.
#[derive(Debug, Clone)]
pub struct UnionDef {
    /// The alternatives, tried in order when there is no discriminator.
    pub variants: Vec<UnionVariant>,
    /// The discriminator property, when the spec gives one.
    pub discriminator: Option<String>,
}

/// One alternative of a union.
#[derive(Debug, Clone)]
pub struct UnionVariant {
    /// The Rust variant name.
    pub name: String,
    /// The variant's content.
    pub ty: TypeRef,
    /// Discriminator values that select this variant.
    pub tags: Vec<String>,
    /// In an untagged union of structs (or arrays of structs): which object members the
    /// variant keeps, and inside them, so a value goes first to a variant that keeps all of
    /// its members (see `ir/untagged.rs`).
    pub members: Option<DeclaredMembers>,
}

/// The object members a union alternative keeps, and inside them (the IR side of
/// `client_runtime::untagged::Members`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclaredMembers {
    /// Every member, or not looked into: a struct that keeps the others in its
    /// additional-properties map, a map, a union, a scalar, or past the depth looked into.
    Any,
    /// Only these (wire names), each with what it keeps: a struct without an
    /// additional-properties map.
    Object(Vec<(String, DeclaredMembers)>),
    /// An array whose items keep these.
    Items(Box<DeclaredMembers>),
    /// Any one of these: an alternative that is itself a union of structs (OpenAI's stream
    /// events, a union of unions of event objects).
    OneOf(Vec<DeclaredMembers>),
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// A `{name}` segment in the path.
    Path,
    /// The query string, with its style.
    Query(QueryStyle),
    /// A request header.
    Header,
}

/// OpenAPI query serialisation styles we support (mirrors the runtime's `QueryStyle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// `form`, exploded.
    Form,
    /// `form`, not exploded.
    FormNoExplode,
    /// `deepObject`.
    DeepObject,
}

/// An operation parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// The Rust name (argument, builder field and setter), unique among the operation's
    /// parameters and clear of the builder's own methods.
    pub name: String,
    /// The wire name.
    pub wire_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Its type (without the `Option` optional parameters get).
    pub ty: TypeRef,
    /// Whether the call cannot be sent without it (a request left without it fails with
    /// `InvalidRequest` naming it, unless it is positional).
    pub required: bool,
    /// Whether it is one of the operation method's (at most two) positional arguments: the
    /// resource's address; every other parameter is a setter on the call's builder.
    pub positional: bool,
    /// Doc comment.
    pub doc: Option<String>,
}

/// A request body.
#[derive(Debug, Clone)]
pub enum RequestBody {
    /// JSON of the given type.
    Json(TypeRef),
    /// `application/x-www-form-urlencoded` from the given type.
    Form(TypeRef),
    /// `multipart/form-data` from a request type generated for it, one part per field.
    Multipart(MultipartForm),
    /// `multipart/form-data` without an object schema to type it: a `client_runtime::Multipart`
    /// the caller fills.
    MultipartUntyped,
    /// Raw bytes of the given content type.
    Raw {
        /// The content type.
        content_type: String,
    },
}

/// The request type of a `multipart/form-data` body: a struct in the operation's module whose
/// fields are the form's fields, each encoded as parts by `client_runtime::Multipart`.
#[derive(Debug, Clone)]
pub struct MultipartForm {
    /// The struct's Rust name (unique among the crate's types).
    pub name: String,
    /// The fields, in the spec's order.
    pub fields: Vec<MultipartField>,
}

/// One field of a multipart form.
#[derive(Debug, Clone)]
pub struct MultipartField {
    /// The Rust name, unique in the struct.
    pub name: String,
    /// The part name on the wire.
    pub wire_name: String,
    /// What the field holds.
    pub value: PartValue,
    /// Whether the field must be sent. Optional fields become `Option` and are not sent when
    /// `None`.
    pub required: bool,
    /// The spec's `encoding.<field>.contentType`, when it is one media type: set on every
    /// part of a value field, the default of a file field's parts.
    pub content_type: Option<String>,
    /// Doc comment.
    pub doc: Option<String>,
}

/// What a multipart field holds.
#[derive(Debug, Clone)]
pub enum PartValue {
    /// A file (`format: binary`): `client_runtime::FilePart`; `repeated` for a list of files,
    /// one part each.
    File {
        /// Whether the field is a list of files.
        repeated: bool,
    },
    /// A typed value: scalars as text parts, lists one part per item, objects as JSON parts.
    Value(TypeRef),
}

/// A request body and whether the operation requires it.
#[derive(Debug, Clone)]
pub struct Body {
    /// What the body is.
    pub kind: RequestBody,
    /// Whether the operation requires it.
    pub required: bool,
    /// Whether it is a positional argument of the operation method (a required body is);
    /// otherwise the builder's `body` setter.
    pub positional: bool,
}

/// How a response body is read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ResponseBody {
    /// JSON of the given type.
    Json(TypeRef),
    /// Text.
    Text,
    /// Raw bytes.
    Bytes,
    /// No body (or one we ignore).
    Empty,
}

/// Which statuses a response entry covers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    /// One status code.
    Code(u16),
    /// A range such as `4XX`: the first digit.
    Range(u16),
    /// `default`: everything not listed.
    Default,
}

/// Whether a documented response is the operation's success or one of its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseRole {
    /// A 2xx response (or `default` when nothing is 2xx): the `Ok` value.
    Success,
    /// Any other documented response: the `Err` value.
    Error,
}

/// One documented response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The statuses it covers.
    pub status: StatusMatch,
    /// Success or error, decided once when the IR is built.
    pub role: ResponseRole,
    /// Its body.
    pub body: ResponseBody,
    /// The Rust variant name when the operation needs a response enum.
    pub variant: String,
}

/// How the success value is shaped.
#[derive(Debug, Clone)]
pub enum SuccessShape {
    /// Every success response has this body.
    Single(ResponseBody),
    /// Success responses differ: a generated enum (type id) with one variant per response.
    Enum(TypeId),
}

/// How the error body type is shaped.
#[derive(Debug, Clone)]
pub enum ErrorShape {
    /// No documented error body: `Infallible`.
    None,
    /// Every documented error has this body type.
    Single(TypeRef),
    /// Error bodies differ: a generated enum (type id) with one variant per response.
    Enum(TypeId),
}

/// A rate limit from the `x-rate-limit` extension:
/// `{requests: 500, per-seconds: 300, rate-limited-statuses: [503]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// The window, in seconds.
    pub per_seconds: u64,
    /// Statuses besides 429 the API answers when over its limit (e.g. Timekit's 503).
    pub statuses: Vec<u16>,
}

/// Pagination as described by the `x-pagination` extension, checked against the operation:
/// an operation has one only when the runtime can drive it (no request body, one JSON success
/// body, an integer page parameter), and a warning says why otherwise.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// The type each page is decoded into: the operation's success body, or
    /// `serde_json::Value` when an `x-pagination` pointer leaves the page's structs (then
    /// every [`PageField`] is a [`PageField::Pointer`]).
    pub page_type: TypeRef,
    /// Where the page holds its items.
    pub items: PageField,
    /// The items' type (`serde_json::Value` when pages are read as JSON values).
    pub item_type: TypeRef,
    /// How the next page is found.
    pub next: PageNext,
}

/// How a pager finds the next page.
#[derive(Debug, Clone)]
pub enum PageNext {
    /// A page-number parameter, with where the page states the total number of pages.
    Number {
        /// The parameter's Rust name.
        param: String,
        /// Whether the parameter is required.
        required: bool,
        /// The parameter's type, without `Option`.
        ty: TypeRef,
        /// The first page's number.
        start: i64,
        /// Where the page states the number of pages.
        total_pages: Option<PageField>,
    },
    /// Where the page states the next page's URL.
    Url(PageField),
}

/// Where a page holds one of its parts (items, page count, next URL).
#[derive(Debug, Clone)]
pub enum PageField {
    /// Through these struct fields of the page type, from the outside in.
    Fields(Vec<FieldStep>),
    /// At this JSON pointer into a page read as a JSON value.
    Pointer(String),
}

/// One struct field on the way to a part of a page.
#[derive(Debug, Clone)]
pub struct FieldStep {
    /// The field's Rust name.
    pub field: String,
    /// How many `Option`s wrap the field's value (0 for a required, non-nullable field).
    pub options: usize,
}

/// One API operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The method name, unique within its group, without the group's words
    /// (`customers().list()`, not `customers().customers_list()`).
    pub name: String,
    /// The name errors and traces report: the spec's `operationId`, else the function name.
    pub operation_id: String,
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Doc comment.
    pub doc: Option<String>,
    /// Whether the spec marks it deprecated.
    pub deprecated: bool,
    /// Parameters.
    pub params: Vec<Param>,
    /// The name of the call's builder type (unique among the crate's types), which the
    /// operation method returns: one setter per non-positional parameter, `send`,
    /// `IntoFuture`, and `stream` when the operation pages.
    pub builder: String,
    /// The request body, if any.
    pub body: Option<Body>,
    /// Documented responses.
    pub responses: Vec<Response>,
    /// The success value's shape.
    pub success: SuccessShape,
    /// The error body's shape.
    pub error: ErrorShape,
    /// Whether a POST may be retried (`x-retry-safe`).
    pub retry_safe: bool,
    /// Pagination, for list operations.
    pub pagination: Option<Pagination>,
}

/// Who owns a group's methods.
#[derive(Debug, Clone)]
pub enum GroupOwner {
    /// Untagged operations: methods of `Client` itself.
    Root,
    /// A tag's operations: a sub-client reached through an accessor on `Client`.
    Tag(SubClient),
}

/// The sub-client of a tagged group.
#[derive(Debug, Clone)]
pub struct SubClient {
    /// The sub-client type name, e.g. `PetsApi`.
    pub api_name: String,
    /// The accessor on `Client`, e.g. `pets`.
    pub accessor: String,
}

/// Operations that share a tag (or have none), emitted as one module.
#[derive(Debug, Clone)]
pub struct Group {
    /// The module name.
    pub module: String,
    /// Whether the methods live on `Client` or on a sub-client.
    pub owner: GroupOwner,
    /// Doc comment (the tag's description).
    pub doc: Option<String>,
    /// The operations.
    pub operations: Vec<Operation>,
    /// Types owned by this group (params structs come later in emission; these are response/error enums).
    pub types: Vec<TypeId>,
}

/// A vendor token flow or a standard scheme the client offers a constructor for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// HTTP Basic.
    Basic,
    /// An API key in a header.
    ApiKeyHeader(String),
    /// An API key in the query.
    ApiKeyQuery(String),
    /// Timify's app-token flow.
    TimifyAppToken,
    /// bookingtime's client credentials + per-organization refresh exchange.
    BookingtimeClientCredentials {
        /// The auth server.
        auth_url: String,
    },
    /// Timeneye's personal access token.
    TimeneyePersonalToken,
    /// Timeneye's OAuth authorization code with PKCE.
    TimeneyeOAuth,
    /// Timekit's app key, or bootstrap from personal credentials.
    TimekitAppToken,
}

impl Group {
    /// The sub-client, unless this is the root group.
    pub fn sub_client(&self) -> Option<&SubClient> {
        match &self.owner {
            GroupOwner::Root => None,
            GroupOwner::Tag(sub) => Some(sub),
        }
    }
}

/// The server URL and its variables.
#[derive(Debug, Clone)]
pub struct Server {
    /// The URL template, e.g. `https://api.bookingtime.com/app/v3/{locale}`.
    pub url: String,
    /// The template's variables.
    pub variables: Vec<ServerVariable>,
}

/// A `{variable}` of the server URL template.
#[derive(Debug, Clone)]
pub struct ServerVariable {
    /// The name in the template.
    pub wire_name: String,
    /// The Rust argument name.
    pub name: String,
    /// The default value.
    pub default: String,
    /// Doc comment.
    pub doc: Option<String>,
}

/// Optional crates the generated code refers to, from every use site of every type.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Dependencies {
    /// `chrono`, for dates and times.
    pub chrono: bool,
    /// `uuid`.
    pub uuid: bool,
}

/// The requests the API sends to the user (3.1 `webhooks` and operation `callbacks`),
/// emitted as one event enum in their own module.
#[derive(Debug, Clone)]
pub struct Webhooks {
    /// The module name, unique among the crate's modules.
    pub module: String,
    /// The event enum's name, unique among the crate's types.
    pub enum_name: String,
    /// The events, in document order.
    pub events: Vec<WebhookEvent>,
    /// The top-level body property whose fixed value names each event, when every payload
    /// has one ([`WebhookEvent::tag`] holds the values).
    pub event_property: Option<String>,
    /// The request header (lower case) whose fixed value names each event, when every
    /// event declares one ([`WebhookEvent::header_value`] holds the values).
    pub event_header: Option<String>,
    /// The payload types and everything they refer to: compiled under every feature set,
    /// since the event enum is never gated.
    pub types: std::collections::BTreeSet<TypeId>,
}

/// One webhook or callback request.
#[derive(Debug, Clone)]
pub struct WebhookEvent {
    /// The Rust variant name.
    pub name: String,
    /// The event's name in the spec (the `webhooks` key or the callback's name).
    pub wire_name: String,
    /// Doc comment.
    pub doc: Option<String>,
    /// The JSON body's type; `None` when the request carries no JSON body.
    pub payload: Option<TypeRef>,
    /// The value of [`Webhooks::event_property`] that names this event.
    pub tag: Option<String>,
    /// The value of [`Webhooks::event_header`] that names this event.
    pub header_value: Option<String>,
}

/// Everything emission needs.
#[derive(Debug, Clone)]
pub struct Ir {
    /// The API's title.
    pub title: String,
    /// Crate-level docs.
    pub doc: Option<String>,
    /// One sentence for the crate's front page when the spec is a reconstruction
    /// (`info.x-provenance`): that it is, and where the maintainers' notes are.
    pub provenance_note: Option<String>,
    /// The first server, if any.
    pub server: Option<Server>,
    /// Generated types, indexed by [`TypeId`].
    pub types: Vec<TypeDef>,
    /// Operation groups, sorted by module name.
    pub groups: Vec<Group>,
    /// Auth constructors to offer.
    pub auth: Vec<AuthScheme>,
    /// JSON pointers to the vendor's message in error bodies.
    pub error_message_pointers: Vec<String>,
    /// The client-side rate limit `Client::builder` presets (`x-rate-limit` at the root).
    pub rate_limit: Option<RateLimit>,
    /// Which group modules use each type (for per-group features): type id → group indexes.
    pub type_users: BTreeMap<TypeId, Vec<usize>>,
    /// The types no group and no webhook payload uses, and every type they use: what a user
    /// of no operation may still want (e.g. schemas of streamed events), behind a feature of
    /// their own.
    pub unreferenced_types: BTreeSet<TypeId>,
    /// The types the generated code serialises (parameters, JSON and form bodies), and every
    /// type they use: these
    /// always implement `Serialize`; the others only with the `serialize-responses` feature.
    pub serialized_types: BTreeSet<TypeId>,
    /// Webhook and callback events, when the document has any.
    pub webhooks: Option<Webhooks>,
    /// The optional crates the generated code needs.
    pub dependencies: Dependencies,
    /// The type that reads the values at each schema place of the document, by JSON pointer
    /// (`/components/schemas/Pet`, `/paths/~1pets/get/responses/200/content/application~1json/schema`,
    /// a property, an item, a parameter's schema). Places behind a `$ref`'d response, request body
    /// or parameter are keyed by the operation's pointer, as if the object stood inline.
    pub places: BTreeMap<String, TypeRef>,
}

impl Ir {
    /// The definition of a type.
    pub fn type_def(&self, id: TypeId) -> Option<&TypeDef> {
        self.types.get(id.index())
    }

    /// Every type id, in table order.
    pub fn type_ids(&self) -> impl Iterator<Item = TypeId> {
        (0..self.types.len()).map(TypeId)
    }
}
