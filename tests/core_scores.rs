//! Scores against their published tables (SINS, ESCC, revised Tokuhashi, ECOG/KPS, Frankel)
//! and the radiotherapy arithmetic (fractions, BED/EQD2, field across junctions).

mod common;
use common::*;
use serde_json::json;
use spinewatch::case::*;
use spinewatch::protocol::scores::*;

fn l(s: &str) -> Level {
    Level::parse(s).unwrap()
}

#[test]
fn sins_location_from_every_level_matches_fisher_2010() {
    let expect = |levels: &[&str], class: SinsLocation| {
        for s in levels {
            assert_eq!(sins_location_of(l(s)), class, "{s}");
        }
    };
    // junctional: occiput–C2, C7–T2, T11–L1, L5–S1
    expect(
        &["C1", "C2", "C7", "T1", "T2", "T11", "T12", "L1", "L5", "S1"],
        SinsLocation::Junctional,
    );
    expect(
        &["C3", "C4", "C5", "C6", "L2", "L3", "L4"],
        SinsLocation::Mobile,
    );
    expect(
        &["T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10"],
        SinsLocation::SemiRigid,
    );
    expect(&["S2", "S3", "S4", "S5"], SinsLocation::Rigid);
}

fn sins_of(v: serde_json::Value, level: &str) -> SinsScore {
    let mut p = Default::default();
    let s: Sins = spinewatch::case::decode::Decode::decode(&v, "sins", &mut p).unwrap();
    sins(&s, Some(l(level)))
}

#[test]
fn sins_every_component_scores_as_published() {
    let base = json!({ "location": "rigid", "pain": "none", "bone_lesion": "blastic",
                       "alignment": "normal", "collapse": "none", "posterolateral": "none" });
    assert_eq!(sins_of(base.clone(), "S3").total, Some(0));
    let cases = [
        ("location", "junctional", 3),
        ("location", "mobile", 2),
        ("location", "semi_rigid", 1),
        ("pain", "mechanical", 3),
        ("pain", "occasional", 1),
        ("bone_lesion", "lytic", 2),
        ("bone_lesion", "mixed", 1),
        ("alignment", "subluxation", 4),
        ("alignment", "deformity", 2),
        ("collapse", "gt_50", 3),
        ("collapse", "lt_50", 2),
        ("collapse", "involved_gt_50", 1),
        ("posterolateral", "bilateral", 3),
        ("posterolateral", "unilateral", 1),
    ];
    for (field, value, points) in cases {
        let mut v = base.clone();
        v[field] = json!(value);
        assert_eq!(sins_of(v, "S3").total, Some(points), "{field}={value}");
    }
    let max = json!({ "location": "junctional", "pain": "mechanical", "bone_lesion": "lytic",
                      "alignment": "subluxation", "collapse": "gt_50", "posterolateral": "bilateral" });
    let s = sins_of(max, "T12");
    assert_eq!((s.total, s.band), (Some(18), Some("unstable")));
}

#[test]
fn sins_bands_at_6_7_12_13() {
    assert_eq!(sins_band(6), "stable");
    assert_eq!(sins_band(7), "indeterminate");
    assert_eq!(sins_band(12), "indeterminate");
    assert_eq!(sins_band(13), "unstable");
}

#[test]
fn sins_location_is_derived_unless_overridden_and_incomplete_has_no_total() {
    let e = eval(&demo(), "2026-12-01T08:00");
    let t12 = e.scores.lesions[0].sins.as_ref().unwrap();
    assert_eq!(
        (t12.total, t12.band, t12.complete, t12.location_derived),
        (Some(13), Some("unstable"), true, true)
    );
    let s = sins_of(json!({ "location": "mobile", "pain": "mechanical" }), "T12");
    assert_eq!(
        (s.total, s.complete, s.known_total, s.location_derived),
        (None, false, 5, false)
    );
}

#[test]
fn escc_high_grade_is_2_and_3() {
    for (g, high) in [
        ("0", false),
        ("1a", false),
        ("1b", false),
        ("1c", false),
        ("2", true),
        ("3", true),
    ] {
        let c = demo_with(&[("/lesions/0/escc", json!(g))]);
        let e = eval(&c, "2026-12-01T08:00");
        assert_eq!(e.scores.lesions[0].escc_high_grade, high, "{g}");
        assert_eq!(e.scores.lesions[0].escc.unwrap().as_str(), g);
    }
}

