//! Replies by email, as the desk reads them: which ticket a message is about, whether a
//! person or a machine sent it, and what the person newly wrote. Pure rules over what an
//! adapter took out of the message; parsing MIME is the adapter's.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Language, Message, TicketNumber};

/// Auto-replies one sender may get in an hour, unless configured otherwise: enough to
/// tell a person what went wrong, too few for a loop with another machine to matter.
pub const AUTO_REPLIES_PER_HOUR: u32 = 3;

/// What the desk needs of an incoming message, already decoded.
#[derive(Debug, Clone, Default)]
pub struct InboundMail {
    pub subject: String,
    /// `In-Reply-To` and `References`, as message ids without angle brackets.
    pub refers_to: Vec<String>,
    /// The sender's address (`From`).
    pub from: String,
    /// The envelope sender (`Return-Path`), if the MTA gave one: empty for bounces.
    pub return_path: Option<String>,
    /// Headers that mark automatic mail, lower-case name and value.
    pub marks: Vec<(String, String)>,
    /// The message's text: the plain part, or the HTML one converted to text.
    pub text: String,
    /// Files were attached (they are never taken: attachments go through the portal).
    pub has_attachments: bool,
    /// The language the message says it is written in (`Content-Language`), if one of
    /// the desk's: a stranger is answered in it.
    pub language: Option<Language>,
}

/// The ticket a message is about: `[S00000035887]` in the subject, else a message id the
/// desk gave one of the ticket's emails (`<…S00000035887@…>` or `<ticket.S…@…>`).
pub fn ticket_of(mail: &InboundMail) -> Option<TicketNumber> {
    bracketed(&mail.subject).or_else(|| mail.refers_to.iter().find_map(|id| in_message_id(id)))
}

fn bracketed(subject: &str) -> Option<TicketNumber> {
    subject
        .split('[')
        .skip(1)
        .filter_map(|rest| rest.split(']').next())
        .find_map(|inside| TicketNumber::from_str(inside.trim()).ok())
}

fn in_message_id(id: &str) -> Option<TicketNumber> {
    let local = id.trim_matches(['<', '>']).split('@').next()?;
    local
        .split('.')
        .find_map(|part| TicketNumber::from_str(part).ok())
}

/// Mail no person wrote: auto-replies, out-of-office, bounces, lists. RFC 3834's
/// `Auto-Submitted`, the common vendor headers, and an empty envelope sender.
pub fn is_automatic(mail: &InboundMail) -> bool {
    let bounce = mail
        .return_path
        .as_deref()
        .is_some_and(|path| path.trim_matches(['<', '>', ' ']).is_empty());
    let daemon = {
        let local = mail.from.split('@').next().unwrap_or_default();
        local.eq_ignore_ascii_case("mailer-daemon") || local.eq_ignore_ascii_case("postmaster")
    };
    bounce
        || daemon
        || mail.marks.iter().any(|(name, value)| {
            let value = value.trim().to_ascii_lowercase();
            match name.as_str() {
                "auto-submitted" => value != "no",
                "precedence" => matches!(value.as_str(), "bulk" | "junk" | "list" | "auto_reply"),
                "x-autoreply" | "x-autorespond" | "x-auto-response-suppress" => {
                    name != "x-auto-response-suppress" || value.contains("oof")
                }
                "list-id" | "list-unsubscribe" => true,
                "content-type" => value.starts_with("multipart/report"),
                _ => false,
            }
        })
}

/// An address compared as mail systems mean it: trimmed, lower-case.
pub fn normalised_address(address: &str) -> String {
    address
        .trim()
        .trim_matches(['<', '>'])
        .trim()
        .to_lowercase()
}

/// What the person newly wrote: the text above the quoted message, without the lines
/// that introduce it ("On … wrote:", "Pada … menulis:", Outlook's header block), quoted
/// lines (`>`), and the signature (after `-- `, or the phone clients' "Sent from").
pub fn reply_text(text: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if starts_quote(trimmed) || trimmed == "--" || line == "-- " || is_sent_from(trimmed) {
            break;
        }
        if trimmed.starts_with('>') {
            continue;
        }
        kept.push(line.trim_end());
    }
    // An introduction line ends with "wrote:" or "menulis:", sometimes wrapped onto two
    // lines; drop it with what comes after.
    let mut wrapped_intro = false;
    while let Some(last) = kept.last() {
        let lower = last.trim().to_lowercase();
        let intro_end = lower.ends_with("wrote:") || lower.ends_with("menulis:");
        let intro_start = lower.starts_with("on ") || lower.starts_with("pada ");
        if lower.is_empty() || intro_end || (wrapped_intro && intro_start) {
            // "menulis:" alone on its line: the introduction began on the line before.
            wrapped_intro = intro_end && !intro_start;
            kept.pop();
        } else {
            break;
        }
    }
    kept.join("\n").trim().to_owned()
}

