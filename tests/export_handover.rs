//! The handover note: snapshots of the demo case and what a colleague must find in it.

use chrono::NaiveDateTime;
use serde_json::{Value, json};
use spinewatch::case::{Case, parse_time};
use spinewatch::export::{handover_markdown, handover_text};
use spinewatch::protocol::{Protocol, evaluate};

const DEMO: &str = include_str!("../assets/demo-case.json");

fn at(s: &str) -> NaiveDateTime {
    parse_time(s).expect("a test time")
}

fn demo_with(edit: impl FnOnce(&mut Value)) -> Case {
    let mut v: Value = serde_json::from_str(DEMO).unwrap();
    edit(&mut v);
    Case::from_json_str(&v.to_string(), at("2026-12-01T08:00")).expect("a valid test case")
}

fn notes(case: &Case, now: &str) -> (String, String) {
    let protocol = Protocol::builtin();
    let eval = evaluate(case, &protocol, at(now));
    (
        handover_markdown(case, &eval, &protocol),
        handover_text(case, &eval, &protocol),
    )
}

#[test]
fn demo_case_markdown_snapshot() {
    let (md, _) = notes(&demo_with(|_| {}), "2026-12-01T08:00");
    insta::assert_snapshot!("demo_markdown", md);
}

#[test]
fn demo_case_text_snapshot() {
    let (_, text) = notes(&demo_with(|_| {}), "2026-12-01T08:00");
    insta::assert_snapshot!("demo_text", text);
}

#[test]
fn text_note_fits_80_columns() {
    let case = demo_with(|v| {
        v["patient"]["label"] = json!("Bed 12 with a rather long label that keeps going on");
        v["notes"] = json!(format!("{}\nsecond line", "long note ".repeat(30)));
    });
    let (_, text) = notes(&case, "2026-12-01T08:00");
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "line over 80 columns ({}): {line}",
            line.chars().count()
        );
    }
}

#[test]
fn header_has_label_pod_date_surgery_rt_window_and_pathology() {
    let (md, text) = notes(&demo_with(|_| {}), "2026-12-01T08:00");
    for note in [&md, &text] {
        let head: String = note.lines().take(24).collect::<Vec<_>>().join("\n");
        assert!(
            head.contains("Bed 12 · POD 11 · T12 · 2026-12-01 08:00"),
            "{head}"
        );
        assert!(head.contains("Posterior stabilization T10-L2"), "{head}");
        assert!(head.contains("on 2026-11-20"), "{head}");
        // Text wraps; the words are the same.
        let flat = note.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(
                "17 days left to the POD 28 deadline; window 2026-12-04 to 2026-12-18 (POD 14–28)"
            ),
            "{note}"
        );
        assert!(
            head.contains("pending 12 days (biopsy 2026-11-19)"),
            "{head}"
        );
        // No MRI clock runs for the demo case: no line for it.
        assert!(!note.contains("MRI clock"));
    }
}

/// A case with two critical pitfalls: a worse neuro exam without MRI, discharge without RT.
fn critical_case() -> Case {
    demo_with(|v| {
        v["neuro_exams"].as_array_mut().unwrap().push(json!({
            "at": "2026-12-01T06:00", "frankel": "d", "motor": "impaired",
            "sensation": "normal", "sphincter": "normal", "new_or_worse": true
        }));
        v["discharge"]["planned_date"] = json!("2026-12-02");
    })
}

#[test]
fn critical_pitfalls_come_first_with_their_ids() {
    let (md, text) = notes(&critical_case(), "2026-12-01T08:00");
    let pitfalls = text.split("PITFALLS").nth(1).unwrap();
    let first_warning = pitfalls.find("!  WARNING").unwrap();
    let mri = pitfalls
        .find("!! CRITICAL [W-NEURO-MRI]")
        .expect("the MRI pitfall");
    let discharge = pitfalls
        .find("!! CRITICAL [W-DISCHARGE-NO-RT]")
        .expect("the discharge pitfall");
    assert!(mri < first_warning && discharge < first_warning);
    assert!(md.contains("- **CRITICAL** `W-NEURO-MRI`"));
    assert!(text.contains("Discharge:    planned 2026-12-02"));
    // The MRI clock runs from the 06:00 exam: 12 h, so 10:00 left at 08:00.
    assert!(
        text.contains("MRI clock:    10:00 left: due 18:00 after the new or worse"),
        "{text}"
    );
    assert!(md.contains("- **MRI clock:** 10:00 left: due 18:00"));
    assert!(
        text.contains("Frankel: D (motor useful) at 06:00; Frankel dropped E → D at 06:00"),
        "{text}"
    );
}

