//! Every error leaves the API as an RFC 9457 `application/problem+json` body, made here
//! from one row of the table (`table.rs`): its code, status, title and both texts.
//! Client errors name the rule broken in Indonesian and English; server errors say
//! nothing of their cause to the client and everything to the log. What the layers
//! below say (the store's errors, the lifecycle's refusals) is mapped once (`from.rs`).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use certdesk_domain::problem::Rule;
use certdesk_domain::{Message, Problem, ProblemCode};
use serde::Serialize;

mod code;
mod field_rules;
mod from;
mod table;

pub use code::ErrorCode;
pub use field_rules::FieldRule;
pub use table::ApiError;

pub const PROBLEM_JSON: &str = "application/problem+json";
/// The request header that makes filing a ticket safe to retry.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

impl ApiError {
    /// One field breaks one rule: the domain's, or one the HTTP layer finds itself
    /// ([`FieldRule`]).
    pub fn invalid(field: &str, rule: &impl Rule) -> Self {
        Self::rejected(vec![Problem::at(field, rule)])
    }

    /// The request breaks these rules (the domain's problems, each naming its field).
    pub fn rejected(problems: Vec<Problem>) -> Self {
        Self::Validation {
            problems,
            warnings: Vec::new(),
        }
    }

    /// A fault of ours, with its cause for the log.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal {
            cause: cause.into(),
        }
    }

    /// A 4xx the request itself could change: its answer names what to change.
    pub fn is_refusal(&self) -> bool {
        self.status().is_client_error()
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(cause: anyhow::Error) -> Self {
        Self::Internal { cause }
    }
}

/// For logs: the code and the English text; a fault of ours with its whole cause.
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Internal { cause } => write!(f, "internal error: {cause:#}"),
            other => write!(f, "{}: {}", other.code().as_str(), other.message().en),
        }
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Internal { cause } => Some(cause.as_ref()),
            _ => None,
        }
    }
}

/// The body of every error response (RFC 9457 `application/problem+json`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemDetails {
    /// A URI reference naming the kind of problem: `/problems/{code}`.
    #[serde(rename = "type")]
    #[schema(example = "/problems/validation_failed")]
    pub problem_type: String,
    /// A short English summary of the kind of problem.
    #[schema(value_type = String)]
    pub title: &'static str,
    /// The HTTP status, repeated.
    pub status: u16,
    /// What went wrong, in English (`message.en`).
    pub detail: String,
    /// Stable snake_case code, one per kind of problem.
    pub code: ErrorCode,
    /// What went wrong and what to do, in Indonesian and English.
    pub message: Message,
    /// Every rule the request broke (validation problems only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub errors: Vec<Problem>,
    /// What the caller should know but did not stop the request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub warnings: Vec<Problem>,
}

