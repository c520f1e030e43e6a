//! Health checks and the service catalogue.

use serde_json::Value;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    health_checks_answer,
    the_catalogue_describes_services_attachments_and_units
);

async fn health_checks_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.get("/health/live").await;
    assert_eq!(live.status(), 200);
    let id = live.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(
        id.len(),
        36,
        "a UUID that also appears in the request's log lines"
    );
    let problem = app.get("/api/v1/nothing-here").await;
    assert_ne!(
        problem.headers()["x-request-id"].to_str().unwrap(),
        id,
        "one per request, errors too"
    );
    let ready: Value = app.get("/health/ready").await.json().await.unwrap();
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(ready["database"], expected);

    // The shipped calendar knows 2026; a year it will need and lacks is named, so
    // that an operator sees it before holidays start counting as working days.
    let years = ready["calendar"]["years"].as_array().unwrap();
    assert!(years.contains(&Value::from(2026)), "{ready}");
    let this_year = i64::from(chrono::Datelike::year(&chrono::Utc::now()));
    for missing in ready["calendar"]["missing"].as_array().unwrap() {
        let missing = missing.as_i64().unwrap();
        assert!(!years.contains(&Value::from(missing)), "{ready}");
        assert!(missing == this_year || missing == this_year + 1, "{ready}");
    }
}

async fn the_catalogue_describes_services_attachments_and_units(backend: Backend) {
    let app = spawn_app(backend).await;
    let catalogue: Value = app.get("/api/v1/services").await.json().await.unwrap();
    let services = catalogue["services"].as_array().unwrap();
    let codes: Vec<_> = services
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["15.1", "15.2", "15.3"]);

    let error_screenshot_required: Vec<bool> = services
        .iter()
        .map(|s| {
            s["attachments"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["kind"] == "error_screenshot")
                .unwrap()["required"]
                .as_bool()
                .unwrap()
        })
        .collect();
    assert_eq!(error_screenshot_required, [true, false, false]);

    let ktp = &services[0]["attachments"][0];
    assert_eq!(
        (ktp["max_width"].as_u64(), ktp["max_height"].as_u64()),
        (Some(448), Some(290))
    );
    assert_eq!(services[1]["subtypes"].as_array().unwrap().len(), 4);
    assert_eq!(services[2]["reasons"].as_array().unwrap().len(), 5);
    let units = catalogue["units"].as_array().unwrap();
    assert_eq!(units.len(), 12);
    assert!(units.contains(&Value::from("Dirjen Pengelolaan dan Pembiayaan Risiko")));
}
