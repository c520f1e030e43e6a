//! The commands besides `serve` and `worker`: each a thin adapter from the command line
//! to the store, the worker or the API's HTTP surface (tokens), with the desk's rules
//! handed in.

pub mod calendar;
pub mod demo;
pub mod directory;
pub mod inspect_pdf;
pub mod keys;
pub mod mail;
pub mod outbox;
pub mod retention;
pub mod timers;
pub mod token;
