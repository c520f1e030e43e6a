//! From an outbox event to a MIME message: which template speaks for which event, in
//! which language, and the headers that make a retry recognisable as the same message.
//!
//! Templates live in `templates/<language>/<name>.j2`, one file per event and language,
//! each with the blocks `subject`, `text` and `html`. Every file is registered twice,
//! as `<name>.txt` (no escaping) and `<name>.html` (HTML escaping), and each block is
//! rendered from the registration that suits it: the HTML part escapes every value a
//! person typed, the text part shows it as typed.

use certdesk_domain::lifecycle::{Recipient, Status};
use certdesk_domain::local_time::IndonesianTime;
use certdesk_domain::{Event, EventKind, Language, mask_nik_like};

use crate::template::template_for;
use certdesk_store::OutboxMessage;
use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use minijinja::{Environment, UndefinedBehavior, Value, context};

use crate::settings::MailSettings;

/// Why an event cannot become an email. None of these improves by retrying.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("no email is written to the {} about {}", recipient.code(), kind.code())]
    NoTemplate {
        kind: EventKind,
        recipient: Recipient,
    },
    #[error("the recipient's address {0:?} is not a valid email address")]
    BadAddress(String),
    #[error("template {name}: {source}")]
    Template {
        name: String,
        source: minijinja::Error,
    },
    #[error("building the message: {0}")]
    Message(#[from] lettre::error::Error),
}

macro_rules! templates {
    ($($lang:literal / $name:literal),* $(,)?) => {
        &[$(($lang, $name, include_str!(concat!("../templates/", $lang, "/", $name, ".j2")))),*]
    };
}

/// The template files, compiled in so that the binary needs nothing beside it.
const SOURCES: &[(&str, &str, &str)] = templates![
    "id" / "ticket_received",
    "id" / "endorsement_needed",
    "id" / "endorsed",
    "id" / "declined",
    "id" / "in_review",
    "id" / "assigned_to_you",
    "id" / "information_requested",
    "id" / "requester_replied",
    "id" / "waiting_on_authority",
    "id" / "authority_link_sent",
    "id" / "link_expired",
    "id" / "endorsement_reminder",
    "id" / "resolved",
    "id" / "rejected",
    "id" / "cancelled",
    "id" / "reopened",
    "id" / "closed",
    "id" / "comment_added",
    "id" / "comment_to_agent",
    "id" / "auto_reply",
    "en" / "ticket_received",
    "en" / "endorsement_needed",
    "en" / "endorsed",
    "en" / "declined",
    "en" / "in_review",
    "en" / "assigned_to_you",
    "en" / "information_requested",
    "en" / "requester_replied",
    "en" / "waiting_on_authority",
    "en" / "authority_link_sent",
    "en" / "link_expired",
    "en" / "endorsement_reminder",
    "en" / "resolved",
    "en" / "rejected",
    "en" / "cancelled",
    "en" / "reopened",
    "en" / "closed",
    "en" / "comment_added",
    "en" / "comment_to_agent",
    "en" / "auto_reply",
];

const LAYOUT: &str = include_str!("../templates/layout.html.j2");

/// A rendered email before it becomes MIME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Turns outbox events into messages.
pub struct Composer {
    templates: Environment<'static>,
    from: Mailbox,
    message_id_domain: String,
    default_language: Language,
    desk_name: String,
    ticket_url: String,
    /// The clock deadlines are written in.
    time_zone: IndonesianTime,
    /// Where replies go, when the desk reads them (`mail.reply_to`).
    reply_to: Option<Mailbox>,
}

