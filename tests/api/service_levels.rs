//! Service levels through the API: the clocks a ticket's life starts, pauses, resumes and
//! stops, as RA staff read them on the ticket and in its history, and as a queue finds
//! them on the ticket's row.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    the_desks_clocks_follow_a_ticket_from_filing_to_reopening,
    an_endorsement_has_its_own_clock_and_a_public_comment_is_a_first_response,
    a_clock_past_its_due_instant_is_breached_and_the_ticket_says_so,
    a_change_of_the_rules_retimes_running_clocks_and_keeps_their_targets,
    a_queue_sorts_by_what_falls_due_and_filters_by_how_it_stands
);

/// The ticket as `token` reads it.
async fn read(app: &TestApp, token: &str, number: &str) -> Value {
    let response = app
        .get_as(token, &format!("/api/v1/tickets/{number}"))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// One clock of a ticket as staff read it.
fn clock<'a>(ticket: &'a Value, kind: &str) -> &'a Value {
    ticket["service_levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clock"] == kind)
        .unwrap_or_else(|| panic!("no {kind} clock: {ticket}"))
}

fn instant(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap().parse().unwrap()
}

/// The service-level entries of a ticket's history: (clock, change, pause or standing).
async fn clock_history(app: &TestApp, token: &str, number: &str) -> Vec<(String, String, String)> {
    let history: Value = app
        .get_as(token, &format!("/api/v1/tickets/{number}/history"))
        .await
        .json()
        .await
        .unwrap();
    history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "service_level")
        .map(|h| {
            assert_eq!(h["visibility"], "internal", "{h}");
            let d = &h["detail"];
            let third = d["pause"].as_str().or(d["standing"].as_str()).unwrap_or("");
            (
                d["clock"].as_str().unwrap().to_owned(),
                d["change"].as_str().unwrap().to_owned(),
                third.to_owned(),
            )
        })
        .collect()
}

async fn the_desks_clocks_follow_a_ticket_from_filing_to_reopening(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let levels = service_levels(&app.rules);
    let mut renewal = ticket_json("15.2");
    renewal["subtype"] = json!("renewal");
    let (number, v) = file(&app, renewal, required_files()).await;

    // Filed: both of the desk's clocks run, due in working time from the filing.
    let ticket = read(&app, &p.agent, &number).await;
    let created = instant(&ticket["created_at"]);
    let first = clock(&ticket, "first_response");
    assert_eq!(first["target_minutes"], 4 * 60, "renewal: 4 working hours");
    assert_eq!(first["standing"], "on_track");
    assert_eq!(
        instant(&first["due_at"]),
        levels
            .calendar()
            .add_working_time(created, Duration::hours(4))
    );
    let resolution = clock(&ticket, "resolution");
    assert_eq!(resolution["target_minutes"], 16 * 60);
    assert!(
        ticket["service_levels"].as_array().unwrap().len() == 2,
        "{ticket}"
    );
    // The row a queue reads holds the earliest due instant.
    assert_eq!(
        sla_due_at(&app, &number).await,
        Some(instant(&first["due_at"]))
    );
    // The requester does not see the desk's clocks.
    let theirs = read(&app, &p.requester, &number).await;
    assert_eq!(theirs["service_levels"], json!([]));

    // Claimed: the first response is met. Asked for a document: the resolution waits.
    let v = walk(
        &app,
        &number,
        v,
        &[
            (&p.agent, json!({"action": "claim"}), "in_review"),
            (
                &p.agent,
                json!({"action": "request_information", "reason": "Unggah ulang pindaian KTP."}),
                "awaiting_requester",
            ),
        ],
    )
    .await;
    let ticket = read(&app, &p.agent, &number).await;
    assert_eq!(clock(&ticket, "first_response")["standing"], "met");
    let resolution = clock(&ticket, "resolution");
    assert_eq!(resolution["paused"], "awaiting_requester");
    assert_eq!(
        resolution["due_at"],
        Value::Null,
        "a waiting clock is due nowhere"
    );
    assert_eq!(sla_due_at(&app, &number).await, None);

    // The requester answers; resolved; reopened: the resolution goes on each time.
    walk(
        &app,
        &number,
        v,
        &[
            (
                &p.requester,
                json!({"action": "reply", "reason": "Sudah saya unggah ulang."}),
                "in_review",
            ),
            (&p.agent, json!({"action": "resolve"}), "resolved"),
            (
                &p.requester,
                json!({"action": "reopen", "reason": "Masa berlaku belum berubah."}),
                "in_review",
            ),
        ],
    )
    .await;
    let ticket = read(&app, &p.agent, &number).await;
    let resolution = clock(&ticket, "resolution");
    assert!(resolution["due_at"].is_string(), "{resolution}");
    assert_eq!(resolution["paused"], Value::Null);
    assert_eq!(
        clock(&ticket, "first_response")["standing"],
        "met",
        "given once"
    );
    let entries = clock_history(&app, &p.agent, &number).await;
    let expected = [
        ("first_response", "stopped", "met"),
        ("resolution", "paused", "awaiting_requester"),
        ("resolution", "resumed", ""),
        ("resolution", "stopped", "met"),
        ("resolution", "resumed", ""),
    ];
    assert_eq!(
        entries,
        expected.map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned())),
    );
    // The requester's history has none of them.
    assert!(clock_history_public(&app, &p.requester, &number).await);
}

