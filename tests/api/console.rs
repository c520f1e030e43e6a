//! The RA console in a real browser (Debian's Chromium through ChromeDriver), on the
//! embedded default: an agent signs in with a token from `certdesk token issue`, finds a
//! ticket filed through the API with the keyboard, sees the KTP scan at its real size
//! beside the NIK, claims it, records the authority's status, asks the requester for
//! information and sees each step in the timeline; a stale page's action is refused with
//! what changed; a form without its CSRF token is refused; the agent sends the
//! authority's link and, once the requester has acted, resolves the ticket with the
//! certificate issued. An officer endorses; a supervisor requeues a dead letter, makes an
//! agent inactive in the directory, reads the routing rules and finds an agent's look at
//! a NIK in the audit. The pages keep their policy.

use std::time::Duration;

use certdesk_domain::lifecycle::Role;
use fantoccini::{Client, Locator};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::browser::{policy_violations, start_driver};
use crate::helpers::*;

/// WebDriver's Enter key.
const ENTER: &str = "\u{E007}";

async fn press(client: &Client, keys: &str) {
    client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

/// Does `act`, which leads to another page, and waits until the browser shows it.
async fn leaving<F: std::future::Future<Output = ()>>(client: &Client, act: F) {
    let old = client.find(Locator::Css("body")).await.unwrap();
    act.await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    // The old page's body goes stale once the new page has replaced it.
    while old.tag_name().await.is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "the page did not change"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("main"))
        .await
        .is_err()
    {
        panic!(
            "no page at {:?}:\n{}",
            client.current_url().await,
            client.source().await.unwrap_or_default()
        );
    }
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Fills and sends the form of `action` on the ticket page.
async fn take(client: &Client, action: &str, fields: &[(&str, &str)]) {
    let form = client
        .find(Locator::Css(&format!("form[data-action=\"{action}\"]")))
        .await
        .unwrap_or_else(|e| panic!("no {action} form: {e}"));
    for (name, value) in fields {
        let field = form
            .find(Locator::Css(&format!("[name=\"{name}\"]")))
            .await
            .unwrap();
        if field.tag_name().await.unwrap() == "select" {
            field.select_by_value(value).await.unwrap();
        } else {
            field.send_keys(value).await.unwrap();
        }
    }
    let button = form
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap();
    leaving(client, async {
        button.click().await.unwrap();
    })
    .await;
}

/// Signs in on the console's page with `token`, as a newcomer pastes it.
async fn sign_in(client: &Client, app: &TestApp, token: &str) {
    client.goto(&app.url("/console/sign-in")).await.unwrap();
    client
        .find(Locator::Css("#token"))
        .await
        .unwrap()
        .send_keys(token)
        .await
        .unwrap();
    let submit = client
        .find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap();
    leaving(client, async {
        submit.click().await.unwrap();
    })
    .await;
}

async fn click(client: &Client, css: &str) {
    let button = client.find(Locator::Css(css)).await.unwrap();
    leaving(client, async {
        button.click().await.unwrap();
    })
    .await;
}

async fn screenshot(client: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

#[tokio::test]
async fn an_agent_works_a_15_1_ticket_from_the_queue_to_resolved_in_the_console() {
    let app = spawn_app(Backend::Sqlite).await;
    let p = people(&app);
    put_agent_in_directory(&app).await;
    let (number, v) = file(&app, ticket_json("15.1"), all_files()).await;
    walk(
        &app,
        &number,
        v,
        &[(&p.officer, json!({"action": "endorse"}), "submitted")],
    )
    .await;
    let (driver, client) = start_driver().await;
    client.set_window_size(1280, 1000).await.unwrap();

    // Signing in with the token a newcomer gets from `certdesk token issue`.
    client.goto(&app.url("/console/")).await.unwrap();
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/console/sign-in")
    );
    let agent_token = app.token(AGENT_NIP, &[Role::Agent]);
    client
        .find(Locator::Css("#token"))
        .await
        .unwrap()
        .send_keys(&agent_token)
        .await
        .unwrap();
    let submit = client
        .find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap();
    leaving(&client, async {
        submit.click().await.unwrap();
    })
    .await;
    let heading = text_of(&client, "h1").await;
    assert!(heading.contains("Antrean"), "{heading}");
    screenshot(&client, "queues").await;

    // To the queue and the ticket, by keyboard.
    press(&client, "j").await;
    leaving(&client, press(&client, ENTER)).await;
    text_of(&client, "table.tickets").await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/console/queues/")
    );
    screenshot(&client, "queue").await;
    // What falls due first is at the top, with the working time it has left.
    let row = client
        .find(Locator::Css("table.tickets tbody tr"))
        .await
        .unwrap();
    assert_eq!(
        row.attr("data-standing").await.unwrap().as_deref(),
        Some("on_track")
    );
    let due = text_of(&client, "table.tickets tbody tr td[data-due]").await;
    assert!(due.starts_with("jatuh tempo dalam"), "{due}");
    press(&client, "j").await;
    leaving(&client, press(&client, ENTER)).await;
    let heading = text_of(&client, "h1").await;
    assert!(heading.contains(&number), "{heading}");

    // The requester's data as the RA needs it: the NIK in full, the KTP at its size.
    assert_eq!(text_of(&client, "[data-nik]").await, REQUESTER_NIK);
    let scan: Value = client
        .execute(
            "const img = document.querySelector('img[data-scan=\"ktp_scan\"]');
             return new Promise(done => {
               const measure = () => done([img.complete, img.naturalWidth, img.naturalHeight, img.width, img.height]);
               img.complete ? measure() : img.addEventListener('load', measure);
             });",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        scan,
        json!([true, 448, 290, 448, 290]),
        "the KTP scan drawn at its real size"
    );
    screenshot(&client, "ticket").await;

    // The page weighs little before its images: the document, the stylesheet and the
    // script as the browser decoded them.
    let weight: Value = client
        .execute(
            "return performance.getEntries()
               .filter(e => e.entryType === 'navigation' || (e.entryType === 'resource' && e.initiatorType !== 'img'))
               .reduce((bytes, e) => bytes + (e.decodedBodySize || 0), 0);",
            vec![],
        )
        .await
        .unwrap();
    let weight = weight.as_u64().unwrap();
    assert!(
        (1_000..100_000).contains(&weight),
        "the ticket page weighs {weight} bytes before images"
    );

    // Claim with the keyboard, then record the authority's status and ask for a fix.
    leaving(&client, press(&client, "c")).await;
    assert!(!text_of(&client, "[data-banner]").await.is_empty());
    assert_eq!(shown(&client, "status").await.as_deref(), Some("in_review"));
    take(
        &client,
        "record_authority_status",
        &[
            ("certificate_status", "On Set Passphrase"),
            ("note", "Profil diverifikasi."),
        ],
    )
    .await;
    assert!(
        text_of(&client, "[data-authority]")
            .await
            .contains("On Set Passphrase")
    );
    take(
        &client,
        "request_information",
        &[("reason", "Pindaian KTP buram; mohon unggah ulang.")],
    )
    .await;
    let status = shown(&client, "status").await;
    assert_eq!(status.as_deref(), Some("awaiting_requester"));
    // The service levels: the claim was the first response; the resolution waits.
    let standing = |clock: &'static str| {
        let client = client.clone();
        async move {
            client
                .find(Locator::Css(&format!(
                    "[data-clocks] tr[data-clock=\"{clock}\"]"
                )))
                .await
                .unwrap()
                .attr("data-standing")
                .await
                .unwrap()
        }
    };
    assert_eq!(standing("first_response").await.as_deref(), Some("met"));
    let resolution = text_of(&client, "[data-clocks] tr[data-clock=\"resolution\"]").await;
    assert!(
        resolution.contains("menunggu") && resolution.contains("awaiting_requester"),
        "{resolution}"
    );
    let mut steps = Vec::new();
    for entry in client
        .find_all(Locator::Css("[data-timeline] li[data-detail-action]"))
        .await
        .unwrap()
    {
        steps.push(entry.attr("data-detail-action").await.unwrap().unwrap());
    }
    for step in [
        "endorse",
        "claim",
        "record_authority_status",
        "request_information",
    ] {
        assert!(
            steps.iter().any(|s| s == step),
            "{step} not in the timeline: {steps:?}"
        );
    }
    screenshot(&client, "ticket-worked").await;

    // A stale page: the requester answers through the API while the agent's page is
    // open; the agent's action is refused with what changed, and nothing is taken.
    requester_replies(&app, &p, &number, "Sudah saya unggah ulang.").await;
    take(&client, "reject", &[("reason", "Tidak memenuhi syarat.")]).await;
    assert_eq!(shown(&client, "banner").await.as_deref(), Some("stale"));
    let banner = text_of(&client, "[data-banner]").await;
    assert!(
        banner.contains("berubah") && banner.contains("reply"),
        "{banner}\n{}",
        text_of(&client, "[data-timeline]").await
    );
    let now = app
        .get_as(&p.agent, &format!("/api/v1/tickets/{number}"))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(now["status"], "in_review", "the stale reject was not taken");

    // A form without this session's CSRF token is refused.
    leaving(&client, async {
        client
            .execute(
                "const form = document.querySelector('form[data-action=\"record_authority_status\"]');
                 form.querySelector('[name=csrf]').value = 'forged';
                 form.submit();",
                vec![],
            )
            .await
            .unwrap();
    })
    .await;
    let refused = text_of(&client, "main").await;
    assert!(refused.contains("tidak dapat diterima"), "{refused}");

    // On to the end of the guides' 15.1 path: the authority's link to the requester,
    // their word that it is done, the certificate issued, resolved.
    client
        .goto(&app.url(&format!("/console/tickets/{number}")))
        .await
        .unwrap();
    take(
        &client,
        "send_authority_link",
        &[("step", "set_passphrase")],
    )
    .await;
    assert_eq!(
        shown(&client, "status").await.unwrap_or_default(),
        "awaiting_requester_at_authority"
    );
    requester_replies(&app, &p, &number, "Passphrase sudah saya atur.").await;
    client
        .goto(&app.url(&format!("/console/tickets/{number}")))
        .await
        .unwrap();
    take(
        &client,
        "resolve",
        &[
            ("certificate_status", "Issue"),
            ("reason", "Sertifikat telah terbit."),
        ],
    )
    .await;
    assert_eq!(
        shown(&client, "status").await.unwrap_or_default(),
        "resolved"
    );
    assert!(text_of(&client, "[data-authority]").await.contains("Issue"));

    let violations = policy_violations(&driver, &client).await;
    assert!(
        violations.is_empty(),
        "the console breaks its policy: {violations:#?}"
    );
    client.close().await.unwrap();
}

