use std::collections::{BTreeSet, VecDeque};

use proptest::prelude::*;

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::event::Event;
use crate::identity::Nip;
use crate::problem::ProblemCode;
use crate::service::{CertificateStatus, Service};

const REQUESTER: &str = "199005172015031001";
const OFFICER: &str = "197501012000031002";
const AGENT: &str = "198501012010011001";
const OTHER_AGENT: &str = "198601012011011002";
const SUPERVISOR: &str = "197001011995031003";

fn nip(raw: &str) -> Nip {
    Nip::parse(raw).unwrap()
}

fn actor(raw: &str, roles: &[Role]) -> Actor {
    Actor {
        nip: nip(raw),
        roles: roles.to_vec(),
    }
}

fn rules() -> LifecycleRules {
    LifecycleRules::default()
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
        requester_nip: nip(REQUESTER),
        officer_nip: nip(OFFICER),
        assignee_nip: assignee.map(nip),
        resolved_at: None,
    }
}

/// An action with everything it may carry: a reason, an assignee, and for the actions
/// about the authority a finding and the requester's step.
fn full_action(kind: ActionKind) -> Action {
    let about_authority = matches!(
        kind,
        ActionKind::WaitOnAuthority
            | ActionKind::RecordAuthorityStatus
            | ActionKind::Resolve
            | ActionKind::SendAuthorityLink
    );
    Action {
        kind,
        reason: Some("Alasan uji".into()),
        assignee_nip: Some(nip(AGENT)),
        authority: if about_authority {
            finding(CertificateStatus::Issue)
        } else {
            AuthorityReport::default()
        },
        step: (kind == ActionKind::SendAuthorityLink).then_some(RequesterStep::SetPassphrase),
    }
}