fn starts_quote(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower.starts_with("-----original message-----")
        || lower.starts_with("---------- forwarded message")
        || lower.starts_with("begin forwarded message:")
        || lower.starts_with("-----pesan asli-----")
        || lower.starts_with("________________________________")
        || ((lower.starts_with("from:") || lower.starts_with("dari:")) && line.contains('@'))
        || ((lower.starts_with("on ") && lower.ends_with("wrote:"))
            || (lower.starts_with("pada ") && lower.ends_with("menulis:")))
}

fn is_sent_from(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower.starts_with("sent from my ")
        || lower.starts_with("dikirim dari ")
        || lower.starts_with("get outlook for ")
}

/// Why the desk answers a person's email by itself (an RFC 3834 auto-reply): what
/// became of their message, and what to do instead. Never sent to automatic mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoAnswer {
    /// The ticket has ended: replies to it are no longer recorded.
    TicketEnded,
    /// The sender is neither the ticket's requester nor its assigned agent.
    NotAParty,
    /// Nothing was written above the quoted message.
    NothingNew,
    /// The text broke a rule every comment follows (a passphrase in it, too long, …);
    /// the rule's own explanation, which never repeats the text.
    RuleBroken { rule: Message },
    /// The reply was recorded; its attachments were not.
    AttachmentsNotTaken,
}

impl AutoAnswer {
    /// What became of the message.
    pub fn what_happened(&self, ticket: TicketNumber) -> Message {
        match self {
            Self::TicketEnded => Message::new(
                format!(
                    "Tiket {ticket} sudah selesai, sehingga balasan email untuknya tidak lagi dicatat."
                ),
                format!(
                    "Ticket {ticket} has ended, so email replies to it are no longer recorded."
                ),
            ),
            Self::NotAParty => Message::new(
                format!(
                    "Balasan untuk tiket {ticket} hanya diterima dari alamat email pemohon atau petugas RA yang menanganinya, dan pesan Anda tidak dikirim dari salah satunya. Pesan tidak dicatat."
                ),
                format!(
                    "Replies to ticket {ticket} are taken only from the requester's or the handling RA agent's email address, and your message came from neither. It was not recorded."
                ),
            ),
            Self::NothingNew => Message::new(
                format!(
                    "Balasan Anda untuk tiket {ticket} tidak dicatat: kami tidak menemukan teks baru di atas kutipan email sebelumnya."
                ),
                format!(
                    "Your reply to ticket {ticket} was not recorded: we found no new text above the quoted message."
                ),
            ),
            Self::RuleBroken { rule } => Message::new(
                format!(
                    "Balasan Anda untuk tiket {ticket} tidak dicatat. {}",
                    rule.id
                ),
                format!(
                    "Your reply to ticket {ticket} was not recorded. {}",
                    rule.en
                ),
            ),
            Self::AttachmentsNotTaken => Message::new(
                format!(
                    "Balasan Anda untuk tiket {ticket} sudah dicatat, tetapi lampirannya tidak: berkas tidak diterima lewat email."
                ),
                format!(
                    "Your reply to ticket {ticket} was recorded, but not its attachments: files are not taken by email."
                ),
            ),
        }
    }

    /// What the person can do instead.
    pub fn what_to_do(&self) -> Message {
        match self {
            Self::TicketEnded => Message::new(
                "Bila masih memerlukan bantuan, ajukan tiket baru melalui portal layanan.",
                "If you still need help, file a new ticket through the service portal.",
            ),
            Self::NotAParty => Message::new(
                "Kirim balasan dari alamat email yang tercatat pada tiket, atau tulis melalui portal layanan.",
                "Reply from the email address recorded on the ticket, or write through the service portal.",
            ),
            Self::NothingNew => Message::new(
                "Tulis pesan Anda di atas kutipan lalu kirim kembali, atau tulis melalui portal layanan.",
                "Write your message above the quoted text and send it again, or write through the service portal.",
            ),
            Self::RuleBroken { .. } => Message::new(
                "Perbaiki teksnya lalu kirim kembali, atau tulis melalui portal layanan.",
                "Correct the text and send it again, or write through the service portal.",
            ),
            Self::AttachmentsNotTaken => Message::new(
                "Unggah berkas melalui portal layanan, pada tiket ini.",
                "Upload files through the service portal, on this ticket.",
            ),
        }
    }
}

