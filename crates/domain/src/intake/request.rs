//! What a ticket asks for: the service-specific fields (sub-type, reason, changes)
//! checked into a typed [`ServiceRequest`].

use std::collections::BTreeSet;

use super::checker::{Checker, Current, choices, present};
use super::{IntakeRules, TicketDraft};
use crate::identity::{CertificateName, Nik, Nip, OfficialEmail, Position};
use crate::problem::{Message, Problem, ProblemCode};
use crate::service::{
    ChangeKind, ChangeRequest, ChangeableField, FieldChange, RevocationReason, Service,
    ServiceRequest,
};
use crate::text::{FreeText, MAX_CHANGE_VALUE_CHARS, MAX_REASON_DETAIL_CHARS};

fn not_applicable(c: &mut Checker, field: &str, code: ProblemCode, service: Service) {
    let code_str = service.code();
    c.refuse(
        field,
        code,
        Message::new(
            format!("Kolom `{field}` tidak berlaku untuk layanan {code_str}; hapus kolom ini."),
            format!("The field `{field}` does not apply to service {code_str}; remove it."),
        ),
    );
}

pub(super) fn request_for(
    service: Service,
    draft: &TicketDraft,
    current: &Current<'_>,
    rules: IntakeRules<'_>,
    c: &mut Checker,
) -> Option<ServiceRequest> {
    let has_subtype = present(&draft.subtype).is_some();
    let has_reason = present(&draft.reason).is_some();
    if has_subtype && service != Service::CertificateChange {
        not_applicable(c, "subtype", ProblemCode::SubtypeNotApplicable, service);
    }
    if has_reason && service != Service::Revocation {
        not_applicable(c, "reason", ProblemCode::ReasonNotApplicable, service);
    }
    if present(&draft.reason_detail).is_some() && service != Service::Revocation {
        not_applicable(
            c,
            "reason_detail",
            ProblemCode::ReasonNotApplicable,
            service,
        );
    }
    match service {
        Service::ManualIssuance => {
            if draft.changes.is_some() {
                not_applicable(c, "changes", ProblemCode::ChangesNotApplicable, service);
            }
            Some(ServiceRequest::ManualIssuance)
        }
        Service::CertificateChange => {
            let kinds = choices(ChangeKind::ALL.map(ChangeKind::code));
            let Some(subtype) = present(&draft.subtype) else {
                c.refuse(
                    "subtype",
                    ProblemCode::SubtypeRequired,
                    Message::new(
                        format!("Layanan 15.2 memerlukan `subtype`: {kinds}."),
                        format!("Service 15.2 needs a `subtype`: {kinds}."),
                    ),
                );
                return None;
            };
            let Some(kind) = ChangeKind::from_code(subtype) else {
                c.refuse(
                    "subtype",
                    ProblemCode::SubtypeUnknown,
                    Message::new(
                        format!("Sub-layanan tidak dikenal. Pilih salah satu: {kinds}."),
                        format!("Unknown sub-type. Choose one of: {kinds}."),
                    ),
                );
                return None;
            };
            if kind != ChangeKind::DataChange && draft.changes.is_some() {
                c.refuse(
                    "changes",
                    ProblemCode::ChangesNotApplicable,
                    Message::new(
                        "Kolom `changes` hanya untuk sub-layanan `data_change`; hapus kolom ini.",
                        "The field `changes` only applies to the sub-type `data_change`; remove it.",
                    ),
                );
            }
            Some(ServiceRequest::Change(match kind {
                ChangeKind::DataChange => {
                    ChangeRequest::DataChange(check_changes(draft, current, rules, c)?)
                }
                ChangeKind::PassphraseLink => ChangeRequest::PassphraseLink,
                ChangeKind::PassphraseReset => ChangeRequest::PassphraseReset,
                ChangeKind::Renewal => ChangeRequest::Renewal,
            }))
        }
        Service::Revocation => {
            if draft.changes.is_some() {
                not_applicable(c, "changes", ProblemCode::ChangesNotApplicable, service);
            }
            let reasons = choices(RevocationReason::ALL.map(RevocationReason::code));
            let Some(written) = present(&draft.reason) else {
                c.refuse(
                    "reason",
                    ProblemCode::ReasonRequired,
                    Message::new(
                        format!("Layanan 15.3 memerlukan alasan (`reason`): {reasons}."),
                        format!("Service 15.3 needs a `reason`: {reasons}."),
                    ),
                );
                return None;
            };
            let Some(reason) = RevocationReason::from_code(written) else {
                c.refuse(
                    "reason",
                    ProblemCode::ReasonUnknown,
                    Message::new(
                        format!("Alasan tidak dikenal. Pilih salah satu: {reasons}."),
                        format!("Unknown reason. Choose one of: {reasons}."),
                    ),
                );
                return None;
            };
            let detail = present(&draft.reason_detail).and_then(|v| {
                c.parse("reason_detail", FreeText::parse(v, MAX_REASON_DETAIL_CHARS))
            });
            if reason.needs_detail() && present(&draft.reason_detail).is_none() {
                c.refuse(
                    "reason_detail",
                    ProblemCode::ReasonDetailRequired,
                    Message::new(
                        "Alasan `other` memerlukan penjelasan di `reason_detail`.",
                        "The reason `other` needs an explanation in `reason_detail`.",
                    ),
                );
                return None;
            }
            Some(ServiceRequest::Revocation { reason, detail })
        }
    }
}

