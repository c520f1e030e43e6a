//! Reading what a client sends as JSON or in a query string. A body or a parameter that
//! does not read is refused with the field it is in and what the field takes, in both
//! languages, and never with the value sent: a value is what the client typed, and may be
//! a NIK. serde's own messages quote the value ("invalid type: integer `3174…`"), so
//! they are read for their shape only (which field, what was expected) and the words
//! come from the field rules' table.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use certdesk_domain::{Problem, mask_nik_like};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldRule};

/// The largest JSON body any route takes.
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

/// A JSON body read into `T`; refused as a 422 naming the field and the type it takes.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<mime::Mime>().ok())
            .is_some_and(|mime| mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON));
        // A compressed body would be inflated past its limit before it could be
        // counted: refused, as RFC 9110 has it, with 415.
        let compressed = request
            .headers()
            .get(header::CONTENT_ENCODING)
            .is_some_and(|value| !value.as_bytes().eq_ignore_ascii_case(b"identity"));
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::JsonExpected);
            }
            if compressed {
                return Err(ApiError::ContentEncodingRefused);
            }
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| ApiError::BodyCutShort)?;
                if body.len() + chunk.len() > JSON_BODY_LIMIT {
                    return Err(ApiError::JsonBodyTooLarge {
                        limit: JSON_BODY_LIMIT as u64,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            read_json(&body, "body")
                .map(Json)
                .map_err(|problem| ApiError::rejected(vec![problem]))
        })
    }
}

/// Query parameters read into `T`; refused as a 422 naming the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            read_query(request.query_string())
                .map(Query)
                .map_err(|problem| ApiError::rejected(vec![problem])),
        )
    }
}

/// `json` read into `T`, or the problem: the field (a path such as `requester.nik`;
/// `root` when the whole document is at fault) and what it takes.
pub fn read_json<T: DeserializeOwned>(json: &[u8], root: &str) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let syntax = |error: &serde_json::Error| {
        Problem::at(
            root,
            &FieldRule::JsonSyntax {
                line: error.line(),
                column: error.column(),
            },
        )
    };
    match serde_path_to_error::deserialize(&mut deserializer) {
        // Bytes after the document are a syntax error of their own.
        Ok(value) => deserializer.end().map(|()| value).map_err(|e| syntax(&e)),
        Err(error) => {
            let field = field_of(&error.path().to_string(), root);
            let inner = error.into_inner();
            match inner.classify() {
                serde_json::error::Category::Data => Err(data_problem(&field, &inner.to_string())),
                serde_json::error::Category::Syntax
                | serde_json::error::Category::Eof
                | serde_json::error::Category::Io => Err(syntax(&inner)),
            }
        }
    }
}

/// A query string read into `T`, or the problem, named by its parameter.
pub fn read_query<T: DeserializeOwned>(query: &str) -> Result<T, Problem> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let field = field_of(&error.path().to_string(), "query");
        data_problem(&field, &error.into_inner().to_string())
    })
}

/// The field a path names, with any run of digits a NIK could be masked (a key is the
/// client's own writing too); `root` for the document itself.
fn field_of(path: &str, root: &str) -> String {
    if path.is_empty() || path == "." {
        root.to_owned()
    } else {
        mask_nik_like(path)
    }
}

/// What a field's value breaks, from the shape of serde's message: a missing field, an
/// unknown one, a value of another type than the field takes. The value serde quotes is
/// never kept; a message of another shape (a reader of ours refusing a value) says only
/// that the value does not read.
fn data_problem(field: &str, message: &str) -> Problem {
    // serde's own words are at the ends of its message; the client's text (a quoted
    // value, an unknown key) sits in the middle and may hold ", expected " or " at line "
    // itself, so the message is only ever cut from its end.
    let message = without_position(message);
    if let Some(name) = between(message, "missing field `", "`") {
        return Problem::required(join(field, name));
    }
    // The path already ends in the unknown key.
    if message.starts_with("unknown field `") {
        let expected = message.rsplit_once(", expected ").map(|(_, e)| e);
        return Problem::at(
            field,
            &FieldRule::UnknownField {
                known: expected.map(|e| mask_nik_like(e.trim_start_matches("one of "))),
            },
        );
    }
    let takes_a_type = [
        "invalid type:",
        "invalid value:",
        "invalid length",
        "unknown variant",
    ]
    .iter()
    .any(|shape| message.starts_with(shape));
    match message.rsplit_once(", expected ") {
        Some((_, expected)) if takes_a_type => {
            let (id, en) = described(expected);
            Problem::at(
                field,
                &FieldRule::ExpectedType {
                    field: field.to_owned(),
                    id,
                    en,
                },
            )
        }
        _ => Problem::at(
            field,
            &FieldRule::ValueUnreadable {
                field: field.to_owned(),
            },
        ),
    }
}

