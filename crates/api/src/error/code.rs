//! The stable codes of error responses, defined once.

use serde::Serialize;

/// Defines the error codes once: the enum, its wire names and the list of all of them
/// (published in the OpenAPI document), so that none can be left out of one.
macro_rules! error_codes {
    ($($variant:ident => $code:literal,)*) => {
        /// The stable, machine-readable name of every kind of error response: the `code`
        /// of a problem+json body. Clients switch on these; titles and messages may be
        /// reworded, codes never change. (The rules a field breaks have codes of their
        /// own, in the `errors` list: the domain's `ProblemCode`.)
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    ValidationFailed => "validation_failed",
    PayloadTooLarge => "payload_too_large",
    UnsupportedMediaType => "unsupported_media_type",
    MalformedRequest => "malformed_request",
    RouteNotFound => "route_not_found",
    TicketNotFound => "ticket_not_found",
    AttachmentNotFound => "attachment_not_found",
    AttachmentPurged => "attachment_purged",
    DeadLetterNotFound => "dead_letter_not_found",
    DataSubjectNotFound => "data_subject_not_found",
    MethodNotAllowed => "method_not_allowed",
    NotAcceptable => "not_acceptable",
    Unauthenticated => "unauthenticated",
    NotPermitted => "not_permitted",
    FilingForSomeoneElse => "filing_for_someone_else",
    IntegratorsCannotAct => "integrators_cannot_act",
    CommentNotPermitted => "comment_not_permitted",
    OwnTicket => "own_ticket",
    OpenTicketExists => "open_ticket_exists",
    DataSubjectHasOpenTickets => "data_subject_has_open_tickets",
    ActionNotAllowed => "action_not_allowed",
    AlreadyClaimed => "already_claimed",
    ReopenWindowPassed => "reopen_window_passed",
    IdempotencyKeyReused => "idempotency_key_reused",
    IdempotencyKeyInUse => "idempotency_key_in_use",
    StaleVersion => "stale_version",
    IfMatchRequired => "if_match_required",
    BadRequest => "bad_request",
    ServiceUnavailable => "service_unavailable",
    ServerBusy => "server_busy",
    RateLimited => "rate_limited",
    RequestTimeout => "request_timeout",
    InternalError => "internal_error",
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