fn toku(t: serde_json::Value, kps: u32, frankel: &str) -> TokuhashiScore {
    let c = demo_with(&[
        ("/tokuhashi", t),
        ("/performance/kps", json!(kps)),
        ("/neuro_exams/0/frankel", json!(frankel)),
    ]);
    tokuhashi(&c, at("2030-01-01T00:00"))
}

#[test]
fn tokuhashi_every_component_scores_as_published() {
    let zero = json!({ "extraspinal_bone_mets": 3, "vertebral_mets": 3, "visceral_mets": "unremovable", "primary": "lung" });
    assert_eq!(toku(zero.clone(), 40, "b").total, Some(0));
    // General condition by KPS.
    for (kps, pts) in [(10, 0), (40, 0), (50, 1), (70, 1), (80, 2), (100, 2)] {
        assert_eq!(toku(zero.clone(), kps, "a").total, Some(pts), "KPS {kps}");
    }
    // Palsy by Frankel.
    for (f, pts) in [("a", 0), ("b", 0), ("c", 1), ("d", 1), ("e", 2)] {
        assert_eq!(toku(zero.clone(), 40, f).total, Some(pts), "Frankel {f}");
    }
    let one = |field: &str, v: serde_json::Value| {
        let mut t = zero.clone();
        t[field] = v;
        toku(t, 40, "a").total.unwrap()
    };
    assert_eq!(one("extraspinal_bone_mets", json!(1)), 1);
    assert_eq!(one("extraspinal_bone_mets", json!(0)), 2);
    assert_eq!(one("vertebral_mets", json!(2)), 1);
    assert_eq!(one("vertebral_mets", json!(1)), 2);
    assert_eq!(one("visceral_mets", json!("removable")), 1);
    assert_eq!(one("visceral_mets", json!("none")), 2);
    for (primary, pts) in [
        ("lung", 0),
        ("osteosarcoma", 0),
        ("stomach", 0),
        ("bladder", 0),
        ("esophagus", 0),
        ("pancreas", 0),
        ("liver", 1),
        ("gallbladder", 1),
        ("unidentified", 1),
        ("other", 2),
        ("kidney", 3),
        ("uterus", 3),
        ("rectum", 4),
        ("thyroid", 5),
        ("breast", 5),
        ("prostate", 5),
        ("carcinoid", 5),
    ] {
        assert_eq!(one("primary", json!(primary)), pts, "{primary}");
    }
    let max = json!({ "extraspinal_bone_mets": 0, "vertebral_mets": 1, "visceral_mets": "none", "primary": "breast" });
    assert_eq!(toku(max, 100, "e").total, Some(15));
}

#[test]
fn tokuhashi_bands_at_8_9_11_12() {
    assert_eq!(tokuhashi_band(8), "< 6 months");
    assert_eq!(tokuhashi_band(9), "6–12 months");
    assert_eq!(tokuhashi_band(11), "6–12 months");
    assert_eq!(tokuhashi_band(12), "≥ 12 months");
}

#[test]
fn tokuhashi_incomplete_lists_what_is_missing() {
    let t = tokuhashi(&demo(), at("2030-01-01T00:00"));
    assert_eq!((t.total, t.band, t.complete), (None, None, false));
    assert_eq!(
        t.missing,
        vec![
            "tokuhashi.extraspinal_bone_mets",
            "tokuhashi.visceral_mets",
            "tokuhashi.primary"
        ]
    );
    assert_eq!(t.known_total, 1 + 1 + 2); // KPS 60, 2 vertebral, Frankel E
}

#[test]
fn tokuhashi_uses_ecog_only_where_the_mapping_is_unambiguous() {
    let t = json!({ "extraspinal_bone_mets": 3, "vertebral_mets": 3, "visceral_mets": "unremovable", "primary": "lung" });
    let with_ecog = |ecog: u32| {
        let c = demo_with(&[
            ("/tokuhashi", t.clone()),
            ("/performance/kps", json!(null)),
            ("/performance/ecog", json!(ecog)),
        ]);
        tokuhashi(&c, at("2030-01-01T00:00")).total
    };
    assert_eq!(with_ecog(0), Some(2 + 2)); // ECOG 0 ≈ KPS 90–100 → 2, Frankel E → 2
    assert_eq!(with_ecog(1), None); // ECOG 1 ≈ KPS 70–80 spans two bands
    assert_eq!(with_ecog(2), Some(1 + 2));
    assert_eq!(with_ecog(3), Some(2));
}