/// The line an MTA puts in its bounce when a message names no ticket of this desk
/// (exit 67): the sender reads it there, in both languages. ASCII only, as a bounce's
/// diagnostic may be.
pub const NO_TICKET: &str = "Tidak ada tiket yang dikenali: balas email dari layanan dengan nomor tiket (mis. [S00000012345]) tetap di subjek, atau gunakan portal layanan. / No ticket recognised: reply to the desk's email keeping the ticket number (e.g. [S00000012345]) in the subject, or use the service portal.";

/// How `certdesk mail receive` ends, in the MTA's terms (sysexits.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Taken, or refused for good (the sender is told why when a person wrote it).
    Done,
    /// The message names no ticket of this desk: the MTA bounces it.
    UnknownRecipient,
    /// Try again later (the database is down): the MTA keeps the message.
    TryLater,
}

impl Delivery {
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Done => 0,
            Self::UnknownRecipient => 67,
            Self::TryLater => 75,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(subject: &str) -> InboundMail {
        InboundMail {
            subject: subject.into(),
            from: "andi.contoh@kemenkeu.go.id".into(),
            ..InboundMail::default()
        }
    }

    #[test]
    fn the_ticket_comes_from_the_subject_or_the_thread() {
        let number = |m: &InboundMail| ticket_of(m).map(|n| n.to_string());
        assert_eq!(
            number(&mail(
                "RE: [S00000035887] Kelengkapan permohonan diperlukan"
            )),
            Some("S00000035887".into())
        );
        assert_eq!(
            number(&mail("RE: [EXTERNAL] [S00000000012] x")),
            Some("S00000000012".into())
        );
        let mut threaded = mail("Re: tiket saya");
        threaded.refers_to = vec!["0193a1b2c3.S00000000042@certdesk.example".into()];
        assert_eq!(number(&threaded), Some("S00000000042".into()));
        threaded.refers_to = vec!["ticket.S00000000043@certdesk.example".into()];
        assert_eq!(number(&threaded), Some("S00000000043".into()));
        assert_eq!(number(&mail("Pertanyaan umum")), None);
    }

    #[test]
    fn machines_are_recognised() {
        let mut auto = mail("Automatic reply: [S00000000001]");
        auto.marks = vec![("auto-submitted".into(), "auto-replied".into())];
        assert!(is_automatic(&auto));
        auto.marks = vec![("auto-submitted".into(), "no".into())];
        assert!(!is_automatic(&auto));
        auto.marks = vec![("x-auto-response-suppress".into(), "All".into())];
        assert!(
            !is_automatic(&auto),
            "a person's Outlook sets this on ordinary mail"
        );
        auto.marks = vec![("x-autoreply".into(), "yes".into())];
        assert!(is_automatic(&auto));
        let mut bounce = mail("Undelivered Mail Returned to Sender");
        bounce.return_path = Some("<>".into());
        assert!(is_automatic(&bounce));
        let mut daemon = mail("failure notice");
        daemon.from = "MAILER-DAEMON@kemenkeu.go.id".into();
        assert!(is_automatic(&daemon));
    }

    #[test]
    fn only_what_the_person_newly_wrote_is_kept() {
        let gmail = "Sudah saya unggah ulang.\nTerima kasih.\n\nOn Mon, 1 Dec 2026 at 09:00, Layanan <no-reply@x.go.id> wrote:\n> Yth. Bapak/Ibu,\n> Petugas RA memerlukan kelengkapan.\n";
        assert_eq!(reply_text(gmail), "Sudah saya unggah ulang.\nTerima kasih.");
        let wrapped = "Baik, sudah.\n\nPada Sen, 1 Des 2026 pukul 09.00 Layanan Sertifikat <no-reply@x.go.id>\nmenulis:\n> teks lama\n";
        assert_eq!(reply_text(wrapped), "Baik, sudah.");
        let outlook = "Passphrase sudah saya atur sendiri.\n\nSalam,\nAndi\n\n________________________________\nFrom: Layanan <no-reply@x.go.id>\nSent: Monday\n";
        assert_eq!(
            reply_text(outlook),
            "Passphrase sudah saya atur sendiri.\n\nSalam,\nAndi"
        );
        let signed = "Oke.\n-- \nAndi Contoh\nSekretariat Jenderal\n";
        assert_eq!(reply_text(signed), "Oke.");
        let phone = "Siap, sudah.\n\nDikirim dari iPhone saya\n";
        assert_eq!(reply_text(phone), "Siap, sudah.");
        assert_eq!(reply_text("> hanya kutipan\n"), "");
    }

    #[test]
    fn the_bounce_line_is_ascii() {
        assert!(NO_TICKET.is_ascii());
    }

    #[test]
    fn exit_codes_are_the_mtas() {
        assert_eq!(Delivery::Done.exit_code(), 0);
        assert_eq!(Delivery::UnknownRecipient.exit_code(), 67);
        assert_eq!(Delivery::TryLater.exit_code(), 75);
    }
}
