//! certdesk-api: the HTTP face of certdesk (actix-web).
//!
//! Invariants of this crate:
//! - Handlers decide nothing about the domain: they read requests, hand bytes and data
//!   to `certdesk-domain`, persist through `certdesk-store`, and write responses.
//! - Every error response is `application/problem+json` (see `error`); bad input never
//!   gets a 5xx.
//! - Every size is bounded while the body streams in; no personal data is logged.

pub mod auth;
mod console;
pub mod error;
mod extract;
mod json_line;
mod looks;
pub mod openapi;
mod pdf_reader;
mod rate_limits;
mod request_log;
mod responses;
pub mod routes;
pub mod settings;
mod startup;
mod state;

pub use extract::JSON_BODY_LIMIT;
pub use settings::ApiSettings;
pub use startup::Application;
