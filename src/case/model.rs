//! The case as saved: `spinewatch.case/2` (see the README and CASE_FORMAT.md).
//!
//! Every field is optional: `None` is "unknown / not yet asked", distinct from `false`.

use super::level::{Level, Segment, Span};
use crate::{choice, record};
use chrono::{NaiveDate, NaiveDateTime};

pub const SCHEMA: &str = "spinewatch.case/2";

choice!(Sex { Female = "female", Male = "male", Other = "other" });
choice!(Indication {
    Instability = "instability",
    NeuroDeficit = "neuro_deficit",
    IntractablePain = "intractable_pain",
    Other = "other",
});
choice!(Finding { DestructiveMass = "destructive_mass", Lucency = "lucency", Other = "other" });
choice!(Grade4 { None = "none", Mild = "mild", Moderate = "moderate", Severe = "severe" });
choice!(Severity3 { Mild = "mild", Moderate = "moderate", Severe = "severe" });
choice!(
    /// Bilsky epidural spinal cord compression grade.
    Escc { G0 = "0", G1a = "1a", G1b = "1b", G1c = "1c", G2 = "2", G3 = "3" }
);
choice!(Treated { Surgery = "surgery", None = "none" });
choice!(Management {
    Surveillance = "surveillance",
    Radiotherapy = "radiotherapy",
    Surgery = "surgery",
    Systemic = "systemic",
});
choice!(SinsLocation {
    Junctional = "junctional",
    Mobile = "mobile",
    SemiRigid = "semi_rigid",
    Rigid = "rigid",
});
choice!(SinsPain { Mechanical = "mechanical", Occasional = "occasional", None = "none" });
choice!(BoneLesion { Lytic = "lytic", Mixed = "mixed", Blastic = "blastic" });
choice!(Alignment { Subluxation = "subluxation", Deformity = "deformity", Normal = "normal" });
choice!(Collapse { Gt50 = "gt_50", Lt50 = "lt_50", InvolvedGt50 = "involved_gt_50", None = "none" });
choice!(Posterolateral { Bilateral = "bilateral", Unilateral = "unilateral", None = "none" });
choice!(
    /// Frankel grade, a (complete) to e (normal); ordered so that a drop compares lower.
    Frankel { A = "a", B = "b", C = "c", D = "d", E = "e" }
);
choice!(Function { Normal = "normal", Impaired = "impaired" });
choice!(MriStatus { Requested = "requested", Done = "done" });
choice!(PathologyStatus { Pending = "pending", Final = "final" });
choice!(Histology {
    Myeloma = "myeloma",
    Lymphoma = "lymphoma",
    Breast = "breast",
    Prostate = "prostate",
    Lung = "lung",
    Renal = "renal",
    Thyroid = "thyroid",
    Colorectal = "colorectal",
    OtherSolid = "other_solid",
    UnknownPrimary = "unknown_primary",
});
choice!(WoundStatus {
    Healing = "healing",
    Healed = "healed",
    Infection = "infection",
    Hematoma = "hematoma",
    Dehiscence = "dehiscence",
});
choice!(Consult { None = "none", Requested = "requested", Seen = "seen" });
choice!(SystemicStatus { None = "none", Planned = "planned", Started = "started" });
choice!(Discipline {
    Hospitalist = "hospitalist",
    Oncology = "oncology",
    RadiationOncology = "radiation_oncology",
    SpineSurgery = "spine_surgery",
    Other = "other",
});
choice!(Dexamethasone { None = "none", Iv = "iv", Oral = "oral" });
choice!(Opioid { None = "none", ShortActing = "short_acting", LongActing = "long_acting" });
choice!(Benzodiazepine { None = "none", ShortCourse = "short_course", LongTerm = "long_term" });
choice!(VisceralMets { None = "none", Removable = "removable", Unremovable = "unremovable" });
choice!(Primary {
    Lung = "lung",
    Osteosarcoma = "osteosarcoma",
    Stomach = "stomach",
    Bladder = "bladder",
    Esophagus = "esophagus",
    Pancreas = "pancreas",
    Liver = "liver",
    Gallbladder = "gallbladder",
    Unidentified = "unidentified",
    Other = "other",
    Kidney = "kidney",
    Uterus = "uterus",
    Rectum = "rectum",
    Thyroid = "thyroid",
    Breast = "breast",
    Prostate = "prostate",
    Carcinoid = "carcinoid",
});

