//! The scores of PROTOCOL §3 and the radiotherapy arithmetic (schedule, BED/EQD2, field).

use super::Params;
use super::clocks::Neuro;
use crate::case::*;
use serde::Serialize;

// ---------- SINS (Fisher et al., Spine 2010) ----------

/// SINS location class derived from the vertebral level.
pub fn sins_location_of(level: Level) -> SinsLocation {
    let (region, n) = level.parts();
    match (region, n) {
        ('C', 1 | 2 | 7) | ('T', 1 | 2 | 11 | 12) | ('L', 1 | 5) | ('S', 1) => {
            SinsLocation::Junctional
        }
        ('C', _) | ('L', _) => SinsLocation::Mobile,
        ('T', _) => SinsLocation::SemiRigid,
        _ => SinsLocation::Rigid,
    }
}

fn pts_location(x: SinsLocation) -> u32 {
    match x {
        SinsLocation::Junctional => 3,
        SinsLocation::Mobile => 2,
        SinsLocation::SemiRigid => 1,
        SinsLocation::Rigid => 0,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SinsComponent {
    pub name: &'static str,
    pub value: Option<String>,
    pub points: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SinsScore {
    /// The total when all six components are known.
    pub total: Option<u32>,
    pub band: Option<&'static str>,
    pub complete: bool,
    /// The sum of the components known so far (the running total on the intake screen).
    pub known_total: u32,
    pub location_derived: bool,
    pub components: Vec<SinsComponent>,
}

pub fn sins_band(total: u32) -> &'static str {
    match total {
        0..=6 => "stable",
        7..=12 => "indeterminate",
        _ => "unstable",
    }
}

pub fn sins(sins: &Sins, level: Option<Level>) -> SinsScore {
    let derived = sins.location.is_none() && level.is_some();
    let location = sins.location.or(level.map(sins_location_of));
    let comp = |name, value: Option<&'static str>, points: Option<u32>| SinsComponent {
        name,
        value: value.map(str::to_string),
        points,
    };
    let components = vec![
        comp(
            "location",
            location.map(|x| x.as_str()),
            location.map(pts_location),
        ),
        comp(
            "pain",
            sins.pain.map(|x| x.as_str()),
            sins.pain.map(|x| match x {
                SinsPain::Mechanical => 3,
                SinsPain::Occasional => 1,
                SinsPain::None => 0,
            }),
        ),
        comp(
            "bone_lesion",
            sins.bone_lesion.map(|x| x.as_str()),
            sins.bone_lesion.map(|x| match x {
                BoneLesion::Lytic => 2,
                BoneLesion::Mixed => 1,
                BoneLesion::Blastic => 0,
            }),
        ),
        comp(
            "alignment",
            sins.alignment.map(|x| x.as_str()),
            sins.alignment.map(|x| match x {
                Alignment::Subluxation => 4,
                Alignment::Deformity => 2,
                Alignment::Normal => 0,
            }),
        ),
        comp(
            "collapse",
            sins.collapse.map(|x| x.as_str()),
            sins.collapse.map(|x| match x {
                Collapse::Gt50 => 3,
                Collapse::Lt50 => 2,
                Collapse::InvolvedGt50 => 1,
                Collapse::None => 0,
            }),
        ),
        comp(
            "posterolateral",
            sins.posterolateral.map(|x| x.as_str()),
            sins.posterolateral.map(|x| match x {
                Posterolateral::Bilateral => 3,
                Posterolateral::Unilateral => 1,
                Posterolateral::None => 0,
            }),
        ),
    ];
    let known_total = components.iter().filter_map(|c| c.points).sum();
    let complete = components.iter().all(|c| c.points.is_some());
    SinsScore {
        total: complete.then_some(known_total),
        band: complete.then(|| sins_band(known_total)),
        complete,
        known_total,
        location_derived: derived,
        components,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LesionScore {
    pub level: Option<Level>,
    pub sins: Option<SinsScore>,
    pub escc: Option<Escc>,
    /// ESCC 2 or 3.
    pub escc_high_grade: bool,
}

pub fn lesion_scores(case: &Case) -> Vec<LesionScore> {
    case.lesions
        .iter()
        .map(|l| LesionScore {
            level: l.level,
            sins: l.sins.as_ref().map(|s| sins(s, l.level)),
            escc: l.escc,
            escc_high_grade: matches!(l.escc, Some(Escc::G2 | Escc::G3)),
        })
        .collect()
}

// ---------- Performance status ----------

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerformanceScore {
    pub ecog: Option<u32>,
    pub kps: Option<u32>,
    /// The customary mapping of whichever was entered (approximate).
    pub ecog_from_kps: Option<u32>,
    pub kps_from_ecog: Option<&'static str>,
    pub approximate: bool,
}

pub fn ecog_from_kps(kps: u32) -> u32 {
    match kps {
        90..=100 => 0,
        70..=89 => 1,
        50..=69 => 2,
        30..=49 => 3,
        10..=29 => 4,
        _ => 5,
    }
}

pub fn kps_range_from_ecog(ecog: u32) -> &'static str {
    match ecog {
        0 => "90–100",
        1 => "70–80",
        2 => "50–60",
        3 => "30–40",
        4 => "10–20",
        _ => "0",
    }
}

pub fn performance(case: &Case) -> PerformanceScore {
    let p = &case.performance;
    PerformanceScore {
        ecog: p.ecog,
        kps: p.kps,
        ecog_from_kps: p.kps.map(ecog_from_kps),
        kps_from_ecog: p.ecog.map(kps_range_from_ecog),
        approximate: true,
    }
}

// ---------- Frankel ----------

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrankelScore {
    pub latest: Option<Frankel>,
    pub latest_at: Option<String>,
    /// Times of exams whose grade dropped from the exam before.
    pub drops: Vec<String>,
}

pub fn frankel(case: &Case, now: chrono::NaiveDateTime) -> FrankelScore {
    frankel_of(case, &Neuro::read(case, now))
}

/// The Frankel score from the exams as read at now: the latest grade (untimed exams last).
pub fn frankel_of(case: &Case, neuro: &Neuro) -> FrankelScore {
    let latest = neuro
        .steps
        .iter()
        .rev()
        .find(|s| case.neuro_exams[s.index].frankel.is_some());
    FrankelScore {
        latest: latest.and_then(|s| case.neuro_exams[s.index].frankel),
        latest_at: latest.and_then(|s| s.at).map(|t| format_time(&t)),
        drops: neuro
            .steps
            .iter()
            .filter(|s| s.frankel_drop)
            .filter_map(|s| s.at.map(|t| format_time(&t)))
            .collect(),
    }
}

// ---------- Revised Tokuhashi (Tokuhashi et al., Spine 2005) ----------

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokuhashiComponent {
    pub name: &'static str,
    pub points: Option<u32>,
    pub from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokuhashiScore {
    pub total: Option<u32>,
    pub band: Option<&'static str>,
    pub complete: bool,
    pub known_total: u32,
    pub components: Vec<TokuhashiComponent>,
    /// Case fields still to record, by path.
    pub missing: Vec<&'static str>,
}

pub fn tokuhashi_band(total: u32) -> &'static str {
    match total {
        0..=8 => "< 6 months",
        9..=11 => "6–12 months",
        _ => "≥ 12 months",
    }
}

fn general_condition(case: &Case) -> Option<(u32, String)> {
    if let Some(kps) = case.performance.kps {
        let pts = match kps {
            80..=100 => 2,
            50..=79 => 1,
            _ => 0,
        };
        return Some((pts, format!("KPS {kps}")));
    }
    // ECOG 1 spans KPS 70–80 across two bands, so it cannot stand in for KPS.
    let ecog = case.performance.ecog?;
    let pts = match ecog {
        0 => 2,
        2 => 1,
        3..=5 => 0,
        _ => return None,
    };
    Some((
        pts,
        format!("ECOG {ecog} (≈ KPS {})", kps_range_from_ecog(ecog)),
    ))
}

pub fn tokuhashi(case: &Case, now: chrono::NaiveDateTime) -> TokuhashiScore {
    tokuhashi_with(case, &frankel(case, now))
}

/// The Tokuhashi score with palsy from an already computed Frankel score.
pub fn tokuhashi_with(case: &Case, frankel: &FrankelScore) -> TokuhashiScore {
    let t = &case.tokuhashi;
    let mut missing = Vec::new();
    let mut components = Vec::new();
    let mut push = |name, found: Option<(u32, String)>, field: &'static str| {
        if found.is_none() {
            missing.push(field);
        }
        components.push(TokuhashiComponent {
            name,
            points: found.as_ref().map(|f| f.0),
            from: found.map(|f| f.1),
        });
    };
    push(
        "general_condition",
        general_condition(case),
        "performance.kps",
    );
    push(
        "extraspinal_bone_mets",
        t.extraspinal_bone_mets.map(|n| {
            let pts = match n {
                0 => 2,
                1 | 2 => 1,
                _ => 0,
            };
            (
                pts,
                format!(
                    "{} extraspinal",
                    if n >= 3 {
                        "≥ 3".into()
                    } else if n == 0 {
                        "0".into()
                    } else {
                        "1–2".to_string()
                    }
                ),
            )
        }),
        "tokuhashi.extraspinal_bone_mets",
    );
    push(
        "vertebral_mets",
        t.vertebral_mets.map(|n| {
            let pts = match n {
                0 | 1 => 2,
                2 => 1,
                _ => 0,
            };
            (
                pts,
                format!(
                    "{} vertebral",
                    if n >= 3 {
                        "≥ 3".to_string()
                    } else {
                        n.to_string()
                    }
                ),
            )
        }),
        "tokuhashi.vertebral_mets",
    );
    push(
        "visceral_mets",
        t.visceral_mets.map(|v| {
            let pts = match v {
                VisceralMets::Unremovable => 0,
                VisceralMets::Removable => 1,
                VisceralMets::None => 2,
            };
            (pts, format!("visceral {}", v.as_str()))
        }),
        "tokuhashi.visceral_mets",
    );
    push(
        "primary",
        t.primary.map(|x| {
            use Primary::*;
            let pts = match x {
                Lung | Osteosarcoma | Stomach | Bladder | Esophagus | Pancreas => 0,
                Liver | Gallbladder | Unidentified => 1,
                Other => 2,
                Kidney | Uterus => 3,
                Rectum => 4,
                Thyroid | Breast | Prostate | Carcinoid => 5,
            };
            (pts, format!("primary {}", x.as_str()))
        }),
        "tokuhashi.primary",
    );
    let palsy = frankel.latest.map(|f| {
        let pts = match f {
            Frankel::A | Frankel::B => 0,
            Frankel::C | Frankel::D => 1,
            Frankel::E => 2,
        };
        (pts, format!("Frankel {}", f.as_str().to_uppercase()))
    });
    push("palsy", palsy, "neuro_exams[].frankel");
    let known_total = components.iter().filter_map(|c| c.points).sum();
    let complete = missing.is_empty();
    TokuhashiScore {
        total: complete.then_some(known_total),
        band: complete.then(|| tokuhashi_band(known_total)),
        complete,
        known_total,
        components,
        missing,
    }
}

// ---------- Radiotherapy schedule ----------

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RtSchedule {
    pub fractions: Option<u32>,
    /// The dose the n fractions deliver, n × d (40 Gy in 1.8 Gy → 23 × 1.8 = 41.4 Gy).
    pub delivered_gy: Option<f64>,
    pub weeks: Option<f64>,
    /// EQD2 and BED of the delivered dose, rounded half up to 0.01 Gy.
    pub eqd2_tumour: Option<f64>,
    pub eqd2_cord: Option<f64>,
    pub bed_tumour: Option<f64>,
    pub bed_cord: Option<f64>,
    /// The guideline schedule (B-RT-SCHEDULE) the plan is exactly, e.g. "30 Gy / 10".
    pub guideline: Option<String>,
}

/// Doses are compared and divided in whole milligray so 45 ÷ 1.8 is exactly 25.
pub fn mgy(gy: f64) -> i64 {
    (gy * 1000.0).round() as i64
}

/// Fractions for a total and a dose per fraction: exact division, rounded up.
pub fn fraction_count(total_gy: f64, per_fraction_gy: f64) -> Option<u32> {
    let (t, d) = (mgy(total_gy), mgy(per_fraction_gy));
    if t <= 0 || d <= 0 {
        return None;
    }
    u32::try_from((t + d - 1) / d).ok()
}

/// Rounds to 0.01 in binary arithmetic; the doses themselves use [`bed_eqd2_exact`].
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A rational dose in Gy, `num / den`, rounded half up to 0.01 Gy in exact arithmetic.
fn rational_round2(num: i128, den: i128) -> f64 {
    let hundredths = (num * 200 + den) / (2 * den);
    hundredths as f64 / 100.0
}

/// Biologically effective dose and its 2-Gy equivalent: BED = D(1 + d/(α/β)),
/// EQD2 = BED / (1 + 2/(α/β)).
pub fn bed_eqd2(total_gy: f64, per_fraction_gy: f64, alpha_beta: f64) -> (f64, f64) {
    let bed = total_gy * (1.0 + per_fraction_gy / alpha_beta);
    (bed, bed / (1.0 + 2.0 / alpha_beta))
}

/// BED and EQD2 of `n` fractions of `d` Gy, in exact milligray arithmetic, each rounded half
/// up to 0.01 Gy: BED = n·d·(α/β + d)/(α/β), EQD2 = n·d·(α/β + d)/(α/β + 2).
pub fn bed_eqd2_exact(n: u32, per_fraction_gy: f64, alpha_beta: f64) -> (f64, f64) {
    let d = i128::from(mgy(per_fraction_gy));
    let ab = i128::from(mgy(alpha_beta));
    let total = i128::from(n) * d;
    let num = total * (ab + d);
    (
        rational_round2(num, 1000 * ab),
        rational_round2(num, 1000 * (ab + 2000)),
    )
}

/// The guideline schedule (B-RT-SCHEDULE) that total, fraction count and per-fraction dose
/// are exactly (30 Gy in 3 Gy = 10 fractions is "30 Gy / 10"; 30 Gy in 3.2 Gy is none).
pub fn guideline_schedule(
    total_gy: f64,
    per_fraction_gy: f64,
    schedules: &[super::text::RtScheduleText],
) -> Option<&super::text::RtScheduleText> {
    let (t, d) = (mgy(total_gy), mgy(per_fraction_gy));
    schedules
        .iter()
        .find(|s| mgy(s.total_gy) == t && i64::from(s.fractions) * d == t)
}

pub fn rt_schedule(case: &Case, p: &Params) -> RtSchedule {
    rt_schedule_with(case, p, &[])
}

pub fn rt_schedule_with(
    case: &Case,
    p: &Params,
    schedules: &[super::text::RtScheduleText],
) -> RtSchedule {
    let rt = &case.radiotherapy;
    let none = RtSchedule {
        fractions: None,
        delivered_gy: None,
        weeks: None,
        eqd2_tumour: None,
        eqd2_cord: None,
        bed_tumour: None,
        bed_cord: None,
        guideline: None,
    };
    let (Some(total), Some(d)) = (rt.total_dose_gy, rt.dose_per_fraction_gy) else {
        return none;
    };
    let Some(n) = fraction_count(total, d) else {
        return none;
    };
    let (bt, et) = bed_eqd2_exact(n, d, p.alpha_beta_tumour);
    let (bc, ec) = bed_eqd2_exact(n, d, p.alpha_beta_cord);
    RtSchedule {
        fractions: Some(n),
        delivered_gy: Some((i64::from(n) * mgy(d)) as f64 / 1000.0),
        weeks: Some(rational_round2(
            i128::from(n) * 1000,
            i128::from(mgy(p.fractions_per_week)),
        )),
        eqd2_tumour: Some(et),
        eqd2_cord: Some(ec),
        bed_tumour: Some(bt),
        bed_cord: Some(bc),
        guideline: guideline_schedule(total, d, schedules).map(|s| s.name.clone()),
    }
}

// ---------- Radiotherapy field ----------

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RtField {
    pub from: Level,
    pub to: Level,
    /// `T11–L1`.
    pub text: String,
    /// The treated lesion levels the field is drawn for.
    pub lesions: Vec<Level>,
    /// Further lesions that lay in the margin and so joined the involved span ("includes L1").
    pub includes: Vec<Level>,
    /// Set at the ends of the column, where no vertebra lies beyond the lesion.
    pub note: Option<String>,
}

/// Fields for the given lesion levels: each lesion plus one vertebra either side, merged
/// where they touch or overlap.
pub fn rt_fields(levels: &[Level]) -> Vec<RtField> {
    rt_fields_with(levels, levels)
}

/// Fields for the treated levels, with every level in `involved` (any lesion, whatever its
/// management) barred from the margin: a margin vertebra that carries a lesion joins the
/// involved span and the margin moves one further, repeatedly (T12 + L1 → T11–L2).
pub fn rt_fields_with(treated: &[Level], involved: &[Level]) -> Vec<RtField> {
    let mut levels: Vec<Level> = treated.to_vec();
    levels.sort();
    levels.dedup();
    let sick = |l: Level| involved.contains(&l);
    let mut fields: Vec<RtField> = Vec::new();
    for l in levels {
        let (mut top, mut bottom) = (l, l);
        let mut includes = Vec::new();
        while let Some(a) = top.above().filter(|&a| sick(a)) {
            top = a;
            includes.push(a);
        }
        while let Some(b) = bottom.below().filter(|&b| sick(b)) {
            bottom = b;
            includes.push(b);
        }
        let from = top.above().unwrap_or(top);
        let to = bottom.below().unwrap_or(bottom);
        match fields.last_mut() {
            Some(f) if from.index() <= f.to.index() + 1 => {
                f.to = f.to.max(to);
                f.lesions.push(l);
                f.includes.extend(includes);
            }
            _ => fields.push(RtField {
                from,
                to,
                text: String::new(),
                lesions: vec![l],
                includes,
                note: None,
            }),
        }
    }
    for f in &mut fields {
        let lesions = f.lesions.clone();
        f.includes.retain(|x| !lesions.contains(x));
        f.includes.sort();
        f.includes.dedup();
        f.text = format!("{}–{}", f.from, f.to);
        let mut notes = Vec::new();
        let covers = |x: Level| f.lesions.contains(&x) || f.includes.contains(&x);
        if covers(Level::C1) {
            notes.push("C1 has no vertebra above: the margin extends to the occiput");
        }
        if covers(Level::S5) {
            notes.push("S5 has no vertebra below: the margin extends to the coccyx");
        }
        f.note = (!notes.is_empty()).then(|| notes.join("; "));
    }
    fields
}

/// Lesions the radiotherapy field is drawn for: operated, or managed by radiotherapy.
pub fn treated_levels(case: &Case) -> Vec<Level> {
    case.lesions
        .iter()
        .filter(|l| {
            l.treated == Some(Treated::Surgery) || l.management == Some(Management::Radiotherapy)
        })
        .filter_map(|l| l.level)
        .collect()
}
