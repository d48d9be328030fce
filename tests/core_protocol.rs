//! The protocol asset: every rule of PROTOCOL.md has its words, basis and sources in
//! assets/protocol.json, and every word there belongs to a rule the code fires.

use spinewatch::protocol::Protocol;
use spinewatch::protocol::rules::RULES;

/// The rule IDs of PROTOCOL.md §2 and §2b.
const SPEC_IDS: &[&str] = &[
    "P-RT-ADJUVANT",
    "P-RT-TIMING",
    "P-RT-DOSE",
    "P-RT-FIELD",
    "P-RT-CONSULT",
    "P-SYS-AWAIT-PATH",
    "P-SYS-HEME",
    "P-SYS-SOLID",
    "P-BONE-BISPHOS",
    "P-MDT",
    "P-PAIN-DEXA",
    "P-PAIN-NSAID",
    "P-PAIN-OPIOID",
    "P-PAIN-GABA",
    "P-MON-NEURO",
    "P-MON-WOUND",
    "P-MON-MEDICAL",
    "P-L45-CONSERVATIVE",
    "P-L45-SURGICAL",
    "P-PROG-MULTI",
    "P-PROG-OUTCOME",
    "W-RT-CLOSING",
    "W-RT-OVERDUE",
    "W-RT-DEFERRED",
    "W-CHEMO-NO-PATH",
    "W-DISCHARGE-NO-RT",
    "W-NEURO-MRI",
    "W-NEURO-DUE",
    "W-WOUND",
    "W-MDT-MISSING",
    "W-BENZO-LONG",
    "W-OPIOID-TAPER",
    "W-NSAID-CI",
    "W-RT-DOSE",
    "W-SURVIVAL",
    "W-COMPLICATION",
    "W-LESION-UNPLANNED",
    "W-NEURO-INCONSISTENT",
    "W-FUTURE-DATED",
    "W-MDT-INCOMPLETE",
    "W-PERF-CONFLICT",
    "B-RT-SCHEDULE",
    "B-RT-EARLY",
    "B-SINS-CONSULT",
    "B-ESCC-HIGH",
    "B-DEXA-DOSE",
    "B-TOKUHASHI",
    "B-MRI-WHOLE-SPINE",
];

#[test]
fn every_spec_rule_has_a_function_and_words() {
    let p = Protocol::builtin();
    let coded: Vec<&str> = RULES.iter().map(|(id, _)| *id).collect();
    assert_eq!(coded, SPEC_IDS, "rules in code follow PROTOCOL.md");
    for id in SPEC_IDS {
        let r = p.rule(id);
        // W-FUTURE-DATED is the program's own check of the record (PROTOCOL: source "—").
        assert!(
            !r.basis.is_empty() && (!r.sources.is_empty() || *id == "W-FUTURE-DATED"),
            "{id}"
        );
        for s in &r.sources {
            assert!(p.texts.references.contains_key(s), "{id} cites unknown {s}");
        }
        let expected_kind =
            if id.starts_with("W-") || *id == "B-SINS-CONSULT" || *id == "B-ESCC-HIGH" {
                "pitfall"
            } else {
                "plan"
            };
        assert_eq!(r.kind, expected_kind, "{id}");
    }
    assert_eq!(p.texts.rules.len(), SPEC_IDS.len(), "no orphan rule text");
}

#[test]
fn severities_are_those_of_the_spec() {
    let p = Protocol::builtin();
    for id in [
        "W-RT-OVERDUE",
        "W-CHEMO-NO-PATH",
        "W-DISCHARGE-NO-RT",
        "W-NEURO-MRI",
    ] {
        assert_eq!(p.rule(id).severity, "critical", "{id}");
    }
    // W-FUTURE-DATED is a warning, critical when it hides a new or worse exam.
    assert_eq!(p.rule("W-FUTURE-DATED").severity, "warning");
    assert_eq!(
        p.wording("W-FUTURE-DATED").severity(Some("worse")),
        Some("critical")
    );
    for id in SPEC_IDS.iter().filter(|i| i.starts_with("W-")) {
        assert!(
            ["critical", "warning"].contains(&p.rule(id).severity.as_str()),
            "{id}"
        );
    }
    for id in SPEC_IDS.iter().filter(|i| i.starts_with("P-")) {
        assert_eq!(p.rule(id).severity, "info", "{id}");
    }
}

#[test]
fn every_ask_is_worded_and_names_its_field() {
    let p = Protocol::builtin();
    for (id, a) in &p.texts.asks {
        assert!(id.starts_with("A-"), "{id}");
        assert!(
            !a.field.is_empty() && a.detail.starts_with("Record"),
            "{id}"
        );
    }
}

#[test]
fn defaults_are_the_protocol_numbers() {
    let p = Protocol::builtin().params;
    assert_eq!(
        (p.rt_target_from, p.rt_warn_from, p.rt_deadline),
        (14.0, 21.0, 28.0)
    );
    assert_eq!(
        (
            p.mri_clock_h,
            p.neuro_exam_max_h,
            p.mdt_due_pod,
            p.dexa_review_pod
        ),
        (12.0, 24.0, 2.0, 7.0)
    );
    assert_eq!(
        (
            p.rt_total_min_gy,
            p.rt_total_max_gy,
            p.rt_fraction_min_gy,
            p.rt_fraction_max_gy
        ),
        (40.0, 50.0, 1.8, 2.0)
    );
    assert_eq!((p.survival_min_months, p.fractions_per_week), (3.0, 5.0));
    assert_eq!((p.alpha_beta_tumour, p.alpha_beta_cord), (10.0, 2.0));
    assert_eq!(p.future_tolerance_min, 10.0);
}

#[test]
fn protocol_2_is_the_built_in_version() {
    let p = Protocol::builtin();
    assert_eq!(p.version, "2026-12-01");
    assert_eq!(p.params_json["future_tolerance_min"], 10);
}

#[test]
fn every_pitfall_has_rounds_row_words_and_no_plan_has() {
    let p = Protocol::builtin();
    for (id, r) in &p.texts.rules {
        let short = p.wording(id).short.clone();
        if r.kind == "pitfall" {
            let s = short.unwrap_or_else(|| panic!("{id} has no short"));
            assert!(s.chars().count() <= 28, "{id}: {s}");
            for (name, v) in &p.wording(id).variants {
                if let Some(s) = &v.short {
                    assert!(s.chars().count() <= 28, "{id}/{name}: {s}");
                }
            }
        } else {
            assert!(short.is_none(), "{id} is a plan with a short");
        }
    }
}
