//! Routing rules read once, against the unit catalogue in force: a rule that no longer
//! reads is listed with what it breaks, routing passes over it in the open (a warning
//! naming its position on every filing it could have concerned), and it is never
//! silently dropped or applied.

use certdesk_domain::lifecycle::Role;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(a_rule_that_no_longer_reads_is_flagged_and_passed_over_in_the_open);

async fn a_rule_that_no_longer_reads_is_flagged_and_passed_over_in_the_open(backend: Backend) {
    let (app, server) = spawn_binary(backend, &[]).await;
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let stored = app
        .client
        .put(app.url("/api/v1/routing-rules"))
        .bearer_auth(&supervisor)
        .json(&json!({"rules": [
            {"unit": "Direktorat Jenderal Pajak", "queue": "djp"},
            {"service": "15.3", "queue": "revocations"},
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), 200);
    let read: Value = stored.json().await.unwrap();
    assert_eq!(read["broken"], 0);
    assert_eq!(read["rules"][0]["problems"], json!([]));

    // The unit the first rule names leaves the catalogue under it.
    app.db
        .execute_unprepared(
            "UPDATE routing_rules SET unit = 'Biro Yang Sudah Dibubarkan' WHERE queue = 'djp'",
        )
        .await
        .unwrap();
    let read: Value = app
        .get_as(&supervisor, "/api/v1/routing-rules")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["broken"], 1);
    assert_eq!(
        read["rules"][0]["unit"], "Biro Yang Sudah Dibubarkan",
        "as stored"
    );
    assert_eq!(read["rules"][0]["problems"][0]["field"], "unit");
    assert_eq!(read["rules"][0]["problems"][0]["code"], "unit_unknown");
    assert_eq!(read["rules"][1]["problems"], json!([]));

    let mut revocation = ticket_json("15.3");
    revocation["reason"] = json!("retired");
    let filed: Value = app
        .post_ticket(form(&revocation, required_files()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        filed["queue"], "revocations",
        "the rules that read still apply"
    );
    let queues: Value = app
        .get_as(&app.token(AGENT_NIP, &[Role::Agent]), "/api/v1/queues")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = queues
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap())
        .collect();
    assert!(
        !names.contains(&"djp"),
        "a broken rule routes nowhere: {names:?}"
    );

    let log = server.stop();
    let passed_over: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("routing passed over rules that no longer read"))
        .collect();
    assert_eq!(passed_over.len(), 1, "{log}");
    assert!(passed_over[0].contains("[1]"), "{}", passed_over[0]);
}
