//! Replies by email, delivered by an MTA's pipe transport to `certdesk mail receive`:
//! the message is read here (MIME, encodings, HTML turned to text, by mail-parser), the
//! domain's `inbound` rules say which ticket it is about, whether a person wrote it and
//! what they newly wrote, and the lifecycle's own rules decide what it becomes: the
//! requester's answer where the desk waits for them, otherwise a public comment. Whatever
//! is refused is stored nowhere; a person (never a machine) is told why by an auto-reply,
//! a few times an hour at most. Nothing of the message (address, text) is logged.

use certdesk_domain::inbound::{
    AutoAnswer, Delivery, InboundMail, is_automatic, normalised_address, reply_text, ticket_of,
};
use certdesk_domain::lifecycle::{
    Action, ActionKind, Actor, LifecycleRules, Recipient, Refusal, Role, Status, comment, decide,
};
use certdesk_domain::service_level::ServiceLevels;
use certdesk_domain::{Event, Language, Notice};
use certdesk_store::{HistoryActor, Store, StoreError, TicketRecord};
use chrono::Utc;
use mail_parser::MessageParser;

/// The largest message read; a reply is text, and anything bigger is refused unread.
pub const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

/// Why a message was not taken; logged by name, never with its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    NotAnEmail,
    TooLarge,
    Automatic,
    NoTicket,
    TicketEnded,
    NotAParty,
    NothingNew,
    BrokeARule(&'static str),
}

/// What became of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Recorded as the requester's answer: the ticket went back to the agent.
    Answer,
    /// Recorded as a public comment.
    Comment,
    Refused(Refused),
}

impl Received {
    /// What the MTA is told.
    pub fn delivery(self) -> Delivery {
        match self {
            Self::Refused(Refused::NoTicket) => Delivery::UnknownRecipient,
            Self::Answer | Self::Comment | Self::Refused(_) => Delivery::Done,
        }
    }
}

/// The parts of a message the desk reads.
pub fn read(raw: &[u8]) -> Option<InboundMail> {
    let message = MessageParser::default().parse(raw)?;
    let ids = |value: &mail_parser::HeaderValue<'_>| -> Vec<String> {
        value
            .as_text_list()
            .map(|list| list.iter().map(|id| id.to_string()).collect())
            .unwrap_or_default()
    };
    let mut refers_to = ids(message.in_reply_to());
    refers_to.extend(ids(message.references()));
    let marks = [
        "Auto-Submitted",
        "Precedence",
        "X-Autoreply",
        "X-Autorespond",
        "X-Auto-Response-Suppress",
        "List-Id",
        "List-Unsubscribe",
        "Content-Type",
    ]
    .into_iter()
    .filter_map(|name| {
        message
            .header_raw(name)
            .map(|value| (name.to_ascii_lowercase(), value.trim().to_owned()))
    })
    .collect();
    Some(InboundMail {
        subject: message.subject().unwrap_or_default().to_owned(),
        refers_to,
        from: message
            .from()
            .and_then(|from| from.first())
            .and_then(|addr| addr.address())
            .unwrap_or_default()
            .to_owned(),
        return_path: message
            .header_raw("Return-Path")
            .map(|path| path.trim().to_owned()),
        marks,
        text: text_of(&message),
        has_attachments: message.attachment_count() > 0,
        language: message
            .header_raw("Content-Language")
            .and_then(Language::from_tag),
    })
}

/// The message's text: its plain part, or, when it has only HTML, the HTML down to
/// where the quoted message begins, as text.
fn text_of(message: &mail_parser::Message<'_>) -> String {
    match message.text_part(0) {
        Some(part) if part.is_text_html() => html_reply(part.text_contents().unwrap_or_default()),
        Some(part) => part.text_contents().unwrap_or_default().to_owned(),
        None => String::new(),
    }
}

