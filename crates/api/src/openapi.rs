//! The OpenAPI 3.1 document: generated from the handlers' annotations and the wire types
//! themselves, served at `/openapi.json` (UI at `/docs`) and committed as
//! `openapi/openapi.json`, which a test keeps equal to what this module generates.
//!
//! What the derive macros cannot say is added here by [`Conventions`]: the security
//! schemes, the responses every operation shares (400, 401, 500, 503, `X-Request-Id`;
//! 413 and 415 where there is a body), and the per-part encoding of the multipart intake.

use std::borrow::Cow;

use certdesk_domain::AttachmentKind;
use certdesk_domain::attachment::{DEFAULT_MAX_PART_BYTES, SCAN_MAX_HEIGHT, SCAN_MAX_WIDTH};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::encoding::EncodingBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use actix_web::{HttpResponse, web};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{ErrorCode, ProblemDetails};
use crate::responses::*;
use crate::routes::tickets::forms::{AttachmentForm, TicketForm};
use crate::routes::{
    audit, data_subjects, directory, health, lists, outbox, routing_rules, services, tickets,
};

/// Serves the document at `/openapi.json` (generated once; every worker serves the same
/// bytes) and Swagger UI over it at `/docs/`, compiled in: nothing is fetched from a CDN.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let document = web::Bytes::from(document_json());
    cfg.service(web::resource("/openapi.json").route(web::get().to(move || {
        let document = document.clone();
        async move {
            HttpResponse::Ok()
                .content_type(mime::APPLICATION_JSON)
                .body(document)
        }
    })))
    .service(web::redirect("/docs", "/docs/"))
    .service(
        SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::new(["/openapi.json"])),
    );
}

/// The document, as served and as committed.
pub fn document() -> Document {
    ApiDoc::openapi()
}

/// The document as pretty JSON with a final newline: the exact bytes of
/// `openapi/openapi.json`.
pub fn document_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}

pub const BEARER_JWT: &str = "bearer_jwt";
pub const API_TOKEN: &str = "api_token";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "certdesk",
        description = include_str!("openapi_intro.md"),
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        services::list,
        tickets::create::create,
        tickets::validate::validate,
        tickets::get::get,
        tickets::actions::act,
        tickets::comments::add,
        tickets::history::list,
        tickets::attachment::download,
        tickets::attachment::replace,
        lists::queues,
        lists::queue_tickets,
        lists::my_tickets,
        lists::officer_tickets,
        directory::officers,
        directory::put_officer,
        directory::staff,
        directory::put_staff_member,
        routing_rules::get,
        routing_rules::put,
        outbox::dead_letters,
        outbox::requeue,
        outbox::requeue_all,
        audit::list,
        data_subjects::export,
        data_subjects::anonymise,
        health::index,
        health::live,
        health::ready,
        outbox::metrics,
    ),
    components(
        schemas(ProblemDetails, ErrorCode, TicketForm, AttachmentForm, lists::TicketPage),
        responses(
            lists::TicketPageResponse,
            MalformedRequest,
            Unauthenticated,
            NotPermitted,
            TicketNotFound,
            Conflict,
            PayloadTooLarge,
            UnsupportedMediaType,
            ValidationFailed,
            StaleVersion,
            IfMatchRequired,
            ServiceUnavailable,
            RequestTimeout,
            TooManyRequests,
            InternalError,
        )
    ),
    modifiers(&Conventions),
    tags(
        (name = "tickets", description = "Filing tickets and following them."),
        (name = "lifecycle", description = "Moving a ticket through its states (RA agents, officers, requesters)."),
        (name = "queues", description = "Lists of tickets: RA queues, one's own, an officer's."),
        (name = "administration", description = "Routing rules, the officers' and the RA staff's directories, the email outbox and the audit of looks at personal data (supervisors)."),
        (name = "operations", description = "Health checks and metrics for the platform; no authentication."),
    )
)]
struct ApiDoc;

/// The stable codes of error responses, read from [`ErrorCode::ALL`].
impl PartialSchema for ErrorCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "The kind of error; stable. Switch on this, not on `title` or `message`.",
            ))
            .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
            .into()
    }
}

impl ToSchema for ErrorCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ErrorCode")
    }
}

