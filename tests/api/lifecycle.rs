//! Tickets through their life: endorsement, claims, requests for information, the
//! authority, resolution and closure; optimistic concurrency; history.

use certdesk_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    every_service_goes_from_intake_to_closed,
    a_declined_endorsement_rejects_the_ticket_with_its_reason,
    information_requested_and_an_attachment_replaced,
    two_agents_claiming_at_once_one_wins_the_other_gets_409,
    actions_need_a_current_if_match,
    a_second_open_ticket_for_the_same_service_is_refused_with_the_first_ones_number,
    history_is_oldest_first_and_internal_entries_are_for_staff,
    the_store_applies_only_one_of_two_changes_decided_from_the_same_version,
);

async fn every_service_goes_from_intake_to_closed(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);

    // 15.1: the officer endorses first.
    let (number, v) = file(&app, ticket_json("15.1"), all_files()).await;
    open_counts_agree(&app).await;
    walk_counting(
        &app,
        &number,
        v,
        &[
            (&p.officer, json!({"action": "endorse"}), "submitted"),
            (&p.agent, json!({"action": "claim"}), "in_review"),
            (
                &p.agent,
                json!({"action": "wait_on_authority", "certificate_status": "On Set Passphrase"}),
                "waiting_on_authority",
            ),
            (&p.agent, json!({"action": "resolve"}), "resolved"),
            (&p.requester, json!({"action": "close"}), "closed"),
        ],
    )
    .await;

    // 15.2 needs no endorsement.
    let mut ticket = ticket_json("15.2");
    ticket["subtype"] = json!("passphrase_link");
    let (number, v) = file(&app, ticket, required_files()).await;
    walk_counting(
        &app,
        &number,
        v,
        &[
            (&p.agent, json!({"action": "claim"}), "in_review"),
            (&p.agent, json!({"action": "resolve"}), "resolved"),
            (
                &p.requester,
                json!({"action": "reopen", "reason": "Tautan belum diterima"}),
                "in_review",
            ),
            (&p.agent, json!({"action": "resolve"}), "resolved"),
            (&p.agent, json!({"action": "close"}), "closed"),
        ],
    )
    .await;

    // 15.3, after endorsement, through to closed.
    let mut ticket = ticket_json("15.3");
    ticket["reason"] = json!("retired");
    let (number, v) = file(&app, ticket, required_files()).await;
    walk_counting(
        &app,
        &number,
        v,
        &[
            (&p.officer, json!({"action": "endorse"}), "submitted"),
            (&p.agent, json!({"action": "claim"}), "in_review"),
            (&p.agent, json!({"action": "resolve"}), "resolved"),
            (&p.requester, json!({"action": "close"}), "closed"),
        ],
    )
    .await;

    // An agent's rejection needs a reason.
    let mut ticket = ticket_json("15.2");
    ticket["subtype"] = json!("renewal");
    let (number, v) = file(&app, ticket, required_files()).await;
    let v = walk_counting(
        &app,
        &number,
        v,
        &[(&p.agent, json!({"action": "claim"}), "in_review")],
    )
    .await;
    let refused = app
        .act(&p.agent, &number, v, json!({"action": "reject"}))
        .await;
    assert_eq!(refused.status(), 422, "a rejection needs a reason");
    walk_counting(
        &app,
        &number,
        v,
        &[(
            &p.agent,
            json!({"action": "reject", "reason": "Masa berlaku masih panjang."}),
            "rejected",
        )],
    )
    .await;

    // Every change that concerns the requester left an event for the worker.
    // 15.1: resolved, closed; 15.2: resolved, reopened, resolved, closed; 15.3: resolved,
    // closed; the renewal: rejected.
    let finishing = "kind IN ('resolved', 'closed', 'rejected', 'reopened')";
    assert_eq!(app.count_where("ticket_events", finishing).await, 9);
}

/// `walk`, and after every step the queues' open counts (kept by the database as
/// tickets change) agree with the open tickets listed (the domain's open states).
async fn walk_counting(
    app: &TestApp,
    number: &str,
    mut version: i64,
    steps: &[(&str, Value, &str)],
) -> i64 {
    for (token, action, status) in steps {
        version = step(app, token, number, version, action.clone(), status).await;
        open_counts_agree(app).await;
    }
    version
}

