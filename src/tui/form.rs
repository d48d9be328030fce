//! The intake screens in clinical order and the rows each shows for a case.

use super::fields::Kind;
use crate::protocol::{Evaluation, Kind as ItemKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Patient,
    Imaging,
    Neuro,
    Pathology,
    Pain,
    Wound,
    Discharge,
}

impl Tab {
    pub const ALL: [Tab; 7] = [
        Tab::Patient,
        Tab::Imaging,
        Tab::Neuro,
        Tab::Pathology,
        Tab::Pain,
        Tab::Wound,
        Tab::Discharge,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Tab::Patient => "Patient & surgery",
            Tab::Imaging => "Imaging & lesions",
            Tab::Neuro => "Neurology",
            Tab::Pathology => "Pathology & oncology",
            Tab::Pain => "Pain & medications",
            Tab::Wound => "Wound, stability & RT",
            Tab::Discharge => "Coordination & discharge",
        }
    }
    /// Short title for the tab bar at 80 columns.
    pub fn short(self) -> &'static str {
        match self {
            Tab::Patient => "Patient",
            Tab::Imaging => "Imaging",
            Tab::Neuro => "Neuro",
            Tab::Pathology => "Path",
            Tab::Pain => "Pain",
            Tab::Wound => "Wound/RT",
            Tab::Discharge => "MDT/DC",
        }
    }
    /// Name kept in the case's `ui` note to reopen on the same screen.
    pub fn key(self) -> &'static str {
        match self {
            Tab::Patient => "patient",
            Tab::Imaging => "imaging",
            Tab::Neuro => "neurology",
            Tab::Pathology => "pathology",
            Tab::Pain => "pain",
            Tab::Wound => "wound",
            Tab::Discharge => "discharge",
        }
    }
    pub fn from_key(k: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.key() == k)
    }
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
    pub fn step(self, by: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        Tab::ALL[(self.index() as isize + by).rem_euclid(n) as usize]
    }
    /// The screen where a case field is recorded (by the first part of its path).
    pub fn of_path(path: &str) -> Tab {
        let head = path.split(['.', '[']).next().unwrap_or("");
        match head {
            "lesions" | "degenerative_stenosis" | "mri" => Tab::Imaging,
            "neuro_exams" => Tab::Neuro,
            "pathology"
            | "performance"
            | "tokuhashi"
            | "expected_survival_months"
            | "systemic"
            | "bone_health" => Tab::Pathology,
            "medications" => Tab::Pain,
            "wound" | "radiotherapy" | "complications" => Tab::Wound,
            "mdt" | "discharge" | "notes" | "archived" => Tab::Discharge,
            _ => Tab::Patient,
        }
    }
    /// How many "still to record" asks point at this screen.
    pub fn asks(self, eval: &Evaluation) -> usize {
        eval.items
            .iter()
            .filter(|i| i.kind == ItemKind::Ask)
            .filter(|i| i.field.as_deref().is_some_and(|f| Tab::of_path(f) == self))
            .count()
    }
}

/// The editable lists of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Lesions,
    Stenosis,
    Exams,
    Mri,
}

impl List {
    pub fn path(self) -> &'static str {
        match self {
            List::Lesions => "lesions",
            List::Stenosis => "degenerative_stenosis",
            List::Exams => "neuro_exams",
            List::Mri => "mri",
        }
    }
    pub fn noun(self) -> &'static str {
        match self {
            List::Lesions => "lesion",
            List::Stenosis => "degenerative stenosis",
            List::Exams => "neuro exam",
            List::Mri => "MRI",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// A heading between groups of fields.
    Section(String),
    /// A computed line (running totals, schedule), read from the evaluation.
    Note(String),
    Field {
        path: String,
        label: &'static str,
        kind: Kind,
    },
    /// A list's header (`index: None`: add a row here) or one row's header.
    List {
        list: List,
        index: Option<usize>,
        title: String,
    },
    /// The spine map of the imaging screen.
    SpineMap,
    /// The neurology screen's exam table (newest first, with trends).
    ExamTable,
}

impl Row {
    pub fn focusable(&self) -> bool {
        matches!(self, Row::Field { .. } | Row::List { .. })
    }
    /// The path the focus is remembered by.
    pub fn path(&self) -> String {
        match self {
            Row::Field { path, .. } => path.clone(),
            Row::List {
                list,
                index: Some(i),
                ..
            } => format!("{}[{i}]", list.path()),
            Row::List { list, .. } => list.path().to_string(),
            _ => String::new(),
        }
    }
}

pub use super::screens::rows;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Case, parse_time};

    #[test]
    fn every_ask_field_points_at_a_screen_that_records_it() {
        // Asks name paths like `lesions[].sins` or `performance`; the screen must hold a
        // field under that path so "still to record" leads somewhere.
        let protocol = crate::protocol::Protocol::builtin();
        let now = parse_time("2026-11-25T09:00").unwrap();
        let demo = Case::from_json_str(include_str!("../../assets/demo-case.json"), now).unwrap();
        let eval = crate::protocol::evaluate(&demo, &protocol, now);
        for ask in protocol.texts.asks.values() {
            let tab = Tab::of_path(&ask.field);
            let prefix = ask.field.replace("[]", "[0]");
            let found = rows(tab, &demo, &eval).iter().any(|r| {
                let p = r.path();
                !p.is_empty() && (p.starts_with(&prefix) || prefix.starts_with(&p))
            });
            assert!(
                found,
                "{} ({}) has no field on {:?}",
                ask.id, ask.field, tab
            );
        }
    }
}
