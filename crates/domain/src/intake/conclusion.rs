//! Adding what arrives besides the written fields (each file as it is inspected, the
//! responsible officer as the directory knows them) and deciding.

use std::collections::{BTreeMap, BTreeSet};

use super::checker::choices;
use super::{Accepted, Assessment, Rejected};
use crate::attachment::{AttachmentKind, InspectedFile};
use crate::identity::Nip;
use crate::officer::OfficerLookup;
use crate::problem::{Message, Problem, ProblemCode};

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
