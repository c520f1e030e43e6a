//! Intake: a ticket as the employee wrote it, checked into either a valid submission or
//! the complete list of what is wrong with it, so that a form is fixed once.
//!
//! The flow has three steps because two facts come from outside: the files (inspected by
//! [`AttachmentPolicy`](crate::attachment::AttachmentPolicy) as they arrive) and the
//! responsible officer (looked up in the directory by the NIP found here).
//! [`assess`] checks the written fields, [`Assessment::record_file`] adds each file, and
//! [`Assessment::conclude`] adds the officer and decides.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::attachment::{AttachmentKind, InspectedFile};
use crate::identity::{
    CertificateName, EmailDomains, Nik, Nip, OfficialEmail, Position, Unit, UnitCatalogue,
};
use crate::officer::OfficerLookup;
use crate::problem::{Message, Problem, ProblemCode, Rule};
use crate::service::{
    CertificateStatus, ChangeKind, ChangeRequest, ChangeableField, FieldChange, RevocationReason,
    Service, ServiceRequest,
};
use crate::text::{
    FreeText, MAX_CHANGE_VALUE_CHARS, MAX_DESCRIPTION_CHARS, MAX_REASON_DETAIL_CHARS,
};

/// The `ticket` part of an intake request, every field as the client sent it. Every field
/// is optional here so that a missing one is reported with the others, by name.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "service": "15.2",
    "subtype": "renewal",
    "requester": {
        "nip": "199005172015031001",
        "name": "Andi Contoh",
        "email": "andi.contoh@kemenkeu.go.id",
        "unit": "Sekretariat Jenderal",
        "position": "Pranata Komputer"
    },
    "responsible_officer_nip": "197501012000031002",
    "description": "Sertifikat akan kedaluwarsa bulan depan.",
    "certificate_status": "Issue"
})))]
#[serde(deny_unknown_fields)]
pub struct TicketDraft {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Service>))]
    pub service: Option<String>,
    /// For 15.2: the kind of change.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ChangeKind>))]
    pub subtype: Option<String>,
    /// For 15.3: why the certificate is revoked.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<RevocationReason>))]
    pub reason: Option<String>,
    /// Required when the reason is `other`.
    pub reason_detail: Option<String>,
    #[serde(default)]
    pub requester: RequesterDraft,
    /// The NIP of the officer who answers for the requester; the ticket is routed to them.
    pub responsible_officer_nip: Option<String>,
    pub description: Option<String>,
    /// For a 15.2 data change: the fields to change and their new values.
    pub changes: Option<Vec<ChangeDraft>>,
    /// The certificate status the requester sees in the authority's portal.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<CertificateStatus>))]
    pub certificate_status: Option<String>,
}

/// The employee the ticket is for.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RequesterDraft {
    /// 18 digits: birth date, appointment month, gender, serial.
    pub nip: Option<String>,
    /// 16 digits; needed for 15.1 and for changes of name or NIP. Never logged; shown
    /// masked to anyone but its owner.
    pub nik: Option<String>,
    /// The name as it will appear on the certificate, without academic titles.
    pub name: Option<String>,
    /// An official address under `.go.id`, with no `-`.
    pub email: Option<String>,
    /// An Eselon I unit from the catalogue.
    pub unit: Option<String>,
    pub position: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeDraft {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ChangeableField>))]
    pub field: Option<String>,
    pub new_value: Option<String>,
}

/// What intake checks against besides the rules themselves: data that operators own.
#[derive(Debug, Clone, Copy)]
pub struct IntakeRules<'a> {
    pub units: &'a UnitCatalogue,
    pub email_domains: &'a EmailDomains,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    pub nip: Nip,
    pub nik: Option<Nik>,
    pub name: CertificateName,
    pub email: OfficialEmail,
    pub unit: Unit,
    pub position: Position,
}

/// A ticket that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub request: ServiceRequest,
    pub requester: Requester,
    pub responsible_officer: Nip,
    pub description: FreeText,
    pub certificate_status: Option<CertificateStatus>,
}

#[derive(Debug, Clone)]
pub struct Accepted {
    pub submission: Submission,
    pub files: BTreeMap<AttachmentKind, InspectedFile>,
    /// Things the requester should know; they do not stop the ticket.
    pub warnings: Vec<Problem>,
}

