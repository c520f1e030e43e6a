//! The desk's clocks, run by the worker's timer pass: the requester's expired link told
//! to the agent once per link, an overdue endorsement reminded once and then daily, a
//! resolved ticket closed when its reopen window ends; and two passes at once applying
//! each deadline once.

use certdesk_domain::lifecycle::DeadlineRules;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    an_expired_link_is_told_to_the_agent_once_per_link,
    an_overdue_endorsement_is_reminded_once_then_daily,
    a_resolved_ticket_closes_itself_when_the_reopen_window_ends,
    two_passes_at_once_apply_each_deadline_once,
);

/// Moves a column of every ticket `hours` into the past (the clock, turned forward).
async fn backdate(app: &TestApp, column: &str, hours: i64) {
    let at = (chrono::Utc::now() - chrono::Duration::hours(hours)).to_rfc3339();
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            format!("UPDATE tickets SET {column} = $1::timestamptz WHERE {column} IS NOT NULL")
        }
        _ => format!("UPDATE tickets SET {column} = ? WHERE {column} IS NOT NULL"),
    };
    app.db
        .execute_raw(Statement::from_sql_and_values(backend, sql, [at.into()]))
        .await
        .unwrap();
}

async fn kinds(app: &TestApp) -> Vec<String> {
    events(app)
        .await
        .into_iter()
        .map(|(_, kind, _)| kind)
        .collect()
}

fn count(kinds: &[String], kind: &str) -> usize {
    kinds.iter().filter(|k| k.as_str() == kind).count()
}

async fn an_expired_link_is_told_to_the_agent_once_per_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let store = app.open_store().await;
    let rules = DeadlineRules::default();
    let (number, v) = file(&app, ticket_json("15.1"), all_files()).await;
    let v = walk(
        &app,
        &number,
        v,
        &[
            (&p.officer, json!({"action": "endorse"}), "submitted"),
            (&p.agent, json!({"action": "claim"}), "in_review"),
            (
                &p.agent,
                json!({"action": "send_authority_link", "step": "set_passphrase"}),
                "awaiting_requester_at_authority",
            ),
        ],
    )
    .await;
    let now = chrono::Utc::now();
    assert_eq!(
        store.run_timers(&rules, now).await.unwrap().expired_links,
        0,
        "not yet"
    );
    backdate(&app, "link_expires_at", 1).await;
    assert_eq!(
        store.run_timers(&rules, now).await.unwrap().expired_links,
        1
    );
    assert_eq!(
        store.run_timers(&rules, now).await.unwrap().expired_links,
        0,
        "once"
    );
    assert_eq!(count(&kinds(&app).await, "authority_link_expired"), 1);

    // A fresh link has a clock of its own.
    step(
        &app,
        &p.agent,
        &number,
        v,
        json!({"action": "send_authority_link", "step": "set_passphrase"}),
        "awaiting_requester_at_authority",
    )
    .await;
    backdate(&app, "link_expires_at", 1).await;
    assert_eq!(
        store.run_timers(&rules, now).await.unwrap().expired_links,
        1
    );
    assert_eq!(count(&kinds(&app).await, "authority_link_expired"), 2);
}

async fn an_overdue_endorsement_is_reminded_once_then_daily(backend: Backend) {
    let app = spawn_app(backend).await;
    let store = app.open_store().await;
    let rules = DeadlineRules::default();
    file(&app, ticket_json("15.1"), all_files()).await;
    let now = chrono::Utc::now();
    assert_eq!(
        store
            .run_timers(&rules, now)
            .await
            .unwrap()
            .endorsement_reminders,
        0
    );
    backdate(&app, "created_at", 49).await;
    for expected in [1, 0] {
        assert_eq!(
            store
                .run_timers(&rules, now)
                .await
                .unwrap()
                .endorsement_reminders,
            expected
        );
    }
    backdate(&app, "endorsement_reminded_at", 25).await;
    assert_eq!(
        store
            .run_timers(&rules, now)
            .await
            .unwrap()
            .endorsement_reminders,
        1,
        "the next day, again"
    );
    assert_eq!(count(&kinds(&app).await, "endorsement_overdue"), 2);
}

async fn a_resolved_ticket_closes_itself_when_the_reopen_window_ends(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let store = app.open_store().await;
    let rules = DeadlineRules::default();
    let mut ticket = ticket_json("15.2");
    ticket["subtype"] = json!("passphrase_link");
    let (number, v) = file(&app, ticket, required_files()).await;
    walk(
        &app,
        &number,
        v,
        &[
            (&p.agent, json!({"action": "claim"}), "in_review"),
            (&p.agent, json!({"action": "resolve"}), "resolved"),
        ],
    )
    .await;
    let now = chrono::Utc::now();
    assert_eq!(store.run_timers(&rules, now).await.unwrap().closed, 0);
    backdate(&app, "resolved_at", 7 * 24 + 1).await;
    assert_eq!(store.run_timers(&rules, now).await.unwrap().closed, 1);
    assert_eq!(store.run_timers(&rules, now).await.unwrap().closed, 0);

    let closed: Value = app
        .get_as(&p.requester, &format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["status"], "closed");
    let history: Value = app
        .get_as(&p.requester, &format!("/api/v1/tickets/{number}/history"))
        .await
        .json()
        .await
        .unwrap();
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor"], "desk");
    assert_eq!(last["to_status"], "closed");
    assert!(
        last["reason"].as_str().unwrap().contains("reopen window"),
        "{last}"
    );
    assert_eq!(
        count(&kinds(&app).await, "closed"),
        1,
        "the requester hears"
    );
    // Closed means ended: retention counts from now.
    assert_eq!(app.count_where("tickets", "ended_at IS NOT NULL").await, 1);
}

async fn two_passes_at_once_apply_each_deadline_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let rules = DeadlineRules::default();
    let tickets = 12;
    for n in 0..tickets {
        let mut ticket = ticket_json_for("15.2", n + 10);
        ticket["subtype"] = json!("passphrase_link");
        let response = app
            .post_ticket_as(
                &app.token(
                    &requester_nip(n + 10),
                    &[certdesk_domain::lifecycle::Role::Requester],
                ),
                form(&ticket, required_files()),
            )
            .await;
        assert_eq!(response.status(), 201);
        let version = version_of(&response);
        let number = response.json::<Value>().await.unwrap()["number"]
            .as_str()
            .unwrap()
            .to_owned();
        walk(
            &app,
            &number,
            version,
            &[
                (&p.agent, json!({"action": "claim"}), "in_review"),
                (&p.agent, json!({"action": "resolve"}), "resolved"),
            ],
        )
        .await;
    }
    backdate(&app, "resolved_at", 7 * 24 + 1).await;
    let (one, two) = (app.open_store().await, app.open_store().await);
    let now = chrono::Utc::now();
    let (a, b) = tokio::join!(one.run_timers(&rules, now), two.run_timers(&rules, now));
    assert_eq!(a.unwrap().closed + b.unwrap().closed, u64::from(tickets));
    assert_eq!(count(&kinds(&app).await, "closed"), tickets as usize);
    assert_eq!(
        app.count_where("ticket_history", "actor_nip = 'desk'")
            .await,
        i64::from(tickets)
    );
}
