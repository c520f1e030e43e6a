//! sea-orm entities, one per table, mirroring `migrations/`. They stay inside this crate:
//! the store's functions take and return domain types or the plain records in
//! `crate::records`, never these models.

pub mod api_tokens;
pub mod audit_log;
pub mod auto_reply_budget;
pub mod console_preferences;
pub mod console_sessions;
pub mod console_sign_ins;
pub mod idempotency_keys;
pub mod officers;
pub mod routing_rules;
pub mod staff;
pub mod stored_files;
pub mod ticket_attachments;
pub mod ticket_clocks;
pub mod ticket_events;
pub mod ticket_history;
pub mod tickets;
pub mod unit_aliases;
pub mod units;