async fn open_counts_agree(app: &TestApp) {
    let agent = app.token(AGENT_NIP, &[Role::Agent]);
    let queues: Value = app
        .get_as(&agent, "/api/v1/queues")
        .await
        .json()
        .await
        .unwrap();
    for queue in ["general", "revocations"] {
        let counted = queues
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["name"] == queue)
            .map_or(0, |q| q["open_tickets"].as_i64().unwrap());
        let listed: Value = app
            .get_as(&agent, &format!("/api/v1/queues/{queue}/tickets?limit=200"))
            .await
            .json()
            .await
            .unwrap();
        let listed = listed["items"].as_array().unwrap().len();
        assert_eq!(counted, listed as i64, "open tickets of {queue}: {queues}");
    }
}

async fn a_declined_endorsement_rejects_the_ticket_with_its_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let (number, v) = file(&app, ticket_json("15.1"), all_files()).await;
    // Only the ticket's own officer decides, and an agent cannot claim before.
    let other_officer = app.token(OTHER_UNIT_OFFICER_NIP, &[Role::Officer]);
    assert_eq!(
        app.act(&other_officer, &number, v, json!({"action": "endorse"}))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.act(&p.agent, &number, v, json!({"action": "claim"}))
            .await
            .status(),
        409
    );
    let response = app
        .act(&p.officer, &number, v, json!({"action": "decline"}))
        .await;
    assert_eq!(problem(response).await["errors"][0]["field"], "reason");
    step(
        &app,
        &p.officer,
        &number,
        v,
        json!({"action": "decline", "reason": "Bukan pegawai unit kami."}),
        "rejected",
    )
    .await;
    let history: Value = app
        .get(&format!("/api/v1/tickets/{number}/history"))
        .await
        .json()
        .await
        .unwrap();
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["to_status"].as_str(), last["reason"].as_str()),
        (Some("rejected"), Some("Bukan pegawai unit kami."))
    );
    assert_eq!(last["actor"], OFFICER_NIP);
}