/// The message without serde_json's trailing ` at line N column M`.
fn without_position(message: &str) -> &str {
    match message.rsplit_once(" at line ") {
        Some((before, position))
            if position
                .split_once(" column ")
                .is_some_and(|(line, column)| all_digits(line) && all_digits(column)) =>
        {
            before
        }
        _ => message,
    }
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// A field inside `path` (the document's root has no path of its own).
fn join(path: &str, name: &str) -> String {
    if path == "body" || path == "query" || path == "ticket" {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(start)?;
    rest.split_once(end).map(|(inside, _)| inside)
}

/// What serde says a field takes, in both languages. serde describes types in its own
/// words ("a string", "u32", "a sequence", "one of `a`, `b`"); these are the schema's
/// words, never the client's.
fn described(expected: &str) -> (String, String) {
    let expected = expected.trim();
    let known = |id: &str, en: &str| (id.to_owned(), en.to_owned());
    match expected {
        "a string" | "a borrowed string" | "a character" => {
            known("berupa teks (string)", "text (a string)")
        }
        "a boolean" => known("true atau false", "true or false"),
        "a sequence" | "a tuple" => known("berupa daftar (array)", "a list (an array)"),
        "a map" => known("berupa objek JSON", "a JSON object"),
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
        | "isize" => known("berupa bilangan bulat", "a whole number"),
        "f32" | "f64" => known("berupa angka", "a number"),
        _ if expected.starts_with("struct ") => known("berupa objek JSON", "a JSON object"),
        _ if expected.starts_with("one of ") => (
            format!("salah satu dari {}", &expected["one of ".len()..]),
            expected.to_owned(),
        ),
        // A type's own description (chrono's, uuid's): ours, but masked all the same.
        _ => {
            let expected = mask_nik_like(expected);
            (format!("berupa {expected}"), expected)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certdesk_domain::ProblemCode;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        nik: String,
        count: Option<u32>,
        tags: Option<Vec<String>>,
    }

    fn refused(json: &str) -> Problem {
        read_json::<Body>(json.as_bytes(), "body").unwrap_err()
    }

    #[test]
    fn a_value_of_another_type_is_named_by_its_field_and_never_quoted() {
        let problem = refused(r#"{"nik": 3174052601850921}"#);
        assert_eq!(problem.field, "nik");
        assert_eq!(problem.code, ProblemCode::InvalidJson);
        assert_eq!(problem.message.en, "`nik` must be text (a string).");
        assert_eq!(problem.message.id, "`nik` harus berupa teks (string).");
        let problem = refused(r#"{"nik": "x", "count": -1}"#);
        assert_eq!(problem.field, "count");
        assert!(problem.message.en.contains("whole number"), "{problem:?}");
        let problem = refused(r#"{"nik": "x", "tags": [1]}"#);
        assert_eq!(problem.field, "tags[0]");
    }

    #[test]
    fn missing_unknown_and_broken_say_what_to_do() {
        let missing = refused("{}");
        assert_eq!(
            (missing.field.as_str(), missing.code),
            ("nik", ProblemCode::Required)
        );
        assert_eq!(refused(r#"{"nik": "x", "colour": 1}"#).field, "colour");
        let unknown = refused(r#"{"nik": "x", "3174052601850921": 1}"#);
        assert_eq!(unknown.code, ProblemCode::UnknownField);
        assert!(!unknown.field.contains("3174052601850921"), "{unknown:?}");
        assert!(unknown.message.en.contains("`nik`"), "{unknown:?}");
        let broken = refused(r#"{"nik": "3174052601850921""#);
        assert_eq!(broken.field, "body");
        assert!(broken.message.en.contains("line 1"), "{broken:?}");
        assert!(!broken.message.en.contains("3174052601850921"));
        // The client's text dressed as serde's words is still never echoed.
        for hostile in [
            r#"{"nik": "x", "count": "x, expected 3174052601850921 at line "}"#,
            r#"{"nik": "x", "count": "y at line 1 column 2, expected 3174052601850921"}"#,
            r#"{"nik": "x", "x, expected 3174052601850921": 1}"#,
            r#"{"nik": "x", "x`, expected `3174052601850921": 1}"#,
        ] {
            let problem = refused(hostile);
            assert!(
                !format!("{problem:?}").contains("3174052601850921"),
                "{hostile}: {problem:?}"
            );
        }
        let whole = refused("3174052601850921");
        assert_eq!(whole.field, "body");
        assert!(!format!("{whole:?}").contains("3174052601850921"));
    }

    #[test]
    fn a_query_parameter_is_named_and_its_value_never_quoted() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Page {
            limit: Option<u32>,
        }
        let problem = read_query::<Page>("limit=3174052601850921").unwrap_err();
        assert_eq!(problem.field, "limit");
        assert!(!format!("{problem:?}").contains("3174052601850921"));
    }
}
