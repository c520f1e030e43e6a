//! With a separate migration role (PostgreSQL), the desk runs as a role of its own that
//! may file, act, download and purge, but may not update or delete a row of the audit or
//! the history, truncate them, or lift their triggers: the privileges back the triggers.
//! A table a migration creates is the desk's to use from the moment it exists.

use sea_orm::{ConnectionTrait, Database};
use serde_json::json;

use certdesk_domain::lifecycle::Role;

use crate::helpers::*;

fn as_role(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{role}@{host}")
}

#[tokio::test]
async fn the_desks_own_role_cannot_change_the_audit_or_lift_its_guard() {
    if skip_without_postgres().await {
        return;
    }
    let admin_url = postgres_url();
    let admin = Database::connect(&admin_url).await.unwrap();
    let role = format!("desk_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE ROLE {role} LOGIN"))
        .await
        .unwrap();
    let app_url = as_role(&admin_url, &role);
    let (app, server) = spawn_binary(
        Backend::Postgres,
        &[
            ("CERTDESK_DATABASE__URL", &app_url),
            ("CERTDESK_DATABASE__MIGRATION_URL", &admin_url),
        ],
    )
    .await;

    // The desk works as its own role: a filing, an action, a download, a read.
    let p = people(&app);
    let (number, v) = file(&app, ticket_json("15.1"), all_files()).await;
    let officer = app.token(OFFICER_NIP, &[Role::Officer]);
    step(
        &app,
        &officer,
        &number,
        v,
        json!({"action": "endorse"}),
        "submitted",
    )
    .await;
    let download = app
        .get_as(
            &p.agent,
            &format!("/api/v1/tickets/{number}/attachments/ktp_scan"),
        )
        .await;
    assert_eq!(download.status(), 200);
    assert!(app.count("audit_log").await > 0);

    // Connected as that role, every way to change the audit or the history is refused.
    let schema = app.store_settings.database.schema.clone().unwrap();
    let mut options = sea_orm::ConnectOptions::new(app_url.clone());
    options.set_schema_search_path(schema).sqlx_logging(false);
    let desk = Database::connect(options).await.unwrap();
    desk.execute_unprepared("SELECT count(*) FROM tickets")
        .await
        .unwrap();
    for statement in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE ticket_history SET reason = 'rewritten'",
        "DELETE FROM ticket_history",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "ALTER TABLE ticket_history DISABLE TRIGGER ticket_history_append_only",
        "DROP TRIGGER audit_log_append_only ON audit_log",
    ] {
        let refused = desk
            .execute_unprepared(statement)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("permission denied") || refused.contains("must be owner"),
            "{statement}: {refused}"
        );
    }

    // A table a later migration creates is the desk's to use as soon as it exists,
    // before any grant runs: the desk's writes may reach it through a trigger at once.
    let mut options = sea_orm::ConnectOptions::new(admin_url.clone());
    options
        .set_schema_search_path(app.store_settings.database.schema.clone().unwrap())
        .sqlx_logging(false);
    let owner = Database::connect(options).await.unwrap();
    owner
        .execute_unprepared("CREATE TABLE a_later_migration (n integer)")
        .await
        .unwrap();
    desk.execute_unprepared("INSERT INTO a_later_migration VALUES (1)")
        .await
        .unwrap();
    owner.close().await.unwrap();
    desk.close().await.unwrap();

    let log = server.stop();
    assert!(log.contains("migrated as the owner"), "{log}");
    drop(app);
    admin
        .execute_unprepared(&format!("DROP OWNED BY {role}; DROP ROLE {role}"))
        .await
        .ok();
}
