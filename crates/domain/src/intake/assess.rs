//! Checking the written fields of a draft, every one of them, into problems and warnings
//! and, when all pass, a [`Submission`].

use std::collections::{BTreeMap, BTreeSet};

use super::checker::{Checker, Current, choices, present};
use super::request::request_for;
use super::{Assessment, IntakeRules, Requester, Submission, TicketDraft};
use crate::identity::{CertificateName, Nik, Nip, OfficialEmail, Position};
use crate::problem::{Message, Problem, ProblemCode};
use crate::service::{CertificateStatus, ChangeKind, ChangeableField, Service, ServiceRequest};
use crate::text::{FreeText, MAX_DESCRIPTION_CHARS};

/// Checks every written field of a draft.
pub fn assess(draft: &TicketDraft, rules: IntakeRules<'_>) -> Assessment {
    let mut c = Checker::default();
    let r = &draft.requester;

    let nip = c
        .required("requester.nip", &r.nip)
        .and_then(|v| c.parse("requester.nip", Nip::parse(v)));
    let nik = present(&r.nik).and_then(|v| c.parse("requester.nik", Nik::parse(v)));
    let name = c
        .required("requester.name", &r.name)
        .and_then(|v| c.parse("requester.name", CertificateName::parse(v)));
    let email = c.required("requester.email", &r.email).and_then(|v| {
        c.parse(
            "requester.email",
            OfficialEmail::parse(v, rules.email_domains),
        )
    });
    let unit = c
        .required("requester.unit", &r.unit)
        .and_then(|v| c.parse("requester.unit", rules.units.resolve(v)));
    let position = c
        .required("requester.position", &r.position)
        .and_then(|v| c.parse("requester.position", Position::parse(v)));
    let officer_nip = c
        .required("responsible_officer_nip", &draft.responsible_officer_nip)
        .and_then(|v| c.parse("responsible_officer_nip", Nip::parse(v)));
    let description = c
        .required("description", &draft.description)
        .and_then(|v| c.parse("description", FreeText::parse(v, MAX_DESCRIPTION_CHARS)));
    let certificate_status = present(&draft.certificate_status).and_then(|v| {
        let status = CertificateStatus::from_label(v);
        if status.is_none() {
            let labels = choices(CertificateStatus::ALL.map(CertificateStatus::label));
            c.refuse(
                "certificate_status",
                ProblemCode::CertificateStatusUnknown,
                Message::new(
                    format!("Status sertifikat tidak dikenal. Pilih salah satu: {labels}."),
                    format!("Unknown certificate status. Choose one of: {labels}."),
                ),
            );
        }
        status
    });
    let service = c.required("service", &draft.service).and_then(|v| {
        let service = Service::from_code(v);
        if service.is_none() {
            let codes = choices(Service::ALL.map(Service::code));
            c.refuse(
                "service",
                ProblemCode::ServiceUnknown,
                Message::new(
                    format!("Layanan tidak dikenal. Pilih salah satu: {codes}."),
                    format!("Unknown service. Choose one of: {codes}."),
                ),
            );
        }
        service
    });

    let current = Current {
        nip: nip.as_ref(),
        nik: nik.as_ref(),
        name: name.as_ref(),
        email: email.as_ref(),
        unit: unit.as_ref(),
        position: position.as_ref(),
    };
    let request = service.and_then(|service| request_for(service, draft, &current, rules, &mut c));

    // Judged from what was written, so that the NIK is asked for in the same answer as
    // any problem with the changes themselves.
    let changes_identity = draft.changes.iter().flatten().any(|change| {
        present(&change.field)
            .and_then(ChangeableField::from_code)
            .is_some_and(ChangeableField::is_identity)
    });
    let nik_needed = match service {
        Some(Service::ManualIssuance) => true,
        Some(Service::CertificateChange) => {
            present(&draft.subtype).and_then(ChangeKind::from_code) == Some(ChangeKind::DataChange)
                && changes_identity
        }
        Some(Service::Revocation) | None => false,
    };
    if nik_needed && present(&r.nik).is_none() {
        c.refuse(
            "requester.nik",
            ProblemCode::Required,
            Message::new(
                "NIK wajib diisi untuk penerbitan sertifikat (15.1) dan perubahan nama atau NIP.",
                "The NIK is required for certificate issuance (15.1) and for a change of name or NIP.",
            ),
        );
    }
    if let (Some(nik), Some(nip)) = (&nik, &nip)
        && !nik.agrees_with(nip)
    {
        c.warnings.push(Problem::new(
                "requester.nik",
                ProblemCode::NikNipMismatch,
                Message::new(
                    "Tanggal lahir atau jenis kelamin pada NIK berbeda dengan NIP. Periksa kembali keduanya; petugas akan mencocokkannya dengan KTP.",
                    "The birth date or gender in the NIK differs from the NIP. Check both; the agent will compare them with the ID card.",
                ),
            ));
    }
    if request.as_ref().and_then(ServiceRequest::change_kind) == Some(ChangeKind::Renewal)
        && certificate_status == Some(CertificateStatus::Issue)
    {
        c.warnings.push(Problem::new(
            "certificate_status",
            ProblemCode::RenewalMayNeedRevocation,
            Message::new(
                "Sertifikat berstatus Issue: bila metode enrolment terkunci, sertifikat harus dicabut (15.3) sebelum diperpanjang.",
                "The certificate is in status Issue: if its enrolment method is locked, it must be revoked (15.3) before it can be renewed.",
            ),
        ));
    }

    let submission = match (
        request,
        nip.clone(),
        name,
        email,
        unit.clone(),
        position,
        officer_nip.clone(),
        description,
    ) {
        (
            Some(request),
            Some(nip),
            Some(name),
            Some(email),
            Some(unit),
            Some(position),
            Some(officer),
            Some(description),
        ) if c.problems.is_empty() => Some(Submission {
            request,
            requester: Requester {
                nip,
                nik,
                name,
                email,
                unit,
                position,
            },
            responsible_officer: officer,
            description,
            certificate_status,
        }),
        _ => None,
    };

    Assessment {
        submission,
        officer_nip,
        requester_nip: nip,
        requester_unit: unit,
        service,
        files: BTreeMap::new(),
        parts_seen: BTreeSet::new(),
        problems: c.problems,
        warnings: c.warnings,
    }
}
