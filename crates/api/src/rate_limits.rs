//! Rate limits: no one person, token or address may starve the desk.
//!
//! - Filing, validating and commenting are limited per person (by NIP) and per client
//!   address; an integrator's token, which files for many people from one address, has
//!   its own, larger allowance for filing and checking together.
//! - Failed authentication is limited per address: past the limit, the address is
//!   refused (429) for a while even with a valid token, so guessing tokens goes nowhere.
//!
//! The client address is the connection's peer; `X-Forwarded-For` is believed only when
//! the peer is a configured trusted proxy, and then its last address that is not one of
//! them is the client. Rotating the header from anywhere else changes nothing.
//!
//! Limits count in this process (governor's keyed GCRA limiters); every API instance
//! keeps its own.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::settings::RateLimitSettings;
use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// What a limited request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    Intake,
    Validate,
    Comment,
}

pub struct RateLimits {
    enabled: bool,
    intake: DefaultKeyedRateLimiter<String>,
    validate: DefaultKeyedRateLimiter<String>,
    comments: DefaultKeyedRateLimiter<String>,
    integrators: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    failed_auth: DefaultKeyedRateLimiter<IpAddr>,
    /// Addresses refused after too many failed authentications, until when.
    blocked: Mutex<HashMap<IpAddr, Instant>>,
    trusted_proxies: Vec<IpAddr>,
    clock: DefaultClock,
}

fn per_minute(count: u32) -> Quota {
    let count = NonZeroU32::new(count.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(count).allow_burst(count)
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self {
            enabled: settings.enabled,
            intake: RateLimiter::keyed(per_minute(settings.intake_per_minute)),
            validate: RateLimiter::keyed(per_minute(settings.validate_per_minute)),
            comments: RateLimiter::keyed(per_minute(settings.comments_per_minute)),
            integrators: RateLimiter::keyed(per_minute(settings.integrator_per_minute)),
            per_address: RateLimiter::keyed(per_minute(settings.per_address_per_minute)),
            failed_auth: RateLimiter::keyed(per_minute(settings.failed_auth_per_minute)),
            blocked: Mutex::new(HashMap::new()),
            trusted_proxies: settings.trusted_proxies.clone(),
            clock: DefaultClock::default(),
        }
    }

    /// The client's address: the peer, or, when the peer is a trusted proxy, the last
    /// address in `X-Forwarded-For` that is not one.
    pub fn client_address(&self, request: &HttpRequest) -> Option<IpAddr> {
        let peer = request.peer_addr()?.ip();
        if !self.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        let forwarded: Vec<IpAddr> = request
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse().ok())
            .collect();
        Some(
            forwarded
                .into_iter()
                .rev()
                .find(|a| !self.trusted_proxies.contains(a))
                .unwrap_or(peer),
        )
    }

    /// Counts a limited request of `caller`; 429 past its limit or its address's. Called
    /// before the body is read: a refused upload costs nothing.
    pub fn check(
        &self,
        what: Limited,
        caller: &Caller,
        request: &HttpRequest,
    ) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let (limiter, limit) = match (caller, what) {
            (Caller::Integrator { .. }, _) => (&self.integrators, "integrator token"),
            (Caller::Person(_), Limited::Intake) => (&self.intake, "filings per person"),
            (Caller::Person(_), Limited::Validate) => (&self.validate, "checks per person"),
            (Caller::Person(_), Limited::Comment) => (&self.comments, "comments per person"),
        };
        if let Err(not_until) = limiter.check_key(&caller.principal()) {
            return Err(self.refusal(not_until.wait_time_from(self.clock.now()), limit));
        }
        // A token is limited as itself; people share their address's allowance.
        if matches!(caller, Caller::Integrator { .. }) {
            return Ok(());
        }
        let address = self.client_address(request);
        if let Some(address) = address
            && let Err(not_until) = self.per_address.check_key(&address)
        {
            return Err(self.refusal(
                not_until.wait_time_from(self.clock.now()),
                "requests per address",
            ));
        }
        Ok(())
    }

    /// Counts an unauthenticated request that costs the desk something (an SSO sign-in
    /// begun is a row kept for minutes) against its address's allowance; 429 past it.
    pub fn address_allowed(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        let (true, Some(address)) = (self.enabled, address) else {
            return Ok(());
        };
        self.per_address.check_key(&address).map_err(|not_until| {
            self.refusal(
                not_until.wait_time_from(self.clock.now()),
                "requests per address",
            )
        })
    }

    /// Refuses an address that failed to authenticate too often, until its time is up.
    pub fn authentication_allowed(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        let (true, Some(address)) = (self.enabled, address) else {
            return Ok(());
        };
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        match blocked.get(&address) {
            Some(until) if *until > Instant::now() => Err(self.refusal(
                until.saturating_duration_since(Instant::now()),
                "failed authentication",
            )),
            Some(_) => {
                blocked.remove(&address);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Counts a failed authentication from `address`; past the limit, it is blocked.
    pub fn authentication_failed(&self, address: Option<IpAddr>) {
        let (true, Some(address)) = (self.enabled, address) else {
            return;
        };
        if let Err(not_until) = self.failed_auth.check_key(&address) {
            let wait = not_until.wait_time_from(self.clock.now());
            tracing::warn!(%address, wait_secs = wait.as_secs(), "too many failed authentications; the address is refused for a while");
            self.blocked
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(address, Instant::now() + wait);
        }
    }

    /// Forgets keys that have been quiet, so that the limiters' memory stays bounded.
    pub fn forget_quiet(&self) {
        self.intake.retain_recent();
        self.validate.retain_recent();
        self.comments.retain_recent();
        self.integrators.retain_recent();
        self.per_address.retain_recent();
        self.failed_auth.retain_recent();
        let now = Instant::now();
        self.blocked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, until| *until > now);
    }

    fn refusal(&self, wait: Duration, limit: &'static str) -> ApiError {
        let retry_after_secs = u32::try_from(wait.as_secs().max(1)).unwrap_or(u32::MAX);
        tracing::info!(limit, retry_after_secs, "rate limited");
        ApiError::RateLimited { retry_after_secs }
    }
}
