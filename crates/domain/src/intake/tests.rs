use super::*;
use crate::attachment::{FileType, InspectedFile};
use crate::identity::UnitEntry;
use crate::officer::{Officer, OfficerLookup};
use crate::problem::ProblemCode;
use crate::service::{ChangeKind, RevocationReason};

// Synthetic identities only.
const REQUESTER_NIP: &str = "199005172015031001";
const REQUESTER_NIK: &str = "3174051705900001";
const OFFICER_NIP: &str = "197501012000031002";

fn units() -> UnitCatalogue {
    UnitCatalogue::new(
        ["Sekretariat Jenderal", "Direktorat Jenderal Pajak"].map(|name| UnitEntry {
            name: name.into(),
            aliases: vec![],
        }),
    )
}

fn draft(service: &str) -> TicketDraft {
    TicketDraft {
        service: Some(service.into()),
        requester: RequesterDraft {
            nip: Some(REQUESTER_NIP.into()),
            nik: Some(REQUESTER_NIK.into()),
            name: Some("Budi Santoso".into()),
            email: Some("budi.santoso@kemenkeu.go.id".into()),
            unit: Some("Sekretariat Jenderal".into()),
            position: Some("Pranata Komputer".into()),
        },
        responsible_officer_nip: Some(OFFICER_NIP.into()),
        description: Some("Pendaftaran melalui HRIS gagal".into()),
        ..TicketDraft::default()
    }
}

fn officer(unit: &str, active: bool) -> Officer {
    Officer {
        nip: Nip::parse(OFFICER_NIP).unwrap(),
        name: "Kepala UPK".into(),
        unit: units().resolve(unit).unwrap(),
        email: OfficialEmail::parse("kepala.upk@kemenkeu.go.id", &EmailDomains::default()).unwrap(),
        active,
    }
}

fn image() -> Result<InspectedFile, Problem> {
    Ok(InspectedFile {
        file_type: FileType::Png,
        byte_size: 10,
        pixels: Some((100, 50)),
    })
}

fn run(
    draft: &TicketDraft,
    kinds: &[AttachmentKind],
    officer_found: Option<&Officer>,
) -> Result<Accepted, Rejected> {
    let units = units();
    let domains = EmailDomains::default();
    let mut assessment = assess(
        draft,
        IntakeRules {
            units: &units,
            email_domains: &domains,
        },
    );
    for kind in kinds {
        assessment.record_file(*kind, image());
    }
    let lookup = officer_found.map_or(OfficerLookup::NotFound, |o| OfficerLookup::Found(o.clone()));
    assessment.conclude(&lookup)
}

const ALL_FILES: [AttachmentKind; 5] = AttachmentKind::ALL;
const WITHOUT_ERROR_SCREENSHOT: [AttachmentKind; 4] = [
    AttachmentKind::KtpScan,
    AttachmentKind::SignatureScan,
    AttachmentKind::RecommendationLetter,
    AttachmentKind::HrisStatusScreenshot,
];

fn codes(rejected: &Rejected) -> Vec<(String, ProblemCode)> {
    rejected
        .problems
        .iter()
        .map(|p| (p.field.clone(), p.code))
        .collect()
}

#[test]
fn a_complete_manual_issuance_is_accepted() {
    let accepted = run(
        &draft("15.1"),
        &ALL_FILES,
        Some(&officer("Sekretariat Jenderal", true)),
    )
    .unwrap();
    assert_eq!(accepted.submission.request, ServiceRequest::ManualIssuance);
    assert_eq!(accepted.files.len(), 5);
    assert!(accepted.warnings.is_empty());
}

#[test]
fn manual_issuance_needs_the_error_screenshot_and_the_nik() {
    let mut d = draft("15.1");
    d.requester.nik = None;
    let rejected = run(
        &d,
        &WITHOUT_ERROR_SCREENSHOT,
        Some(&officer("Sekretariat Jenderal", true)),
    )
    .unwrap_err();
    assert_eq!(
        codes(&rejected),
        vec![
            ("requester.nik".into(), ProblemCode::Required),
            ("error_screenshot".into(), ProblemCode::AttachmentMissing),
        ]
    );
}

#[test]
fn every_15_2_subtype_is_accepted_without_the_error_screenshot() {
    for subtype in ["passphrase_link", "passphrase_reset", "renewal"] {
        let mut d = draft("15.2");
        d.subtype = Some(subtype.into());
        d.requester.nik = None;
        let accepted = run(
            &d,
            &WITHOUT_ERROR_SCREENSHOT,
            Some(&officer("Sekretariat Jenderal", true)),
        )
        .unwrap_or_else(|r| panic!("{subtype}: {:?}", r.problems));
        assert_eq!(
            accepted
                .submission
                .request
                .change_kind()
                .map(ChangeKind::code),
            Some(subtype)
        );
    }
}

