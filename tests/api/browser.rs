//! Pages the desk serves, in a real headless browser (Debian's Chromium, driven through
//! ChromeDriver): they must work under their own Content-Security-Policy, and the policy
//! must be one the browser enforces.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::helpers::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// ChromeDriver on a port of its own, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    url: String,
    /// The browser's own profile, deleted with the driver.
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn start_driver() -> (Driver, Client) {
    assert!(
        std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists(),
        "the browser tests need Debian's chromium and chromium-driver; `bash scripts/test` installs them"
    );
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        profile,
    };
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http
            .get(format!("{}/status", driver.url))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Headless, and nothing that would reach for the network on its own: this machine
    // has none but loopback.
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", "--no-first-run",
                format!("--user-data-dir={}", driver.profile.path().display()),
            ],
        },
        "goog:loggingPrefs": { "browser": "ALL" },
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let client = ClientBuilder::rustls()
        .unwrap()
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("ChromeDriver would not start Chromium: {e}"));
    (driver, client)
}

/// The Content-Security-Policy violations the browser reported since the last call.
pub(crate) async fn policy_violations(driver: &Driver, client: &Client) -> Vec<String> {
    let session = client.session_id().await.unwrap().unwrap();
    let logs: Value = reqwest::Client::new()
        .post(format!("{}/session/{session}/se/log", driver.url))
        .json(&json!({ "type": "browser" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    logs["value"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
        .filter(|message| message.contains("Content Security Policy"))
        .collect()
}

#[tokio::test]
async fn the_docs_render_under_their_policy_and_the_browser_enforces_it() {
    let app = spawn_app(Backend::Sqlite).await;
    let (driver, client) = start_driver().await;

    client.goto(&app.url("/docs/")).await.unwrap();
    let title = client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(".information-container .title"))
        .await
        .expect("the Swagger UI draws the document's title: its scripts ran");
    let title = title.text().await.unwrap();
    assert!(title.contains("certdesk"), "{title}");
    let operations = client
        .find_all(Locator::Css(".opblock"))
        .await
        .unwrap()
        .len();
    assert!(operations > 10, "{operations} operations drawn");
    let violations = policy_violations(&driver, &client).await;
    assert!(
        violations.is_empty(),
        "the docs break their own policy: {violations:#?}"
    );

    // The policy is enforced: a script written into the page does not run, and a request
    // to another origin (a closed loopback port) is refused before it is made.
    let ran: Value = client
        .execute(
            "const s = document.createElement('script');
             s.textContent = 'window.injected = true';
             document.body.appendChild(s);
             return window.injected === true;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(ran, json!(false), "an inline script ran under the policy");
    client
        .execute(
            "fetch('http://127.0.0.2:9/').catch(() => {}); return null;",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let violations = policy_violations(&driver, &client).await;
    assert!(
        violations.iter().any(|m| m.contains("script-src")),
        "{violations:#?}"
    );
    assert!(
        violations.iter().any(|m| m.contains("connect-src")),
        "{violations:#?}"
    );
    client.close().await.unwrap();
}
