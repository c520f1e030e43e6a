//! `GET` and `PUT /api/v1/routing-rules`: the ordered rules that choose a new ticket's
//! queue. Supervisors only; a PUT replaces the whole list.

use actix_web::{HttpResponse, web};
use certdesk_domain::routing::{QueueName, RoutingRule};
use certdesk_domain::{Message, Problem, ProblemCode, Service};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    /// Absent (or `null`) for any service.
    #[schema(value_type = Option<certdesk_domain::Service>)]
    pub service: Option<String>,
    /// An Eselon I unit; absent for any unit.
    pub unit: Option<String>,
    pub queue: String,
}

/// The rules a supervisor sends: the whole list, replacing the old one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "rules": [
        { "service": "15.3", "unit": null, "queue": "ra-revocation" },
        { "service": null, "unit": "Sekretariat Jenderal", "queue": "ra-setjen" }
    ]
}))]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    /// Evaluated in order; the first match wins; unmatched tickets go to the default queue.
    pub rules: Vec<RuleBody>,
}

/// The rules in force, and where tickets no rule matches go.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoutingRules {
    /// Evaluated in order; the first match wins.
    pub rules: Vec<RuleBody>,
    /// Where unmatched tickets go (configuration, `lifecycle.default_queue`).
    pub default_queue: String,
}

/// The routing rules.
///
/// Supervisors only.
#[utoipa::path(
    get,
    path = "/api/v1/routing-rules",
    tag = "administration",
    operation_id = "get_routing_rules",
    responses(
        (status = 200, description = "The rules, in the order they are tried.", body = RoutingRules),
        (status = 403, response = crate::responses::NotPermitted),
    )
)]
pub async fn get(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require_supervisor()?;
    // As stored, so that a rule routing can no longer use (its unit renamed away) is
    // seen and fixed rather than hidden.
    let rules = state.store.stored_routing_rules().await?;
    Ok(HttpResponse::Ok().json(RoutingRules {
        rules: rules
            .into_iter()
            .map(|r| RuleBody {
                service: r.service,
                unit: r.unit,
                queue: r.queue,
            })
            .collect(),
        default_queue: state.rules.lifecycle.default_queue.as_str().to_owned(),
    }))
}

/// Replace the routing rules.
///
/// The whole list at once; every rule is checked first and nothing changes if one is
/// wrong. Applies to tickets filed afterwards. Supervisors only.
#[utoipa::path(
    put,
    path = "/api/v1/routing-rules",
    tag = "administration",
    operation_id = "put_routing_rules",
    request_body = RulesBody,
    responses(
        (status = 200, description = "The rules as stored.", body = RoutingRules),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 413, response = crate::responses::PayloadTooLarge),
        (status = 415, response = crate::responses::UnsupportedMediaType),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<RulesBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_supervisor()?;
    let mut problems = Vec::new();
    let mut stored = Vec::new();
    for (i, rule) in body.rules.iter().enumerate() {
        let service = match rule.service.as_deref() {
            Some(code) => match Service::from_code(code) {
                Some(service) => Some(service),
                None => {
                    problems.push(Problem::new(
                        format!("rules[{i}].service"),
                        ProblemCode::ServiceUnknown,
                        Message::new(
                            "Layanan: 15.1, 15.2 atau 15.3.",
                            "Service: 15.1, 15.2 or 15.3.",
                        ),
                    ));
                    None
                }
            },
            None => None,
        };
        let unit = match rule.unit.as_deref() {
            Some(name) => match state.units.resolve(name) {
                Ok(unit) => Some(unit),
                Err(e) => {
                    problems.push(Problem::at(format!("rules[{i}].unit"), &e));
                    None
                }
            },
            None => None,
        };
        match QueueName::parse(&rule.queue) {
            Ok(queue) => stored.push(RoutingRule {
                service,
                unit,
                queue,
            }),
            Err((code, message)) => {
                problems.push(Problem::new(format!("rules[{i}].queue"), code, message))
            }
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::Validation {
            problems,
            warnings: Vec::new(),
        });
    }
    state.store.replace_routing_rules(&stored).await?;
    tracing::info!(rules = stored.len(), "routing rules replaced");
    get(state, caller).await
}
