//! The OpenAPI 3 document of the API, served at `/api/v1/openapi.json` and browsed at `/docs`.
//!
//! Operations and their schemas come from the code: each handler carries a
//! `#[utoipa::path]` beside it, each route module's `Doc` lists its handlers, and the types
//! handlers send derive `ToSchema`. What every operation shares is added here from the
//! access table ([`crate::rbac::RULES`]) rather than repeated on sixty handlers: the bearer
//! security requirement, what the route needs, the error answers (all one `ErrorBody`), and
//! the path parameters. The API tests check that the document lists exactly the routes of
//! the access table.

use std::sync::LazyLock;

use attune_domain::identity::Verb;
use axum::http::Method;
use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr, Required};

use crate::error::ErrorBody;
use crate::rbac::{Access, PackFrom, rule_for};

/// The name of the bearer security scheme.
const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Attune",
        description = "Attune's REST API. Successes are `{\"data\": ...}` (lists add `pagination`); \
            errors are `{\"error\": {\"code\", \"message\"}}` with a stable `code`. Authenticate with \
            `POST /api/v1/auth/login` and send `Authorization: Bearer <access_token>` (or an API key).",
    ),
    components(schemas(ErrorBody))
)]
struct Base;

/// The document as served, built once.
pub fn json() -> &'static str {
    static JSON: LazyLock<String> =
        LazyLock::new(|| document().to_json().expect("an OpenAPI document always serializes"));
    &JSON
}

/// The whole document.
pub fn document() -> Document {
    let mut doc = Base::openapi();
    for part in crate::routes::documented() {
        refuse_clashes(&doc, &part);
        doc.merge(part);
    }
    let components = doc.components.get_or_insert_with(Default::default);
    let bearer = HttpBuilder::new()
        .scheme(HttpAuthScheme::Bearer)
        .bearer_format("JWT access token, or API key (atk_...)")
        .build();
    components.security_schemes.insert(BEARER.into(), RefOr::T(SecurityScheme::Http(bearer)));
    for answer in ErrorAnswer::ALL {
        components.responses.insert(answer.name().into(), RefOr::T(answer.response()));
    }
    for (path, item) in &mut doc.paths.paths {
        for (method, operation) in operations(item) {
            describe(path, &method, operation);
        }
    }
    doc
}

/// Schemas are named by their type's name: two types of one name in different modules
/// would silently replace each other (`#[schema(as = ...)]` renames one).
fn refuse_clashes(doc: &Document, part: &Document) {
    let (Some(ours), Some(theirs)) = (&doc.components, &part.components) else { return };
    for (name, schema) in &theirs.schemas {
        if ours.schemas.get(name).is_some_and(|existing| existing != schema) {
            panic!("two different schemas are named {name}: rename one with #[schema(as = ...)]");
        }
    }
}

/// Every operation of a path, with its method.
fn operations(item: &mut PathItem) -> impl Iterator<Item = (Method, &mut Operation)> {
    [
        (Method::GET, item.get.as_mut()),
        (Method::POST, item.post.as_mut()),
        (Method::PUT, item.put.as_mut()),
        (Method::PATCH, item.patch.as_mut()),
        (Method::DELETE, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.map(|operation| (method, operation)))
}

/// Adds what an operation shares with the others: path parameters, security, what its
/// route needs, and error answers.
fn describe(path: &str, method: &Method, operation: &mut Operation) {
    // Handler names repeat across modules (`list`, `show`); method and path never do.
    operation.operation_id = Some(operation_id(method, path));
    let params = path_params(path);
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    for name in &params {
        let declared = parameters
            .iter()
            .any(|p| matches!(p, RefOr::T(p) if p.name == *name && p.parameter_in == ParameterIn::Path));
        if !declared {
            parameters.push(RefOr::T(path_param(name)));
        }
    }
    let Some(rule) = rule_for(method, path) else { return };
    let access = rule.access;
    operation.security = match access {
        Access::Public => None,
        // An empty requirement makes the credential optional.
        Access::SignedOr { .. } => Some(vec![SecurityRequirement::default(), bearer()]),
        _ => Some(vec![bearer()]),
    };
    let needs = needs(access);
    operation.description = Some(match operation.description.take() {
        Some(description) if !description.is_empty() => format!("{description}\n\n{needs}"),
        _ => needs,
    });
    let mut answers = Vec::new();
    if !operation.parameters.as_ref().is_none_or(Vec::is_empty) || operation.request_body.is_some() {
        answers.push(ErrorAnswer::BadRequest);
    }
    if !matches!(access, Access::Public) {
        answers.push(ErrorAnswer::Unauthorized);
    }
    if !matches!(access, Access::Public | Access::Authenticated) {
        answers.push(ErrorAnswer::Forbidden);
    }
    if !params.is_empty() || !matches!(access, Access::Public) {
        // Named things that do not exist, and identities gone since their token was issued.
        answers.push(ErrorAnswer::NotFound);
    }
    if method != Method::GET {
        answers.push(ErrorAnswer::Conflict);
    }
    if operation.request_body.is_some() {
        answers.extend([
            ErrorAnswer::RequestTimeout,
            ErrorAnswer::TooLarge,
            ErrorAnswer::UnsupportedMediaType,
            ErrorAnswer::Unprocessable,
        ]);
    }
    for answer in answers {
        let reference = RefOr::Ref(Ref::from_response_name(answer.name()));
        operation.responses.responses.entry(answer.status().into()).or_insert(reference);
    }
}

/// `get_packs_pack_ref` for `GET /api/v1/packs/{pack_ref}`.
fn operation_id(method: &Method, path: &str) -> String {
    let words = path.trim_start_matches("/api/v1").split(['/', '-', '.', '{', '}']).filter(|word| !word.is_empty());
    std::iter::once(method.as_str().to_lowercase()).chain(words.map(str::to_owned)).collect::<Vec<_>>().join("_")
}

fn bearer() -> SecurityRequirement {
    SecurityRequirement::new(BEARER, Vec::<String>::new())
}

/// The `{name}` segments of a route's path.
fn path_params(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}')).collect()
}

