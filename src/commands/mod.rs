//! The commands besides `serve` and `worker`: each a thin adapter from the command line
//! to the store, the worker or the API's HTTP surface (tokens), with the desk's rules
//! handed in.

pub mod demo;
mod directory_csv;
pub mod inspect_pdf;
pub mod keys;
pub mod mail;
pub mod officers;
pub mod outbox;
pub mod retention;
pub mod staff;
pub mod timers;
pub mod token;