/// Whether the requester's view of the history is free of service-level entries.
async fn clock_history_public(app: &TestApp, token: &str, number: &str) -> bool {
    let history: Value = app
        .get_as(token, &format!("/api/v1/tickets/{number}/history"))
        .await
        .json()
        .await
        .unwrap();
    history
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["kind"] != "service_level")
}

async fn an_endorsement_has_its_own_clock_and_a_public_comment_is_a_first_response(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let (number, v) = file(&app, ticket_json("15.1"), all_files()).await;
    let ticket = read(&app, &p.agent, &number).await;
    let endorsement = clock(&ticket, "endorsement");
    assert_eq!(endorsement["target_minutes"], 16 * 60);
    assert_eq!(ticket["service_levels"].as_array().unwrap().len(), 1);

    step(
        &app,
        &p.officer,
        &number,
        v,
        json!({"action": "endorse"}),
        "submitted",
    )
    .await;
    let ticket = read(&app, &p.agent, &number).await;
    assert_eq!(clock(&ticket, "endorsement")["standing"], "met");
    assert_eq!(clock(&ticket, "first_response")["target_minutes"], 4 * 60);
    assert_eq!(clock(&ticket, "resolution")["target_minutes"], 24 * 60);

    // An internal note is not an answer to the requester; a public comment is.
    post_comment(&app, &p.agent, &number, "Catatan internal.", true).await;
    let ticket = read(&app, &p.agent, &number).await;
    assert!(clock(&ticket, "first_response")["due_at"].is_string());
    post_comment(
        &app,
        &p.agent,
        &number,
        "Permohonan Anda sedang kami periksa.",
        false,
    )
    .await;
    let ticket = read(&app, &p.agent, &number).await;
    let first = clock(&ticket, "first_response");
    assert_eq!(first["standing"], "met", "{first}");
    assert!(first["stopped_at"].is_string());
}