#[derive(Debug, Clone)]
pub struct Rejected {
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

/// The state of a check in progress.
#[derive(Debug)]
pub struct Assessment {
    submission: Option<Submission>,
    officer_nip: Option<Nip>,
    requester_nip: Option<Nip>,
    requester_unit: Option<Unit>,
    service: Option<Service>,
    files: BTreeMap<AttachmentKind, InspectedFile>,
    parts_seen: BTreeSet<AttachmentKind>,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
}

/// Collects problems while parsing field after field.
#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
}

impl Checker {
    /// The trimmed value, or a `required` problem when it is absent or blank.
    fn required<'d>(&mut self, field: &str, value: &'d Option<String>) -> Option<&'d str> {
        let value = present(value);
        if value.is_none() {
            self.problems.push(Problem::required(field));
        }
        value
    }

    fn parse<T, E: Rule>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        result
            .map_err(|rule| self.problems.push(Problem::at(field, &rule)))
            .ok()
    }

    fn refuse(&mut self, field: &str, code: ProblemCode, message: Message) {
        self.problems.push(Problem::new(field, code, message));
    }
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn choices(codes: impl IntoIterator<Item = &'static str>) -> String {
    codes
        .into_iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

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

/// The requester's values as written, for telling a real change from a repeat.
struct Current<'a> {
    nip: Option<&'a Nip>,
    name: Option<&'a CertificateName>,
    email: Option<&'a OfficialEmail>,
    unit: Option<&'a Unit>,
    position: Option<&'a Position>,
}

impl Current<'_> {
    fn value_of(&self, field: ChangeableField) -> Option<&str> {
        match field {
            ChangeableField::Name => self.name.map(CertificateName::as_str),
            ChangeableField::Email => self.email.map(OfficialEmail::as_str),
            ChangeableField::Nip => self.nip.map(Nip::as_str),
            ChangeableField::Unit => self.unit.map(Unit::as_str),
            ChangeableField::Position => self.position.map(Position::as_str),
            ChangeableField::Organisation | ChangeableField::City | ChangeableField::Province => {
                None
            }
        }
    }
}

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