impl Composer {
    pub fn new(settings: &MailSettings) -> Result<Self, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("mail.from {:?}: {e}", settings.from))?;
        let mut templates = Environment::new();
        // A misspelt variable fails the message instead of leaving a hole in it.
        templates.set_undefined_behavior(UndefinedBehavior::Strict);
        for (lang, name, source) in SOURCES {
            for flavour in ["txt", "html"] {
                templates
                    .add_template_owned(format!("{lang}/{name}.{flavour}"), *source)
                    .map_err(|e| format!("template {lang}/{name}: {e}"))?;
            }
        }
        templates
            .add_template("layout.html", LAYOUT)
            .map_err(|e| format!("template layout: {e}"))?;
        Ok(Self {
            templates,
            message_id_domain: from.email.domain().to_owned(),
            from,
            default_language: settings.default_language()?,
            desk_name: settings.desk_name.clone(),
            ticket_url: settings.ticket_url.clone(),
            time_zone: settings.time_zone()?,
            reply_to: match settings.reply_to.trim() {
                "" => None,
                written => Some(
                    written
                        .parse()
                        .map_err(|e| format!("mail.reply_to {written:?}: {e}"))?,
                ),
            },
        })
    }

    /// The Message-ID of an event's email: the same on every attempt, so a receiving
    /// server or a person seeing it twice can tell it is one message.
    pub fn message_id(&self, event: &OutboxMessage) -> String {
        format!(
            "<{}.{}@{}>",
            event.event_id.simple(),
            event.ticket,
            self.message_id_domain
        )
    }

    /// The Message-ID every email of a ticket refers to, so that mail clients show them
    /// as one conversation: derived from the ticket number alone, stable for its life.
    pub fn thread_id(&self, event: &OutboxMessage) -> String {
        format!("<ticket.{}@{}>", event.ticket, self.message_id_domain)
    }

    /// Whether this recipient's reply is read: the desk has an inbound address, and they
    /// are the requester or the agent (`certdesk mail receive` takes replies from them
    /// only; officers act in the desk).
    fn replies_read(&self, event: &OutboxMessage) -> bool {
        self.reply_to.is_some()
            && matches!(
                event.notice.recipient,
                Recipient::Requester | Recipient::Assignee
            )
    }

    pub fn language_for(&self, event: &OutboxMessage) -> Language {
        event.language.unwrap_or(self.default_language)
    }

    /// The subject and both bodies of an event's email.
    pub fn render(&self, event: &OutboxMessage) -> Result<Rendered, ComposeError> {
        let notice = &event.notice;
        let template = template_for(notice.event.kind(), notice.recipient).ok_or(
            ComposeError::NoTemplate {
                kind: notice.event.kind(),
                recipient: notice.recipient,
            },
        )?;
        let language = self.language_for(event);
        let context = self.context(event, language);
        let block = |flavour: &str, block: &str| -> Result<String, ComposeError> {
            let name = format!("{}/{}.{flavour}", language.code(), template.name());
            let fail = |source| ComposeError::Template {
                name: name.clone(),
                source,
            };
            let mut captured = self
                .templates
                .get_template(&name)
                .and_then(|t| t.render_captured(context.clone()))
                .map_err(fail)?;
            captured
                .with_state_mut(|state| state.render_block(block))
                .map_err(fail)
        };
        let subject = block("txt", "subject")?;
        let text = block("txt", "text")?;
        let body = block("html", "html")?;
        let html = self
            .templates
            .get_template("layout.html")
            .and_then(|t| {
                t.render(context! {
                    lang => language.code(),
                    subject => &subject,
                    // Rendered by an escaping template just above.
                    body => Value::from_safe_string(body),
                })
            })
            .map_err(|source| ComposeError::Template {
                name: "layout.html".into(),
                source,
            })?;
        Ok(Rendered {
            // A header must be one line, whatever a template did.
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            text: tidy(&text),
            html,
        })
    }

    /// The complete message for an event that has an address.
    pub fn compose(&self, event: &OutboxMessage, address: &str) -> Result<Message, ComposeError> {
        let rendered = self.render(event)?;
        let to = Mailbox::new(
            event.recipient_name.clone(),
            address
                .parse()
                .map_err(|_| ComposeError::BadAddress(address.to_owned()))?,
        );
        let mut builder = Message::builder();
        if let Some(reply_to) = self.reply_to.clone().filter(|_| self.replies_read(event)) {
            builder = builder.reply_to(reply_to);
        }
        let message = builder
            // When it leaves, not when it happened: a retry or a requeued dead letter
            // dated hours back is marked down by spam filters and sorted out of place.
            // The Message-ID, the same on every attempt, is what identifies it.
            .date_now()
            .message_id(Some(self.message_id(event)))
            .in_reply_to(self.thread_id(event))
            .references(self.thread_id(event))
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            .header(match event.notice.event.kind() {
                // RFC 3834: an answer to a message is "auto-replied"; the rest is news.
                EventKind::AutoReply => AutoSubmitted::Replied,
                _ => AutoSubmitted::Generated,
            })
            .header(ContentLanguage(self.language_for(event)))
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))?;
        Ok(message)
    }

    fn context(&self, event: &OutboxMessage, language: Language) -> Value {
        let notice = &event.notice;
        // What people typed leaves the desk here: a NIK typed into it is masked.
        let (comment, author) = match &notice.event {
            Event::CommentAdded { comment, author } => {
                (Some(mask_nik_like(comment)), Some(author.code()))
            }
            _ => (None, None),
        };
        let (step, deadline) = match &notice.event {
            Event::AuthorityLinkSent { step, expires_at }
            | Event::AuthorityLinkExpired {
                step,
                expired_at: expires_at,
            } => (
                Some(language.pick(&step.title()).to_owned()),
                Some(self.time_zone.write(*expires_at, language)),
            ),
            _ => (None, None),
        };
        let (authority_status, next_step) = match &notice.event {
            Event::WaitingOnAuthority {
                certificate_status: Some(status),
            } => (
                Some(status.label()),
                Some(language.pick(&status.what_next()).to_owned()),
            ),
            _ => (None, None),
        };
        let (what_happened, what_to_do) = match &notice.event {
            Event::AutoReply { answer, .. } => (
                Some(
                    language
                        .pick(&answer.what_happened(event.ticket))
                        .to_owned(),
                ),
                Some(language.pick(&answer.what_to_do()).to_owned()),
            ),
            _ => (None, None),
        };
        let waiting_since = match &notice.event {
            Event::EndorsementOverdue { waiting_since } => {
                Some(self.time_zone.write(*waiting_since, language))
            }
            _ => None,
        };
        let ticket_url = (!self.ticket_url.is_empty()).then(|| {
            self.ticket_url
                .replace("{number}", &event.ticket.to_string())
        });
        context! {
            number => event.ticket.to_string(),
            service_code => event.service.code(),
            service => language.pick(&event.service.title()),
            subtype => event.subtype.map(|k| language.pick(&k.title()).to_owned()),
            status => language.pick(&notice.status.title()),
            awaiting_endorsement => notice.status == Status::AwaitingEndorsement,
            recipient => notice.recipient.code(),
            recipient_name => &event.recipient_name,
            requester_name => &event.requester_name,
            requester_unit => &event.requester_unit,
            reason => notice.event.text().map(mask_nik_like),
            comment => comment,
            author => author,
            step => step,
            deadline => deadline,
            waiting_since => waiting_since,
            authority_status => authority_status,
            next_step => next_step,
            what_happened => what_happened,
            what_to_do => what_to_do,
            ticket_url => ticket_url,
            replies_read => self.replies_read(event),
            desk => &self.desk_name,
        }
    }
}