/// What the guides say needs no certificate change at all: a move between units of the
/// same ministry (every unit the desk knows is one of its Eselon I units), and acting in
/// a position (Plh., Plt.), which the certificate does not follow.
fn no_certificate_change_needed(field: ChangeableField, new_value: &str) -> Option<Message> {
    match field {
        ChangeableField::Unit => Some(Message::new(
            "Pindah unit di lingkungan kementerian yang sama tidak memerlukan perubahan sertifikat; sertifikat tetap berlaku.",
            "A move to another unit of the same ministry needs no certificate change; the certificate stays valid.",
        )),
        ChangeableField::Nik => Some(Message::new(
            "NIK pada sertifikat dikoreksi oleh petugas RA di portal BSrE setelah dicocokkan dengan KTP; sertifikat tidak perlu dicabut.",
            "The RA agent corrects the NIK in the BSrE portal after checking it against the KTP; the certificate need not be revoked.",
        )),
        ChangeableField::Position if is_acting(new_value) => Some(Message::new(
            "Jabatan Plh./Plt. tidak memerlukan perubahan sertifikat; sertifikat mengikuti jabatan definitif.",
            "Acting as Plh./Plt. needs no certificate change; the certificate follows the substantive position.",
        )),
        _ => None,
    }
}

/// Whether a position is an acting one: Plh. (pelaksana harian) or Plt. (pelaksana
/// tugas), however written.
fn is_acting(position: &str) -> bool {
    let lower = position.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().any(|w| *w == "plh" || *w == "plt")
        || lower.contains("pelaksana harian")
        || lower.contains("pelaksana tugas")
}

fn check_changes(
    draft: &TicketDraft,
    current: &Current<'_>,
    rules: IntakeRules<'_>,
    c: &mut Checker,
) -> Option<Vec<FieldChange>> {
    let drafts = draft.changes.as_deref().unwrap_or_default();
    if drafts.is_empty() {
        let fields = choices(ChangeableField::ALL.map(ChangeableField::code));
        c.refuse(
            "changes",
            ProblemCode::ChangesRequired,
            Message::new(
                format!("Sebutkan data yang diubah di `changes`, masing-masing dengan `field` ({fields}) dan `new_value`."),
                format!("List the data to change in `changes`, each with a `field` ({fields}) and a `new_value`."),
            ),
        );
        return None;
    }
    let before = c.problems.len();
    let mut seen = BTreeSet::new();
    let mut changes = Vec::with_capacity(drafts.len());
    for (i, change) in drafts.iter().enumerate() {
        let field_path = format!("changes[{i}].field");
        let value_path = format!("changes[{i}].new_value");
        let field = c.required(&field_path, &change.field).and_then(|v| {
            let field = ChangeableField::from_code(v);
            if field.is_none() {
                let fields = choices(ChangeableField::ALL.map(ChangeableField::code));
                c.refuse(
                    &field_path,
                    ProblemCode::ChangeFieldUnknown,
                    Message::new(
                        format!("Data yang dapat diubah: {fields}."),
                        format!("The data that can be changed: {fields}."),
                    ),
                );
            }
            field
        });
        let value = c.required(&value_path, &change.new_value);
        let (Some(field), Some(value)) = (field, value) else {
            continue;
        };
        if !seen.insert(field) {
            c.refuse(
                &field_path,
                ProblemCode::ChangeFieldDuplicate,
                Message::new(
                    format!("Perubahan `{}` disebut lebih dari sekali.", field.code()),
                    format!("The change of `{}` is listed more than once.", field.code()),
                ),
            );
            continue;
        }
        let new_value = match field {
            ChangeableField::Name => c
                .parse(&value_path, CertificateName::parse(value))
                .map(|v| v.as_str().to_owned()),
            ChangeableField::Email => c
                .parse(
                    &value_path,
                    OfficialEmail::parse(value, rules.email_domains),
                )
                .map(|v| v.as_str().to_owned()),
            ChangeableField::Nip => c
                .parse(&value_path, Nip::parse(value))
                .map(|v| v.as_str().to_owned()),
            ChangeableField::Nik => c
                .parse(&value_path, Nik::parse(value))
                .map(|v| v.expose().to_owned()),
            ChangeableField::Position => c
                .parse(&value_path, Position::parse(value))
                .map(|v| v.as_str().to_owned()),
            ChangeableField::Unit => c
                .parse(&value_path, rules.units.resolve(value))
                .map(|v| v.as_str().to_owned()),
            ChangeableField::Organisation | ChangeableField::City | ChangeableField::Province => c
                .parse(&value_path, FreeText::parse(value, MAX_CHANGE_VALUE_CHARS))
                .map(|v| v.as_str().to_owned()),
        };
        let Some(new_value) = new_value else { continue };
        if current.value_of(field) == Some(new_value.as_str()) {
            c.refuse(
                &value_path,
                ProblemCode::ChangeWithoutDifference,
                Message::new(
                    format!(
                        "Nilai baru `{}` sama dengan data saat ini; tidak ada yang perlu diubah.",
                        field.code()
                    ),
                    format!(
                        "The new `{}` is the same as the current one; there is nothing to change.",
                        field.code()
                    ),
                ),
            );
            continue;
        }
        if let Some(warning) = no_certificate_change_needed(field, &new_value) {
            c.warnings.push(Problem::new(
                value_path.clone(),
                ProblemCode::NoCertificateChangeNeeded,
                warning,
            ));
        }
        if field.needs_revocation_first() {
            c.warnings.push(Problem::new(
                field_path,
                ProblemCode::ChangeNeedsRevocation,
                Message::new(
                    "Perubahan nama, email atau organisasi mengharuskan sertifikat aktif dicabut lalu diterbitkan ulang. Ajukan juga tiket 15.3 dengan alasan `data_change`.",
                    "A change of name, email or organisation needs the active certificate revoked and re-issued. Also file a 15.3 ticket with the reason `data_change`.",
                ),
            ));
        }
        changes.push(FieldChange { field, new_value });
    }
    (c.problems.len() == before).then_some(changes)
}
