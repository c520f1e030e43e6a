//! Authentication: refused tokens, API tokens, the OIDC provider's JWKS, and the
//! authorisation matrix of every endpoint against every kind of caller.

use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use certdesk_domain::lifecycle::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    expired_foreign_and_forged_tokens_are_refused,
    api_tokens_are_scoped_and_revocable,
    the_authorisation_matrix_holds,
    queues_page_by_keyset_and_routing_rules_choose_the_queue,
);

fn local_key(app: &TestApp) -> Vec<u8> {
    let path = app.settings.auth.local_key_file.clone().unwrap();
    hex::decode(std::fs::read_to_string(path).unwrap().trim()).unwrap()
}

fn claims(app: &TestApp, exp_offset: i64) -> Value {
    let now = jsonwebtoken::get_current_timestamp() as i64;
    json!({
        "sub": REQUESTER_NIP,
        "iss": certdesk_api::auth::LOCAL_ISSUER,
        "aud": app.settings.auth.audience,
        "iat": now,
        "exp": now + exp_offset,
        "roles": ["requester"],
    })
}

fn sign(key: &[u8], claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(key),
    )
    .unwrap()
}

async fn status_with(app: &TestApp, token: &str) -> u16 {
    app.get_as(token, "/api/v1/me/tickets")
        .await
        .status()
        .as_u16()
}

async fn expired_foreign_and_forged_tokens_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = local_key(&app);
    assert_eq!(
        status_with(&app, &sign(&key, &claims(&app, 300))).await,
        200,
        "a good token passes"
    );

    let response = app
        .client
        .get(app.url("/api/v1/me/tickets"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let none = problem(response).await;
    assert_eq!(none["code"], "unauthenticated");
    assert!(
        none["detail"]
            .as_str()
            .unwrap()
            .starts_with("Sign in first"),
        "{none}"
    );

    let mut refused = Vec::new();
    refused.push(("expired beyond the leeway", sign(&key, &claims(&app, -600))));
    let mut wrong = claims(&app, 300);
    wrong["iss"] = json!("https://elsewhere.example");
    refused.push(("wrong issuer", sign(&key, &wrong)));
    let mut wrong = claims(&app, 300);
    wrong["aud"] = json!("another-service");
    refused.push(("wrong audience", sign(&key, &wrong)));
    let mut wrong = claims(&app, 300);
    wrong["sub"] = json!("not-a-nip");
    refused.push(("sub that is not a NIP", sign(&key, &wrong)));
    refused.push(("another key", sign(&[9u8; 32], &claims(&app, 300))));
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims(&app, 300).to_string());
    refused.push(("alg none", format!("{header}.{body}.")));
    // A valid token whose payload was edited to claim more roles.
    let good = sign(&key, &claims(&app, 300));
    let parts: Vec<&str> = good.split('.').collect();
    let mut escalated = claims(&app, 300);
    escalated["roles"] = json!(["supervisor"]);
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(escalated.to_string()),
        parts[2]
    );
    refused.push(("tampered payload", forged));
    refused.push(("garbage", "not.a.token".to_owned()));
    for (what, token) in refused {
        let response = app.get_as(&token, "/api/v1/me/tickets").await;
        assert_eq!(response.status(), 401, "{what}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{what}");
        let refusal = problem(response).await;
        assert_eq!(refusal["code"], "unauthenticated", "{what}");
        // Told that the token was refused, not to send one; the log says why.
        assert!(
            refusal["detail"]
                .as_str()
                .unwrap()
                .starts_with("The token was not accepted"),
            "{what}: {refusal}"
        );
    }
}