#[test]
fn ecog_kps_mapping_is_the_customary_one_and_approximate() {
    for (kps, ecog) in [
        (100, 0),
        (90, 0),
        (80, 1),
        (70, 1),
        (60, 2),
        (50, 2),
        (40, 3),
        (30, 3),
        (20, 4),
        (10, 4),
        (0, 5),
    ] {
        assert_eq!(ecog_from_kps(kps), ecog, "KPS {kps}");
    }
    assert_eq!(kps_range_from_ecog(1), "70–80");
    let p = performance(&demo());
    assert_eq!(
        (p.kps, p.ecog_from_kps, p.approximate),
        (Some(60), Some(2), true)
    );
}

#[test]
fn fractions_divide_exactly_then_round_up() {
    assert_eq!(fraction_count(45.0, 1.8), Some(25));
    assert_eq!(fraction_count(50.0, 2.0), Some(25));
    assert_eq!(fraction_count(40.0, 2.0), Some(20));
    assert_eq!(fraction_count(40.0, 1.8), Some(23)); // 22.2 → 23
    assert_eq!(fraction_count(50.4, 1.8), Some(28));
    assert_eq!(fraction_count(30.0, 3.0), Some(10));
    assert_eq!(fraction_count(8.0, 8.0), Some(1));
}

#[test]
fn bed_and_eqd2_for_tumour_and_cord() {
    let c = demo_with(&[
        ("/radiotherapy/total_dose_gy", json!(45)),
        ("/radiotherapy/dose_per_fraction_gy", json!(1.8)),
    ]);
    let s = eval(&c, "2026-12-01T08:00").scores.rt_schedule;
    assert_eq!(s.fractions, Some(25));
    assert_eq!(s.weeks, Some(5.0));
    assert_eq!(s.bed_tumour, Some(53.1)); // 45 × (1 + 1.8/10)
    assert_eq!(s.eqd2_tumour, Some(44.25)); // 53.1 / 1.2
    assert_eq!(s.bed_cord, Some(85.5)); // 45 × (1 + 1.8/2)
    assert_eq!(s.eqd2_cord, Some(42.75)); // 85.5 / 2
    let (_, e) = bed_eqd2(8.0, 8.0, 10.0);
    assert!((e - 12.0).abs() < 1e-9);
    let (_, e) = bed_eqd2(30.0, 3.0, 10.0);
    assert!((e - 32.5).abs() < 1e-9);
}

fn field(levels: &[&str]) -> Vec<String> {
    rt_fields(&levels.iter().map(|s| l(s)).collect::<Vec<_>>())
        .into_iter()
        .map(|f| f.text)
        .collect()
}

#[test]
fn rt_field_crosses_every_junction() {
    assert_eq!(field(&["T12"]), ["T11–L1"]);
    assert_eq!(field(&["C7"]), ["C6–T1"]);
    assert_eq!(field(&["L5"]), ["L4–S1"]);
    assert_eq!(field(&["T1"]), ["C7–T2"]);
    assert_eq!(field(&["L1"]), ["T12–L2"]);
    assert_eq!(field(&["S1"]), ["L5–S2"]);
    assert_eq!(field(&["T5"]), ["T4–T6"]);
}

#[test]
fn rt_field_at_both_ends_of_the_column() {
    let f = rt_fields(&[l("C1")]);
    assert_eq!(f[0].text, "C1–C2");
    assert!(f[0].note.as_deref().unwrap().contains("occiput"));
    let f = rt_fields(&[l("S5")]);
    assert_eq!(f[0].text, "S4–S5");
    assert!(f[0].note.as_deref().unwrap().contains("coccyx"));
}

#[test]
fn rt_fields_merge_when_they_touch_and_stay_apart_otherwise() {
    assert_eq!(field(&["T12", "L2"]), ["T11–L3"]);
    assert_eq!(field(&["T12", "L3"]), ["T11–L4"], "L1 and L2 margins touch");
    assert_eq!(field(&["T5", "T12"]), ["T4–T6", "T11–L1"]);
    assert_eq!(field(&["T12", "T12"]), ["T11–L1"]);
}
