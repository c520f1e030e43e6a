//! Signing in to the console through a real OpenID provider on loopback (oidc-provider,
//! run by Node.js from `tests/oidc/`), in Chromium: the authorization code flow with
//! PKCE lands an agent in their queues; a callback whose state is not the browser's, and
//! an ID token whose nonce is not the one the desk sent, are refused; an address that
//! keeps forging callbacks is shut out. The provider is `localhost` and the desk
//! `127.0.0.1`: two sites to the browser, as in production, so the session cookie
//! (`SameSite=Strict`) must survive a sign-in begun on another site.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::browser::{policy_violations, start_driver};
use crate::helpers::*;

const SECRET: &str = "loopback-test-client-secret";

/// The provider, stopped when dropped.
struct Provider {
    child: Child,
    issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// oidc-provider on `port`, knowing the console's client and `people` (NIP → roles).
/// Its packages come from `tests/oidc/package-lock.json` (`npm ci`, done here if missing).
async fn start_provider(port: u16, redirect: &str, people: serde_json::Value) -> Provider {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc");
    assert!(
        Command::new("node").arg("--version").output().is_ok(),
        "the SSO test needs Node.js (Debian's nodejs); `bash scripts/test` checks for it"
    );
    if !std::path::Path::new(dir)
        .join("node_modules/oidc-provider")
        .exists()
    {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir)
            .status()
            .unwrap();
        assert!(status.success(), "npm ci in tests/oidc failed");
    }
    let child = Command::new("node")
        .arg("provider.mjs")
        .arg(port.to_string())
        .arg(redirect)
        .arg(SECRET)
        .arg(people.to_string())
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let provider = Provider {
        child,
        // Another site than the desk (127.0.0.1), as the ministry's SSO is.
        issuer: format!("http://localhost:{port}"),
    };
    let discovery = format!("{}/.well-known/openid-configuration", provider.issuer);
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(&discovery).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "the OpenID provider did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    provider
}

async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

async fn dump(client: &Client) -> String {
    format!(
        "{:?}\n{}",
        client.current_url().await,
        client.source().await.unwrap_or_default()
    )
}

/// At the provider: types the NIP as the login, and gives consent if asked.
async fn log_in_at_provider(client: &Client, nip: &str) {
    wait_for(client, "input[name=login]")
        .await
        .send_keys(nip)
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("any")
        .await
        .unwrap();
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The consent page, the first time: its one button continues.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let url = client.current_url().await.unwrap();
        if url.path().starts_with("/console") {
            return;
        }
        if let Ok(button) = client.find(Locator::Css("button[type=submit]")).await
            && client
                .find(Locator::Css("input[name=login]"))
                .await
                .is_err()
        {
            let _ = button.click().await;
        }
        assert!(Instant::now() < deadline, "stuck at the provider: {url}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn an_agent_signs_in_through_the_sso_and_a_wrong_state_or_nonce_is_refused() {
    install_tls_provider();
    let app_port = free_port();
    let provider = start_provider(
        free_port(),
        &format!("http://127.0.0.1:{app_port}/console/sso/callback"),
        json!({ AGENT_NIP: ["agent"] }),
    )
    .await;
    let issuer = provider.issuer.clone();
    let app = spawn_app_with(Backend::Sqlite, move |settings| {
        settings.server.listen = format!("127.0.0.1:{app_port}").parse().unwrap();
        settings.console.public_url = format!("http://127.0.0.1:{app_port}");
        settings.console.sso_issuer = Some(issuer);
        settings.console.sso_client_secret = Some(SECRET.into());
    })
    .await;
    let (driver, client) = start_driver().await;

    // Behind the SSO, the sign-in page offers the SSO and no token field.
    client.goto(&app.url("/console/sign-in")).await.unwrap();
    if client.find(Locator::Css("[data-sso]")).await.is_err() {
        panic!("{}", dump(&client).await);
    }
    assert!(client.find(Locator::Css("#token")).await.is_err());

    // The code flow: to the provider, log in, back in the agent's queues.
    client
        .find(Locator::Css("[data-sso]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    log_in_at_provider(&client, AGENT_NIP).await;
    let heading = wait_for(&client, "h1").await.text().await.unwrap();
    assert!(heading.contains("Antrean"), "{heading}");
    assert!(
        wait_for(&client, ".who")
            .await
            .text()
            .await
            .unwrap()
            .contains(AGENT_NIP)
    );
    wait_for(&client, "form[action=\"/console/sign-out\"] button")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&client, "[data-sso]").await;

    // A callback with a state this browser was not sent off with is refused.
    client
        .goto(&app.url("/console/sso/callback?code=stolen&state=forged"))
        .await
        .unwrap();
    let page = wait_for(&client, "main").await.text().await.unwrap();
    assert!(page.contains("tidak dapat diselesaikan"), "{page}");

    // An ID token whose nonce is not the one this sign-in sent is refused: the pending
    // sign-in's nonce is changed behind the desk's back before the provider answers.
    // (The provider's own session is ended first, so that it asks for the login again
    // instead of answering at once.)
    client
        .goto(&format!(
            "{}/.well-known/openid-configuration",
            provider.issuer
        ))
        .await
        .unwrap();
    client.delete_all_cookies().await.unwrap();
    client.goto(&app.url("/console/sso")).await.unwrap();
    wait_for(&client, "input[name=login]").await;
    app.db
        .execute_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "UPDATE console_sign_ins SET nonce = 'not-the-one-sent'",
        ))
        .await
        .unwrap();
    log_in_at_provider(&client, AGENT_NIP).await;
    let page = wait_for(&client, "main").await.text().await.unwrap();
    assert!(page.contains("tidak dapat diselesaikan"), "{page}");
    client.goto(&app.url("/console/queues")).await.unwrap();
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/console/sign-in"),
        "no session from a refused sign-in"
    );

    let violations = policy_violations(&driver, &client).await;
    assert!(violations.is_empty(), "{violations:#?}");
    client.close().await.unwrap();
}

/// Callbacks that do not verify count as failed authentications of the address, as
/// wrong tokens do: past the limit the address is refused, callbacks and new sign-ins
/// alike, before anything is read or stored. (No provider is needed: a forged state is
/// refused before the desk would ask it anything.)
#[tokio::test]
async fn an_address_forging_sso_callbacks_is_shut_out() {
    let issuer = format!("http://127.0.0.1:{}/", free_port());
    let app = spawn_app_with(Backend::Sqlite, move |settings| {
        settings.console.sso_issuer = Some(issuer);
        settings.console.sso_client_secret = Some(SECRET.into());
        settings.rate_limits.enabled = true;
        settings.rate_limits.failed_auth_per_minute = 2;
    })
    .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let callback = app.url("/console/sso/callback?code=stolen&state=forged");
    // Two are refused as forgeries, the third shuts the address out…
    for _ in 0..3 {
        let forged = client.get(&callback).send().await.unwrap();
        assert_eq!(forged.status(), 403);
    }
    assert_eq!(client.get(&callback).send().await.unwrap().status(), 429);
    // …and it cannot begin another sign-in either: no row is kept for it.
    let start = client.get(app.url("/console/sso")).send().await.unwrap();
    assert_eq!(start.status(), 429);
    assert_eq!(app.count("console_sign_ins").await, 0);
}
