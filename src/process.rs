//! What belongs to the process rather than to any part: the TLS provider every rustls
//! user shares, and the signals that stop it.

/// reqwest (the OIDC provider's keys, the console's SSO) and sqlx share rustls; the
/// process picks its ring backend once, before either connects.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// SIGINT (Ctrl-C) or SIGTERM (`docker stop`, systemd).
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
