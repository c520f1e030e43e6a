//! JSON answers end with a newline, as a command's output does: read in a terminal (curl,
//! the walkthroughs), the next prompt starts on a line of its own.

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, HttpResponseBuilder};
use serde::Serialize;

pub trait JsonLine {
    /// `value` as `application/json`, and a newline.
    fn json_line(&mut self, value: impl Serialize) -> HttpResponse;
}

impl JsonLine for HttpResponseBuilder {
    fn json_line(&mut self, value: impl Serialize) -> HttpResponse {
        match serde_json::to_vec(&value) {
            Ok(mut body) => {
                body.push(b'\n');
                self.insert_header(ContentType::json()).body(body)
            }
            Err(error) => {
                tracing::error!(%error, "an answer did not serialise");
                HttpResponse::InternalServerError().finish()
            }
        }
    }
}