#[test]
fn a_data_change_lists_checked_changes_and_warns_about_revocation() {
    let mut d = draft("15.2");
    d.subtype = Some("data_change".into());
    d.changes = Some(vec![
        ChangeDraft {
            field: Some("unit".into()),
            new_value: Some("direktorat  jenderal PAJAK".into()),
        },
        ChangeDraft {
            field: Some("name".into()),
            new_value: Some("Budi Santoso Putra".into()),
        },
    ]);
    let accepted = run(
        &d,
        &WITHOUT_ERROR_SCREENSHOT,
        Some(&officer("Sekretariat Jenderal", true)),
    )
    .unwrap();
    let changes = accepted.submission.request.changes();
    assert_eq!(changes[0].new_value, "Direktorat Jenderal Pajak");
    let warnings: Vec<(&str, ProblemCode)> = accepted
        .warnings
        .iter()
        .map(|w| (w.field.as_str(), w.code))
        .collect();
    assert_eq!(
        warnings,
        [
            (
                "changes[0].new_value",
                ProblemCode::NoCertificateChangeNeeded
            ),
            ("changes[1].field", ProblemCode::ChangeNeedsRevocation),
        ]
    );
}

#[test]
fn acting_as_plh_or_plt_needs_no_certificate_change() {
    for (position, acting) in [
        ("Plh Kepala Bagian", true),
        ("PLT Kasubbag Umum", true),
        ("Pelaksana Harian", true),
        ("Kepala Bagian Umum", false),
        ("Analis Kepegawaian", false),
    ] {
        let mut d = draft("15.2");
        d.subtype = Some("data_change".into());
        d.changes = Some(vec![ChangeDraft {
            field: Some("position".into()),
            new_value: Some(position.into()),
        }]);
        let accepted = run(
            &d,
            &WITHOUT_ERROR_SCREENSHOT,
            Some(&officer("Sekretariat Jenderal", true)),
        )
        .unwrap();
        let warned = accepted
            .warnings
            .iter()
            .any(|w| w.code == ProblemCode::NoCertificateChangeNeeded);
        assert_eq!(warned, acting, "{position}");
    }
}

#[test]
fn a_data_change_checks_each_new_value_by_its_own_rule() {
    let mut d = draft("15.2");
    d.subtype = Some("data_change".into());
    d.requester.nik = None;
    d.changes = Some(vec![
        ChangeDraft {
            field: Some("email".into()),
            new_value: Some("budi-s@kemenkeu.go.id".into()),
        },
        ChangeDraft {
            field: Some("position".into()),
            new_value: Some("Pranata Komputer".into()),
        },
        ChangeDraft {
            field: Some("colour".into()),
            new_value: Some("blue".into()),
        },
        ChangeDraft {
            field: Some("name".into()),
            new_value: Some("Budi S".into()),
        },
    ]);
    let rejected = run(
        &d,
        &WITHOUT_ERROR_SCREENSHOT,
        Some(&officer("Sekretariat Jenderal", true)),
    )
    .unwrap_err();
    assert_eq!(
        codes(&rejected),
        vec![
            ("changes[0].new_value".into(), ProblemCode::EmailHyphen),
            (
                "changes[1].new_value".into(),
                ProblemCode::ChangeWithoutDifference
            ),
            ("changes[2].field".into(), ProblemCode::ChangeFieldUnknown),
            ("requester.nik".into(), ProblemCode::Required),
        ]
    );
}

#[test]
fn revocation_needs_a_reason_and_detail_for_other() {
    let mut d = draft("15.3");
    d.reason = Some("key_compromise".into());
    assert!(
        run(
            &d,
            &WITHOUT_ERROR_SCREENSHOT,
            Some(&officer("Sekretariat Jenderal", true))
        )
        .is_ok()
    );
    d.reason = Some("other".into());
    let rejected = run(
        &d,
        &WITHOUT_ERROR_SCREENSHOT,
        Some(&officer("Sekretariat Jenderal", true)),
    )
    .unwrap_err();
    assert_eq!(
        codes(&rejected),
        vec![("reason_detail".into(), ProblemCode::ReasonDetailRequired)]
    );
    d.reason_detail = Some("Sertifikat ganda".into());
    let accepted = run(
        &d,
        &WITHOUT_ERROR_SCREENSHOT,
        Some(&officer("Sekretariat Jenderal", true)),
    )
    .unwrap();
    assert_eq!(
        accepted.submission.request.revocation_reason(),
        Some(RevocationReason::Other)
    );
}

#[test]
fn fields_of_other_services_are_refused() {
    let mut d = draft("15.1");
    d.subtype = Some("renewal".into());
    d.reason = Some("retired".into());
    let rejected = run(&d, &ALL_FILES, Some(&officer("Sekretariat Jenderal", true))).unwrap_err();
    assert_eq!(
        codes(&rejected),
        vec![
            ("subtype".into(), ProblemCode::SubtypeNotApplicable),
            ("reason".into(), ProblemCode::ReasonNotApplicable)
        ]
    );
}