/// What the derive macros cannot express, applied to the whole document.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER_JWT,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A person's token from the ministry's SSO (OIDC). `sub` is the NIP; \
                         roles (requester, officer, agent, supervisor) come from the configured claim.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            API_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("cdk_…")
                    .description(Some(
                        "An integrator's API token (`cdk_` and 43 characters), made with \
                         `certdesk token create`. Scopes: `tickets:write` files tickets for any \
                         requester, `tickets:read` reads any ticket (NIK masked).",
                    ))
                    .build(),
            ),
        );
        let request_id = HeaderBuilder::new()
            .schema(Some(String::schema()))
            .description(Some(
                "Identifies this request in the server's logs; quote it when reporting a problem.",
            ))
            .build();
        let request_id = RefOr::T(request_id);
        for (path, item) in doc.paths.paths.iter_mut() {
            let open = path.starts_with("/health") || path == "/metrics";
            for operation in operations(item) {
                if open {
                    operation.security = Some(vec![Default::default()]);
                } else {
                    operation.security = Some(vec![
                        utoipa::openapi::security::SecurityRequirement::new(
                            BEARER_JWT,
                            Vec::<String>::new(),
                        ),
                        utoipa::openapi::security::SecurityRequirement::new(
                            API_TOKEN,
                            Vec::<String>::new(),
                        ),
                    ]);
                    shared_response(operation, "401", "Unauthenticated");
                    shared_response(operation, "429", "TooManyRequests");
                }
                shared_response(operation, "400", "MalformedRequest");
                // Every body is read within a limit and as the type it is declared to be.
                if operation.request_body.is_some() {
                    shared_response(operation, "413", "PayloadTooLarge");
                    shared_response(operation, "415", "UnsupportedMediaType");
                }
                if path != "/health/live" {
                    shared_response(operation, "503", "ServiceUnavailable");
                }
                shared_response(operation, "500", "InternalError");
                for response in operation.responses.responses.values_mut() {
                    if let RefOr::T(response) = response {
                        response
                            .headers
                            .insert("X-Request-Id".to_owned(), request_id.clone());
                    }
                }
                multipart_encoding(operation);
            }
        }
        // Shared responses are references; the header is added to their definitions.
        for response in components.responses.values_mut() {
            if let RefOr::T(response) = response {
                response
                    .headers
                    .insert("X-Request-Id".to_owned(), request_id.clone());
            }
        }
    }
}

fn operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// Adds a reference to a shared response unless the operation describes that status
/// itself.
fn shared_response(operation: &mut Operation, status: &str, name: &str) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
}

/// Multipart bodies: the `ticket` part is JSON, file parts are the image or document
/// types their kind accepts. The limits are the defaults; `GET /api/v1/services` gives
/// the ones a deployment applies.
fn multipart_encoding(operation: &mut Operation) {
    let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
        return;
    };
    let Some(RefOr::T(content)) = body.content.get_mut("multipart/form-data") else {
        return;
    };
    let mut encoded = ContentBuilder::new().schema(content.schema.clone());
    let is_intake = matches!(
        &content.schema,
        Some(RefOr::Ref(r)) if r.ref_location.ends_with("/TicketForm")
    );
    if is_intake {
        encoded = encoded.encoding(
            "ticket",
            EncodingBuilder::new().content_type(Some("application/json")),
        );
    }
    for kind in AttachmentKind::ALL {
        let types: Vec<&str> = kind
            .accepted_types()
            .iter()
            .map(|t| t.content_type())
            .collect();
        encoded = encoded.encoding(
            kind.code(),
            EncodingBuilder::new().content_type(Some(types.join(", "))),
        );
    }
    *content = encoded.build();
    let limits = format!(
        "\n\nLimits: each file at most {} bytes (default `limits.max_part_bytes`); scans at most \
         {SCAN_MAX_WIDTH}×{SCAN_MAX_HEIGHT} pixels; file types are read from the bytes, not \
         from names or part headers.",
        DEFAULT_MAX_PART_BYTES
    );
    body.description = Some(format!(
        "{}{limits}",
        body.description.clone().unwrap_or_default()
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed document is what the code generates. When this fails after a
    /// deliberate change, regenerate it with
    /// `cargo run -q -- openapi > openapi/openapi.json` and review the diff.
    #[test]
    fn committed_document_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json");
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == document_json(),
            "openapi/openapi.json is not what the code generates; regenerate it with \
             `cargo run -q -- openapi > openapi/openapi.json`"
        );
    }

    /// Every `$ref` names a component that exists (utoipa registers a schema only where
    /// a handler or `components(...)` mentions it).
    #[test]
    fn every_reference_resolves() {
        fn refs<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a str>) {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(serde_json::Value::String(target)) = map.get("$ref") {
                        found.push(target);
                    }
                    map.values().for_each(|v| refs(v, found));
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
                _ => {}
            }
        }
        let json: serde_json::Value = serde_json::from_str(&document_json()).unwrap_or_default();
        let mut found = Vec::new();
        refs(&json, &mut found);
        assert!(found.len() > 100, "{} references", found.len());
        for target in found {
            let pointer = target.trim_start_matches('#');
            assert!(json.pointer(pointer).is_some(), "{target} does not resolve");
        }
    }

    #[test]
    fn document_is_openapi_3_1_with_every_error_code() {
        let json: serde_json::Value = serde_json::from_str(&document_json()).unwrap_or_default();
        assert!(
            json["openapi"]
                .as_str()
                .unwrap_or_default()
                .starts_with("3.1")
        );
        let codes = &json["components"]["schemas"]["ErrorCode"]["enum"];
        assert_eq!(codes.as_array().map(Vec::len), Some(ErrorCode::ALL.len()));
        let problems = &json["components"]["schemas"]["ProblemCode"]["enum"];
        assert!(problems.as_array().is_some_and(|a| a.len() > 50));
    }
}