async fn api_tokens_are_scoped_and_revocable(backend: Backend) {
    let app = spawn_app(backend).await;
    let writer = create_api_token(&app, "hr-portal", &["tickets:write"]);
    let reader = create_api_token(&app, "dashboard", &["tickets:read"]);
    assert!(writer.starts_with("cdk_") && writer.len() > 60);

    // A person files only for themself; the HR portal's token files for anyone.
    let other = ticket_json_for("15.1", 7);
    let response = app.post_ticket(form(&other, all_files())).await;
    assert_eq!(response.status(), 403);
    assert_eq!(problem(response).await["code"], "filing_for_someone_else");
    let refused = app.post_ticket_as(&reader, form(&other, all_files())).await;
    assert_eq!(
        refused.status(),
        403,
        "refused before any check can tell it something"
    );
    assert_eq!(problem(refused).await["code"], "filing_for_someone_else");
    let response = app.post_ticket_as(&writer, form(&other, all_files())).await;
    assert_eq!(response.status(), 201);
    let number = response.json::<Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();

    let path = format!("/api/v1/tickets/{number}");
    assert_eq!(
        app.get_as(&writer, &path).await.status(),
        404,
        "writing is not reading"
    );
    let read: Value = app.get_as(&reader, &path).await.json().await.unwrap();
    assert_eq!(
        read["requester"]["nik"], "3174********0001",
        "an integrator sees the NIK masked"
    );
    let history: Value = app
        .get_as(&reader, &format!("{path}/history"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history[0]["actor"], "token:hr-portal");

    let output = certdesk_token(&app, &["list"]);
    let listing = String::from_utf8_lossy(&output.stdout);
    assert!(
        listing.contains("hr-portal") && !listing.contains(&writer),
        "secrets are never listed"
    );
    assert!(
        certdesk_token(&app, &["revoke", "--name", "dashboard"])
            .status
            .success()
    );
    assert_eq!(
        app.get_as(&reader, &path).await.status(),
        401,
        "a revoked token is refused"
    );
}

async fn the_authorisation_matrix_holds(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .post_ticket(form(&ticket_json("15.1"), all_files()))
        .await;
    assert_eq!(response.status(), 201);
    let number = response.json::<Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();

    let callers: Vec<(&str, Option<String>)> = vec![
        ("anonymous", None),
        ("requester (own)", Some(app.requester_token())),
        (
            "requester (other)",
            Some(app.token(&requester_nip(9), &[Role::Requester])),
        ),
        (
            "officer (own)",
            Some(app.token(OFFICER_NIP, &[Role::Officer])),
        ),
        (
            "officer (other)",
            Some(app.token(OTHER_UNIT_OFFICER_NIP, &[Role::Officer])),
        ),
        ("agent", Some(app.token(AGENT_NIP, &[Role::Agent]))),
        (
            "supervisor",
            Some(app.token(SUPERVISOR_NIP, &[Role::Supervisor])),
        ),
        (
            "integrator (read)",
            Some(create_api_token(&app, "reader", &["tickets:read"])),
        ),
        (
            "integrator (write)",
            Some(create_api_token(&app, "writer", &["tickets:write"])),
        ),
    ];
    let t = format!("/api/v1/tickets/{number}");
    // Expected status per caller, in the order above.
    let matrix: Vec<(&str, String, Option<Value>, [u16; 9])> = vec![
        (
            "GET",
            t.clone(),
            None,
            [401, 200, 404, 200, 404, 200, 200, 200, 404],
        ),
        (
            "GET",
            format!("{t}/attachments/ktp_scan"),
            None,
            [401, 200, 404, 200, 404, 200, 200, 200, 404],
        ),
        (
            "GET",
            format!("{t}/history"),
            None,
            [401, 200, 404, 200, 404, 200, 200, 200, 404],
        ),
        (
            "POST",
            format!("{t}/comments"),
            Some(json!({"body": "Catatan uji"})),
            [401, 201, 404, 201, 404, 201, 201, 403, 404],
        ),
        (
            "GET",
            "/api/v1/services".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET",
            "/api/v1/queues".into(),
            None,
            [401, 403, 403, 403, 403, 200, 200, 403, 403],
        ),
        (
            "GET",
            "/api/v1/queues/general/tickets".into(),
            None,
            [401, 403, 403, 403, 403, 200, 200, 403, 403],
        ),
        (
            "GET",
            "/api/v1/me/tickets".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200, 403, 403],
        ),
        (
            "GET",
            "/api/v1/officers/me/tickets".into(),
            None,
            [401, 403, 403, 200, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/api/v1/routing-rules".into(),
            None,
            [401, 403, 403, 403, 403, 403, 200, 403, 403],
        ),
        (
            "PUT",
            "/api/v1/routing-rules".into(),
            Some(json!({"rules": []})),
            [401, 403, 403, 403, 403, 403, 200, 403, 403],
        ),
        (
            "GET",
            "/api/v1/officers".into(),
            None,
            [401, 403, 403, 403, 403, 403, 200, 403, 403],
        ),
        (
            "PUT",
            format!("/api/v1/officers/{OFFICER_NIP}"),
            Some(
                json!({"name": "Kepala UPK Contoh", "unit": "sekretariat jenderal", "email": "kepala.upk.setjen@kemenkeu.go.id", "active": true}),
            ),
            [401, 403, 403, 403, 403, 403, 200, 403, 403],
        ),
        // Actions change nothing here: resolving needs the assigned agent, and there is none.
        (
            "POST",
            format!("{t}/actions"),
            Some(json!({"action": "resolve"})),
            [401, 403, 404, 403, 404, 403, 403, 403, 404],
        ),
        // Only the requester replaces files, and only while the agent waits for them.
        (
            "PUT",
            format!("{t}/attachments/ktp_scan"),
            None,
            [401, 409, 404, 403, 404, 403, 403, 403, 404],
        ),
    ];
    for (method, path, body, expected) in matrix {
        for ((who, token), want) in callers.iter().zip(expected) {
            let mut request = app.client.request(method.parse().unwrap(), app.url(&path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = &body {
                request = request.json(body);
            }
            if method != "GET" {
                request = request.header("If-Match", "\"1\"");
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            assert_eq!(status, want, "{method} {path} as {who}");
            if status >= 400 {
                assert_eq!(
                    problem(response).await["status"],
                    want,
                    "{method} {path} as {who}"
                );
            }
        }
    }
}

async fn queues_page_by_keyset_and_routing_rules_choose_the_queue(backend: Backend) {
    let app = spawn_app(backend).await;
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let agent = app.token(AGENT_NIP, &[Role::Agent]);
    let response = app
        .client
        .put(app.url("/api/v1/routing-rules"))
        .bearer_auth(&supervisor)
        .json(&json!({"rules": [{"service": "15.3", "queue": "revocations"}, {"unit": "setjen", "queue": "x"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        errors(&problem(response).await),
        [("rules[1].unit".into(), "unit_unknown".into())]
    );
    let response = app
        .client
        .put(app.url("/api/v1/routing-rules"))
        .bearer_auth(&supervisor)
        .json(&json!({"rules": [{"service": "15.3", "queue": "revocations"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let mut filed = Vec::new();
    for n in 1..=5 {
        let mut ticket = ticket_json_for("15.2", n);
        ticket["subtype"] = json!("passphrase_link");
        let token = app.token(&requester_nip(n), &[Role::Requester]);
        let response = app
            .post_ticket_as(&token, form(&ticket, required_files()))
            .await;
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["queue"], "general");
        filed.push(body["number"].as_str().unwrap().to_owned());
    }
    let mut revocation = ticket_json("15.3");
    revocation["reason"] = json!("retired");
    let body: Value = app
        .post_ticket(form(&revocation, required_files()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["queue"], "revocations");

    let mut seen = Vec::new();
    let mut next = Some("/api/v1/queues/general/tickets?limit=2&status=submitted".to_owned());
    let mut pages = 0;
    while let Some(path) = next {
        let page: Value = app.get_as(&agent, &path).await.json().await.unwrap();
        pages += 1;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["number"].as_str().unwrap().to_owned()),
        );
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, filed, "every ticket once, oldest first");

    let queues: Value = app
        .get_as(&agent, "/api/v1/queues")
        .await
        .json()
        .await
        .unwrap();
    let counts: Vec<(String, i64)> = queues
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["name"].as_str().unwrap().to_owned(),
                q["open_tickets"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [("general".to_owned(), 5), ("revocations".to_owned(), 1)]
    );

    let none: Value = app
        .get_as(&agent, "/api/v1/queues/general/tickets?status=in_review")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    let found: Value = app
        .get_as(
            &agent,
            "/api/v1/queues/general/tickets?q=LAYANAN%20sertifikat",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        found["items"].as_array().unwrap().len(),
        5,
        "text search ignores case"
    );
    let bad = app
        .get_as(&agent, "/api/v1/queues/general/tickets?cursor=zz")
        .await;
    assert_eq!(bad.status(), 422);
    // Filters are read as the domain's types: a value that is not one is named, not
    // quietly matched against nothing (and a NUL never reaches the database).
    for (query, field, code) in [
        ("service=15.9", "service", "service_unknown"),
        ("subtype=renewals", "subtype", "subtype_unknown"),
        ("status=open", "status", "required"),
        ("officer=12345", "officer", "nip_format"),
        ("assignee=%00", "assignee", "nip_format"),
    ] {
        let refused = app
            .get_as(&agent, &format!("/api/v1/queues/general/tickets?{query}"))
            .await;
        assert_eq!(refused.status(), 422, "{query}");
        let body = problem(refused).await;
        assert_eq!(
            errors(&body),
            [(field.to_owned(), code.to_owned())],
            "{query}"
        );
    }
}

/// The OIDC provider's keys, served on loopback; `rotate` swaps them.
struct FakeProvider {
    url: String,
    jwks: Arc<Mutex<String>>,
}

async fn fake_provider() -> FakeProvider {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let jwks = Arc::new(Mutex::new(String::from(r#"{"keys":[]}"#)));
    let served = jwks.clone();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = socket.read(&mut buffer).await;
            let body = served.lock().unwrap().clone();
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    FakeProvider { url, jwks }
}

/// A P-256 key from a fixed scalar: deterministic test material, not a secret.
fn ec_key(seed: u8, kid: &str) -> (EncodingKey, Value) {
    use p256::pkcs8::{EncodePrivateKey, LineEnding};
    let secret = p256::SecretKey::from_slice(&[seed; 32]).unwrap();
    let pem = secret.to_pkcs8_pem(LineEnding::LF).unwrap();
    let mut jwk: Value = serde_json::from_str(&secret.public_key().to_jwk_string()).unwrap();
    jwk["kid"] = json!(kid);
    jwk["alg"] = json!("ES256");
    jwk["use"] = json!("sig");
    (EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(), jwk)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_from_the_oidc_provider_are_checked_against_its_rotating_keys() {
    let provider = fake_provider().await;
    let url = provider.url.clone();
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.auth.jwks_url = Some(url);
        s.auth.jwks_min_refresh_secs = 0;
        s.auth.issuer = "https://sso.test".into();
    })
    .await;
    let (first, first_jwk) = ec_key(7, "key-1");
    let (second, second_jwk) = ec_key(8, "key-2");
    *provider.jwks.lock().unwrap() = json!({ "keys": [first_jwk] }).to_string();

    let mut claims = claims(&app, 300);
    claims["iss"] = json!("https://sso.test");
    let signed = |key: &EncodingKey, kid: &str| {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, &claims, key).unwrap()
    };
    assert_eq!(status_with(&app, &signed(&first, "key-1")).await, 200);
    // Behind the SSO the local key mints nothing, not even with the right claims.
    let mut local = claims.clone();
    local["roles"] = json!(["supervisor"]);
    let local_key = hex::decode(
        std::fs::read_to_string(app.settings.auth.local_key_file.clone().unwrap())
            .unwrap_or_default()
            .trim(),
    )
    .unwrap_or_else(|_| vec![1; 32]);
    assert_eq!(status_with(&app, &sign(&local_key, &local)).await, 401);
    // Providers often give several audiences.
    let mut many = claims.clone();
    many["aud"] = json!(["account", app.settings.auth.audience.clone()]);
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("key-1".to_owned());
    assert_eq!(
        status_with(&app, &jsonwebtoken::encode(&header, &many, &first).unwrap()).await,
        200
    );
    assert_eq!(
        status_with(&app, &signed(&second, "key-2")).await,
        401,
        "not published yet"
    );
    // The provider rotates: a token with the new key id makes us fetch again.
    *provider.jwks.lock().unwrap() = json!({ "keys": [second_jwk] }).to_string();
    assert_eq!(status_with(&app, &signed(&second, "key-2")).await, 200);
    assert_eq!(
        status_with(&app, &signed(&first, "key-2")).await,
        401,
        "signed by another key"
    );
}