#[test]
fn five_problems_are_reported_together() {
    let mut d = draft("15.1");
    d.requester.email = Some("budi-santoso@kemenkeu.go.id".into());
    d.requester.nip = Some("12345".into());
    d.requester.name = Some("Dr Budi".into());
    d.description = Some("PIN: 123456".into());
    let rejected = run(
        &d,
        &WITHOUT_ERROR_SCREENSHOT,
        Some(&officer("Sekretariat Jenderal", true)),
    )
    .unwrap_err();
    assert_eq!(
        codes(&rejected),
        vec![
            ("requester.nip".into(), ProblemCode::NipFormat),
            ("requester.name".into(), ProblemCode::NameAcademicTitle),
            ("requester.email".into(), ProblemCode::EmailHyphen),
            ("description".into(), ProblemCode::SecretInText),
            ("error_screenshot".into(), ProblemCode::AttachmentMissing),
        ]
    );
}

#[test]
fn an_empty_draft_names_every_required_field() {
    let rejected = run(&TicketDraft::default(), &[], None).unwrap_err();
    let fields: Vec<_> = rejected.problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "requester.nip",
            "requester.name",
            "requester.email",
            "requester.unit",
            "requester.position",
            "responsible_officer_nip",
            "description",
            "service"
        ]
    );
    assert!(
        rejected
            .problems
            .iter()
            .all(|p| p.code == ProblemCode::Required)
    );
}

#[test]
fn the_responsible_officer_must_be_known_active_of_the_same_unit_and_not_oneself() {
    let d = draft("15.1");
    let code = |found: Option<&Officer>| run(&d, &ALL_FILES, found).unwrap_err().problems[0].code;
    assert_eq!(code(None), ProblemCode::OfficerUnknown);
    assert_eq!(
        code(Some(&officer("Sekretariat Jenderal", false))),
        ProblemCode::OfficerInactive
    );
    assert_eq!(
        code(Some(&officer("Direktorat Jenderal Pajak", true))),
        ProblemCode::OfficerOtherUnit
    );
    let mut own = draft("15.1");
    own.responsible_officer_nip = Some(REQUESTER_NIP.into());
    let rejected = run(&own, &ALL_FILES, None).unwrap_err();
    assert_eq!(
        codes(&rejected),
        vec![(
            "responsible_officer_nip".into(),
            ProblemCode::OfficerIsRequester
        )]
    );
}

#[test]
fn duplicate_and_unknown_parts_are_problems() {
    let units = units();
    let domains = EmailDomains::default();
    let mut assessment = assess(
        &draft("15.1"),
        IntakeRules {
            units: &units,
            email_domains: &domains,
        },
    );
    for kind in ALL_FILES {
        assessment.record_file(kind, image());
    }
    assessment.record_file(AttachmentKind::KtpScan, image());
    assessment.record_unknown_part("photo");
    let rejected = assessment
        .conclude(&OfficerLookup::Found(officer("Sekretariat Jenderal", true)))
        .unwrap_err();
    assert_eq!(
        codes(&rejected),
        vec![
            ("ktp_scan".into(), ProblemCode::DuplicatePart),
            ("photo".into(), ProblemCode::AttachmentUnknownPart)
        ]
    );
}

#[test]
fn a_nik_that_disagrees_with_the_nip_is_a_warning() {
    let mut d = draft("15.1");
    d.requester.nik = Some("3174055705900001".into()); // female, same date
    let accepted = run(&d, &ALL_FILES, Some(&officer("Sekretariat Jenderal", true))).unwrap();
    assert_eq!(accepted.warnings[0].code, ProblemCode::NikNipMismatch);
}

#[test]
fn unknown_json_fields_are_refused_when_parsing_the_draft() {
    let err =
        serde_json::from_str::<TicketDraft>(r#"{"service":"15.1","colour":"blue"}"#).unwrap_err();
    assert!(err.to_string().contains("colour"));
}

#[test]
fn an_outdated_directory_entry_is_its_own_problem() {
    let units = units();
    let domains = EmailDomains::default();
    let stale = crate::officer::OfficerFields {
        name: "Kepala UPK".into(),
        unit: "Biro Lama Yang Sudah Dibubarkan".into(),
        email: "kepala.upk@kemenkeu.go.id".into(),
        active: true,
    };
    let rules = IntakeRules {
        units: &units,
        email_domains: &domains,
    };
    let stored = crate::Listed::read(OFFICER_NIP.into(), stale, rules);
    assert_eq!(OfficerLookup::from(Some(stored)), OfficerLookup::Outdated);
    assert_eq!(OfficerLookup::from(None), OfficerLookup::NotFound);
    let mut assessment = assess(
        &draft("15.1"),
        IntakeRules {
            units: &units,
            email_domains: &domains,
        },
    );
    for kind in ALL_FILES {
        assessment.record_file(kind, image());
    }
    let rejected = assessment.conclude(&OfficerLookup::Outdated).unwrap_err();
    assert_eq!(
        codes(&rejected),
        vec![(
            "responsible_officer_nip".into(),
            ProblemCode::OfficerEntryOutdated
        )]
    );
}