async fn a_clock_past_its_due_instant_is_breached_and_the_ticket_says_so(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let mut link = ticket_json("15.2");
    link["subtype"] = json!("passphrase_link");
    let (number, v) = file(&app, link, required_files()).await;
    // As if it had been filed a month ago: weeks of working time have passed since.
    let id: i64 = number[1..].parse().unwrap();
    let month_ago = Utc::now() - Duration::days(30);
    app.db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            app.db.get_database_backend(),
            "UPDATE ticket_clocks SET phase_since = $1 WHERE ticket_id = $2",
            [month_ago.into(), id.into()],
        ))
        .await
        .unwrap();
    let ticket = read(&app, &p.agent, &number).await;
    let first = clock(&ticket, "first_response");
    assert_eq!(first["standing"], "breached", "{first}");
    assert!(instant(&first["breached_at"]) < Utc::now());
    assert!(first["used_minutes"].as_i64().unwrap() > 2 * 60);

    // Claimed late: the first response stops breached, and stays so.
    step(
        &app,
        &p.agent,
        &number,
        v,
        json!({"action": "claim"}),
        "in_review",
    )
    .await;
    tokio::time::sleep(StdDuration::from_millis(10)).await;
    let ticket = read(&app, &p.agent, &number).await;
    let first = clock(&ticket, "first_response");
    assert_eq!(first["standing"], "breached", "{first}");
    assert!(first["stopped_at"].is_string());
    let entries = clock_history(&app, &p.agent, &number).await;
    assert_eq!(
        entries[0],
        ("first_response".into(), "stopped".into(), "breached".into())
    );
    // The ticket's row remembers that one of its clocks went past its target.
    assert!(
        app.count_where(
            "tickets",
            &format!("id = {id} AND sla_breached_at IS NOT NULL")
        )
        .await
            == 1
    );
}

/// The earliest due instant the ticket's row holds for its queue.
async fn sla_due_at(app: &TestApp, number: &str) -> Option<DateTime<Utc>> {
    let id: i64 = number[1..].parse().unwrap();
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT sla_due_at FROM tickets WHERE id = {id}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "sla_due_at").unwrap()
}

/// What `serve` and `worker` do at start: a new at-risk share (or calendar) re-times the
/// running clocks on the tickets' rows at once; a new target waits for clocks that start
/// after it.
async fn a_change_of_the_rules_retimes_running_clocks_and_keeps_their_targets(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let mut link = ticket_json("15.2");
    link["subtype"] = json!("passphrase_link");
    let (number, _) = file(&app, link, required_files()).await;
    let ticket = read(&app, &p.agent, &number).await;
    let created = instant(&ticket["created_at"]);
    let calendar = service_levels(&app.rules).calendar().clone();
    // 75 % of two working hours.
    assert_eq!(
        sla_at_risk_at(&app, &number).await,
        Some(calendar.add_working_time(created, Duration::minutes(90)))
    );

    let mut rules = app.rules.clone();
    rules.service_levels = serde_json::from_value(
        json!({"at_risk_percent": 50, "passphrase_link": {"first_response_hours": 1}}),
    )
    .unwrap();
    let store = certdesk_store::Store::open(&app.store_settings)
        .await
        .unwrap();
    assert_eq!(
        store.retime_clocks(&service_levels(&rules)).await.unwrap(),
        1
    );
    // Half of the two hours the clock started with, not of the new one hour.
    assert_eq!(
        sla_at_risk_at(&app, &number).await,
        Some(calendar.add_working_time(created, Duration::minutes(60)))
    );
    let ticket = read(&app, &p.agent, &number).await;
    assert_eq!(clock(&ticket, "first_response")["target_minutes"], 120);
}

async fn sla_at_risk_at(app: &TestApp, number: &str) -> Option<DateTime<Utc>> {
    let id: i64 = number[1..].parse().unwrap();
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT sla_at_risk_at FROM tickets WHERE id = {id}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "sla_at_risk_at").unwrap()
}

