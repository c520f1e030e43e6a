//! The rules a request's fields break that the HTTP layer finds itself, before anything
//! reaches the domain: a query parameter or header that does not read, a page cursor
//! that was tampered with, a value outside a closed vocabulary. One table, as for the
//! errors (`table.rs`): each row its problem code and both texts. Everything else a
//! field breaks is the domain's to say.

use certdesk_domain::problem::Rule;
use certdesk_domain::{Message, ProblemCode};

/// Writes the table once: the enum, and its `Rule` (code and message).
macro_rules! field_rules {
    ($(
        $(#[$doc:meta])*
        $kind:ident $({ $($field:ident : $type:ty),* $(,)? })?
            => $code:expr,
            id: $id:expr,
            en: $en:expr;
    )*) => {
        /// A rule a request's field breaks, as the HTTP layer finds it.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum FieldRule {
            $($(#[$doc])* $kind $({ $($field: $type),* })?,)*
        }

        impl Rule for FieldRule {
            fn code(&self) -> ProblemCode {
                #[allow(unused_variables)]
                match self {
                    $(Self::$kind $({ $($field),* })? => $code,)*
                }
            }

            fn message(&self) -> Message {
                #[allow(unused_variables)]
                match self {
                    $(Self::$kind $({ $($field),* })? => Message::new($id, $en),)*
                }
            }
        }
    };
}

field_rules! {
    /// A value outside a closed vocabulary: the field, the code the vocabulary's rule
    /// has, and the choices, as the client writes them.
    UnknownChoice { field: String, code: ProblemCode, choices: String }
        => *code,
        id: format!("Nilai `{field}` tidak dikenal; pilih salah satu: {choices}."),
        en: format!("Unknown `{field}`; choose one of: {choices}.");
    /// A ticket number in a filter.
    TicketNumberFormat
        => ProblemCode::Required,
        id: "Nomor tiket adalah S diikuti 11 angka.",
        en: "A ticket number is S followed by 11 digits.";
    /// Who looked, in the audit's filter.
    AuditActorFormat
        => ProblemCode::NipFormat,
        id: "Pelaku adalah NIP (18 angka) atau `token:<nama>`.",
        en: "The actor is a NIP (18 digits) or `token:<name>`.";
    /// A parameter of RA queues sent to another list.
    QueueOnly { field: String }
        => ProblemCode::UnknownField,
        id: format!("`{field}` hanya untuk antrean RA (tingkat layanan hanya dilihat petugas RA)."),
        en: format!("`{field}` is for RA queues only (service levels are for RA staff).");
    /// A page cursor the desk did not write.
    CursorInvalid
        => ProblemCode::Required,
        id: "Kursor halaman tidak valid; gunakan tautan `next` apa adanya.",
        en: "Invalid page cursor; use the `next` link as given.";
    IdempotencyKeyFormat
        => ProblemCode::IdempotencyKeyFormat,
        id: "`Idempotency-Key` harus 1 sampai 255 karakter ASCII tanpa spasi, mis. sebuah UUID.",
        en: "`Idempotency-Key` must be 1 to 255 ASCII characters without spaces, e.g. a UUID.";
    /// A certificate's validity: a date, and a plausible one.
    ValidUntilFormat
        => ProblemCode::DateFormat,
        id: "Tanggal berlaku ditulis sebagai TTTT-BB-HH antara tahun 2000 dan 2100, misalnya 2028-06-30.",
        en: "Write the valid-until date as YYYY-MM-DD, between the years 2000 and 2100, for example 2028-06-30.";
    TooManyParts { max: usize }
        => ProblemCode::TooManyParts,
        id: format!("Formulir berisi lebih dari {max} bagian."),
        en: format!("The form has more than {max} parts.");
    /// A filing without its `ticket` part.
    TicketPartMissing
        => ProblemCode::Required,
        id: "Bagian `ticket` (JSON berisi data tiket) wajib ada.",
        en: "The `ticket` part (JSON with the ticket's data) is required.";
    TicketPartTooLarge { max: u64 }
        => ProblemCode::TextTooLong,
        id: format!("Bagian `ticket` melebihi {max} byte."),
        en: format!("The `ticket` part is larger than {max} bytes.");
    /// A document that is not JSON, or is cut short: where the reader stopped.
    JsonSyntax { line: usize, column: usize }
        => ProblemCode::InvalidJson,
        id: format!("Isi ini bukan JSON yang valid (baris {line}, kolom {column})."),
        en: format!("This is not valid JSON (line {line}, column {column}).");
    /// A field the request does not have, and the ones it has.
    UnknownField { known: Option<String> }
        => ProblemCode::UnknownField,
        id: match known {
            Some(known) => format!("Kolom ini tidak dikenal; yang dikenal: {known}."),
            None => "Kolom ini tidak dikenal; lihat dokumentasi API.".to_owned(),
        },
        en: match known {
            Some(known) => format!("This field is not known; the known ones are {known}."),
            None => "This field is not known; see the API documentation.".to_owned(),
        };
    /// A value of another type than the field takes, said without quoting it (it may be
    /// a NIK): `id` and `en` say what the field takes.
    ExpectedType { field: String, id: String, en: String }
        => ProblemCode::InvalidJson,
        id: format!("`{field}` harus {id}."),
        en: format!("`{field}` must be {en}.");
    /// A value the field's reader refuses, said without quoting it.
    ValueUnreadable { field: String }
        => ProblemCode::InvalidJson,
        id: format!("Nilai `{field}` tidak dapat dibaca; lihat dokumentasi API untuk bentuknya."),
        en: format!("The value of `{field}` cannot be read; see the API documentation for its form.");
}

impl FieldRule {
    /// `written` is none of `all`: the choices named by `code_of`.
    pub fn unknown_choice<T: Copy>(
        field: &str,
        code: ProblemCode,
        all: &[T],
        code_of: fn(T) -> &'static str,
    ) -> Self {
        Self::UnknownChoice {
            field: field.to_owned(),
            code,
            choices: all
                .iter()
                .map(|item| code_of(*item))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}