#[test]
fn started_radiotherapy_shows_fraction_k_of_n() {
    let case = demo_with(|v| {
        v["radiotherapy"]["start"] = json!("2026-11-30");
        v["radiotherapy"]["total_dose_gy"] = json!(30);
        v["radiotherapy"]["dose_per_fraction_gy"] = json!(3);
    });
    // Monday 30 Nov and Tuesday 1 Dec: fraction 2 of 10, ending Friday 11 Dec.
    let (md, text) = notes(&case, "2026-12-01T08:00");
    assert!(
        text.contains("Radiotherapy: started, fraction 2 of 10, expected end 2026-12-11"),
        "{text}"
    );
    assert!(md.contains("started 2026-11-30"));
    assert!(text.contains("RT schedule: 10 fractions over 2 weeks"));
}

#[test]
fn plan_is_grouped_by_section_and_asks_listed_in_words() {
    let (md, text) = notes(&demo_with(|_| {}), "2026-12-01T08:00");
    let order = [
        "### Radiotherapy",
        "### Systemic therapy",
        "### MDT",
        "### Pain",
    ];
    let positions: Vec<usize> = order.iter().map(|h| md.find(h).expect(h)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(
        md.contains("- `A-NSAID-CI` Record NSAID contraindication\n"),
        "{md}"
    );
    assert!(text.contains("STILL TO RECORD"));
}

#[test]
fn footer_names_parameters_and_full_reference_texts_cited() {
    let (md, _) = notes(&demo_with(|_| {}), "2026-12-01T08:00");
    let footer = md.split("\n---\n").nth(1).expect("a footer");
    assert!(footer.contains("rt_deadline=28"));
    assert!(footer.contains("- [1] Guideline-directed topic overview"));
    assert!(footer.contains("- [5] NICE NG234 (2023)"));
    // [7] (SINS) is not cited by any item of the demo case at this moment.
    assert!(!footer.contains("[7]"));
}

#[test]
fn site_parameters_show_in_the_footer() {
    let protocol = Protocol::builtin()
        .with_site_overrides(r#"{"parameters": {"rt_deadline": 30}}"#, "site.json")
        .unwrap();
    let case = demo_with(|_| {});
    let eval = evaluate(&case, &protocol, at("2026-12-01T08:00"));
    let md = handover_markdown(&case, &eval, &protocol);
    assert!(md.contains("(site.json). Parameters used:"));
    assert!(md.contains("rt_deadline=30"));
    assert!(md.contains("19 days left to the POD 30 deadline"));
}

#[test]
fn markdown_from_case_text_cannot_inject_markup() {
    let case = demo_with(|v| {
        v["patient"]["label"] = json!("*Bed* <b>12</b>");
        v["notes"] = json!("# not a heading\n- not a list");
    });
    let (md, text) = notes(&case, "2026-12-01T08:00");
    assert!(
        md.starts_with("# Handover: \\*Bed\\* \\<b>12\\</b> · POD 11"),
        "{md}"
    );
    assert!(md.contains("\n\\# not a heading\n"));
    assert!(md.contains("\n\\- not a list\n"));
    // Plain text shows the label as written.
    assert!(text.starts_with("Handover: *Bed* <b>12</b>"));
}

#[test]
fn an_empty_case_says_what_is_unknown() {
    let case = Case::from_json_str(
        r#"{"schema": "spinewatch.case/1", "id": "empty"}"#,
        at("2026-12-01T08:00"),
    )
    .unwrap();
    let (_, text) = notes(&case, "2026-12-01T08:00");
    assert!(text.starts_with("Handover: (no label) · POD ? · 2026-12-01 08:00"));
    assert!(text.contains("Surgery:      not recorded"));
    assert!(text.contains("Radiotherapy: window unknown (no surgery date)"));
    assert!(text.contains("Pathology:    not recorded"));
    assert!(text.contains("Neuro:        no exam recorded"));
}

#[test]
fn an_overdue_window_reads_as_days_past_the_deadline() {
    // POD 30: two days past the POD 28 deadline, radiotherapy not started.
    let (md, text) = notes(&demo_with(|_| {}), "2026-12-20T08:00");
    assert!(
        text.contains("Radiotherapy: overdue, 2 days past the POD 28 deadline; window"),
        "{text}"
    );
    let pitfalls = md.split("## Pitfalls").nth(1).unwrap();
    assert!(
        pitfalls
            .trim_start()
            .starts_with("- **CRITICAL** `W-RT-OVERDUE`"),
        "{pitfalls}"
    );
}

#[test]
fn actions_due_come_first_each_with_its_deadline() {
    let (md, text) = notes(&critical_case(), "2026-12-01T08:00");
    let actions = text.find("ACTIONS DUE").expect("an actions block");
    for later in ["CASE", "PITFALLS", "PLAN", "Surgery:"] {
        assert!(
            actions < text.find(later).unwrap(),
            "{later} after the actions"
        );
    }
    let block: Vec<&str> = text[actions..]
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(
        block,
        vec![
            "!! MRI by 18:00 (new or worse neuro exam at 06:00)",
            "!! RT consult and follow-up before discharge on 2026-12-02",
            " - RT by 2026-12-18 (POD 28); target window from 2026-12-04 (POD 14)",
            " - Neuro exam by 2026-12-02 06:00 (every 24 h; last 06:00)",
            " - MDT overdue since 2026-11-22 (POD 2)",
        ],
        "{text}"
    );
    assert!(
        md.contains("## Actions due\n\n- **CRITICAL** MRI by 18:00"),
        "{md}"
    );
    // Overdue: said so, with the moment it fell due.
    let (_, late) = notes(&critical_case(), "2026-12-01T19:30");
    assert!(late.contains("!! MRI overdue since 18:00"), "{late}");
    let (_, nothing) = notes(
        &demo_with(|v| {
            v["archived"] = json!(true);
            v["radiotherapy"]["start"] = json!("2026-11-30");
            v["mdt"]["held_at"] = json!("2026-11-21T14:00");
        }),
        "2026-12-01T08:00",
    );
    assert!(
        nothing.contains("ACTIONS DUE\nNothing time-critical."),
        "{nothing}"
    );
}

#[test]
fn the_patient_is_named_by_label_and_mrn_with_age_and_sex() {
    let (_, text) = notes(&demo_with(|_| {}), "2026-12-01T08:00");
    assert!(
        text.contains("\nPatient:      Bed 12 · MRN not recorded · 64 years · female\n"),
        "{text}"
    );
    let (md, _) = notes(
        &demo_with(|v| {
            v["patient"]["mrn"] = json!("TEST-0042");
            v["patient"]["age"] = Value::Null;
        }),
        "2026-12-01T08:00",
    );
    assert!(
        md.contains("- **Patient:** Bed 12 · MRN TEST-0042 · age not recorded · female"),
        "{md}"
    );
}

#[test]
fn archived_cases_are_marked() {
    let (md, text) = notes(
        &demo_with(|v| v["archived"] = json!(true)),
        "2026-12-01T08:00",
    );
    assert!(text.starts_with("ARCHIVED · Handover: Bed 12"), "{text}");
    assert!(md.starts_with("# ARCHIVED · Handover: Bed 12"), "{md}");
    assert!(text.contains("Status:       ARCHIVED"));
}

#[test]
fn words_never_field_paths_one_time_format_no_relative_times() {
    let paths = regex::Regex::new(
        r"\b(?:lesions|neuro_exams|tokuhashi|medications|radiotherapy|pathology|performance|mdt|wound)(?:\[\d*\])?\.[a-z_]+|\(field:|expected_survival_months",
    )
    .unwrap();
    let iso = regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}").unwrap();
    for (case, now) in [
        (demo_with(|_| {}), "2026-12-01T08:00"),
        (critical_case(), "2026-12-01T08:00"),
        (critical_case(), "2026-12-01T19:30"),
    ] {
        let (md, text) = notes(&case, now);
        for note in [md, text] {
            assert!(!paths.is_match(&note), "{:?}", paths.find(&note));
            assert!(!iso.is_match(&note), "{:?}", iso.find(&note));
            assert!(!note.contains(" ago"), "{note}");
        }
    }
}

#[test]
fn wrapping_counts_display_width() {
    let case = demo_with(|v| {
        v["patient"]["label"] = json!("病床十二 東棟");
        v["notes"] = json!("術後経過は良好 ".repeat(30));
    });
    let (_, text) = notes(&case, "2026-12-01T08:00");
    for line in text.lines() {
        let w = unicode_width::UnicodeWidthStr::width(line);
        assert!(w <= 80, "line of {w} columns: {line}");
    }
    assert!(
        text.lines()
            .any(|l| unicode_width::UnicodeWidthStr::width(l) > 70)
    );
}

#[test]
fn control_characters_from_case_text_are_escaped() {
    // Schema 2 refuses them on input; a case built otherwise (another tool's store) still
    // cannot drive the reader's terminal.
    let mut case = demo_with(|_| {});
    case.notes = Some("ok \u{1b}]0;owned\u{7} \u{202e}x".into());
    case.patient.label = Some("Bed\u{9b}2J 12".into());
    let (md, text) = notes(&case, "2026-12-01T08:00");
    for note in [md, text] {
        assert!(
            !note.contains('\u{1b}') && !note.contains('\u{202e}'),
            "{note}"
        );
        assert!(note.contains("u{1b}"));
    }
}
