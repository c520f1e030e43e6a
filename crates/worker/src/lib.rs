//! certdesk-worker: turns ticket events into status emails (the worker issue fills it).
//!
//! What it will consume already exists: every change that concerns a person writes a
//! `ticket_events` row in the same transaction as the change, naming the event, the
//! recipient's role and NIP at that moment, the ticket's status and the reason given.
//! The crate depends on the store only; the api crate never depends on it.
