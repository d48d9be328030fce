//! Protocol parameters: defaults from `assets/protocol.json`, optionally overridden by a site.

use serde_json::{Map, Value};

/// Declares the parameter set once: the struct, its names, and reading/writing by name.
macro_rules! parameters {
    ($($name:ident),+ $(,)?) => {
        /// The numbers the rules use. Every value is stated in the evaluation output.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Params { $(pub $name: f64),+ }

        impl Params {
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),+];

            /// All parameters in declaration order, as (name, value).
            pub fn entries(&self) -> Vec<(&'static str, f64)> {
                vec![$((stringify!($name), self.$name)),+]
            }

            fn slot(&mut self, name: &str) -> Option<&mut f64> {
                match name { $(stringify!($name) => Some(&mut self.$name),)+ _ => None }
            }
        }
    };
}

parameters!(
    rt_target_from,
    rt_warn_from,
    rt_deadline,
    mri_clock_h,
    neuro_exam_max_h,
    mdt_due_pod,
    dexa_review_pod,
    rt_total_min_gy,
    rt_total_max_gy,
    rt_fraction_min_gy,
    rt_fraction_max_gy,
    survival_min_months,
    fractions_per_week,
    alpha_beta_tumour,
    alpha_beta_cord,
    sins_consult_from,
    future_tolerance_min,
);

/// Parameters counted in whole days, hours or fractions.
const WHOLE: &[&str] = &[
    "rt_target_from",
    "rt_warn_from",
    "rt_deadline",
    "mri_clock_h",
    "neuro_exam_max_h",
    "mdt_due_pod",
    "dexa_review_pod",
    "fractions_per_week",
    "sins_consult_from",
    "future_tolerance_min",
];

impl Params {
    /// Reads a complete or partial set of parameters over `self`. `origin` names the file in
    /// messages. Every key must be known and every value a number in range.
    pub fn apply(&mut self, values: &Map<String, Value>, origin: &str) -> Result<(), String> {
        for (key, v) in values {
            let Some(x) = v.as_f64() else {
                return Err(format!("{origin}: parameters.{key}: {v} is not a number"));
            };
            let whole = WHOLE.contains(&key.as_str());
            let Some(slot) = self.slot(key) else {
                return Err(format!(
                    "{origin}: parameters.{key}: is not a protocol parameter (known: {})",
                    Params::NAMES.join(", ")
                ));
            };
            if !x.is_finite() || x < 0.0 || (whole && x.fract() != 0.0) {
                let want = if whole {
                    "a whole number ≥ 0"
                } else {
                    "a number ≥ 0"
                };
                return Err(format!("{origin}: parameters.{key}: {v} is not {want}"));
            }
            *slot = x;
        }
        self.check().map_err(|m| format!("{origin}: {m}"))
    }

    fn check(&self) -> Result<(), String> {
        let order = [
            (
                "rt_target_from",
                self.rt_target_from,
                "rt_warn_from",
                self.rt_warn_from,
            ),
            (
                "rt_warn_from",
                self.rt_warn_from,
                "rt_deadline",
                self.rt_deadline,
            ),
            (
                "rt_total_min_gy",
                self.rt_total_min_gy,
                "rt_total_max_gy",
                self.rt_total_max_gy,
            ),
            (
                "rt_fraction_min_gy",
                self.rt_fraction_min_gy,
                "rt_fraction_max_gy",
                self.rt_fraction_max_gy,
            ),
        ];
        for (a, x, b, y) in order {
            if x > y {
                return Err(format!("parameters.{a}: {x} is above parameters.{b} ({y})"));
            }
        }
        for (name, x) in [
            ("fractions_per_week", self.fractions_per_week),
            ("alpha_beta_tumour", self.alpha_beta_tumour),
            ("alpha_beta_cord", self.alpha_beta_cord),
            ("rt_fraction_min_gy", self.rt_fraction_min_gy),
        ] {
            if x <= 0.0 {
                return Err(format!("parameters.{name}: {x} must be above 0"));
            }
        }
        if self.fractions_per_week > 7.0 {
            return Err("parameters.fractions_per_week: must be 1–7".into());
        }
        Ok(())
    }
}
