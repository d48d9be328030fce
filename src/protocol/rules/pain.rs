//! Pain management (PROTOCOL §2): dexamethasone, NSAIDs, opioids, gabapentin, benzodiazepines.

use super::*;

pub(super) fn p_pain_dexa(c: &Ctx, out: &mut Out) {
    let dexa = c.case.medications.dexamethasone;
    let Some(pod) = c.pod else {
        ask_surgery_date(c, out, "P-PAIN-DEXA: the immediate post-operative period");
        return;
    };
    // Nothing to continue or review for a patient not on dexamethasone.
    let route = match dexa {
        Some(Dexamethasone::None) => return,
        Some(Dexamethasone::Oral) => "oral",
        Some(Dexamethasone::Iv) => "IV",
        // Unknown: only the ask; "continue dexamethasone" would assume it is given.
        None => {
            out.ask(
                "A-DEXA",
                vec![],
                vec!["P-PAIN-DEXA: continue or review dexamethasone".into()],
            );
            return;
        }
    };
    let vars = vec![("pod", pod.to_string()), ("route", route.to_string())];
    let because = vec![pod_because(c), b("medications.dexamethasone", opt(&dexa))];
    let variant = if pod as f64 <= c.p.dexa_review_pod {
        "continue"
    } else {
        "review"
    };
    out.fire_variant("P-PAIN-DEXA", variant, vars, because);
}

pub(super) fn p_pain_nsaid(c: &Ctx, out: &mut Out) {
    let ci = c.case.medications.nsaid_contraindicated;
    let text = match ci {
        Some(true) => return,
        Some(false) => "no contraindication recorded",
        None => {
            out.ask(
                "A-NSAID-CI",
                vec![],
                vec!["P-PAIN-NSAID: scheduled NSAIDs".into()],
            );
            "contraindication not yet recorded: check first"
        }
    };
    out.fire(
        "P-PAIN-NSAID",
        vec![("ci", text.into())],
        vec![b("medications.nsaid_contraindicated", opt(&ci))],
    );
}

pub(super) fn p_pain_opioid(c: &Ctx, out: &mut Out) {
    let m = &c.case.medications;
    out.fire(
        "P-PAIN-OPIOID",
        vec![],
        vec![
            b("medications.opioid", opt(&m.opioid)),
            b("medications.opioid_taper_plan", opt(&m.opioid_taper_plan)),
        ],
    );
}

pub(super) fn p_pain_gaba(c: &Ctx, out: &mut Out) {
    let m = &c.case.medications;
    match m.neuropathic_pain {
        Some(true) if m.gabapentinoid != Some(true) => out.fire(
            "P-PAIN-GABA",
            vec![],
            vec![
                b("medications.neuropathic_pain", "true"),
                b("medications.gabapentinoid", opt(&m.gabapentinoid)),
            ],
        ),
        None => out.ask(
            "A-NEUROPATHIC",
            vec![],
            vec!["P-PAIN-GABA: gabapentin for a neuropathic component".into()],
        ),
        _ => {}
    }
}

pub(super) fn w_benzo_long(c: &Ctx, out: &mut Out) {
    if c.case.medications.benzodiazepine == Some(Benzodiazepine::LongTerm) {
        out.fire(
            "W-BENZO-LONG",
            vec![],
            vec![b("medications.benzodiazepine", "long_term")],
        );
    }
}

pub(super) fn w_opioid_taper(c: &Ctx, out: &mut Out) {
    let m = &c.case.medications;
    let Some(opioid @ (Opioid::ShortActing | Opioid::LongActing)) = m.opioid else {
        return;
    };
    match m.opioid_taper_plan {
        Some(true) => {}
        taper => {
            if taper.is_none() {
                out.ask(
                    "A-OPIOID-TAPER",
                    vec![],
                    vec!["W-OPIOID-TAPER: opioid given".into()],
                );
            }
            out.fire(
                "W-OPIOID-TAPER",
                vec![
                    ("opioid", opioid.as_str().replace('_', " ")),
                    ("taper", opt(&taper)),
                ],
                vec![
                    b("medications.opioid", opioid),
                    b("medications.opioid_taper_plan", opt(&taper)),
                ],
            );
        }
    }
}

pub(super) fn w_nsaid_ci(c: &Ctx, out: &mut Out) {
    let m = &c.case.medications;
    if m.nsaid == Some(true) && m.nsaid_contraindicated == Some(true) {
        out.fire(
            "W-NSAID-CI",
            vec![],
            vec![
                b("medications.nsaid", "true"),
                b("medications.nsaid_contraindicated", "true"),
            ],
        );
    }
}