/// Mail clients mark where the quoted message starts in HTML (Outlook's separator and
/// reply header, Gmail's and Thunderbird's quote blocks); what comes before is the reply.
/// Blocks end lines, as a reader sees them.
fn html_reply(html: &str) -> String {
    const QUOTE_STARTS: [&str; 6] = [
        "<div id=\"appendonsend\"",
        "<div id=\"divrplyfwdmsg\"",
        "<hr",
        "<div class=\"gmail_quote",
        "<blockquote",
        "<div class=\"moz-cite-prefix",
    ];
    let lower = html.to_ascii_lowercase();
    let end = QUOTE_STARTS
        .iter()
        .filter_map(|marker| lower.find(marker))
        .min()
        .unwrap_or(html.len());
    let reply = html[..end]
        .replace("</div>", "</div><br>")
        .replace("</p>", "</p><br>");
    mail_parser::decoders::html::html_to_text(&reply)
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// Takes one message as the MTA delivered it, and answers a person whose message was
/// refused, or whose attachments were not taken, with an auto-reply within
/// `auto_replies_per_hour`. A store error (the database down) is `Err`: the MTA keeps
/// the message and tries again.
pub async fn receive(
    store: &Store,
    rules: &LifecycleRules,
    levels: &ServiceLevels,
    auto_replies_per_hour: u32,
    raw: &[u8],
) -> Result<Received, StoreError> {
    if raw.len() > MAX_MESSAGE_BYTES {
        return Ok(Received::Refused(Refused::TooLarge));
    }
    let Some(mail) = read(raw) else {
        return Ok(Received::Refused(Refused::NotAnEmail));
    };
    if is_automatic(&mail) {
        // Never answered: two machines answering each other is a mail loop.
        return Ok(Received::Refused(Refused::Automatic));
    }
    let Some(number) = ticket_of(&mail) else {
        return Ok(Received::Refused(Refused::NoTicket));
    };
    let Some(ticket) = store.ticket(number).await? else {
        return Ok(Received::Refused(Refused::NoTicket));
    };
    let sender = sender(store, &ticket, &mail.from).await?;
    let (received, answer) = take(store, rules, levels, &ticket, sender.as_ref(), &mail).await?;
    if let Some(answer) = answer
        && !normalised_address(&mail.from).is_empty()
    {
        let language = match &sender {
            Some(sender) => sender.language,
            None => mail.language,
        };
        let reply = Notice {
            event: Event::AutoReply {
                to: mail.from.trim().to_owned(),
                language,
                answer,
            },
            recipient: Recipient::Sender,
            recipient_nip: None,
            status: ticket.status,
        };
        let queued = store
            .auto_reply(
                number,
                &reply,
                &mail.from,
                auto_replies_per_hour,
                Utc::now(),
            )
            .await?;
        if queued {
            tracing::info!(ticket = %number, "auto-reply queued for the sender");
        } else {
            tracing::info!(
                ticket = %number,
                per_hour = auto_replies_per_hour,
                "no auto-reply: the sender had their share this hour"
            );
        }
    }
    Ok(received)
}

/// A party to the ticket who wrote: who they are to the lifecycle, and the language
/// they are written to in.
struct Sender {
    actor: Actor,
    language: Option<Language>,
}

/// What becomes of a person's message on an existing ticket, and what they are told.
async fn take(
    store: &Store,
    rules: &LifecycleRules,
    levels: &ServiceLevels,
    ticket: &TicketRecord,
    sender: Option<&Sender>,
    mail: &InboundMail,
) -> Result<(Received, Option<AutoAnswer>), StoreError> {
    let refuse = |why: Refused, answer: AutoAnswer| Ok((Received::Refused(why), Some(answer)));
    if ticket.status.is_terminal() {
        return refuse(Refused::TicketEnded, AutoAnswer::TicketEnded);
    }
    let Some(Sender { actor, .. }) = sender else {
        return refuse(Refused::NotAParty, AutoAnswer::NotAParty);
    };
    let text = reply_text(&mail.text);
    if text.is_empty() {
        return refuse(Refused::NothingNew, AutoAnswer::NothingNew);
    }
    let number = ticket.number;
    let facts = ticket.facts();
    let now = Utc::now();
    let attachments = mail
        .has_attachments
        .then_some(AutoAnswer::AttachmentsNotTaken);
    let answers = actor.roles.contains(&Role::Requester)
        && matches!(
            ticket.status,
            Status::AwaitingRequester | Status::AwaitingRequesterAtAuthority
        );
    if answers {
        let action = Action::new(ActionKind::Reply).with_reason(&text);
        let transition = match decide(&facts, actor, &action, now, rules) {
            Ok(transition) => transition,
            Err(refusal) => return Ok(refused(refusal)),
        };
        let by = HistoryActor {
            id: actor.nip.as_str().to_owned(),
            capacity: transition.capacity,
        };
        store
            .apply_transition(number, ticket.version, &transition, &by, levels, now)
            .await?;
        return Ok((Received::Answer, attachments));
    }
    let decision = match comment(actor, &facts, &text, false) {
        Ok(decision) => decision,
        Err(refusal) => return Ok(refused(refusal)),
    };
    let by = HistoryActor {
        id: actor.nip.as_str().to_owned(),
        capacity: decision.capacity,
    };
    store
        .add_comment(number, &by, &decision, levels, now)
        .await?;
    Ok((Received::Comment, attachments))
}

/// The ticket's requester or its assigned agent, if the message is from one of them.
async fn sender(
    store: &Store,
    ticket: &TicketRecord,
    from: &str,
) -> Result<Option<Sender>, StoreError> {
    let from = normalised_address(from);
    if from.is_empty() {
        return Ok(None);
    }
    if normalised_address(&ticket.requester_email) == from {
        return Ok(Some(Sender {
            actor: Actor {
                nip: ticket.requester_nip.clone(),
                roles: vec![Role::Requester],
            },
            language: ticket.language,
        }));
    }
    if let Some(agent) = &ticket.assignee_nip
        && let Some(agent_contact) = store.staff_contact(agent).await?
        && normalised_address(&agent_contact.address) == from
    {
        return Ok(Some(Sender {
            actor: Actor {
                nip: agent.clone(),
                roles: vec![Role::Agent],
            },
            language: agent_contact.language,
        }));
    }
    Ok(None)
}

/// A lifecycle refusal as what the MTA and the sender are told.
fn refused(refusal: Refusal) -> (Received, Option<AutoAnswer>) {
    let (why, answer) = match refusal {
        Refusal::Invalid { code, message, .. } => (
            Refused::BrokeARule(code.as_str()),
            AutoAnswer::RuleBroken { rule: message },
        ),
        Refusal::NotAllowedInState { .. } | Refusal::ReopenWindowPassed => {
            (Refused::TicketEnded, AutoAnswer::TicketEnded)
        }
        Refusal::NotPermitted { .. }
        | Refusal::AlreadyClaimed
        | Refusal::OwnTicket
        | Refusal::CommentNotPermitted => (Refused::NotAParty, AutoAnswer::NotAParty),
    };
    (Received::Refused(why), Some(answer))
}