/// What the page shows in its `data-<name>` marker: the ticket's state (`status`), or
/// the kind of message above it (`banner`).
async fn shown(client: &Client, name: &str) -> Option<String> {
    client
        .find(Locator::Css(&format!("[data-{name}]")))
        .await
        .unwrap()
        .attr(&format!("data-{name}"))
        .await
        .unwrap()
}

#[tokio::test]
async fn an_officer_endorses_and_a_supervisor_looks_after_the_desk() {
    let app = spawn_app(Backend::Sqlite).await;
    let (number, _) = file(&app, ticket_json("15.1"), all_files()).await;
    let (driver, client) = start_driver().await;
    client.set_window_size(1280, 1000).await.unwrap();

    // The officer lands on what waits for them, and endorses it on the ticket.
    sign_in(&client, &app, &app.token(OFFICER_NIP, &[Role::Officer])).await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/console/endorsements")
    );
    assert!(text_of(&client, "table.tickets").await.contains(&number));
    screenshot(&client, "endorsements").await;
    press(&client, "j").await;
    leaving(&client, press(&client, ENTER)).await;
    // An officer sees the NIK masked, as in the API, and the KTP scan (which shows it)
    // only as a download, not drawn in the page.
    assert_ne!(text_of(&client, "[data-nik]").await, REQUESTER_NIK);
    assert!(
        client
            .find(Locator::Css("img[data-scan=\"ktp_scan\"]"))
            .await
            .is_err()
    );
    take(&client, "endorse", &[]).await;
    let status = shown(&client, "status").await;
    assert_eq!(status.as_deref(), Some("submitted"));

    // English on request, remembered for the next session.
    click(&client, "form[action=\"/console/language\"] button").await;
    assert!(text_of(&client, "main").await.contains("Requester"));
    click(&client, "form[action=\"/console/sign-out\"] button").await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/console/sign-in")
    );
    // Signed out, the old cookie opens nothing.
    client
        .goto(&app.url("/console/endorsements"))
        .await
        .unwrap();
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/console/sign-in")
    );
    sign_in(&client, &app, &app.token(OFFICER_NIP, &[Role::Officer])).await;
    assert!(
        text_of(&client, "h1")
            .await
            .contains("Waiting for your endorsement")
    );
    click(&client, "form[action=\"/console/sign-out\"] button").await;

    // A supervisor sends a dead letter again.
    app.db
        .execute_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "UPDATE ticket_events SET delivery = 'dead', attempts = 5, \
             last_error = '550 5.1.1 mailbox unavailable'",
        ))
        .await
        .unwrap();
    let dead = app.count_where("ticket_events", "delivery = 'dead'").await;
    assert!(dead > 0);
    sign_in(
        &client,
        &app,
        &app.token(SUPERVISOR_NIP, &[Role::Agent, Role::Supervisor]),
    )
    .await;
    client
        .goto(&app.url("/console/dead-letters"))
        .await
        .unwrap();
    assert!(text_of(&client, "table.list").await.contains("550 5.1.1"));
    screenshot(&client, "dead-letters").await;
    click(&client, "tr[data-letter] form button").await;
    assert_eq!(shown(&client, "banner").await.as_deref(), Some("done"));
    assert_eq!(
        app.count_where("ticket_events", "delivery = 'dead'").await,
        dead - 1
    );

    // The directories: the supervisor makes the agent inactive, through the API's own
    // checks, and the API sees it.
    put_agent_in_directory(&app).await;
    client.goto(&app.url("/console/directory")).await.unwrap();
    assert!(
        text_of(&client, "table[data-officers]")
            .await
            .contains(OFFICER_NIP)
    );
    let agent_row = format!("table[data-staff] tr[data-nip=\"{AGENT_NIP}\"]");
    click(&client, &format!("{agent_row} form button")).await;
    assert_eq!(shown(&client, "banner").await.as_deref(), Some("done"));
    let class = client
        .find(Locator::Css(&agent_row))
        .await
        .unwrap()
        .attr("class")
        .await
        .unwrap();
    assert_eq!(class.as_deref(), Some("inactive"));
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let staff: Value = app
        .get_as(&supervisor, "/api/v1/staff")
        .await
        .json()
        .await
        .unwrap();
    let agent = staff
        .as_array()
        .unwrap()
        .iter()
        .find(|member| member["nip"] == AGENT_NIP)
        .unwrap();
    assert_eq!(agent["active"], false, "{agent}");
    screenshot(&client, "directory").await;

    // What intake warned the requester about is on the ticket, for whoever works it.
    let mut change = ticket_json("15.2");
    change["subtype"] = json!("data_change");
    change["changes"] = json!([{ "field": "email", "new_value": "andi.contoh2@kemenkeu.go.id" }]);
    let (changing, _) = file(&app, change, required_files()).await;
    client
        .goto(&app.url(&format!("/console/tickets/{changing}")))
        .await
        .unwrap();
    let warning = text_of(&client, "[data-warning=\"change_needs_revocation\"]").await;
    assert!(warning.contains("15.3"), "{warning}");

    // The routing rules in the order they are tried, the default queue last.
    let stored = app
        .client
        .put(app.url("/api/v1/routing-rules"))
        .bearer_auth(&supervisor)
        .json(&json!({"rules": [
            {"service": "15.3", "queue": "revocations"},
            {"unit": "Direktorat Jenderal Pajak", "queue": "djp"},
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), 200);
    client.goto(&app.url("/console/routing")).await.unwrap();
    let mut rows = Vec::new();
    for row in client
        .find_all(Locator::Css("table[data-rules] tbody tr"))
        .await
        .unwrap()
    {
        rows.push(row.text().await.unwrap());
    }
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].contains("15.3") && rows[0].contains("revocations"));
    assert!(rows[1].contains("Direktorat Jenderal Pajak") && rows[1].contains("djp"));
    assert!(rows[2].contains("general"), "{rows:?}");

    // A rule whose unit has left the catalogue is flagged where it stands, and the
    // supervisor hears of it where they start; so is a directory entry today's rules
    // refuse (its mail domain taken off the list).
    app.db
        .execute_unprepared(
            "UPDATE routing_rules SET unit = 'Biro Yang Sudah Dibubarkan' WHERE queue = 'djp'",
        )
        .await
        .unwrap();
    app.db
        .execute_unprepared(&format!(
            "UPDATE officers SET email = 'lama@bppk.go.id' WHERE nip = '{OFFICER_NIP}'"
        ))
        .await
        .unwrap();
    client.goto(&app.url("/console/routing")).await.unwrap();
    assert_eq!(
        shown(&client, "banner").await.as_deref(),
        Some("broken-rules")
    );
    let broken = text_of(&client, "table[data-rules] tr[data-broken]").await;
    assert!(
        broken.contains("Biro Yang Sudah Dibubarkan") && broken.contains("unit"),
        "{broken}"
    );
    client.goto(&app.url("/console/")).await.unwrap();
    assert_eq!(
        shown(&client, "banner").await.as_deref(),
        Some("broken-rules")
    );
    client.goto(&app.url("/console/directory")).await.unwrap();
    assert_eq!(shown(&client, "banner").await.as_deref(), Some("outdated"));
    let outdated = text_of(
        &client,
        &format!("table[data-officers] tr[data-nip=\"{OFFICER_NIP}\"] ul[data-outdated]"),
    )
    .await;
    assert!(outdated.contains("email"), "{outdated}");
    // Such an officer is still routed work while active: the supervisor can stop that
    // without first correcting the entry.
    click(
        &client,
        &format!("table[data-officers] tr[data-nip=\"{OFFICER_NIP}\"] form button"),
    )
    .await;
    let row = text_of(
        &client,
        &format!("table[data-officers] tr[data-nip=\"{OFFICER_NIP}\"]"),
    )
    .await;
    assert!(
        row.contains("inactive") || row.contains("nonaktif"),
        "{row}"
    );

    // The audit: an agent's look at the NIK, found by the ticket's number.
    let agent = app.token(AGENT_NIP, &[Role::Agent]);
    let looked = app
        .get_as(&agent, &format!("/api/v1/tickets/{number}"))
        .await;
    assert_eq!(looked.status(), 200);
    client.goto(&app.url("/console/audit")).await.unwrap();
    client
        .find(Locator::Css("input[name=ticket]"))
        .await
        .unwrap()
        .send_keys(&number)
        .await
        .unwrap();
    click(&client, "form.filters button[type=submit]").await;
    let audit = text_of(&client, "table[data-audit]").await;
    assert!(
        audit.contains(AGENT_NIP) && audit.contains("nik_shown") && audit.contains(&number),
        "{audit}"
    );
    // The supervisor's own look at the other ticket is in the audit, not on this page.
    assert!(!audit.contains(&changing), "{audit}");
    screenshot(&client, "audit").await;
    // Unfiltered, the newest look comes first: the agent's.
    client.goto(&app.url("/console/audit")).await.unwrap();
    let newest = text_of(&client, "table[data-audit] tbody tr").await;
    assert!(
        newest.contains(AGENT_NIP) && newest.contains(&number),
        "{newest}"
    );
    assert!(
        text_of(&client, "table[data-audit]")
            .await
            .contains(&changing)
    );

    let violations = policy_violations(&driver, &client).await;
    assert!(violations.is_empty(), "{violations:#?}");
    client.close().await.unwrap();
}
