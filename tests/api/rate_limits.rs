//! Rate limits: a person, a token or an address past its allowance gets 429 with
//! `Retry-After` and nothing is stored; failing to authenticate too often shuts an
//! address out; `X-Forwarded-For` counts only from a trusted proxy.

use certdesk_domain::lifecycle::Role;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(filings_past_a_persons_limit_get_429_and_store_nothing,);

fn limited(
    customise: impl FnOnce(&mut certdesk_api::settings::RateLimitSettings),
) -> impl FnOnce(&mut certdesk_api::ApiSettings) {
    move |settings| {
        settings.rate_limits.enabled = true;
        customise(&mut settings.rate_limits);
    }
}

async fn assert_rate_limited(response: reqwest::Response) {
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body = problem(response).await;
    assert_eq!(body["code"], "rate_limited");
    assert!(body["message"]["id"].as_str().unwrap().contains("detik"));
    assert!(body["message"]["en"].as_str().unwrap().contains("seconds"));
}

async fn filings_past_a_persons_limit_get_429_and_store_nothing(backend: Backend) {
    let app = spawn_app_with(backend, limited(|limits| limits.intake_per_minute = 2)).await;
    let first = app
        .post_ticket(form(&ticket_json("15.1"), all_files()))
        .await;
    assert_eq!(first.status(), 201, "{:?}", first.text().await);
    // Refused by the rules, still counted: the allowance is for attempts.
    let second = app
        .post_ticket(form(&ticket_json("15.1"), Vec::new()))
        .await;
    assert_eq!(second.status(), 422);
    let third = app
        .post_ticket(form(&ticket_json("15.3"), all_files()))
        .await;
    assert_rate_limited(third).await;
    assert_eq!(app.count("tickets").await, 1);
    // Someone else's allowance is their own.
    let agent = app.token(AGENT_NIP, &[Role::Requester]);
    let other = app
        .client
        .post(app.url("/api/v1/tickets/validate"))
        .bearer_auth(&agent)
        .multipart(form(&ticket_json("15.1"), all_files()))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn an_address_that_keeps_failing_authentication_is_shut_out() {
    let app = spawn_app_with(
        Backend::Sqlite,
        limited(|limits| limits.failed_auth_per_minute = 3),
    )
    .await;
    // No credential at all is a misconfigured client, not a guess: never counted.
    for _ in 0..10 {
        let bare = app
            .client
            .get(app.url("/api/v1/me/tickets"))
            .send()
            .await
            .unwrap();
        assert_eq!(bare.status(), 401);
    }
    let valid = app.requester_token();
    assert_eq!(app.get_as(&valid, "/api/v1/me/tickets").await.status(), 200);
    // Wrong credentials are: three are answered 401, the fourth shuts the address out…
    for _ in 0..4 {
        let guess = app.get_as("cdk_guessed-token", "/api/v1/me/tickets").await;
        assert_eq!(guess.status(), 401);
    }
    // …even for a valid token, before it is read.
    assert_rate_limited(app.get_as(&valid, "/api/v1/me/tickets").await).await;
    assert_rate_limited(app.get_as("cdk_another-guess", "/api/v1/me/tickets").await).await;
}

/// Three people check a ticket from what each request says is its own address.
async fn three_checks_from_claimed_addresses(app: &TestApp) -> Vec<u16> {
    let mut statuses = Vec::new();
    for (nip, address) in [
        (REQUESTER_NIP, "203.0.113.10"),
        (AGENT_NIP, "203.0.113.11"),
        (OTHER_AGENT_NIP, "203.0.113.12"),
    ] {
        let response = app
            .client
            .post(app.url("/api/v1/tickets/validate"))
            .bearer_auth(app.token(nip, &[Role::Requester]))
            .header("X-Forwarded-For", address)
            .multipart(form(&ticket_json("15.1"), Vec::new()))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn x_forwarded_for_is_believed_only_from_a_trusted_proxy() {
    // From an untrusted peer the header is ignored: all three share one address.
    let direct = spawn_app_with(
        Backend::Sqlite,
        limited(|limits| limits.per_address_per_minute = 2),
    )
    .await;
    assert_eq!(
        three_checks_from_claimed_addresses(&direct).await,
        [200, 200, 429]
    );
    // Behind a trusted proxy each is its own client.
    let proxied = spawn_app_with(
        Backend::Sqlite,
        limited(|limits| {
            limits.per_address_per_minute = 2;
            limits.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        }),
    )
    .await;
    assert_eq!(
        three_checks_from_claimed_addresses(&proxied).await,
        [200, 200, 200]
    );
}

#[tokio::test]
async fn an_integrator_token_has_its_own_allowance_not_its_addresss() {
    let app = spawn_app_with(
        Backend::Sqlite,
        limited(|limits| {
            limits.per_address_per_minute = 1;
            limits.integrator_per_minute = 3;
        }),
    )
    .await;
    let token = create_api_token(&app, "hr-portal", &["tickets:write"]);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = app
            .client
            .post(app.url("/api/v1/tickets/validate"))
            .bearer_auth(&token)
            .multipart(form(&ticket_json("15.1"), Vec::new()))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200]);
    let fourth = app
        .post_ticket_as(&token, form(&ticket_json("15.1"), all_files()))
        .await;
    assert_rate_limited(fourth).await;
    assert_eq!(app.count("tickets").await, 0);
}