impl ApiError {
    pub fn problem(&self) -> ProblemDetails {
        let message = self.message();
        let (errors, warnings) = match self {
            Self::Validation { problems, warnings } => (problems.clone(), warnings.clone()),
            // The header is the field: a client that shows `errors` shows it too.
            Self::IdempotencyKeyReused => (
                vec![Problem::new(
                    IDEMPOTENCY_KEY,
                    ProblemCode::IdempotencyKeyReused,
                    message.clone(),
                )],
                Vec::new(),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        ProblemDetails {
            problem_type: format!("/problems/{}", self.code().as_str()),
            title: self.title(),
            status: self.status().as_u16(),
            detail: message.en.clone(),
            code: self.code(),
            message,
            errors,
            warnings,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        match self {
            // The whole cause chain goes to the log, none of it to the client.
            Self::Internal { cause } => tracing::error!(error = ?cause, "request failed"),
            Self::Unavailable => tracing::warn!("dependency unavailable"),
            other => tracing::info!(code = other.code().as_str(), "request refused"),
        }
        let mut response = HttpResponse::build(self.status());
        if matches!(self, Self::Unauthenticated | Self::TokenNotAccepted) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Self::ServerBusy { retry_after_secs } | Self::RateLimited { retry_after_secs } = self
        {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        // A line of its own, as every JSON answer (`json_line`).
        let mut body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        body.push(b'\n');
        response
            .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
            .body(body)
    }
}

/// Middleware hook: turns error responses that the framework produced without a body of
/// ours (unknown methods, unparsable headers) into problem+json too.
pub fn problem_for_bare_errors<B: MessageBody + 'static>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    // The console answers people with pages: its own error pages stay as they are.
    let is_console_page = response.request().path().starts_with("/console")
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_problem || is_console_page {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let error = match response.status() {
        StatusCode::NOT_FOUND => ApiError::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::NOT_ACCEPTABLE => ApiError::NotAcceptable,
        status if status.is_server_error() => ApiError::FrameworkFailure { status },
        status => ApiError::OtherClientError { status },
    };
    let (request, original) = response.into_parts();
    let mut replacement = error.error_response();
    // Keep headers the framework set for a reason (e.g. `Allow` on a 405).
    if let Some(allow) = original.headers().get(header::ALLOW) {
        replacement
            .headers_mut()
            .insert(header::ALLOW, allow.clone());
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, replacement).map_into_right_body(),
    ))
}

#[cfg(test)]
mod tests {
    use super::table::KINDS;
    use super::*;

    /// Every code a client may meet has a row; a code's rows agree on its status and
    /// title (checked on the kinds that can be built without data).
    #[test]
    fn every_code_has_a_row_and_one_status() {
        for code in ErrorCode::ALL {
            assert!(
                KINDS.iter().any(|(_, row)| row == code),
                "{} has no row in the table",
                code.as_str()
            );
        }
        let same_code = [
            vec![
                ApiError::StaffOnly,
                ApiError::SupervisorsOnly,
                ApiError::OfficersOnly,
                ApiError::PeopleOnly,
                ApiError::RequesterReplacesAttachments,
                ApiError::ConsoleNotForRequesters,
                ApiError::TokenSignInOff,
                ApiError::NoRoleAtDesk,
                ApiError::SsoNotConfigured,
                ApiError::SsoIncomplete,
            ],
            vec![ApiError::RouteNotFound, ApiError::TicketNotFound],
            vec![
                ApiError::MalformedBody,
                ApiError::UnreadableForm,
                ApiError::BodyCutShort,
            ],
            vec![
                ApiError::PayloadTooLarge,
                ApiError::BodyTooLarge { limit: 1 },
                ApiError::JsonBodyTooLarge { limit: 1 },
            ],
            vec![
                ApiError::UnsupportedMediaType,
                ApiError::JsonExpected,
                ApiError::ContentEncodingRefused,
            ],
        ];
        for kinds in same_code {
            let first = &kinds[0];
            for kind in &kinds {
                assert_eq!(kind.status(), first.status(), "{kind:?}");
                if kind.code() == first.code() {
                    assert_eq!(kind.title(), first.title(), "{kind:?}");
                }
            }
        }
    }

    #[test]
    fn a_fault_of_ours_tells_the_client_nothing_of_its_cause() {
        let error = ApiError::internal(anyhow::anyhow!("connection refused at 10.0.0.7"));
        let problem = serde_json::to_string(&error.problem()).unwrap();
        assert!(!problem.contains("10.0.0.7"), "{problem}");
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(error.to_string().contains("10.0.0.7"), "the log has it");
    }

    #[test]
    fn every_refusal_says_what_to_do_in_both_languages() {
        let refusals = [
            ApiError::OpenTicketExists {
                number: certdesk_domain::TicketNumber::from_sequence(7).unwrap(),
            },
            ApiError::RateLimited {
                retry_after_secs: 30,
            },
            ApiError::invalid("cursor", &FieldRule::CursorInvalid),
        ];
        for refusal in refusals {
            let message = refusal.message();
            assert!(!message.id.is_empty() && !message.en.is_empty());
            assert_ne!(message.id, message.en, "{refusal:?}");
            assert!(refusal.is_refusal());
        }
        let message = ApiError::OpenTicketExists {
            number: certdesk_domain::TicketNumber::from_sequence(7).unwrap(),
        }
        .message();
        assert!(message.en.contains("S00000000007"), "{}", message.en);
    }
}
