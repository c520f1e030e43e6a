//! End-to-end tests: the real application on a random loopback port, spoken to over HTTP,
//! against SQLite and PostgreSQL alike. PostgreSQL tests use `TEST_DATABASE_URL`, or the
//! local `postgres://postgres@127.0.0.1:5432/test`; without either they step aside.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test should stop loudly at the first thing that is not as expected"
)]

mod helpers;
mod mail_server;

mod audit;
mod auth;
mod authority;
mod browser;
mod cli;
mod console;
mod console_sso;
mod conventions;
mod data_subjects;
mod database_roles;
mod deadlines;
mod encryption;
mod health_and_catalogue;
mod hostile;
mod hostile_corpus;
mod intake;
mod intake_rejections;
mod json_bodies;
mod lifecycle;
mod mail;
mod mail_comments;
mod mail_in;
mod migrations;
mod mta;
mod pdf_reader;
mod personal_data_at_rest;
mod privacy_logs;
mod rate_limits;
mod retention;
mod routing;
mod service_levels;
mod staff;
mod tickets_read;