/// Sets what a ticket's row keeps of its clocks, as a pass would have left it.
async fn set_row(
    app: &TestApp,
    number: &str,
    due: Option<DateTime<Utc>>,
    at_risk: Option<DateTime<Utc>>,
) {
    let id: i64 = number[1..].parse().unwrap();
    // To the microsecond, as the store writes them (and a page cursor carries them).
    let (due, at_risk) = (
        due.map(|at| chrono::SubsecRound::trunc_subsecs(at, 6)),
        at_risk.map(|at| chrono::SubsecRound::trunc_subsecs(at, 6)),
    );
    let end_of_time = DateTime::from_timestamp(253_402_300_799, 0).unwrap();
    app.db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            app.db.get_database_backend(),
            "UPDATE tickets SET sla_due_at = $1, sla_sort_at = $2, sla_at_risk_at = $3 WHERE id = $4",
            [
                due.into(),
                Some(due.unwrap_or(end_of_time)).into(),
                at_risk.into(),
                id.into(),
            ],
        ))
        .await
        .unwrap();
}

async fn a_queue_sorts_by_what_falls_due_and_filters_by_how_it_stands(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let mut numbers = Vec::new();
    for subtype in ["renewal", "passphrase_link", "data_change"] {
        let mut ticket = ticket_json("15.2");
        ticket["subtype"] = json!(subtype);
        if subtype == "data_change" {
            ticket["changes"] = json!([{"field": "position", "new_value": "Analis Kebijakan"}]);
        }
        numbers.push(file(&app, ticket, required_files()).await.0);
    }
    let now = Utc::now();
    // The last filed is past due; the first is at risk, due in an hour; the second waits.
    let (late, risky, waiting) = (&numbers[2], &numbers[0], &numbers[1]);
    set_row(
        &app,
        late,
        Some(now - Duration::hours(2)),
        Some(now - Duration::hours(3)),
    )
    .await;
    set_row(
        &app,
        risky,
        Some(now + Duration::hours(1)),
        Some(now - Duration::minutes(1)),
    )
    .await;
    set_row(&app, waiting, None, None).await;

    let list = |query: &'static str| {
        let token = p.agent.clone();
        let app = &app;
        async move {
            let response = app
                .get_as(&token, &format!("/api/v1/queues/general/tickets{query}"))
                .await;
            assert_eq!(response.status(), 200, "{query}");
            response.json::<Value>().await.unwrap()
        }
    };
    let numbers_of = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["number"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        numbers_of(&list("?sla=breached").await),
        std::slice::from_ref(late)
    );
    assert_eq!(
        numbers_of(&list("?sla=at_risk").await),
        std::slice::from_ref(risky)
    );
    let by_age = list("").await;
    assert_eq!(numbers_of(&by_age), numbers, "oldest first by default");

    // By due, a page at a time: the keyset leads through all three in order.
    let mut seen = Vec::new();
    let mut page = list("?sort=due&limit=1").await;
    for _ in 0..10 {
        let item = &page["items"][0];
        seen.push((
            item["number"].as_str().unwrap().to_owned(),
            item["standing"].clone(),
        ));
        let Some(next) = page["next"].as_str() else {
            break;
        };
        page = app
            .get_as(&p.agent, next)
            .await
            .json::<Value>()
            .await
            .unwrap();
    }
    assert_eq!(
        seen,
        [
            (late.clone(), json!("breached")),
            (risky.clone(), json!("at_risk")),
            (waiting.clone(), Value::Null),
        ]
    );

    // A cursor of one order is refused by the other; the parameters are the queue's.
    let by_due = list("?sort=due&limit=1").await;
    let cursor = by_due["next"]
        .as_str()
        .unwrap()
        .split("cursor=")
        .nth(1)
        .unwrap()
        .to_owned();
    let response = app
        .get_as(
            &p.agent,
            &format!("/api/v1/queues/general/tickets?limit=1&cursor={cursor}"),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("cursor"));
    let response = app
        .get_as(&p.requester, "/api/v1/me/tickets?sla=breached")
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "sla", "{problem}");
    let mine: Value = app
        .get_as(&p.requester, "/api/v1/me/tickets")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["standing"].is_null() && t["due_at"].is_null()),
        "{mine}"
    );
    let response = app
        .get_as(&p.agent, "/api/v1/queues/general/tickets?sla=late")
        .await;
    assert_eq!(response.status(), 422);
}