record!(Patient {
    label: Option<String>,
    mrn: Option<String>,
    age: Option<u32>,
    sex: Option<Sex>,
});

record!(Surgery {
    #[serde(serialize_with = "super::decode::ser::date")]
    date: Option<NaiveDate>,
    procedure: Option<String>,
    span: Option<Span>,
    indication: Option<Indication>,
});

record!(Sins {
    location: Option<SinsLocation>,
    pain: Option<SinsPain>,
    bone_lesion: Option<BoneLesion>,
    alignment: Option<Alignment>,
    collapse: Option<Collapse>,
    posterolateral: Option<Posterolateral>,
});

record!(Lesion {
    uid: Option<String>,
    level: Option<Level>,
    finding: Option<Finding>,
    canal_stenosis: Option<Grade4>,
    escc: Option<Escc>,
    treated: Option<Treated>,
    management: Option<Management>,
    sins: Option<Sins>,
});

record!(DegenerativeStenosis {
    uid: Option<String>,
    level: Option<Segment>,
    severity: Option<Severity3>,
    attributable_symptoms: Option<bool>,
    conservative_failed: Option<bool>,
    functionally_limiting: Option<bool>,
});

record!(NeuroExam {
    uid: Option<String>,
    #[serde(serialize_with = "super::decode::ser::time")]
    at: Option<NaiveDateTime>,
    frankel: Option<Frankel>,
    motor: Option<Function>,
    sensation: Option<Function>,
    sphincter: Option<Function>,
    new_or_worse: Option<bool>,
});

record!(Mri {
    uid: Option<String>,
    status: Option<MriStatus>,
    #[serde(serialize_with = "super::decode::ser::time")]
    requested_at: Option<NaiveDateTime>,
    /// When the MRI was done (only with status `done`).
    #[serde(serialize_with = "super::decode::ser::time")]
    at: Option<NaiveDateTime>,
    reason: Option<String>,
});

record!(Pathology {
    #[serde(serialize_with = "super::decode::ser::date")]
    biopsy_date: Option<NaiveDate>,
    status: Option<PathologyStatus>,
    histology: Option<Histology>,
    markers: Option<String>,
});

record!(Performance {
    ecog: Option<u32>,
    kps: Option<u32>,
});

record!(Wound {
    status: Option<WoundStatus>,
    #[serde(serialize_with = "super::decode::ser::time")]
    checked_at: Option<NaiveDateTime>,
});

record!(Radiotherapy {
    consult: Option<Consult>,
    contraindication: Option<String>,
    #[serde(serialize_with = "super::decode::ser::date")]
    planned_start: Option<NaiveDate>,
    #[serde(serialize_with = "super::decode::ser::date")]
    start: Option<NaiveDate>,
    #[serde(serialize_with = "super::decode::ser::date")]
    end: Option<NaiveDate>,
    total_dose_gy: Option<f64>,
    dose_per_fraction_gy: Option<f64>,
    followup_scheduled: Option<bool>,
});

record!(Systemic {
    status: Option<SystemicStatus>,
    agent: Option<String>,
});

record!(BoneHealth {
    osteoporosis: Option<bool>,
    threatening_fracture: Option<bool>,
    bisphosphonate: Option<bool>,
});

record!(Mdt {
    #[serde(serialize_with = "super::decode::ser::time")]
    held_at: Option<NaiveDateTime>,
    attendees: Option<Vec<Discipline>>,
});

record!(Medications {
    dexamethasone: Option<Dexamethasone>,
    nsaid: Option<bool>,
    nsaid_contraindicated: Option<bool>,
    opioid: Option<Opioid>,
    opioid_taper_plan: Option<bool>,
    gabapentinoid: Option<bool>,
    neuropathic_pain: Option<bool>,
    benzodiazepine: Option<Benzodiazepine>,
});

record!(Complications {
    vte: Option<bool>,
    pulmonary: Option<bool>,
    cardiac: Option<bool>,
    spinous_process_fracture: Option<bool>,
    hematoma: Option<bool>,
    infection: Option<bool>,
});

