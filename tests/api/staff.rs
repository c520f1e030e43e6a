//! The RA staff directory: kept by supervisors over the API and by `certdesk staff
//! import`; only an active member is assigned tickets; agents are written to at the
//! directory's address, in its language, through a real SMTP server.

use std::time::Duration;

use certdesk_domain::lifecycle::Role;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::mail_server::MailServer;
use crate::on_both_backends;

on_both_backends!(
    supervisors_keep_the_staff_directory,
    an_entry_the_rules_outgrew_is_listed_with_what_it_breaks,
    only_an_active_staff_member_is_assigned,
    an_agent_is_written_to_in_the_language_the_directory_gives,
);

fn member(language: &str, active: bool) -> Value {
    json!({
        "name": "Petugas RA Contoh",
        "email": AGENT_EMAIL,
        "unit": "sekretariat  jenderal",
        "language": language,
        "role": "agent",
        "active": active
    })
}

async fn put_member(app: &TestApp, token: &str, nip: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/staff/{nip}")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn supervisors_keep_the_staff_directory(backend: Backend) {
    let app = spawn_app(backend).await;
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let agent = app.token(AGENT_NIP, &[Role::Agent]);

    let saved = put_member(&app, &supervisor, AGENT_NIP, &member("en", true)).await;
    assert_eq!(saved.status(), 200);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(
        saved["unit"], "Sekretariat Jenderal",
        "written as employees write it"
    );
    assert_eq!(saved["language"], "en");
    assert_eq!(
        put_member(&app, &agent, AGENT_NIP, &member("id", true))
            .await
            .status(),
        403
    );
    let mut bad = member("de", true);
    bad["email"] = json!("petugas-ra@kemenkeu.go.id");
    bad["role"] = json!("boss");
    let refused = put_member(&app, &supervisor, AGENT_NIP, &bad).await;
    assert_eq!(refused.status(), 422);
    let fields: Vec<String> = errors(&problem(refused).await)
        .into_iter()
        .map(|(field, _)| field)
        .collect();
    assert_eq!(fields, ["email", "language", "role"]);

    let listed: Value = app
        .get_as(&supervisor, "/api/v1/staff")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        listed[0]["language"], "en",
        "the refused update changed nothing"
    );
    assert_eq!(app.get_as(&agent, "/api/v1/staff").await.status(), 403);

    // The CSV import: all rows or none.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.csv");
    std::fs::write(
        &broken,
        "nip,name,email,unit,language,role,active\n\
         198601012011011002,Petugas Dua,petugas.dua@kemenkeu.go.id,Sekretariat Jenderal,id,agent,true\n\
         123,Petugas Tiga,petugas.tiga@kemenkeu.go.id,Sekretariat Jenderal,id,agent,true\n",
    )
    .unwrap();
    let output = certdesk_cli(&app, &["staff", "import", broken.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("line 3: nip"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(app.count("staff").await, 1, "nothing imported");
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/staff.csv");
    let output = certdesk_cli(&app, &["staff", "import", samples]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "imported 3 staff member(s): 2 new, 1 updated"
    );
}

async fn only_an_active_staff_member_is_assigned(backend: Backend) {
    let app = spawn_app(backend).await;
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let mut renewal = ticket_json("15.2");
    renewal["subtype"] = json!("renewal");
    let (number, v) = file(&app, renewal, required_files()).await;
    let assign = json!({"action": "assign", "assignee_nip": AGENT_NIP});

    let unknown = app.act(&supervisor, &number, v, assign.clone()).await;
    assert_eq!(unknown.status(), 422);
    assert_eq!(
        errors(&problem(unknown).await),
        [("assignee_nip".into(), "assignee_unknown".into())]
    );
    put_member(&app, &supervisor, AGENT_NIP, &member("id", false)).await;
    let inactive = app.act(&supervisor, &number, v, assign.clone()).await;
    assert_eq!(
        errors(&problem(inactive).await),
        [("assignee_nip".into(), "assignee_inactive".into())]
    );
    put_member(&app, &supervisor, AGENT_NIP, &member("id", true)).await;
    step(&app, &supervisor, &number, v, assign, "in_review").await;
}

async fn an_agent_is_written_to_in_the_language_the_directory_gives(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut server = MailServer::start();
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    put_member(&app, &supervisor, AGENT_NIP, &member("en", true)).await;
    let mut renewal = ticket_json("15.2");
    renewal["subtype"] = json!("renewal");
    let (number, v) = file(&app, renewal, required_files()).await;
    step(
        &app,
        &supervisor,
        &number,
        v,
        json!({"action": "assign", "assignee_nip": AGENT_NIP}),
        "in_review",
    )
    .await;
    worker(&app, &worker_settings(server.port))
        .await
        .drain()
        .await
        .unwrap();
    let messages = server.wait_for(3, Duration::from_secs(10)).await;
    let to_agent: Vec<_> = messages
        .iter()
        .filter(|m| m.rcpt_tos.iter().any(|to| to == AGENT_EMAIL))
        .collect();
    assert_eq!(to_agent.len(), 1, "{messages:#?}");
    assert_eq!(to_agent[0].content_language.as_deref(), Some("en"));
    assert!(
        to_agent[0].subject.contains(&number),
        "{}",
        to_agent[0].subject
    );
    let to_requester = messages
        .iter()
        .find(|m| m.rcpt_tos.iter().all(|to| to != AGENT_EMAIL))
        .unwrap();
    assert_eq!(
        to_requester.content_language.as_deref(),
        Some("id"),
        "the requester keeps their own language"
    );
}

/// A mail domain taken off the desk's list after people were entered with it: the
/// directory lists their entries as stored, with the problem, rather than hiding them or
/// passing them off as valid; a ticket naming that officer is refused for the
/// directory's sake, and the agent still serves until a supervisor acts.
async fn an_entry_the_rules_outgrew_is_listed_with_what_it_breaks(backend: Backend) {
    let app = spawn_app(backend).await;
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    put_member(&app, &supervisor, AGENT_NIP, &member("en", true)).await;
    for table in ["officers", "staff"] {
        app.db
            .execute_unprepared(&format!(
                "UPDATE {table} SET email = 'lama@bppk.go.id' WHERE nip IN ('{OFFICER_NIP}', '{AGENT_NIP}')"
            ))
            .await
            .unwrap();
    }

    let officers: Value = app
        .get_as(&supervisor, "/api/v1/officers")
        .await
        .json()
        .await
        .unwrap();
    let outdated = officers
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["nip"] == OFFICER_NIP)
        .unwrap();
    assert_eq!(outdated["email"], "lama@bppk.go.id", "as stored");
    assert_eq!(outdated["problems"][0]["field"], "email");
    assert_eq!(outdated["problems"][0]["code"], "email_domain_not_allowed");
    let current = officers
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["nip"] == OTHER_UNIT_OFFICER_NIP)
        .unwrap();
    assert_eq!(current["problems"], json!([]));

    let refused = app
        .post_ticket(form(&ticket_json("15.1"), required_files()))
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        errors(&problem(refused).await)
            .iter()
            .any(|(_, code)| code == "officer_entry_outdated")
    );

    let staff: Value = app
        .get_as(&supervisor, "/api/v1/staff")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(staff[0]["problems"][0]["code"], "email_domain_not_allowed");
    let mut renewal = ticket_json("15.2");
    renewal["subtype"] = json!("renewal");
    renewal["responsible_officer_nip"] = json!(OTHER_UNIT_OFFICER_NIP);
    renewal["requester"]["unit"] = json!("Direktorat Jenderal Pajak");
    let (number, v) = file(&app, renewal, required_files()).await;
    step(
        &app,
        &supervisor,
        &number,
        v,
        json!({"action": "assign", "assignee_nip": AGENT_NIP}),
        "in_review",
    )
    .await;
}
