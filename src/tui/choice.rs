//! Choices by type-ahead: letters typed on a choice field narrow to the first option whose
//! name starts with them (`m` mild, `mo` moderate), never jumping to a neighbour by accident.
//! The choice is pending until the field is left (Tab, Enter, a screen change), so the audit
//! trail holds the decision, not the keystrokes.

use super::fields::Kind;
use serde_json::Value;

/// A choice field being chosen: what is shown and will be committed on leaving.
#[derive(Debug, Clone, PartialEq)]
pub struct Chooser {
    pub path: String,
    pub kind: Kind,
    /// The pending value (for an MDT attendee: `true`/`false`, membership).
    pub value: Value,
    /// The letters typed so far.
    pub typed: String,
    pub error: Option<String>,
}

/// The name an option is typed and shown by: `unknown`, `yes`, `no`, the case format's name.
pub fn name(v: &Value) -> String {
    match v {
        Value::Null => "unknown".into(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Chooser {
    pub fn new(path: String, kind: Kind, current: Value) -> Chooser {
        Chooser {
            path,
            kind,
            value: current,
            typed: String::new(),
            error: None,
        }
    }

    /// One more letter. A repeated first letter steps through the options starting with it
    /// (`h`, `h`: healing, healed); letters that match nothing are refused, the choice kept.
    pub fn type_char(&mut self, c: char) {
        let c = c.to_lowercase().next().unwrap_or(c);
        let candidate = format!("{}{c}", self.typed);
        let opts = self.kind.options();
        if let Some(v) = opts.iter().find(|o| name(o).starts_with(&candidate)) {
            self.value = v.clone();
            self.typed = candidate;
            self.error = None;
            return;
        }
        if candidate.chars().all(|x| x == c) {
            let starting: Vec<&Value> = opts.iter().filter(|o| name(o).starts_with(c)).collect();
            if !starting.is_empty() {
                let k = candidate.chars().count() - 1;
                self.value = starting[k % starting.len()].clone();
                self.typed = candidate;
                self.error = None;
                return;
            }
        }
        self.error = Some(format!(
            "no choice starts with \"{candidate}\" ({})",
            opts.iter().map(name).collect::<Vec<_>>().join(", ")
        ));
    }

    /// Pasted text: the option it names (or begins), else refused.
    pub fn type_text(&mut self, text: &str) {
        let t = text.trim().to_lowercase();
        if t.is_empty() {
            return;
        }
        let opts = self.kind.options();
        match opts
            .iter()
            .find(|o| name(o) == t)
            .or_else(|| opts.iter().find(|o| name(o).starts_with(&t)))
        {
            Some(v) => {
                self.value = v.clone();
                self.typed = t;
                self.error = None;
            }
            None => self.error = Some(format!("\"{t}\" is not one of the choices")),
        }
    }

    pub fn backspace(&mut self) {
        self.typed.pop();
        self.error = None;
        if !self.typed.is_empty() {
            let typed = std::mem::take(&mut self.typed);
            let opts = self.kind.options();
            if let Some(v) = opts.iter().find(|o| name(o).starts_with(&typed)) {
                self.value = v.clone();
            }
            self.typed = typed;
        }
    }

    /// Arrow keys and Space: the option `step` places on (wrapping).
    pub fn cycle(&mut self, step: isize) {
        if let Some(v) = self.kind.cycle(&self.value, step) {
            self.value = v;
        }
        self.typed.clear();
        self.error = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade() -> Chooser {
        let k = Kind::Choice {
            names: &["none", "mild", "moderate", "severe"],
            numeric: false,
        };
        Chooser::new("x".into(), k, Value::Null)
    }

    #[test]
    fn m_then_o_reaches_moderate() {
        let mut c = grade();
        c.type_char('m');
        assert_eq!(c.value, Value::from("mild"));
        c.type_char('o');
        assert_eq!(c.value, Value::from("moderate"));
        c.type_char('x');
        assert_eq!(c.value, Value::from("moderate"), "kept when refused");
        assert!(c.error.is_some());
    }

    #[test]
    fn a_repeated_letter_steps_and_unknown_is_typed_u() {
        let wound = Kind::Choice {
            names: &["healing", "healed", "infection", "hematoma", "dehiscence"],
            numeric: false,
        };
        let mut c = Chooser::new("w".into(), wound, Value::from("infection"));
        c.type_char('h');
        assert_eq!(c.value, Value::from("healing"));
        c.type_char('h');
        assert_eq!(c.value, Value::from("healed"));
        let mut c = Chooser::new("w".into(), wound, Value::from("healing"));
        c.type_char('u');
        assert_eq!(c.value, Value::Null);
    }

    #[test]
    fn numeric_choices_by_digit() {
        let k = Kind::Choice {
            names: &["0", "1", "3"],
            numeric: true,
        };
        let mut c = Chooser::new("t".into(), k, Value::Null);
        c.type_char('3');
        assert_eq!(c.value, Value::from(3));
    }
}