fn request_for(
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

impl Assessment {
    /// An assessment for a draft that could not be read at all (broken JSON): only that
    /// problem and the files' own problems can be reported.
    pub fn unreadable(problem: Problem) -> Self {
        let mut assessment = Self::files_only();
        assessment.problems.push(problem);
        assessment
    }

    /// An assessment of files alone (replacing one attachment of a filed ticket).
    pub fn files_only() -> Self {
        Self {
            submission: None,
            officer_nip: None,
            requester_nip: None,
            requester_unit: None,
            service: None,
            files: BTreeMap::new(),
            parts_seen: BTreeSet::new(),
            problems: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The problems found so far, for checks that have no submission to conclude.
    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }

    /// The responsible officer's NIP, if it was written correctly: the key to look up.
    pub fn responsible_officer_nip(&self) -> Option<&Nip> {
        self.officer_nip.as_ref()
    }

    /// Adds a file part as it was received and inspected.
    pub fn record_file(&mut self, kind: AttachmentKind, inspected: Result<InspectedFile, Problem>) {
        if !self.parts_seen.insert(kind) {
            self.record_duplicate_part(kind.code());
            return;
        }
        match inspected {
            Ok(file) => {
                self.files.insert(kind, file);
            }
            Err(problem) => self.problems.push(problem),
        }
    }

    /// Notes a form part sent more than once (only the first is considered).
    pub fn record_duplicate_part(&mut self, name: &str) {
        self.problems.push(Problem::new(
            name,
            ProblemCode::DuplicatePart,
            Message::new(
                format!("Bagian `{name}` dikirim lebih dari sekali; kirim satu saja."),
                format!("The part `{name}` was sent more than once; send one."),
            ),
        ));
    }

    /// Notes a part whose name is not an attachment kind (it is not stored).
    pub fn record_unknown_part(&mut self, name: &str) {
        let name: String = name.chars().take(64).collect();
        let kinds = choices(AttachmentKind::ALL.map(AttachmentKind::code));
        self.problems.push(Problem::new(
            name,
            ProblemCode::AttachmentUnknownPart,
            Message::new(
                format!(
                    "Bagian formulir ini tidak dikenal. Bagian yang diterima: `ticket`, {kinds}."
                ),
                format!("This form part is unknown. The accepted parts are: `ticket`, {kinds}."),
            ),
        ));
    }

    /// Decides, given what the officers' directory knows of the responsible officer.
    pub fn conclude(mut self, officer: &OfficerLookup) -> Result<Accepted, Rejected> {
        if let Some(service) = self.service {
            for kind in AttachmentKind::ALL {
                if service.requires(kind) && !self.parts_seen.contains(&kind) {
                    let title = kind.title();
                    self.problems.push(Problem::new(
                        kind.code(),
                        ProblemCode::AttachmentMissing,
                        Message::new(
                            format!(
                                "{} wajib dilampirkan untuk layanan {}.",
                                title.id,
                                service.code()
                            ),
                            format!(
                                "The {} is required for service {}.",
                                crate::attachment::in_sentence(&title.en),
                                service.code()
                            ),
                        ),
                    ));
                }
            }
        }
        if let Some(officer_nip) = &self.officer_nip {
            self.check_officer(officer_nip.clone(), officer);
        }
        match self.submission {
            Some(submission) if self.problems.is_empty() => Ok(Accepted {
                submission,
                files: self.files,
                warnings: self.warnings,
            }),
            _ => Err(Rejected {
                problems: self.problems,
                warnings: self.warnings,
            }),
        }
    }

    fn record_unknown_officer(&mut self, nip: &Nip) {
        self.problems.push(Problem::new(
            "responsible_officer_nip",
            ProblemCode::OfficerUnknown,
            Message::new(
                format!("NIP {nip} tidak terdaftar sebagai penanggung jawab (Kepala UPK/UPSDM). Periksa NIP-nya, atau minta unit Anda menghubungi service desk untuk memperbarui daftar."),
                format!("NIP {nip} is not registered as a responsible officer (head of UPK/UPSDM). Check the NIP, or ask your unit to contact the service desk to update the directory."),
            ),
        ));
    }

    fn check_officer(&mut self, nip: Nip, officer: &OfficerLookup) {
        const FIELD: &str = "responsible_officer_nip";
        if self.requester_nip.as_ref() == Some(&nip) {
            self.problems.push(Problem::new(
                FIELD,
                ProblemCode::OfficerIsRequester,
                Message::new(
                    "Penanggung jawab tidak boleh diri sendiri. Isi NIP Kepala UPK/UPSDM unit Anda.",
                    "You cannot be your own responsible officer. Enter the NIP of the head of your unit's UPK/UPSDM.",
                ),
            ));
            return;
        }
        let officer = match officer {
            OfficerLookup::Found(officer) => officer,
            OfficerLookup::Outdated => {
                self.problems.push(Problem::new(
                    FIELD,
                    ProblemCode::OfficerEntryOutdated,
                    Message::new(
                        format!("Data penanggung jawab dengan NIP {nip} di direktori sudah tidak mutakhir. Mohon hubungi service desk; tiket dapat diajukan setelah data diperbarui."),
                        format!("The directory entry for the responsible officer with NIP {nip} is out of date. Please contact the service desk; the ticket can be filed once it is updated."),
                    ),
                ));
                return;
            }
            OfficerLookup::NotFound => {
                self.record_unknown_officer(&nip);
                return;
            }
        };
        if !officer.active {
            self.problems.push(Problem::new(
                FIELD,
                ProblemCode::OfficerInactive,
                Message::new(
                    format!("Penanggung jawab dengan NIP {nip} sudah tidak aktif. Isi NIP Kepala UPK/UPSDM unit Anda yang menjabat saat ini."),
                    format!("The responsible officer with NIP {nip} is no longer active. Enter the NIP of your unit's current head of UPK/UPSDM."),
                ),
            ));
            return;
        }
        if let Some(unit) = &self.requester_unit
            && &officer.unit != unit
        {
            self.problems.push(Problem::new(
                    FIELD,
                    ProblemCode::OfficerOtherUnit,
                    Message::new(
                        format!("Penanggung jawab dengan NIP {nip} berada di unit {}, bukan {unit}. Isi NIP Kepala UPK/UPSDM unit Anda sendiri.", officer.unit),
                        format!("The responsible officer with NIP {nip} belongs to {}, not {unit}. Enter the NIP of the head of UPK/UPSDM of your own unit.", officer.unit),
                    ),
                ));
        }
    }
}

#[cfg(test)]
mod tests;
