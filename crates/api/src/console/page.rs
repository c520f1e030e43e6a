//! The console's templates (compiled in, autoescaped as HTML) and what it shows when
//! something is refused: the API's own message, in both languages, as a page.

use std::sync::OnceLock;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use certdesk_domain::local_time::IndonesianTime;
use certdesk_domain::{Language, Message};
use minijinja::{Environment, State, Value, context};

use crate::error::ApiError;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../console/templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates![
    "base.html",
    "sign_in.html",
    "signed_in.html",
    "queues.html",
    "queue.html",
    "ticket.html",
    "endorsements.html",
    "dead_letters.html",
    "directory.html",
    "routing.html",
    "audit.html",
    "error.html",
];

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut env = Environment::new();
        // Tickets and history entries have optional parts (a detail without an action,
        // no authority status yet): a missing one reads as nothing, at any depth.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("console template {name}: {e}"));
        }
        // `t("Antrean", "Queues")`: the half for the page's language.
        env.add_function("t", |state: &State, id: String, en: String| -> String {
            let english = state
                .lookup("lang")
                .is_some_and(|lang| lang.as_str() == Some("en"));
            if english { en } else { id }
        });
        // `{{ h.at | when }}`: a stored time as people read it, to the minute, on the
        // desk's clock (WIB until the desk's zone is configuration of its own).
        env.add_filter("when", |at: String| -> String {
            chrono::DateTime::parse_from_rfc3339(&at).map_or(at, |at| {
                IndonesianTime::default().write_short(at.with_timezone(&chrono::Utc))
            })
        });
        // `{{ c.used_minutes | hours }}`: working time as people say it, `3 h 20 m`.
        env.add_filter("hours", |minutes: i64| -> String {
            match (minutes / 60, minutes % 60) {
                (0, m) => format!("{m} m"),
                (h, 0) => format!("{h} h"),
                (h, m) => format!("{h} h {m} m"),
            }
        });
        env
    })
}

/// A serialisable value as templates see it.
pub fn serialized<T: serde::Serialize>(value: &T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// A page, rendered.
pub fn render(name: &str, context: Value) -> Result<HttpResponse, ConsoleError> {
    render_with_status(StatusCode::OK, name, context)
}

pub fn render_with_status(
    status: StatusCode,
    name: &str,
    context: Value,
) -> Result<HttpResponse, ConsoleError> {
    let html = environment()
        .get_template(name)
        .and_then(|t| t.render(context))
        .map_err(|e| {
            ConsoleError::Api(ApiError::internal(anyhow::anyhow!(
                "console page {name}: {e}"
            )))
        })?;
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        // Pages show personal data: nothing keeps them.
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(html))
}

/// `303 See Other`: after a form, the browser asks for the page anew.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Why a console request ends on an error page (or, signed out, at the sign-in).
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("not signed in")]
    SignIn,
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<certdesk_store::StoreError> for ConsoleError {
    fn from(error: certdesk_store::StoreError) -> Self {
        Self::Api(error.into())
    }
}

impl ConsoleError {
    fn message(&self) -> Message {
        match self {
            Self::SignIn => Message::new("Silakan masuk.", "Please sign in."),
            Self::Api(error) => error.problem().message,
        }
    }
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn => StatusCode::SEE_OTHER,
            Self::Api(error) => error.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::SignIn = self {
            return see_other("/console/sign-in");
        }
        if let Self::Api(ApiError::Internal { cause: error }) = self {
            tracing::error!(error = %format!("{error:#}"), "console page failed");
        }
        let message = self.message();
        // Both languages: an error page may come before the session says which.
        let page = context! {
            lang => Language::Indonesian.code(),
            signed_in => false,
            status => self.status_code().as_u16(),
            message_id => &message.id,
            message_en => &message.en,
        };
        render_with_status(self.status_code(), "error.html", page).unwrap_or_else(|_| {
            HttpResponse::build(self.status_code())
                .content_type("text/plain; charset=utf-8")
                .body(format!("{}\n{}", message.id, message.en))
        })
    }
}

/// A form field as a filter: a form without JavaScript sends every field, and an empty
/// one (a select left at "all", a cleared box) filters nothing.
pub fn filled_in(field: Option<String>) -> Option<String> {
    field
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}