/// A path parameter: ids are integers, everything else a ref, name or login.
fn path_param(name: &str) -> Parameter {
    let schema = if name == "id" {
        ObjectBuilder::new().schema_type(Type::Integer).format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
    } else {
        ObjectBuilder::new().schema_type(Type::String).min_length(Some(1))
    };
    Parameter::builder()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(schema))
        .build()
}

/// What a route needs, in words.
fn needs(access: Access) -> String {
    let verb = |verb: Verb| verb.as_str().to_owned();
    match access {
        Access::Public => "Needs no credential.".into(),
        Access::Authenticated => "Needs any valid credential.".into(),
        Access::Grant { resource, verb: v, pack } => {
            let scope = match pack {
                PackFrom::Nothing => String::new(),
                PackFrom::Ref(param) => format!(" in the pack of `{param}`"),
                PackFrom::Pack(param) => format!(" in the pack `{param}`"),
                PackFrom::PackFilter => " in the pack of the `pack` filter, when given".into(),
                PackFrom::ExecutionAction(param) => format!(" in the pack of the action of execution `{param}`"),
            };
            format!("Needs `{}` on `{resource}`{scope}.", verb(v))
        }
        Access::SelfOr { resource, verb: v } => {
            format!("Needs the identity's own credential, or `{}` on `{resource}`.", verb(v))
        }
        Access::InHandler(what) => format!("Needs a credential; checked against the request: {what}."),
        Access::SignedOr { resource, verb: v } => {
            format!("Needs the webhook's signature, or a credential with `{}` on `{resource}`.", verb(v))
        }
    }
}

/// The error answers operations share; each is an `ErrorBody`.
#[derive(Debug, Clone, Copy)]
enum ErrorAnswer {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    RequestTimeout,
    TooLarge,
    UnsupportedMediaType,
    Unprocessable,
}

impl ErrorAnswer {
    const ALL: [ErrorAnswer; 9] = [
        Self::BadRequest,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::RequestTimeout,
        Self::TooLarge,
        Self::UnsupportedMediaType,
        Self::Unprocessable,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::BadRequest => "BadRequest",
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "NotFound",
            Self::Conflict => "Conflict",
            Self::RequestTimeout => "RequestTimeout",
            Self::TooLarge => "PayloadTooLarge",
            Self::UnsupportedMediaType => "UnsupportedMediaType",
            Self::Unprocessable => "Unprocessable",
        }
    }

    fn status(self) -> &'static str {
        match self {
            Self::BadRequest => "400",
            Self::Unauthorized => "401",
            Self::Forbidden => "403",
            Self::NotFound => "404",
            Self::Conflict => "409",
            Self::RequestTimeout => "408",
            Self::TooLarge => "413",
            Self::UnsupportedMediaType => "415",
            Self::Unprocessable => "422",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Self::BadRequest => {
                "Malformed path, query or body (`invalid_path`, `invalid_query`, `invalid_json`, `bad_request`)"
            }
            Self::Unauthorized => "No credential, or a bad or expired one (`unauthorized`)",
            Self::Forbidden => "The credential's grants do not allow this (`forbidden`, naming the missing grant)",
            Self::NotFound => "Not found (`not_found`)",
            Self::Conflict => "Conflicts with what is stored (`conflict`)",
            Self::RequestTimeout => "The body did not arrive within `server.body_timeout_s` (`request_timeout`)",
            Self::TooLarge => "The body is larger than the server accepts (`payload_too_large`)",
            Self::UnsupportedMediaType => "The body is not `application/json` (`unsupported_media_type`)",
            Self::Unprocessable => {
                "The body does not fit (`invalid_body`, `validation_failed` with `details.fields`, `invalid_pack`)"
            }
        }
    }

    fn response(self) -> Response {
        let body = Content::new(Some(Ref::from_schema_name("ErrorBody")));
        ResponseBuilder::new().description(self.description()).content("application/json", body).build()
    }
}
