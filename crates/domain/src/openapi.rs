//! The domain's vocabulary as OpenAPI schemas (feature `openapi`). Each enum publishes
//! exactly the codes it accepts and writes, read from its own `ALL` list, so the document
//! cannot offer a value the rules refuse or miss one they add.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::event::EventKind;
use crate::lifecycle::{
    ActionKind, Capacity, HistoryKind, ProfileState, Recipient, RequesterStep, Role, Status,
    Visibility,
};
use crate::problem::{Message, ProblemCode};
use crate::service::{CertificateStatus, ChangeKind, ChangeableField, RevocationReason, Service};
use crate::service_level::{ClockKind, Pause, Standing};
use crate::{AttachmentKind, Language};

/// A string schema that accepts exactly `codes`; the description lists each code with
/// its English title where the domain has one.
fn vocabulary<'a>(
    summary: &str,
    codes: impl IntoIterator<Item = (&'a str, Option<Message>)>,
) -> RefOr<Schema> {
    let (values, lines): (Vec<&str>, Vec<String>) = codes
        .into_iter()
        .map(|(code, title)| {
            let line = match title {
                Some(title) => format!("- `{code}`: {} / {}", title.en, title.id),
                None => format!("- `{code}`"),
            };
            (code, line)
        })
        .unzip();
    let described = lines.iter().any(|line| line.contains(": "));
    let description = if described {
        format!("{summary}\n\n{}", lines.join("\n"))
    } else {
        summary.to_owned()
    };
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

macro_rules! vocabulary_schema {
    ($type:ty, $name:literal, $summary:literal, |$item:ident| $code:expr, $title:expr, $all:expr) => {
        impl PartialSchema for $type {
            fn schema() -> RefOr<Schema> {
                vocabulary(
                    $summary,
                    $all.iter().copied().map(|$item: $type| ($code, $title)),
                )
            }
        }

        impl ToSchema for $type {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

vocabulary_schema!(
    Service,
    "ServiceCode",
    "The ITSM 15 service: 15.1 manual issuance, 15.2 change, 15.3 revocation.",
    |s| s.code(),
    Some(s.title()),
    Service::ALL
);
vocabulary_schema!(
    ChangeKind,
    "Subtype",
    "The kind of change a 15.2 ticket asks for (required for 15.2, absent otherwise).",
    |k| k.code(),
    Some(k.title()),
    ChangeKind::ALL
);
vocabulary_schema!(
    RevocationReason,
    "RevocationReason",
    "Why a certificate is to be revoked (required for 15.3, absent otherwise).",
    |r| r.code(),
    Some(r.title()),
    RevocationReason::ALL
);
vocabulary_schema!(
    ChangeableField,
    "ChangeableField",
    "A certificate field a 15.2 data change may change.",
    |f| f.code(),
    None,
    ChangeableField::ALL
);
vocabulary_schema!(
    CertificateStatus,
    "CertificateStatus",
    "The certificate's state as the certificate authority's portal shows it (any case and spacing is accepted).",
    |s| s.label(),
    None,
    CertificateStatus::ALL
);
vocabulary_schema!(
    ProfileState,
    "ProfileState",
    "The requester's profile in the certificate authority's portal: verified, or waiting for an update.",
    |p| p.code(),
    None,
    ProfileState::ALL
);
vocabulary_schema!(
    RequesterStep,
    "RequesterStep",
    "What the requester must do through the certificate authority's link.",
    |s| s.code(),
    Some(s.title()),
    RequesterStep::ALL
);
vocabulary_schema!(
    AttachmentKind,
    "AttachmentKind",
    "The kind of an attachment; also the name of its multipart part and its path segment.",
    |k| k.code(),
    Some(k.title()),
    AttachmentKind::ALL
);
vocabulary_schema!(
    Status,
    "TicketStatus",
    "Where a ticket is in its life.",
    |s| s.code(),
    Some(s.title()),
    Status::ALL
);
vocabulary_schema!(
    ActionKind,
    "ActionKind",
    "A step in a ticket's life, taken with `POST /api/v1/tickets/{number}/actions`.",
    |a| a.code(),
    None,
    ActionKind::ALL
);
vocabulary_schema!(
    Role,
    "Role",
    "What a person's token allows.",
    |r| r.code(),
    None,
    Role::ALL
);
vocabulary_schema!(
    Capacity,
    "ActorCapacity",
    "The capacity in which someone did what a history entry records.",
    |c| c.code(),
    None,
    Capacity::ALL
);
vocabulary_schema!(
    HistoryKind,
    "HistoryKind",
    "What a history entry records.",
    |k| k.code(),
    None,
    HistoryKind::ALL
);
vocabulary_schema!(
    ClockKind,
    "ClockKind",
    "A service-level clock: the officer's `endorsement`, the desk's `first_response`, the `resolution`.",
    |k| k.code(),
    None,
    ClockKind::ALL
);
vocabulary_schema!(
    Pause,
    "ClockPause",
    "Why a clock waits: the desk asked the requester (`awaiting_requester`), the requester must act on the authority's link (`requester_at_authority`), or the desk waits on the authority (`waiting_on_authority`, where configured).",
    |p| p.code(),
    None,
    Pause::ALL
);
vocabulary_schema!(
    Standing,
    "ClockStanding",
    "How a clock stands: `on_track`, `at_risk` (past the configured share of its target), `breached` (past its due instant; it stays so), or `met` (stopped within its target).",
    |s| s.code(),
    None,
    Standing::ALL
);
vocabulary_schema!(
    Visibility,
    "Visibility",
    "Who may read a history entry: `public` (everyone who may see the ticket) or `internal` (RA staff).",
    |v| v.code(),
    None,
    Visibility::ALL
);
vocabulary_schema!(
    EventKind,
    "EventKind",
    "What happened to a ticket, as its status emails and the outbox name it.",
    |k| k.code(),
    None,
    EventKind::ALL
);
vocabulary_schema!(
    Recipient,
    "Recipient",
    "Whom a status email is for, relative to the ticket.",
    |r| r.code(),
    None,
    Recipient::ALL
);
vocabulary_schema!(
    Language,
    "Language",
    "A language of the desk's messages and emails.",
    |l| l.code(),
    None,
    Language::ALL
);
vocabulary_schema!(
    ProblemCode,
    "ProblemCode",
    "The rule a field broke. Stable: switch on these, not on the messages.",
    |c| c.as_str(),
    None,
    ProblemCode::ALL
);

#[cfg(test)]
mod tests {
    use super::*;

    fn values<T: PartialSchema>() -> Vec<String> {
        let json = serde_json::to_value(T::schema()).unwrap_or_default();
        json["enum"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn schemas_list_every_code_the_rules_accept() {
        assert_eq!(values::<Service>(), ["15.1", "15.2", "15.3"]);
        for code in values::<ChangeKind>() {
            assert!(ChangeKind::from_code(&code).is_some(), "{code}");
        }
        for code in values::<Status>() {
            assert!(Status::from_code(&code).is_some(), "{code}");
        }
        for code in values::<AttachmentKind>() {
            assert!(AttachmentKind::from_code(&code).is_some(), "{code}");
        }
        assert_eq!(values::<ProblemCode>().len(), ProblemCode::ALL.len());
        assert!(values::<ProblemCode>().contains(&"email_hyphen".to_owned()));
    }
}