fn finding(status: CertificateStatus) -> AuthorityReport {
    AuthorityReport {
        certificate_status: Some(status),
        ..AuthorityReport::default()
    }
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

#[test]
fn the_happy_path_of_an_endorsed_ticket() {
    let mut ticket = facts(rules().initial_status(Service::ManualIssuance), None);
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
        let who = people()
            .into_iter()
            .find(|p| p.nip.as_str() == nip)
            .unwrap();
        let t = decide(&ticket, &who, &full_action(kind), now(), &rules()).unwrap();
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
        &rules(),
    )
    .unwrap_err();
    assert!(matches!(
        refusal,
        Refusal::NotPermitted {
            who_may: WhoMay::AssignedAgent,
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
            &rules()
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
        &rules(),
    )
    .unwrap_err();
    assert_eq!(refusal, Refusal::AlreadyClaimed);
    let mine = decide(
        &ticket,
        &actor(AGENT, &[Role::Agent]),
        &full_action(ActionKind::Claim),
        now(),
        &rules(),
    )
    .unwrap_err();
    assert!(
        matches!(mine, Refusal::NotAllowedInState { .. }),
        "one's own claim is simply not possible twice"
    );
}

#[test]
fn reasons_are_required_where_the_table_says() {
    let ticket = facts(Status::InReview, Some(AGENT));
    let agent = actor(AGENT, &[Role::Agent]);
    for kind in [ActionKind::Reject, ActionKind::RequestInformation] {
        let refusal = decide(&ticket, &agent, &Action::new(kind), now(), &rules()).unwrap_err();
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
        &rules(),
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
        decide(&ticket, &agent, &secret, now(), &rules()),
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
        decide(&ticket, &requester, &reopen, now(), &rules())
            .unwrap()
            .to,
        Status::InReview
    );
    ticket.resolved_at = Some(now() - Duration::days(8));
    assert_eq!(
        decide(&ticket, &requester, &reopen, now(), &rules()),
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
            &rules()
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

/// The lifecycle as docs/desk.md draws it, written out edge by edge and independently of
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
        (
            S::AwaitingRequesterAtAuthority,
            A::Assign,
            S::AwaitingRequesterAtAuthority,
        ),
        (S::InReview, A::RequestInformation, S::AwaitingRequester),
        (S::AwaitingRequester, A::Reply, S::InReview),
        (S::AwaitingRequesterAtAuthority, A::Reply, S::InReview),
        (S::InReview, A::WaitOnAuthority, S::WaitingOnAuthority),
        (S::InReview, A::RecordAuthorityStatus, S::InReview),
        (
            S::AwaitingRequester,
            A::RecordAuthorityStatus,
            S::AwaitingRequester,
        ),
        (
            S::WaitingOnAuthority,
            A::RecordAuthorityStatus,
            S::WaitingOnAuthority,
        ),
        (
            S::AwaitingRequesterAtAuthority,
            A::RecordAuthorityStatus,
            S::InReview,
        ),
        (
            S::InReview,
            A::SendAuthorityLink,
            S::AwaitingRequesterAtAuthority,
        ),
        (
            S::WaitingOnAuthority,
            A::SendAuthorityLink,
            S::AwaitingRequesterAtAuthority,
        ),
        (
            S::AwaitingRequesterAtAuthority,
            A::SendAuthorityLink,
            S::AwaitingRequesterAtAuthority,
        ),
        (S::WaitingOnAuthority, A::ResumeReview, S::InReview),
        (
            S::AwaitingRequesterAtAuthority,
            A::ResumeReview,
            S::InReview,
        ),
        (S::InReview, A::Resolve, S::Resolved),
        (S::WaitingOnAuthority, A::Resolve, S::Resolved),
        (S::AwaitingRequesterAtAuthority, A::Resolve, S::Resolved),
        (S::InReview, A::Reject, S::Rejected),
        (S::AwaitingRequester, A::Reject, S::Rejected),
        (S::WaitingOnAuthority, A::Reject, S::Rejected),
        (S::AwaitingRequesterAtAuthority, A::Reject, S::Rejected),
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
        service in proptest::sample::select(Service::ALL.to_vec()),
        steps in proptest::collection::vec((0usize..5, 0usize..ActionKind::ALL.len(), any::<bool>()), 0..60)
    ) {
        let people = people();
        let mut ticket = facts(rules().initial_status(service), None);
        let mut clock = now();
        let cannot_finish = states_that_cannot_finish();
        for (who, what, with_payload) in steps {
            let kind = ActionKind::ALL[what];
            let action = if with_payload { full_action(kind) } else { Action::new(kind) };
            clock += Duration::hours(1);
            match decide(&ticket, &people[who], &action, clock, &rules()) {
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
            if matches!(
                ticket.status,
                Status::InReview
                    | Status::AwaitingRequester
                    | Status::WaitingOnAuthority
                    | Status::AwaitingRequesterAtAuthority
            ) {
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
            &rules()
        ),
        Err(Refusal::OwnTicket)
    );
    let supervisor = actor(SUPERVISOR, &[Role::Supervisor]);
    let mut assign = full_action(ActionKind::Assign);
    assign.assignee_nip = Some(nip(REQUESTER));
    assert_eq!(
        decide(&ticket, &supervisor, &assign, now(), &rules()),
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
            &rules()
        ),
        Err(Refusal::NotAllowedInState { .. })
    ));
}

#[test]
fn every_accepted_action_writes_its_own_event_with_what_was_written() {
    let agent = actor(AGENT, &[Role::Agent]);
    let ticket = facts(Status::InReview, Some(AGENT));
    let asked = decide(
        &ticket,
        &agent,
        &Action::new(ActionKind::RequestInformation).with_reason("Pindaian KTP buram"),
        now(),
        &rules(),
    )
    .unwrap();
    assert_eq!(asked.notices.len(), 1);
    assert_eq!(asked.notices[0].recipient, Recipient::Requester);
    assert_eq!(asked.notices[0].recipient_nip, Some(nip(REQUESTER)));
    assert_eq!(asked.notices[0].status, Status::AwaitingRequester);
    assert_eq!(
        asked.notices[0].event,
        Event::InformationRequested {
            reason: "Pindaian KTP buram".into()
        }
    );
    assert_eq!(asked.capacity, Capacity::Agent);
    let mut waiting = full_action(ActionKind::WaitOnAuthority);
    waiting.authority = finding(CertificateStatus::OnSetPassphrase);
    assert_eq!(
        decide(&ticket, &agent, &waiting, now(), &rules())
            .unwrap()
            .notices[0]
            .event,
        Event::WaitingOnAuthority {
            certificate_status: Some(CertificateStatus::OnSetPassphrase)
        }
    );
    // The kinds line up with the actions one to one.
    let mut kinds = BTreeSet::new();
    for kind in ActionKind::ALL {
        let event = super::decide::event_for_test(kind);
        assert!(kinds.insert(event.kind()), "{kind:?} shares an event kind");
    }
}

#[test]
fn a_reason_is_required_exactly_for_decline_reject_request_information_and_reopen() {
    for kind in ActionKind::ALL {
        let without = super::decide::event_without_reason(kind);
        let required = matches!(
            kind,
            ActionKind::Decline
                | ActionKind::Reject
                | ActionKind::RequestInformation
                | ActionKind::Reopen
        );
        assert_eq!(without.is_err(), required, "{kind:?}");
    }
}

#[test]
fn the_desk_tells_the_requester_of_its_comments_and_the_agent_hears_the_others() {
    let requester = actor(REQUESTER, &[Role::Requester]);
    let officer = actor(OFFICER, &[Role::Officer]);
    let agent = actor(AGENT, &[Role::Agent]);
    let worked = facts(Status::InReview, Some(AGENT));
    let waiting = facts(Status::Submitted, None);

    let told = |decision: &CommentDecision| -> Vec<(Recipient, Option<Nip>)> {
        decision
            .notices
            .iter()
            .map(|n| (n.recipient, n.recipient_nip.clone()))
            .collect()
    };
    let text = "Mohon unggah ulang pindaian KTP.";
    let by_agent = comment(&agent, &worked, text, false).unwrap();
    assert_eq!(by_agent.capacity, Capacity::Agent);
    assert_eq!(
        told(&by_agent),
        [(Recipient::Requester, Some(nip(REQUESTER)))]
    );
    assert_eq!(by_agent.visibility, Visibility::Public);
    assert_eq!(
        by_agent.notices[0].event,
        Event::CommentAdded {
            comment: text.into(),
            author: Capacity::Agent
        }
    );

    let by_requester = comment(&requester, &worked, text, false).unwrap();
    assert_eq!(by_requester.capacity, Capacity::Requester);
    assert_eq!(
        told(&by_requester),
        [(Recipient::Assignee, Some(nip(AGENT)))]
    );
    assert_eq!(
        told(&comment(&requester, &waiting, text, false).unwrap()),
        [],
        "nobody to tell before an agent has the ticket"
    );

    let by_officer = comment(&officer, &worked, text, false).unwrap();
    assert_eq!(by_officer.capacity, Capacity::Officer);
    assert_eq!(
        told(&by_officer),
        [
            (Recipient::Requester, Some(nip(REQUESTER))),
            (Recipient::Assignee, Some(nip(AGENT)))
        ]
    );

    // RA staff write as the desk, even on a ticket they filed themselves.
    let staff_requester = actor(REQUESTER, &[Role::Requester, Role::Agent]);
    let own = comment(&staff_requester, &worked, text, false).unwrap();
    assert_eq!(own.capacity, Capacity::Agent);
    assert_eq!(told(&own), [(Recipient::Requester, Some(nip(REQUESTER)))]);

    let internal = comment(&agent, &worked, text, true).unwrap();
    assert_eq!(internal.visibility, Visibility::Internal);
    assert_eq!(told(&internal), [], "internal comments email nobody");
    for not_staff in [&requester, &officer] {
        assert_eq!(
            comment(not_staff, &worked, text, true),
            Err(Refusal::CommentNotPermitted)
        );
    }
    assert!(matches!(
        comment(&agent, &worked, "  ", false),
        Err(Refusal::Invalid { field: "body", .. })
    ));
    assert!(matches!(
        comment(&requester, &worked, "PIN saya: 123456", false),
        Err(Refusal::Invalid {
            field: "body",
            code: ProblemCode::SecretInText,
            ..
        })
    ));
}

#[test]
fn endorsement_follows_the_configured_services() {
    let mut rules = rules();
    assert_eq!(
        rules.initial_status(Service::CertificateChange),
        Status::Submitted
    );
    assert_eq!(
        rules.initial_status(Service::Revocation),
        Status::AwaitingEndorsement
    );
    rules.endorsement.clear();
    assert_eq!(
        rules.initial_status(Service::ManualIssuance),
        Status::Submitted
    );
}

#[test]
fn the_manual_issuance_walk_of_the_guides() {
    // Endorsed, claimed; the agent checks the KTP, sends the profile link, the requester
    // completes it; the agent verifies, sends the passphrase link, the requester sets it;
    // the agent finds the certificate issued and resolves.
    let mut ticket = facts(rules().initial_status(Service::ManualIssuance), None);
    let agent = actor(AGENT, &[Role::Agent]);
    let requester = actor(REQUESTER, &[Role::Requester]);
    let officer = actor(OFFICER, &[Role::Officer]);
    let link = |step| Action {
        step: Some(step),
        ..Action::new(ActionKind::SendAuthorityLink)
    };
    let found = |status| Action {
        authority: finding(status),
        ..Action::new(ActionKind::RecordAuthorityStatus)
    };
    let steps: Vec<(&Actor, Action, Status)> = vec![
        (
            &officer,
            Action::new(ActionKind::Endorse),
            Status::Submitted,
        ),
        (&agent, Action::new(ActionKind::Claim), Status::InReview),
        (&agent, found(CertificateStatus::New), Status::InReview),
        (
            &agent,
            link(RequesterStep::CompleteProfile),
            Status::AwaitingRequesterAtAuthority,
        ),
        (&requester, Action::new(ActionKind::Reply), Status::InReview),
        (
            &agent,
            link(RequesterStep::SetPassphrase),
            Status::AwaitingRequesterAtAuthority,
        ),
        (
            &agent,
            found(CertificateStatus::OnSetPassphrase),
            Status::InReview,
        ),
        (
            &agent,
            Action {
                authority: finding(CertificateStatus::Issue),
                ..Action::new(ActionKind::Resolve)
            },
            Status::Resolved,
        ),
    ];
    for (who, action, expected) in steps {
        let t = decide(&ticket, who, &action, now(), &rules()).unwrap();
        assert_eq!(t.to, expected, "{:?}", action.kind);
        ticket.status = t.to;
        ticket.assignee_nip = t.assignee_nip;
    }
}

#[test]
fn a_link_knows_its_deadline_and_the_requester_hears_of_it() {
    let agent = actor(AGENT, &[Role::Agent]);
    let ticket = facts(Status::InReview, Some(AGENT));
    let mut rules = rules();
    rules.link_validity = Duration::hours(12);
    let sent = decide(
        &ticket,
        &agent,
        &full_action(ActionKind::SendAuthorityLink),
        now(),
        &rules,
    )
    .unwrap();
    let link = sent.link.unwrap();
    assert_eq!(link.step, RequesterStep::SetPassphrase);
    assert_eq!(link.expires_at, now() + Duration::hours(12));
    assert_eq!(sent.notices.len(), 1);
    assert_eq!(sent.notices[0].recipient, Recipient::Requester);
    assert_eq!(
        sent.notices[0].event,
        Event::AuthorityLinkSent {
            step: RequesterStep::SetPassphrase,
            expires_at: link.expires_at
        }
    );
    assert!(matches!(
        decide(
            &ticket,
            &agent,
            &Action::new(ActionKind::SendAuthorityLink),
            now(),
            &rules
        ),
        Err(Refusal::Invalid { field: "step", .. })
    ));
}

#[test]
fn a_finding_is_recorded_quietly_unless_it_ends_the_requesters_turn() {
    let agent = actor(AGENT, &[Role::Agent]);
    let record = full_action(ActionKind::RecordAuthorityStatus);
    let working = decide(
        &facts(Status::InReview, Some(AGENT)),
        &agent,
        &record,
        now(),
        &rules(),
    )
    .unwrap();
    assert_eq!(working.to, Status::InReview);
    assert_eq!(
        working.finding.map(|f| f.certificate_status),
        Some(CertificateStatus::Issue)
    );
    assert!(working.notices.is_empty());
    let waited = decide(
        &facts(Status::AwaitingRequesterAtAuthority, Some(AGENT)),
        &agent,
        &record,
        now(),
        &rules(),
    )
    .unwrap();
    assert_eq!(waited.to, Status::InReview);
    assert_eq!(waited.notices.len(), 1);
}

#[test]
fn what_an_action_does_not_take_is_refused_not_dropped() {
    let agent = actor(AGENT, &[Role::Agent]);
    let ticket = facts(Status::InReview, Some(AGENT));
    let empty_record = Action::new(ActionKind::RecordAuthorityStatus);
    assert!(matches!(
        decide(&ticket, &agent, &empty_record, now(), &rules()),
        Err(Refusal::Invalid {
            field: "certificate_status",
            code: ProblemCode::Required,
            ..
        })
    ));
    let mut noted_without_status = Action::new(ActionKind::Resolve);
    noted_without_status.authority.note = Some("Sertifikat terbit".into());
    assert!(matches!(
        decide(&ticket, &agent, &noted_without_status, now(), &rules()),
        Err(Refusal::Invalid {
            field: "certificate_status",
            ..
        })
    ));
    let mut request = Action::new(ActionKind::RequestInformation).with_reason("KTP buram");
    request.authority = finding(CertificateStatus::New);
    assert!(matches!(
        decide(&ticket, &agent, &request, now(), &rules()),
        Err(Refusal::Invalid {
            code: ProblemCode::NotForAction,
            ..
        })
    ));
    let mut with_nik = full_action(ActionKind::RecordAuthorityStatus);
    with_nik.authority.note = Some("KTP cocok dengan NIK 3174051705900001".into());
    let recorded = decide(&ticket, &agent, &with_nik, now(), &rules()).unwrap();
    assert_eq!(
        recorded.finding.unwrap().note.unwrap().as_str(),
        "KTP cocok dengan NIK 3174********0001",
        "a NIK in a note is kept masked"
    );
    let mut secret_note = full_action(ActionKind::RecordAuthorityStatus);
    secret_note.authority.note = Some("passphrase: Rahasia#2026kuat".into());
    assert!(matches!(
        decide(&ticket, &agent, &secret_note, now(), &rules()),
        Err(Refusal::Invalid { field: "note", .. })
    ));
}
