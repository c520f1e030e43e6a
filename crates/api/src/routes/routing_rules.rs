//! `GET` and `PUT /api/v1/routing-rules`: the ordered rules that choose a new ticket's
//! queue. Supervisors only; a PUT replaces the whole list. Each rule is checked by the
//! domain's `RoutingRule::check`, the same reading the store applies to stored rules; a
//! stored rule that no longer reads is listed with its problems.

use actix_web::{HttpResponse, web};
use certdesk_domain::Problem;
use certdesk_domain::routing::{RoutingRule, RuleFields, StoredRule};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Json;
use crate::json_line::JsonLine;
use crate::state::AppState;

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
    pub rules: Vec<RuleFields>,
}

/// A rule as stored.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleEntry {
    /// A service code; `null` for any service.
    #[schema(value_type = Option<certdesk_domain::Service>)]
    pub service: Option<String>,
    /// An Eselon I unit; `null` for any unit.
    pub unit: Option<String>,
    pub queue: String,
    /// Why the rule no longer reads (its unit left the catalogue, say): routing passes
    /// over it, so a supervisor should correct or remove it. Empty when it applies.
    pub problems: Vec<Problem>,
}

impl From<&StoredRule> for RuleEntry {
    fn from(rule: &StoredRule) -> Self {
        let RuleFields {
            service,
            unit,
            queue,
        } = rule.fields();
        Self {
            service,
            unit,
            queue,
            problems: rule.problems().to_vec(),
        }
    }
}

/// The rules in force, and where tickets no rule matches go.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoutingRules {
    /// Evaluated in order; the first match wins.
    pub rules: Vec<RuleEntry>,
    /// How many rules no longer read and are passed over.
    pub broken: usize,
    /// Where unmatched tickets go (configuration, `lifecycle.default_queue`).
    pub default_queue: String,
}

/// The rules as stored, read against the unit catalogue in force. Supervisors only.
pub(crate) async fn rules(state: &AppState, caller: &Caller) -> Result<RoutingRules, ApiError> {
    caller.require_supervisor()?;
    let stored = state.store.routing_rules(&state.units).await?;
    Ok(RoutingRules {
        broken: stored.iter().filter(|r| !r.problems().is_empty()).count(),
        rules: stored.iter().map(RuleEntry::from).collect(),
        default_queue: state.rules.lifecycle.default_queue.as_str().to_owned(),
    })
}

/// The routing rules.
///
/// Supervisors only. A rule that no longer reads (its unit left the catalogue) is listed
/// as stored, with its problems; routing passes over it.
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
    Ok(HttpResponse::Ok().json_line(rules(&state, &caller).await?))
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
    body: Json<RulesBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_supervisor()?;
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    for (i, fields) in body.rules.iter().enumerate() {
        match RoutingRule::check(fields, &state.units) {
            Ok(rule) => checked.push(rule),
            Err(found) => problems.extend(found.into_iter().map(|problem| Problem {
                field: format!("rules[{i}].{}", problem.field),
                ..problem
            })),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::Validation {
            problems,
            warnings: Vec::new(),
        });
    }
    state.store.replace_routing_rules(&checked).await?;
    tracing::info!(rules = checked.len(), "routing rules replaced");
    get(state, caller).await
}