/// `Auto-Submitted` (RFC 3834): out-of-office replies and the like are not sent back to
/// a desk that does not read them, and no machine answers the desk's own auto-replies.
#[derive(Debug, Clone, Copy)]
enum AutoSubmitted {
    Generated,
    Replied,
}

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(match value.trim() {
            "auto-replied" => Self::Replied,
            _ => Self::Generated,
        })
    }

    fn display(&self) -> HeaderValue {
        let value = match self {
            Self::Generated => "auto-generated",
            Self::Replied => "auto-replied",
        };
        HeaderValue::new(Self::name(), value.to_owned())
    }
}

/// `Content-Language`, which lettre has no type for.
#[derive(Debug, Clone, Copy)]
struct ContentLanguage(Language);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Language::from_tag(value)
            .map(Self)
            .ok_or_else(|| format!("unsupported language {value:?}").into())
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.code().to_owned())
    }
}

/// Trims trailing spaces and collapses the blank lines that template tags leave.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::tests::mailed;
    use certdesk_domain::TicketNumber;

    fn composer(language: &str) -> Composer {
        Composer::new(&MailSettings {
            language: language.into(),
            ticket_url: "https://desk.example.go.id/tickets/{number}".into(),
            ..MailSettings::default()
        })
        .unwrap()
    }

    const TYPED: &str = "Scan KTP buram & terpotong <script>alert(1)</script>";

    /// An event of `kind` carrying text a person typed, with markup in it.
    fn sample(kind: EventKind) -> Event {
        let typed = || TYPED.to_owned();
        match kind {
            EventKind::TicketReceived => Event::TicketReceived,
            EventKind::EndorsementNeeded => Event::EndorsementNeeded,
            EventKind::Endorsed => Event::Endorsed,
            EventKind::Declined => Event::Declined { reason: typed() },
            EventKind::Claimed => Event::Claimed,
            EventKind::Assigned => Event::Assigned,
            EventKind::ReviewResumed => Event::ReviewResumed,
            EventKind::InformationRequested => Event::InformationRequested { reason: typed() },
            EventKind::RequesterReplied => Event::RequesterReplied {
                reason: Some(typed()),
            },
            EventKind::WaitingOnAuthority => Event::WaitingOnAuthority {
                certificate_status: Some(certdesk_domain::CertificateStatus::OnSetPassphrase),
            },
            EventKind::AuthorityStatusRecorded => Event::AuthorityStatusRecorded {
                certificate_status: Some(certdesk_domain::CertificateStatus::Issue),
            },
            EventKind::AuthorityLinkSent => Event::AuthorityLinkSent {
                step: certdesk_domain::lifecycle::RequesterStep::SetPassphrase,
                expires_at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
            },
            EventKind::AuthorityLinkExpired => Event::AuthorityLinkExpired {
                step: certdesk_domain::lifecycle::RequesterStep::SetPassphrase,
                expired_at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
            },
            EventKind::EndorsementOverdue => Event::EndorsementOverdue {
                waiting_since: chrono::DateTime::from_timestamp(1_800_000_000, 0)
                    .unwrap_or_default(),
            },
            EventKind::Resolved => Event::Resolved {
                reason: Some(typed()),
            },
            EventKind::Rejected => Event::Rejected { reason: typed() },
            EventKind::Cancelled => Event::Cancelled {
                reason: Some(typed()),
            },
            EventKind::Reopened => Event::Reopened { reason: typed() },
            EventKind::Closed => Event::Closed {
                reason: Some(typed()),
            },
            EventKind::CommentAdded => Event::CommentAdded {
                comment: typed(),
                author: certdesk_domain::lifecycle::Capacity::Agent,
            },
            EventKind::AutoReply => Event::AutoReply {
                to: "andi.contoh@kemenkeu.go.id".into(),
                language: None,
                answer: certdesk_domain::inbound::AutoAnswer::NotAParty,
            },
        }
    }

    fn event(kind: EventKind, recipient: Recipient) -> OutboxMessage {
        OutboxMessage {
            event_id: uuid::Uuid::now_v7(),
            ticket: TicketNumber::from_sequence(35887).unwrap(),
            notice: certdesk_domain::Notice {
                event: sample(kind),
                recipient,
                recipient_nip: None,
                status: Status::AwaitingEndorsement,
            },
            address: Some("andi.contoh@kemenkeu.go.id".into()),
            recipient_name: Some("Andi <b>Contoh</b>".into()),
            language: None,
            service: certdesk_domain::Service::CertificateChange,
            subtype: Some(certdesk_domain::ChangeKind::Renewal),
            requester_name: "Andi Contoh".into(),
            requester_unit: "Sekretariat Jenderal".into(),
            attempt: 1,
            uncertain: false,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn every_event_renders_in_both_languages() {
        for language in ["id", "en"] {
            let composer = composer(language);
            for (kind, recipient) in mailed() {
                let event = event(kind, recipient);
                let rendered = composer
                    .render(&event)
                    .unwrap_or_else(|e| panic!("{language} {kind:?} to {recipient:?}: {e}"));
                assert!(
                    rendered.subject.starts_with("[S00000035887] "),
                    "{language} {kind:?}: {}",
                    rendered.subject
                );
                assert!(
                    rendered.text.contains("S00000035887"),
                    "{language} {kind:?}"
                );
                assert!(
                    rendered.html.contains("S00000035887"),
                    "{language} {kind:?}"
                );
                assert!(!rendered.text.contains("\n\n\n"), "{language} {kind:?}");
                // The HTML part escapes what people typed; the text part shows it as typed.
                assert!(!rendered.html.contains("<script>"), "{language} {kind:?}");
                assert!(
                    !rendered.html.contains("<b>Contoh</b>"),
                    "{language} {kind:?}"
                );
                assert!(rendered.html.starts_with("<!DOCTYPE html>"));
            }
        }
    }

    #[test]
    fn the_requester_learns_what_the_authority_waits_for_and_by_when() {
        // The sample link expires at 1_800_000_000 s: 2027-01-15 08:00 UTC, 15:00 WIB.
        for (language, status, next, deadline) in [
            (
                "id",
                "Status di BSrE: On Set Passphrase",
                "tautan yang dikirim ke email dinas Anda",
                "15 Januari 2027 pukul 15.00 WIB",
            ),
            (
                "en",
                "Status at BSrE: On Set Passphrase",
                "the link sent to your official email",
                "15 January 2027, 15:00 WIB",
            ),
        ] {
            let composer = composer(language);
            let waiting = composer
                .render(&event(EventKind::WaitingOnAuthority, Recipient::Requester))
                .unwrap();
            assert!(waiting.text.contains(status), "{}", waiting.text);
            assert!(waiting.text.contains(next), "{}", waiting.text);
            let link = composer
                .render(&event(EventKind::AuthorityLinkSent, Recipient::Requester))
                .unwrap();
            assert!(link.subject.contains(deadline), "{}", link.subject);
            assert!(link.text.contains(deadline), "{}", link.text);
        }
    }

    #[test]
    fn with_an_inbound_address_the_people_who_may_reply_are_asked_to() {
        let inbound = Composer::new(&MailSettings {
            reply_to: "Layanan Sertifikat <layanan@certdesk.invalid>".into(),
            ..MailSettings::default()
        })
        .unwrap();
        let reply_to = |m: &Message| m.headers().get_raw("Reply-To").map(str::to_owned);
        let to_requester = inbound
            .compose(
                &event(EventKind::InformationRequested, Recipient::Requester),
                "andi.contoh@kemenkeu.go.id",
            )
            .unwrap();
        assert!(
            reply_to(&to_requester).is_some_and(|r| r.contains("layanan@certdesk.invalid")),
            "{:?}",
            reply_to(&to_requester)
        );
        let text = String::from_utf8(to_requester.formatted()).unwrap();
        assert!(text.contains("Balas email ini untuk menjawab"), "{text}");
        let to_officer = inbound
            .compose(
                &event(EventKind::EndorsementNeeded, Recipient::ResponsibleOfficer),
                "kepala.upk@kemenkeu.go.id",
            )
            .unwrap();
        assert_eq!(reply_to(&to_officer), None, "officers act in the desk");
        let without = composer("id")
            .render(&event(
                EventKind::InformationRequested,
                Recipient::Requester,
            ))
            .unwrap();
        assert!(without.text.contains("tidak sampai ke petugas"));
    }

    #[test]
    fn the_reason_reaches_the_requester_escaped_in_html_only() {
        let rendered = composer("id")
            .render(&event(
                EventKind::InformationRequested,
                Recipient::Requester,
            ))
            .unwrap();
        assert!(
            rendered
                .text
                .contains("Scan KTP buram & terpotong <script>")
        );
        assert!(
            rendered
                .html
                .contains("Scan KTP buram &amp; terpotong &lt;script&gt;")
        );
        assert!(
            rendered.html.contains(
                "href=\"https:&#x2f;&#x2f;desk.example.go.id&#x2f;tickets&#x2f;S00000035887\""
            ),
            "escaped in the attribute too, which browsers read back as is"
        );
    }

    #[test]
    fn a_comment_reaches_its_reader_as_typed_in_text_and_escaped_in_html() {
        for language in ["id", "en"] {
            for recipient in [Recipient::Requester, Recipient::Assignee] {
                let rendered = composer(language)
                    .render(&event(EventKind::CommentAdded, recipient))
                    .unwrap();
                assert!(rendered.text.contains(TYPED), "{language} {recipient:?}");
                assert!(
                    rendered
                        .html
                        .contains("Scan KTP buram &amp; terpotong &lt;script&gt;"),
                    "{language} {recipient:?}"
                );
            }
        }
        let mut with_nik = event(EventKind::CommentAdded, Recipient::Requester);
        with_nik.notice.event = Event::CommentAdded {
            comment: "NIK saya 3174051705900001".into(),
            author: certdesk_domain::lifecycle::Capacity::Requester,
        };
        let rendered = composer("id").render(&with_nik).unwrap();
        assert!(rendered.text.contains("NIK saya 3174********0001"));
        assert!(
            !rendered.text.contains("3174051705900001")
                && !rendered.html.contains("3174051705900001")
        );
        let english = composer("en")
            .render(&event(EventKind::CommentAdded, Recipient::Requester))
            .unwrap();
        assert_eq!(english.subject, "[S00000035887] New comment on your ticket");
    }

    #[test]
    fn language_follows_the_recipient_then_the_configuration() {
        let mut english = event(EventKind::TicketReceived, Recipient::Requester);
        english.language = Some(Language::English);
        let composer = composer("id");
        assert_eq!(
            composer.render(&english).unwrap().subject,
            "[S00000035887] Ticket received"
        );
        let indonesian = event(EventKind::TicketReceived, Recipient::Requester);
        assert_eq!(
            composer.render(&indonesian).unwrap().subject,
            "[S00000035887] Tiket diterima"
        );
    }

    #[test]
    fn the_message_id_is_the_same_on_every_attempt() {
        let composer = composer("id");
        let mut event = event(EventKind::Resolved, Recipient::Requester);
        let first = composer
            .compose(&event, "andi.contoh@kemenkeu.go.id")
            .unwrap();
        event.attempt = 2;
        let second = composer
            .compose(&event, "andi.contoh@kemenkeu.go.id")
            .unwrap();
        let id = |m: &Message| {
            m.headers()
                .get_raw("Message-ID")
                .map(str::to_owned)
                .unwrap()
        };
        assert_eq!(id(&first), id(&second));
        assert!(id(&first).ends_with(".S00000035887@certdesk.invalid>"));
        let raw = String::from_utf8(first.formatted()).unwrap();
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains("Content-Language: id"));
    }

    #[test]
    fn every_email_of_a_ticket_belongs_to_its_thread() {
        let composer = composer("id");
        let header = |m: &Message, name: &str| m.headers().get_raw(name).map(str::to_owned);
        let mut ids = std::collections::HashSet::new();
        for kind in [EventKind::TicketReceived, EventKind::Resolved] {
            let mut event = event(kind, Recipient::Requester);
            event.event_id = uuid::Uuid::new_v4();
            let message = composer
                .compose(&event, "andi.contoh@kemenkeu.go.id")
                .unwrap();
            let thread = Some("<ticket.S00000035887@certdesk.invalid>".to_owned());
            assert_eq!(header(&message, "In-Reply-To"), thread);
            assert_eq!(header(&message, "References"), thread);
            assert!(
                ids.insert(header(&message, "Message-ID")),
                "each its own id"
            );
        }
    }
}
