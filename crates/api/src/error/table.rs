//! Every kind of error the API answers, in one table: each row names the kind (and what
//! it carries), its stable code, its HTTP status, its title, and what the client is told
//! in Indonesian and English. Nothing else builds an error's words: a handler picks a
//! row, the rows' texts are written here, and the client's problem+json is made from
//! the row (`mod.rs`). Several kinds may share a code (every "not permitted" is
//! `not_permitted`); a code's status and title are the same in each of its rows.
//!
//! The rules a request's fields break are the other table: the domain's problems, and
//! the few the HTTP layer finds itself (`field_rules.rs`).

use actix_web::http::StatusCode;
use certdesk_domain::lifecycle::{ActionKind, Status, WhoMay};
use certdesk_domain::{Message, Problem, TicketNumber};

use super::ErrorCode;

/// Writes the table once: the enum of kinds, and for each kind its code, status, title
/// and message, each an exhaustive match generated from the same row.
macro_rules! error_table {
    ($(
        $(#[$doc:meta])*
        $kind:ident $({ $($field:ident : $type:ty),* $(,)? })?
            => $code:ident, $status:expr, $title:expr,
            id: $id:expr,
            en: $en:expr;
    )*) => {
        /// An answer the API gives instead of what was asked: one row of the table.
        #[derive(Debug)]
        pub enum ApiError {
            $($(#[$doc])* $kind $({ $($field: $type),* })?,)*
        }

        impl ApiError {
            /// The stable code of this kind of error.
            pub fn code(&self) -> ErrorCode {
                match self {
                    $(Self::$kind { .. } => ErrorCode::$code,)*
                }
            }

            /// The HTTP status it is answered with.
            pub fn status(&self) -> StatusCode {
                #[allow(unused_variables)]
                match self {
                    $(Self::$kind $({ $($field),* })? => $status,)*
                }
            }

            /// A short English summary of this kind of error.
            pub fn title(&self) -> &'static str {
                #[allow(unused_variables)]
                match self {
                    $(Self::$kind $({ $($field),* })? => $title,)*
                }
            }

            /// What went wrong and what to do, in both languages.
            pub fn message(&self) -> Message {
                #[allow(unused_variables)]
                match self {
                    $(Self::$kind $({ $($field),* })? => Message::new($id, $en),)*
                }
            }
        }

        /// Every kind with its code, for the table's own checks.
        #[cfg(test)]
        pub(super) const KINDS: &[(&str, ErrorCode)] = &[$((stringify!($kind), ErrorCode::$code),)*];
    };
}

/// The people an action is for, as a refusal names them.
fn who(who_may: &WhoMay) -> (&'static str, &'static str) {
    match who_may {
        WhoMay::Requester => ("pemohon tiket", "the ticket's requester"),
        WhoMay::ResponsibleOfficer => {
            ("penanggung jawab tiket", "the ticket's responsible officer")
        }
        WhoMay::AnyAgent => ("petugas RA", "an RA agent"),
        WhoMay::AssignedAgent => (
            "petugas RA yang menangani tiket",
            "the RA agent assigned to the ticket",
        ),
        WhoMay::Supervisor => ("supervisor", "a supervisor"),
        WhoMay::RequesterOrAssignedAgent => (
            "pemohon atau petugas yang menangani tiket",
            "the requester or the assigned agent",
        ),
    }
}

fn numbers(tickets: &[TicketNumber]) -> String {
    tickets
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

const CONFLICT: &str = "Conflict with the ticket's state";
const FORBIDDEN: &str = "Forbidden";
const NOT_FOUND: &str = "Not found";
const TOO_LARGE: &str = "The request is too large";
const SERVER_FAILED_ID: &str = "Terjadi kesalahan pada server. Tiket Anda tidak tersimpan; coba lagi atau hubungi service desk.";
const SERVER_FAILED_EN: &str = "Something went wrong on the server. Your ticket was not stored; try again or contact the service desk.";

error_table! {
    // What the request says breaks the desk's rules.

    /// The request breaks domain rules; every problem is listed, and what the caller
    /// should know besides.
    Validation { problems: Vec<Problem>, warnings: Vec<Problem> }
        => ValidationFailed, StatusCode::UNPROCESSABLE_ENTITY, "The request breaks the service desk's rules",
        id: format!("Ada {} hal yang perlu diperbaiki; lihat daftar `errors`.", problems.len()),
        en: format!("{} thing(s) need fixing; see the `errors` list.", problems.len());
    /// An `Idempotency-Key` already used for a different request.
    IdempotencyKeyReused
        => IdempotencyKeyReused, StatusCode::UNPROCESSABLE_ENTITY, "Idempotency key reused",
        id: "`Idempotency-Key` ini sudah dipakai untuk permintaan lain. Gunakan kunci baru untuk tiket baru; untuk mengulang, kirim permintaan yang sama persis.",
        en: "This `Idempotency-Key` was already used for a different request. Use a new key for a new ticket; to retry, send exactly the same request.";

    // The request as a whole.

    /// The body is larger than `limit` bytes.
    BodyTooLarge { limit: u64 }
        => PayloadTooLarge, StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE,
        id: format!("Permintaan melebihi batas {limit} byte. Perkecil atau kompres lampiran."),
        en: format!("The request is larger than the limit of {limit} bytes. Make the attachments smaller.");
    /// The framework refused the body before a limit of ours was known.
    PayloadTooLarge
        => PayloadTooLarge, StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE,
        id: "Permintaan terlalu besar. Perkecil atau kompres lampiran.",
        en: "The request is too large. Make the attachments smaller.";
    /// A filing that is not multipart/form-data.
    UnsupportedMediaType
        => UnsupportedMediaType, StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
        id: "Kirim tiket sebagai multipart/form-data: bagian `ticket` (JSON) dan satu bagian per lampiran.",
        en: "Send the ticket as multipart/form-data: a `ticket` part (JSON) and one part per attachment.";
    /// A JSON route's body sent as something else.
    JsonExpected
        => UnsupportedMediaType, StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
        id: "Kirim isi permintaan sebagai JSON dengan `Content-Type: application/json`.",
        en: "Send the body as JSON with `Content-Type: application/json`.";
    /// A body sent compressed: read as it is, never inflated, so that its limit is
    /// the size the desk holds in memory.
    ContentEncodingRefused
        => UnsupportedMediaType, StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
        id: "Kirim isi permintaan tanpa kompresi (tanpa `Content-Encoding`).",
        en: "Send the body uncompressed (without `Content-Encoding`).";
    /// A JSON body larger than `limit` bytes.
    JsonBodyTooLarge { limit: u64 }
        => PayloadTooLarge, StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE,
        id: format!("Isi JSON melebihi batas {limit} byte; isi JSON API ini hanya beberapa kilobyte."),
        en: format!("The JSON body is larger than the limit of {limit} bytes; this API's JSON bodies are a few kilobytes.");
    /// A body whose bytes stopped arriving part way (the connection broke).
    BodyCutShort
        => MalformedRequest, StatusCode::BAD_REQUEST, "The request could not be read",
        id: "Isi permintaan tidak dapat dibaca sampai selesai (koneksi terputus). Kirim ulang.",
        en: "The request body could not be read to its end (the connection broke). Send it again.";
    /// A multipart body broken or cut short.
    MalformedBody
        => MalformedRequest, StatusCode::BAD_REQUEST, "The request could not be read",
        id: "Permintaan tidak dapat dibaca (format multipart rusak atau terputus). Kirim ulang.",
        en: "The request could not be read (broken or truncated multipart body). Send it again.";
    /// A console form or address that does not read.
    UnreadableForm
        => MalformedRequest, StatusCode::BAD_REQUEST, "The request could not be read",
        id: "Formulir atau alamat ini tidak dapat dibaca. Muat ulang halaman lalu coba lagi.",
        en: "This form or address cannot be read. Reload the page and try again.";
    /// The body did not arrive in time (a gap between pieces, or the whole).
    RequestTimeout
        => RequestTimeout, StatusCode::REQUEST_TIMEOUT, "The request body did not arrive in time",
        id: "Isi permintaan tidak diterima tepat waktu (koneksi terlalu lambat atau terputus). Kirim ulang.",
        en: "The request body did not arrive in time (the connection was too slow or stalled). Send it again.";
    MethodNotAllowed
        => MethodNotAllowed, StatusCode::METHOD_NOT_ALLOWED, "Method not allowed",
        id: "Metode HTTP ini tidak didukung untuk alamat ini.",
        en: "This HTTP method is not supported at this address.";
    /// The framework could not offer a type the client accepts.
    NotAcceptable
        => NotAcceptable, StatusCode::NOT_ACCEPTABLE, "Not Acceptable",
        id: "Jenis isi yang diminta tidak tersedia.",
        en: "The requested content type is not available.";
    /// Another client error the framework raised itself (a header it could not read, a
    /// URI too long, …), answered with its own status.
    OtherClientError { status: StatusCode }
        => BadRequest, *status, status.canonical_reason().unwrap_or("Bad Request"),
        id: "Permintaan tidak valid.",
        en: "The request is not valid.";

    // What the request names is not here.

    RouteNotFound
        => RouteNotFound, StatusCode::NOT_FOUND, NOT_FOUND,
        id: "Alamat tidak ditemukan. API ada di /api/v1 (rujukannya di /docs/); petugas RA bekerja di /console/.",
        en: "No such address. The API is under /api/v1 (its reference at /docs/); RA staff work at /console/.";
    TicketNotFound
        => TicketNotFound, StatusCode::NOT_FOUND, NOT_FOUND,
        id: "Tiket tidak ditemukan. Periksa nomor tiket (S diikuti 11 angka).",
        en: "Ticket not found. Check the ticket number (S followed by 11 digits).";
    AttachmentNotFound
        => AttachmentNotFound, StatusCode::NOT_FOUND, NOT_FOUND,
        id: "Lampiran tidak ditemukan pada tiket ini.",
        en: "This ticket has no such attachment.";
    DeadLetterNotFound
        => DeadLetterNotFound, StatusCode::NOT_FOUND, NOT_FOUND,
        id: "Tidak ada surat gagal kirim dengan id ini (mungkin sudah diantrekan ulang).",
        en: "No dead letter with this id (it may have been requeued already).";
    DataSubjectNotFound
        => DataSubjectNotFound, StatusCode::NOT_FOUND, NOT_FOUND,
        id: "Tidak ada tiket yang tersimpan untuk NIK ini.",
        en: "No ticket is held for this NIK.";
    /// The attachment's file was deleted by the retention rules.
    AttachmentPurged
        => AttachmentPurged, StatusCode::GONE, "Attachment purged",
        id: "Berkas lampiran ini sudah dihapus sesuai masa retensi data pribadi; keterangannya tetap tercatat pada tiket.",
        en: "This attachment's file was deleted when its personal-data retention period ended; its description stays on the ticket.";

    // Who the caller is, and what they may do.

    /// No credential at all.
    Unauthenticated
        => Unauthenticated, StatusCode::UNAUTHORIZED, "Authentication required",
        id: "Masuk terlebih dahulu: kirim token di header `Authorization: Bearer …`.",
        en: "Sign in first: send a token in the `Authorization: Bearer …` header.";
    /// A credential the desk does not accept; why is in the log, never the token.
    TokenNotAccepted
        => Unauthenticated, StatusCode::UNAUTHORIZED, "Authentication required",
        id: "Token tidak diterima: kedaluwarsa, ditandatangani kunci lain, untuk layanan lain, atau sudah dicabut. Minta token baru lalu ulangi.",
        en: "The token was not accepted: expired, signed with another key, meant for another service, or revoked. Get a new one and try again.";
    StaffOnly
        => NotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Hanya untuk petugas RA.",
        en: "For RA staff only.";
    SupervisorsOnly
        => NotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Hanya untuk supervisor.",
        en: "For supervisors only.";
    OfficersOnly
        => NotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Hanya untuk pejabat penanggung jawab.",
        en: "For responsible officers only.";
    PeopleOnly
        => NotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Hanya untuk pengguna perorangan.",
        en: "For people, not integration tokens.";
    /// Replacing an attachment is the requester's.
    RequesterReplacesAttachments
        => NotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Hanya pemohon yang dapat mengganti lampiran.",
        en: "Only the requester may replace an attachment.";
    /// The lifecycle's rule: `action` is for `who_may`.
    ActionNotPermitted { action: ActionKind, who_may: WhoMay }
        => NotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: format!("Tindakan `{}` hanya dapat dilakukan oleh {}.", action.code(), who(who_may).0),
        en: format!("Only {} may take the action `{}`.", who(who_may).1, action.code());
    /// The console is for the desk's staff and officers.
    ConsoleNotForRequesters
        => NotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Konsol ini untuk petugas RA, supervisor dan pejabat penanggung jawab. Pemohon mengajukan dan mengikuti tiketnya melalui portal layanan.",
        en: "This console is for RA agents, supervisors and responsible officers. Requesters file and follow their tickets through the service portal.";
    /// Behind the SSO, nobody signs in to the console by pasting a token.
    TokenSignInOff
        => NotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Masuk dengan token tidak tersedia: gunakan SSO.",
        en: "Signing in with a token is not available here: use the SSO.";
    /// A console form without this session's CSRF token, or from another site.
    FormForged
        => NotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Formulir ini tidak dapat diterima: muat ulang halaman lalu coba lagi.",
        en: "This form cannot be accepted: reload the page and try again.";
    /// The SSO knows the person, the desk gives them no role.
    NoRoleAtDesk
        => NotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Akun Anda belum memiliki peran di layanan ini. Hubungi supervisor RA.",
        en: "Your account has no role at this desk yet. Ask an RA supervisor.";
    SsoNotConfigured
        => NotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Masuk melalui SSO belum dikonfigurasi di layanan ini.",
        en: "Sign-in through the SSO is not configured on this desk.";
    /// A callback whose state, code or token does not verify.
    SsoIncomplete
        => NotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Masuk melalui SSO tidak dapat diselesaikan. Mulai lagi dari halaman masuk.",
        en: "The sign-in through the SSO could not be completed. Start again from the sign-in page.";
    FilingForSomeoneElse
        => FilingForSomeoneElse, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Tiket hanya dapat diajukan untuk diri sendiri: NIP pemohon harus NIP Anda.",
        en: "You can only file a ticket for yourself: the requester's NIP must be yours.";
    IntegratorsCannotAct
        => IntegratorsCannotAct, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Token integrasi tidak dapat mengubah status tiket; tindakan dilakukan oleh orang.",
        en: "An integration token cannot act on tickets; actions are taken by people.";
    CommentNotPermitted
        => CommentNotPermitted, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Komentar internal hanya untuk petugas RA.",
        en: "Internal comments are for RA staff only.";
    OwnTicket
        => OwnTicket, StatusCode::FORBIDDEN, FORBIDDEN,
        id: "Petugas tidak dapat menangani tiket yang diajukannya sendiri.",
        en: "An agent cannot handle a ticket they filed themself.";

    // What the request meets in the ticket's state.

    /// The requester already has an open ticket for this service and sub-type.
    OpenTicketExists { number: TicketNumber }
        => OpenTicketExists, StatusCode::CONFLICT, CONFLICT,
        id: format!("Anda masih memiliki tiket terbuka untuk layanan ini: {number}. Lanjutkan tiket itu atau batalkan dulu."),
        en: format!("You already have an open ticket for this service: {number}. Continue that one or cancel it first.");
    /// Anonymisation waits until every ticket of the person has ended.
    DataSubjectHasOpenTickets { open: Vec<TicketNumber> }
        => DataSubjectHasOpenTickets, StatusCode::CONFLICT, CONFLICT,
        id: format!("Tiket orang ini belum semuanya selesai ({}); anonimisasi menunggu sampai tiket itu ditutup, ditolak atau dibatalkan.", numbers(open)),
        en: format!("Not all of this person's tickets have ended ({}); anonymisation waits until they are closed, rejected or cancelled.", numbers(open));
    /// The table does not allow `action` in `status`.
    ActionNotAllowed { action: ActionKind, status: Status }
        => ActionNotAllowed, StatusCode::CONFLICT, CONFLICT,
        id: format!("Tindakan `{}` tidak dapat dilakukan saat tiket berstatus `{}`.", action.code(), status.code()),
        en: format!("The action `{}` is not possible while the ticket is `{}`.", action.code(), status.code());
    AlreadyClaimed
        => AlreadyClaimed, StatusCode::CONFLICT, CONFLICT,
        id: "Tiket sudah diambil petugas lain.",
        en: "Another agent has already claimed this ticket.";
    ReopenWindowPassed
        => ReopenWindowPassed, StatusCode::CONFLICT, CONFLICT,
        id: "Batas waktu membuka kembali tiket sudah lewat; ajukan tiket baru.",
        en: "The time to reopen this ticket has passed; file a new ticket.";
    /// Another request under the same `Idempotency-Key` is in progress.
    IdempotencyKeyInUse
        => IdempotencyKeyInUse, StatusCode::CONFLICT, CONFLICT,
        id: "Permintaan lain dengan `Idempotency-Key` yang sama sedang diproses. Ulangi sebentar lagi.",
        en: "Another request with the same `Idempotency-Key` is in progress. Retry shortly.";
    /// `If-Match` names a version the ticket has left.
    StaleVersion { current: i32 }
        => StaleVersion, StatusCode::PRECONDITION_FAILED, "The ticket has changed",
        id: format!("Tiket sudah berubah (versi sekarang {current}). Muat ulang tiket lalu ulangi tindakan."),
        en: format!("The ticket has changed (it is now at version {current}). Reload it and try again.");
    /// A change without `If-Match`.
    IfMatchRequired
        => IfMatchRequired, StatusCode::PRECONDITION_REQUIRED, "If-Match required",
        id: "Sertakan header `If-Match` berisi ETag tiket yang terakhir Anda baca.",
        en: "Send an `If-Match` header with the ETag of the ticket as you last read it.";

    // The desk itself.

    /// Past a rate limit (this caller's, this address's, or failed authentications).
    RateLimited { retry_after_secs: u32 }
        => RateLimited, StatusCode::TOO_MANY_REQUESTS, "Too many requests",
        id: format!("Terlalu banyak permintaan dalam waktu singkat. Coba lagi dalam {retry_after_secs} detik; tidak ada yang tersimpan."),
        en: format!("Too many requests in a short time. Try again in {retry_after_secs} seconds; nothing was stored.");
    /// As many uploads are in flight as memory allows.
    ServerBusy { retry_after_secs: u32 }
        => ServerBusy, StatusCode::SERVICE_UNAVAILABLE, "Too many uploads at once",
        id: format!("Terlalu banyak unggahan sedang diproses. Coba lagi dalam {retry_after_secs} detik; tidak ada yang tersimpan."),
        en: format!("Too many uploads are being processed. Try again in {retry_after_secs} seconds; nothing was stored.");
    /// A dependency (the database, the SSO's keys) does not answer.
    Unavailable
        => ServiceUnavailable, StatusCode::SERVICE_UNAVAILABLE, "Service unavailable",
        id: "Layanan sedang tidak tersedia. Coba lagi sebentar lagi.",
        en: "The service is unavailable right now. Try again shortly.";
    /// A server error the framework raised itself.
    FrameworkFailure { status: StatusCode }
        => InternalError, *status, "Internal server error",
        id: SERVER_FAILED_ID,
        en: SERVER_FAILED_EN;
    /// A fault of ours: the whole cause goes to the log, none of it to the client.
    Internal { cause: anyhow::Error }
        => InternalError, StatusCode::INTERNAL_SERVER_ERROR, "Internal server error",
        id: SERVER_FAILED_ID,
        en: SERVER_FAILED_EN;
}
