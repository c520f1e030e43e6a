use std::collections::{BTreeSet, VecDeque};

use proptest::prelude::*;

use super::*;

const REQUESTER: &str = "199005172015031001";
const OFFICER: &str = "197501012000031002";
const AGENT: &str = "198501012010011001";
const OTHER_AGENT: &str = "198601012011011002";
const SUPERVISOR: &str = "197001011995031003";

fn actor(nip: &str, roles: &[Role]) -> Actor {
    Actor {
        nip: nip.into(),
        roles: roles.to_vec(),
    }
}

fn people() -> Vec<Actor> {
    vec![
        actor(REQUESTER, &[Role::Requester]),
        actor(OFFICER, &[Role::Officer]),
        actor(AGENT, &[Role::Agent]),
        actor(OTHER_AGENT, &[Role::Agent]),
        actor(SUPERVISOR, &[Role::Supervisor]),
    ]
}

fn facts(status: Status, assignee: Option<&str>) -> TicketFacts {
    TicketFacts {
        status,
        requester_nip: REQUESTER.into(),
        officer_nip: OFFICER.into(),
        assignee_nip: assignee.map(Into::into),
        resolved_at: None,
    }
}

fn full_action(kind: ActionKind) -> Action {
    Action {
        kind,
        reason: Some("Alasan uji".into()),
        assignee_nip: Some(AGENT.into()),
        certificate_status: Some(CertificateStatus::Issue),
    }
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

#[test]
fn the_happy_path_of_an_endorsed_ticket() {
    let mut ticket = facts(Status::initial(true), None);
    let steps = [
        (OFFICER, ActionKind::Endorse, Status::Submitted),
        (AGENT, ActionKind::Claim, Status::InReview),
        (
            AGENT,
            ActionKind::RequestInformation,
            Status::AwaitingRequester,
        ),
        (REQUESTER, ActionKind::Reply, Status::InReview),
        (
            AGENT,
            ActionKind::WaitOnAuthority,
            Status::WaitingOnAuthority,
        ),
        (AGENT, ActionKind::Resolve, Status::Resolved),
        (REQUESTER, ActionKind::Close, Status::Closed),
    ];
    for (nip, kind, expected) in steps {
        let who = people().into_iter().find(|p| p.nip == nip).unwrap();
        let t = decide(&ticket, &who, &full_action(kind), now(), Duration::days(7)).unwrap();
        assert_eq!(t.to, expected, "{kind:?}");
        ticket.status = t.to;
        ticket.assignee_nip = t.assignee_nip;
    }
}

#[test]
fn only_the_assigned_agent_may_resolve() {
    let ticket = facts(Status::InReview, Some(AGENT));
    let other = actor(OTHER_AGENT, &[Role::Agent]);
    let refusal = decide(
        &ticket,
        &other,
        &full_action(ActionKind::Resolve),
        now(),
        Duration::days(7),
    )
    .unwrap_err();
    assert!(matches!(
        refusal,
        Refusal::NotPermitted {
            capacity: Capacity::AssignedAgent,
            ..
        }
    ));
    let supervisor = actor(SUPERVISOR, &[Role::Supervisor]);
    assert!(
        decide(
            &ticket,
            &supervisor,
            &full_action(ActionKind::Resolve),
            now(),
            Duration::days(7)
        )
        .is_err()
    );
}

#[test]
fn a_claimed_ticket_cannot_be_claimed_again() {
    let ticket = facts(Status::InReview, Some(AGENT));
    let other = actor(OTHER_AGENT, &[Role::Agent]);
    let refusal = decide(
        &ticket,
        &other,
        &full_action(ActionKind::Claim),
        now(),
        Duration::days(7),
    )
    .unwrap_err();
    assert_eq!(
        refusal,
        Refusal::NotAllowedInState {
            status: Status::InReview,
            action: ActionKind::Claim
        }
    );
}

#[test]
fn reasons_are_required_where_the_table_says() {
    let ticket = facts(Status::InReview, Some(AGENT));
    let agent = actor(AGENT, &[Role::Agent]);
    for kind in [ActionKind::Reject, ActionKind::RequestInformation] {
        let refusal = decide(
            &ticket,
            &agent,
            &Action::new(kind),
            now(),
            Duration::days(7),
        )
        .unwrap_err();
        assert!(
            matches!(
                refusal,
                Refusal::Invalid {
                    field: "reason",
                    ..
                }
            ),
            "{kind:?}"
        );
    }
    let officer = actor(OFFICER, &[Role::Officer]);
    let refusal = decide(
        &facts(Status::AwaitingEndorsement, None),
        &officer,
        &Action::new(ActionKind::Decline),
        now(),
        Duration::days(7),
    )
    .unwrap_err();
    assert!(matches!(
        refusal,
        Refusal::Invalid {
            field: "reason",
            ..
        }
    ));
    let secret = Action::new(ActionKind::Reject).with_reason("PIN: 123456");
    assert!(matches!(
        decide(&ticket, &agent, &secret, now(), Duration::days(7)),
        Err(Refusal::Invalid {
            code: ProblemCode::SecretInText,
            ..
        })
    ));
}

#[test]
fn reopening_is_allowed_only_within_the_window() {
    let mut ticket = facts(Status::Resolved, Some(AGENT));
    let requester = actor(REQUESTER, &[Role::Requester]);
    let reopen = Action::new(ActionKind::Reopen).with_reason("Link belum diterima");
    ticket.resolved_at = Some(now() - Duration::days(6));
    assert_eq!(
        decide(&ticket, &requester, &reopen, now(), Duration::days(7))
            .unwrap()
            .to,
        Status::InReview
    );
    ticket.resolved_at = Some(now() - Duration::days(8));
    assert_eq!(
        decide(&ticket, &requester, &reopen, now(), Duration::days(7)),
        Err(Refusal::ReopenWindowPassed)
    );
}

#[test]
fn only_the_tickets_own_officer_endorses() {
    let ticket = facts(Status::AwaitingEndorsement, None);
    let other_officer = actor("197803152003122001", &[Role::Officer]);
    assert!(matches!(
        decide(
            &ticket,
            &other_officer,
            &full_action(ActionKind::Endorse),
            now(),
            Duration::days(7)
        ),
        Err(Refusal::NotPermitted { .. })
    ));
}

#[test]
fn codes_round_trip() {
    for s in Status::ALL {
        assert_eq!(Status::from_code(s.code()), Some(s));
    }
    for a in ActionKind::ALL {
        assert_eq!(ActionKind::from_code(a.code()), Some(a));
    }
}

/// The lifecycle as README.md draws it, written out edge by edge and independently of
/// `target`'s match: the two must say the same, so neither can drift alone.
const EDGES: &[(Status, ActionKind, Status)] = {
    use ActionKind as A;
    use Status as S;
    &[
        (S::AwaitingEndorsement, A::Endorse, S::Submitted),
        (S::AwaitingEndorsement, A::Decline, S::Rejected),
        (S::Submitted, A::Claim, S::InReview),
        (S::Submitted, A::Assign, S::InReview),
        (S::InReview, A::Assign, S::InReview),
        (S::AwaitingRequester, A::Assign, S::AwaitingRequester),
        (S::WaitingOnAuthority, A::Assign, S::WaitingOnAuthority),
        (S::InReview, A::RequestInformation, S::AwaitingRequester),
        (S::AwaitingRequester, A::Reply, S::InReview),
        (S::InReview, A::WaitOnAuthority, S::WaitingOnAuthority),
        (S::WaitingOnAuthority, A::ResumeReview, S::InReview),
        (S::InReview, A::Resolve, S::Resolved),
        (S::WaitingOnAuthority, A::Resolve, S::Resolved),
        (S::InReview, A::Reject, S::Rejected),
        (S::AwaitingRequester, A::Reject, S::Rejected),
        (S::WaitingOnAuthority, A::Reject, S::Rejected),
        (S::Submitted, A::Cancel, S::Cancelled),
        (S::AwaitingEndorsement, A::Cancel, S::Cancelled),
        (S::InReview, A::Cancel, S::Cancelled),
        (S::AwaitingRequester, A::Cancel, S::Cancelled),
        (S::Resolved, A::Reopen, S::InReview),
        (S::Resolved, A::Close, S::Closed),
    ]
};

fn documented(status: Status, action: ActionKind) -> Option<Status> {
    EDGES
        .iter()
        .find(|(s, a, _)| *s == status && *a == action)
        .map(|(_, _, to)| *to)
}

#[test]
fn the_table_is_exactly_the_documented_edges() {
    for status in Status::ALL {
        for action in ActionKind::ALL {
            assert_eq!(
                target(status, action),
                documented(status, action),
                "{status:?} {action:?}"
            );
        }
    }
}

/// Every state from which the table allows no way to a terminal state.
fn states_that_cannot_finish() -> Vec<Status> {
    Status::ALL
        .into_iter()
        .filter(|start| {
            let mut seen = BTreeSet::from([*start]);
            let mut queue = VecDeque::from([*start]);
            while let Some(state) = queue.pop_front() {
                if state.is_terminal() {
                    return false;
                }
                for action in ActionKind::ALL {
                    if let Some(next) = target(state, action)
                        && seen.insert(next)
                    {
                        queue.push_back(next);
                    }
                }
            }
            true
        })
        .collect()
}

#[test]
fn every_state_can_still_reach_a_terminal_state() {
    assert_eq!(states_that_cannot_finish(), Vec::<Status>::new());
}

#[test]
fn terminal_states_have_no_way_out() {
    for state in Status::ALL.into_iter().filter(|s| s.is_terminal()) {
        for action in ActionKind::ALL {
            assert_eq!(target(state, action), None, "{state:?} {action:?}");
        }
    }
}

proptest! {
    /// Random people take random actions: every accepted transition is one the table
    /// allows, and no sequence strands a ticket where no terminal state is reachable.
    #[test]
    fn random_action_sequences_stay_within_the_table(
        start_endorsed in any::<bool>(),
        steps in proptest::collection::vec((0usize..5, 0usize..ActionKind::ALL.len(), any::<bool>()), 0..60)
    ) {
        let people = people();
        let mut ticket = facts(Status::initial(start_endorsed), None);
        let mut clock = now();
        let cannot_finish = states_that_cannot_finish();
        for (who, what, with_payload) in steps {
            let kind = ActionKind::ALL[what];
            let action = if with_payload { full_action(kind) } else { Action::new(kind) };
            clock += Duration::hours(1);
            match decide(&ticket, &people[who], &action, clock, Duration::days(7)) {
                Ok(t) => {
                    prop_assert_eq!(Some(t.to), documented(ticket.status, kind));
                    prop_assert!(!ticket.status.is_terminal());
                    if t.to == Status::Resolved {
                        ticket.resolved_at = Some(clock);
                    }
                    ticket.status = t.to;
                    ticket.assignee_nip = t.assignee_nip;
                }
                Err(Refusal::NotAllowedInState { status, action }) => {
                    prop_assert_eq!(documented(status, action), None);
                }
                Err(_) => {}
            }
            prop_assert!(!cannot_finish.contains(&ticket.status));
            if matches!(ticket.status, Status::InReview | Status::AwaitingRequester | Status::WaitingOnAuthority) {
                prop_assert!(ticket.assignee_nip.is_some(), "work in progress always has an agent");
            }
        }
    }
}

#[test]
fn agents_do_not_handle_their_own_tickets() {
    let ticket = facts(Status::Submitted, None);
    let agent_requester = actor(REQUESTER, &[Role::Requester, Role::Agent]);
    assert_eq!(
        decide(
            &ticket,
            &agent_requester,
            &full_action(ActionKind::Claim),
            now(),
            Duration::days(7)
        ),
        Err(Refusal::OwnTicket)
    );
    let supervisor = actor(SUPERVISOR, &[Role::Supervisor]);
    let mut assign = full_action(ActionKind::Assign);
    assign.assignee_nip = Some(REQUESTER.into());
    assert_eq!(
        decide(&ticket, &supervisor, &assign, now(), Duration::days(7)),
        Err(Refusal::OwnTicket)
    );
}

#[test]
fn no_cancelling_once_the_agent_acted_at_the_authority() {
    let ticket = facts(Status::WaitingOnAuthority, Some(AGENT));
    let requester = actor(REQUESTER, &[Role::Requester]);
    assert!(matches!(
        decide(
            &ticket,
            &requester,
            &full_action(ActionKind::Cancel),
            now(),
            Duration::days(7)
        ),
        Err(Refusal::NotAllowedInState { .. })
    ));
}
