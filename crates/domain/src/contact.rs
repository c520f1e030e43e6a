//! Where the desk writes to people, and in which language. A notice names a recipient
//! by their part in the ticket; who that is on file decides the address: the requester
//! as they filed, an agent as the staff directory lists them (in their language), an
//! officer as the officers' directory lists them, someone who wrote in at the address
//! they wrote from.

use crate::Language;
use crate::event::{Event, Notice};
use crate::lifecycle::Recipient;

/// An address, the name to greet, and the language the person asked for, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub address: String,
    pub name: Option<String>,
    pub language: Option<Language>,
}

/// Who is on file for a notice: the ticket's requester, and the recipient's entries (by
/// the NIP the notice names) in the staff and the officers' directories.
#[derive(Debug, Clone, Default)]
pub struct OnFile {
    pub requester: Option<Contact>,
    pub staff: Option<Contact>,
    pub officer: Option<Contact>,
}

impl Notice {
    /// Where this notice is written to; `None` when nobody with an address is on file
    /// (the delivery is skipped, not retried).
    pub fn addressee(&self, on_file: OnFile) -> Option<Contact> {
        match self.recipient {
            // Answered where they wrote from, in the language decided then.
            Recipient::Sender => match &self.event {
                Event::AutoReply { to, language, .. } => Some(Contact {
                    address: to.clone(),
                    name: None,
                    language: *language,
                }),
                _ => None,
            },
            Recipient::Requester => on_file.requester,
            // Agents as the staff directory says, in their language; an agent listed
            // only among the officers (as before the staff directory) as that says.
            Recipient::Assignee => on_file.staff.or(on_file.officer),
            Recipient::ResponsibleOfficer => on_file.officer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbound::AutoAnswer;
    use crate::lifecycle::Status;

    fn contact(address: &str, language: Option<Language>) -> Contact {
        Contact {
            address: address.into(),
            name: Some("Contoh".into()),
            language,
        }
    }

    fn notice(recipient: Recipient, event: Event) -> Notice {
        Notice {
            event,
            recipient,
            recipient_nip: None,
            status: Status::InReview,
        }
    }

    #[test]
    fn each_recipient_is_written_to_where_their_part_says() {
        let on_file = || OnFile {
            requester: Some(contact("andi@kemenkeu.go.id", None)),
            staff: Some(contact("agen@kemenkeu.go.id", Some(Language::English))),
            officer: Some(contact("upk@kemenkeu.go.id", None)),
        };
        let claimed = || Event::Claimed;
        let to = |recipient, on_file| notice(recipient, claimed()).addressee(on_file);
        assert_eq!(
            to(Recipient::Requester, on_file()).unwrap().address,
            "andi@kemenkeu.go.id"
        );
        let agent = to(Recipient::Assignee, on_file()).unwrap();
        assert_eq!(
            (agent.address.as_str(), agent.language),
            ("agen@kemenkeu.go.id", Some(Language::English))
        );
        assert_eq!(
            to(Recipient::ResponsibleOfficer, on_file())
                .unwrap()
                .address,
            "upk@kemenkeu.go.id",
            "an officer who is also staff hears as an officer"
        );
        let only_an_officer = OnFile {
            staff: None,
            ..on_file()
        };
        assert_eq!(
            to(Recipient::Assignee, only_an_officer).unwrap().address,
            "upk@kemenkeu.go.id"
        );
        assert_eq!(to(Recipient::Assignee, OnFile::default()), None);
    }

    #[test]
    fn someone_who_wrote_in_is_answered_where_they_wrote_from() {
        let reply = notice(
            Recipient::Sender,
            Event::AutoReply {
                to: "orang@example.org".into(),
                language: Some(Language::English),
                answer: AutoAnswer::NothingNew,
            },
        );
        let answered = reply.addressee(OnFile::default()).unwrap();
        assert_eq!(answered.address, "orang@example.org");
        assert_eq!(answered.language, Some(Language::English));
        assert_eq!(
            notice(Recipient::Sender, Event::Claimed).addressee(OnFile::default()),
            None
        );
    }
}
