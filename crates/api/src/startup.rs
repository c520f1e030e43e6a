//! Building and running the HTTP application.

use std::net::TcpListener;

use actix_web::HttpMessage;
use actix_web::dev::Server;
use actix_web::dev::Service;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::ErrorHandlers;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use certdesk_domain::service_level::ServiceLevels;
use certdesk_domain::{DeskRules, UnitCatalogue};
use certdesk_store::Store;
use futures_util::FutureExt;
use tracing_actix_web::{RequestId, TracingLogger};

use crate::auth::Authenticator;
use crate::error::{ApiError, problem_for_bare_errors};
use crate::pdf_reader::PdfReader;
use crate::rate_limits::RateLimits;
use crate::request_log::{RequestSpan, client_request_id};
use crate::settings::ApiSettings;
use crate::state::AppState;
use crate::{openapi, routes};

/// The Swagger UI's policy: its own scripts and styles only (it sets inline styles on
/// elements, and draws icons from data URIs), the document from this origin, and no
/// framing, forms or base-URI tricks.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'none'";

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Brings the store's schema up to date, loads the unit list and binds the listener
    /// (port 0 picks a free port, as tests do). The process has chosen its TLS provider
    /// (the OIDC provider's keys are fetched over rustls) and read the desk's calendar
    /// into the service levels.
    pub async fn build(
        settings: &ApiSettings,
        rules: &DeskRules,
        service_levels: ServiceLevels,
        store: Store,
    ) -> anyhow::Result<Self> {
        store
            .migrate()
            .await
            .context("running database migrations")?;
        settings.check().map_err(anyhow::Error::msg)?;
        let units = UnitCatalogue::new(store.units().await.context("loading the unit list")?);
        let authenticator = web::Data::new(
            Authenticator::new(&settings.auth, store.clone())
                .context("setting up authentication")?,
        );
        let sign_ins = web::Data::new(
            crate::console::SignIns::new(&settings.console, &settings.auth)
                .context("console.sso_issuer / console.public_url")?,
        );
        let pdf_reader = PdfReader::new(&settings.pdf, settings.limits.max_part_bytes)
            .context("finding the PDF reader")?;
        pdf_reader
            .check_works()
            .await
            .context("checking the PDF reader")?;
        let state = web::Data::new(AppState {
            store,
            rules: rules.clone(),
            service_levels,
            units,
            attachments: settings.attachment_policy(),
            limits: settings.limits,
            idempotency: settings.idempotency,
            uploads: std::sync::Arc::new(tokio::sync::Semaphore::new(
                usize::try_from(
                    settings.limits.uploads_in_flight_bytes / crate::state::UPLOAD_PERMIT_BYTES,
                )
                .unwrap_or(usize::MAX)
                .clamp(1, tokio::sync::Semaphore::MAX_PERMITS),
            )),
            decoding: std::sync::Arc::new(tokio::sync::Semaphore::new(
                (settings.limits.concurrent_decodes.max(1)) as usize,
            )),
            pdf_reader,
        });
        forget_expired_keys(state.store.clone());
        let rate_limits = web::Data::new(RateLimits::new(&settings.rate_limits));
        forget_quiet_clients(rate_limits.clone());
        let listener = TcpListener::bind(settings.server.listen).with_context(|| {
            format!(
                "listening on {} (another program there? set server.listen, CERTDESK_SERVER__LISTEN, to another address)",
                settings.server.listen
            )
        })?;
        let port = listener.local_addr()?.port();
        let mut server = HttpServer::new(move || {
            App::new()
                // Outermost, so that every answer has them, error pages included.
                .wrap_fn(|request, service| {
                    let docs = request.path().starts_with("/docs");
                    let console = request.path().starts_with("/console");
                    service.call(request).map(move |response| {
                        response.map(|mut response| {
                            let headers = response.headers_mut();
                            // Nothing we send is to be read as another type than we say: an
                            // uploaded file must never run as a page of ours.
                            headers.insert(
                                actix_web::http::header::X_CONTENT_TYPE_OPTIONS,
                                HeaderValue::from_static("nosniff"),
                            );
                            if docs {
                                headers.insert(
                                    actix_web::http::header::CONTENT_SECURITY_POLICY,
                                    HeaderValue::from_static(DOCS_CSP),
                                );
                            }
                            if console {
                                headers.insert(
                                    actix_web::http::header::CONTENT_SECURITY_POLICY,
                                    HeaderValue::from_static(crate::console::CONSOLE_CSP),
                                );
                                headers.insert(
                                    actix_web::http::header::REFERRER_POLICY,
                                    HeaderValue::from_static("same-origin"),
                                );
                            }
                            response
                        })
                    })
                })
                .wrap(ErrorHandlers::new().default_handler(problem_for_bare_errors))
                // Runs inside the logger's span: the id it echoes is the one every log
                // line of the request carries, so a user's report finds the logs.
                .wrap_fn(|request, service| {
                    let id = match client_request_id(request.headers()) {
                        Some(theirs) => Some(theirs.to_owned()),
                        None => request
                            .extensions()
                            .get::<RequestId>()
                            .map(|ours| ours.to_string()),
                    };
                    service.call(request).map(move |response| {
                        response.map(|mut response| {
                            if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
                                response
                                    .headers_mut()
                                    .insert(HeaderName::from_static("x-request-id"), value);
                            }
                            response
                        })
                    })
                })
                .wrap(TracingLogger::<RequestSpan>::new())
                .app_data(state.clone())
                .app_data(authenticator.clone())
                .app_data(sign_ins.clone())
                .app_data(rate_limits.clone())
                .configure(routes::configure)
                .configure(crate::console::configure)
                .configure(openapi::configure)
                .default_service(web::to(|| async {
                    Err::<actix_web::HttpResponse, _>(ApiError::RouteNotFound)
                }))
        })
        .listen(listener)?;
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        tracing::info!(
            address = %format!("http://{}:{port}", settings.server.listen.ip()),
            docs = "/docs/",
            "listening"
        );
        Ok(Self {
            port,
            server: server.run(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is told to stop (SIGINT/SIGTERM), finishing requests in
    /// flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The limiters remember every key they have seen until told to forget the quiet ones;
/// once a minute keeps them to the clients of the last minute or so.
fn forget_quiet_clients(limits: web::Data<RateLimits>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            limits.forget_quiet();
        }
    });
}

/// Deletes expired idempotency keys every few minutes, a bounded batch at a time, for
/// as long as the server runs. Every API instance does it; their deletes do not conflict.
fn forget_expired_keys(store: Store) {
    const BATCH: u64 = 500;
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            every.tick().await;
            loop {
                match store
                    .forget_expired_idempotency_keys(chrono::Utc::now(), BATCH)
                    .await
                {
                    Ok(deleted) if deleted >= BATCH => continue,
                    Ok(0) => break,
                    Ok(deleted) => {
                        tracing::info!(deleted, "expired idempotency keys deleted");
                        break;
                    }
                    Err(error) => {
                        tracing::warn!(%error, "deleting expired idempotency keys failed");
                        break;
                    }
                }
            }
        }
    });
}