record!(Discharge {
    #[serde(serialize_with = "super::decode::ser::date")]
    planned_date: Option<NaiveDate>,
});

record!(Tokuhashi {
    extraspinal_bone_mets: Option<u32>,
    vertebral_mets: Option<u32>,
    visceral_mets: Option<VisceralMets>,
    primary: Option<Primary>,
});

record!(
    /// One patient's case: the saved session and the input of `evaluate`.
    Case {
        schema: Option<String>,
        id: Option<String>,
        /// The ward the case belongs to (free text ≤ 40 characters).
        ward: Option<String>,
        patient: Patient,
        surgery: Surgery,
        lesions: Vec<Lesion>,
        degenerative_stenosis: Vec<DegenerativeStenosis>,
        neuro_exams: Vec<NeuroExam>,
        mri: Vec<Mri>,
        pathology: Pathology,
        performance: Performance,
        expected_survival_months: Option<f64>,
        medically_stable: Option<bool>,
        wound: Wound,
        radiotherapy: Radiotherapy,
        systemic: Systemic,
        bone_health: BoneHealth,
        mdt: Mdt,
        medications: Medications,
        complications: Complications,
        discharge: Discharge,
        tokuhashi: Tokuhashi,
        notes: Option<String>,
        archived: Option<bool>,
    }
);

impl Complications {
    /// The recorded complications, by their field name.
    pub fn present(&self) -> Vec<&'static str> {
        [
            ("vte", self.vte),
            ("pulmonary", self.pulmonary),
            ("cardiac", self.cardiac),
            ("spinous_process_fracture", self.spinous_process_fracture),
            ("hematoma", self.hematoma),
            ("infection", self.infection),
        ]
        .into_iter()
        .filter(|(_, v)| *v == Some(true))
        .map(|(k, _)| k)
        .collect()
    }
}

impl Radiotherapy {
    /// A contraindication counts as recorded when its text is not blank.
    pub fn contraindication_recorded(&self) -> Option<&str> {
        self.contraindication
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

impl Case {
    /// The sections of a case (its records and lists): each may be `null` as a whole, which
    /// means every field of it unknown.
    pub const SECTIONS: &'static [&'static str] = &[
        "patient",
        "surgery",
        "lesions",
        "degenerative_stenosis",
        "neuro_exams",
        "mri",
        "pathology",
        "performance",
        "wound",
        "radiotherapy",
        "systemic",
        "bone_health",
        "mdt",
        "medications",
        "complications",
        "discharge",
        "tokuhashi",
    ];

    /// A new, empty case with the current schema and the given id.
    pub fn new(id: impl Into<String>) -> Case {
        Case {
            schema: Some(SCHEMA.to_string()),
            id: Some(id.into()),
            ..Case::default()
        }
    }

    pub fn label(&self) -> &str {
        self.patient.label.as_deref().unwrap_or("(no label)")
    }

    pub fn is_archived(&self) -> bool {
        self.archived == Some(true)
    }

    /// Gives every row of the four lists that has no uid its derived one (from the case id,
    /// the list and the row's position). Idempotent; never changes a uid that is there.
    pub fn ensure_uids(&mut self) {
        let id = self.id.clone().unwrap_or_default();
        let fill = |list: &str, uids: Vec<&mut Option<String>>| {
            for (i, uid) in uids.into_iter().enumerate() {
                if uid.is_none() {
                    *uid = Some(super::uid::derived(&id, list, i));
                }
            }
        };
        fill(
            "lesions",
            self.lesions.iter_mut().map(|r| &mut r.uid).collect(),
        );
        fill(
            "degenerative_stenosis",
            self.degenerative_stenosis
                .iter_mut()
                .map(|r| &mut r.uid)
                .collect(),
        );
        fill(
            "neuro_exams",
            self.neuro_exams.iter_mut().map(|r| &mut r.uid).collect(),
        );
        fill("mri", self.mri.iter_mut().map(|r| &mut r.uid).collect());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_exactly_the_records_and_lists_of_a_case() {
        let v = serde_json::to_value(Case::default()).unwrap();
        let found: Vec<&str> = Case::FIELDS
            .iter()
            .copied()
            .filter(|f| v[*f].is_object() || v[*f].is_array())
            .collect();
        assert_eq!(found, Case::SECTIONS);
    }
}