async fn information_requested_and_an_attachment_replaced(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let mut ticket = ticket_json("15.2");
    ticket["subtype"] = json!("renewal");
    let (number, v) = file(&app, ticket, required_files()).await;
    let v = step(
        &app,
        &p.agent,
        &number,
        v,
        json!({"action": "claim"}),
        "in_review",
    )
    .await;
    let v = step(
        &app,
        &p.agent,
        &number,
        v,
        json!({"action": "request_information", "reason": "Pindaian KTP buram; unggah ulang."}),
        "awaiting_requester",
    )
    .await;

    // The worker's event carries whom it concerns and what is missing.
    use sea_orm::ConnectionTrait;
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT payload FROM ticket_events WHERE kind = 'information_requested'".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    let payload: Value = row.try_get("", "payload").unwrap();
    assert_eq!(payload["recipient"], "requester");
    assert_eq!(payload["recipient_nip"], REQUESTER_NIP);
    assert_eq!(payload["reason"], "Pindaian KTP buram; unggah ulang.");

    let replace = |part: reqwest::multipart::Part, version: i64| {
        app.client
            .put(app.url(&format!("/api/v1/tickets/{number}/attachments/ktp_scan")))
            .bearer_auth(&p.requester)
            .header("If-Match", format!("\"{version}\""))
            .multipart(reqwest::multipart::Form::new().part("ktp_scan", part))
            .send()
    };
    // Same checks as intake: one pixel too wide is refused.
    let refused = problem(replace(png_part(449, 290), v).await.unwrap()).await;
    assert_eq!(
        errors(&refused),
        [("ktp_scan".into(), "attachment_dimensions".into())]
    );
    // A replaced letter is read as at intake: one that runs a script is refused.
    let scripted = pdf_of(
        &[
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (x) >> >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
        ],
        "",
    );
    let refused = app
        .client
        .put(app.url(&format!(
            "/api/v1/tickets/{number}/attachments/recommendation_letter"
        )))
        .bearer_auth(&p.requester)
        .header("If-Match", format!("\"{v}\""))
        .multipart(reqwest::multipart::Form::new().part(
            "recommendation_letter",
            file_part(scripted, "surat.pdf", "application/pdf"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        errors(&problem(refused).await),
        [(
            "recommendation_letter".into(),
            "attachment_active_content".into()
        )]
    );
    let response = replace(png_part(400, 250), v).await.unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let updated: Value = response.json().await.unwrap();
    let ktp = updated["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "ktp_scan")
        .unwrap()
        .clone();
    assert_eq!(
        (ktp["width"].as_u64(), ktp["height"].as_u64()),
        (Some(400), Some(250))
    );
    let v = updated["version"].as_i64().unwrap();
    // The replaced scan is purged: its key forgotten, its file gone; four files remain.
    assert_eq!(
        app.count_where(
            "stored_files",
            "purged_at IS NOT NULL AND wrapped_key IS NULL"
        )
        .await,
        1
    );
    assert_eq!(app.stored_files(), 4);

    step(
        &app,
        &p.requester,
        &number,
        v,
        json!({"action": "reply", "reason": "Sudah diunggah ulang."}),
        "in_review",
    )
    .await;
    // Replacing is only possible while the agent waits for the requester.
    let late = replace(png_part(400, 250), v + 1).await.unwrap();
    assert_eq!(late.status(), 409);
}

async fn two_agents_claiming_at_once_one_wins_the_other_gets_409(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let mut ticket = ticket_json("15.2");
    ticket["subtype"] = json!("passphrase_reset");
    let (number, v) = file(&app, ticket, required_files()).await;
    let (a, b) = tokio::join!(
        app.act(&p.agent, &number, v, json!({"action": "claim"})),
        app.act(&p.other_agent, &number, v, json!({"action": "claim"})),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let loser = if a.status() == 409 { a } else { b };
    assert_eq!(problem(loser).await["code"], "already_claimed");
    let ticket: Value = app
        .get(&format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["version"], 2, "exactly one claim was applied");

    // The same race decided before the second request arrives: still a lost claim (409),
    // not a stale page (412).
    let mut ticket = ticket_json_for("15.2", 4);
    ticket["subtype"] = json!("renewal");
    let token = app.token(&requester_nip(4), &[Role::Requester]);
    let response = app
        .post_ticket_as(&token, form(&ticket, required_files()))
        .await;
    let number = response.json::<Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    step(
        &app,
        &p.agent,
        &number,
        1,
        json!({"action": "claim"}),
        "in_review",
    )
    .await;
    let late = app
        .act(&p.other_agent, &number, 1, json!({"action": "claim"}))
        .await;
    assert_eq!(late.status(), 409);
    assert_eq!(problem(late).await["code"], "already_claimed");
}

async fn actions_need_a_current_if_match(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let mut ticket = ticket_json("15.2");
    ticket["subtype"] = json!("renewal");
    let (number, v) = file(&app, ticket, required_files()).await;
    let response = app
        .client
        .post(app.url(&format!("/api/v1/tickets/{number}/actions")))
        .bearer_auth(&p.agent)
        .json(&json!({"action": "claim"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 428);
    assert_eq!(problem(response).await["code"], "if_match_required");
    let stale = app
        .act(&p.agent, &number, v + 5, json!({"action": "claim"}))
        .await;
    assert_eq!(stale.status(), 412);
    assert_eq!(problem(stale).await["code"], "stale_version");
    let etag = app
        .get_as(&p.agent, &format!("/api/v1/tickets/{number}"))
        .await
        .headers()["etag"]
        .clone();
    assert_eq!(etag, "\"1\"");
}

async fn a_second_open_ticket_for_the_same_service_is_refused_with_the_first_ones_number(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let (number, v) = file(&app, ticket_json("15.1"), all_files()).await;
    let second = app
        .post_ticket(form(&ticket_json("15.1"), all_files()))
        .await;
    assert_eq!(second.status(), 409);
    let body = problem(second).await;
    assert_eq!(body["code"], "open_ticket_exists");
    assert!(body["message"]["en"].as_str().unwrap().contains(&number));
    // Another sub-type of 15.2 is another slot; a cancelled ticket frees its slot.
    step(
        &app,
        &p.requester,
        &number,
        v,
        json!({"action": "cancel"}),
        "cancelled",
    )
    .await;
    assert_eq!(
        app.post_ticket(form(&ticket_json("15.1"), all_files()))
            .await
            .status(),
        201
    );
}

async fn history_is_oldest_first_and_internal_entries_are_for_staff(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let mut ticket = ticket_json("15.2");
    ticket["subtype"] = json!("passphrase_link");
    let (number, v) = file(&app, ticket, required_files()).await;
    step(
        &app,
        &p.agent,
        &number,
        v,
        json!({"action": "claim"}),
        "in_review",
    )
    .await;
    let comment = |token: &str, body: Value| {
        app.client
            .post(app.url(&format!("/api/v1/tickets/{number}/comments")))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    assert_eq!(
        comment(
            &p.agent,
            json!({"body": "Cek status di portal", "internal": true})
        )
        .await
        .unwrap()
        .status(),
        201
    );
    assert_eq!(
        comment(&p.agent, json!({"body": "Sedang kami proses"}))
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        comment(&p.requester, json!({"body": "rahasia", "internal": true}))
            .await
            .unwrap()
            .status(),
        403
    );
    let download = app
        .get_as(
            &p.agent,
            &format!("/api/v1/tickets/{number}/attachments/ktp_scan"),
        )
        .await;
    assert_eq!(download.status(), 200);

    let staff: Value = app
        .get_as(&p.agent, &format!("/api/v1/tickets/{number}/history"))
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = staff
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    // The claim was the desk's first response: its clock stopped, for staff to see.
    assert_eq!(
        kinds,
        [
            "created",
            "transition",
            "service_level",
            "comment",
            "comment",
            "download"
        ]
    );
    let at: Vec<&str> = staff
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["at"].as_str().unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] <= w[1]), "oldest first");

    let own: Value = app
        .get(&format!("/api/v1/tickets/{number}/history"))
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = own
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["created", "transition", "comment"],
        "the requester sees public entries only"
    );
}

async fn the_store_applies_only_one_of_two_changes_decided_from_the_same_version(backend: Backend) {
    use certdesk_domain::Nip;
    use certdesk_domain::lifecycle::{
        Action, ActionKind, Actor, Capacity, HistoryKind, LifecycleRules, Status, TicketFacts,
        decide,
    };
    let app = spawn_app(backend).await;
    let mut ticket = ticket_json("15.2");
    ticket["subtype"] = json!("renewal");
    let (number, _) = file(&app, ticket, required_files()).await;
    let store = app.open_store().await;

    // Both agents read version 1 and the rules allow each of them to claim it.
    let nip = |raw: &str| Nip::parse(raw).unwrap();
    let facts = TicketFacts {
        status: Status::Submitted,
        requester_nip: nip(REQUESTER_NIP),
        officer_nip: nip(OFFICER_NIP),
        assignee_nip: None,
        resolved_at: None,
    };
    let now = chrono::Utc::now();
    let claim = |nip: &str| {
        let agent = Actor {
            nip: Nip::parse(nip).unwrap(),
            roles: vec![Role::Agent],
        };
        decide(
            &facts,
            &agent,
            &Action::new(ActionKind::Claim),
            now,
            &LifecycleRules::default(),
        )
        .unwrap()
    };
    let actor = |nip: &str| certdesk_store::HistoryActor {
        id: nip.into(),
        capacity: Capacity::Agent,
    };
    let number: certdesk_domain::TicketNumber = number.parse().unwrap();

    let levels = service_levels(&certdesk_domain::DeskRules::default());
    let first = store
        .apply_transition(
            number,
            1,
            &claim(AGENT_NIP),
            &actor(AGENT_NIP),
            &levels,
            now,
        )
        .await;
    let second = store
        .apply_transition(
            number,
            1,
            &claim(OTHER_AGENT_NIP),
            &actor(OTHER_AGENT_NIP),
            &levels,
            now,
        )
        .await;
    assert_eq!(first.unwrap().assignee_nip, Some(nip(AGENT_NIP)));
    assert!(
        matches!(
            second,
            Err(certdesk_store::StoreError::Stale { current: 2 })
        ),
        "{second:?}"
    );
    let history = store.history(number, true).await.unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|h| h.kind == HistoryKind::Transition)
            .count(),
        1,
        "nothing half-applied"
    );
}
