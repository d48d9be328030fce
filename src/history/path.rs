//! Field paths of the audit trail: `radiotherapy.consult`, `lesions[1].sins.pain`,
//! `neuro_exams[3]`, `neuro_exams[+]`.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
    /// `[+]`: the row appended at the end of a list.
    Append,
}

/// The steps of a path; a malformed one (empty key, unclosed or non-numeric index) is refused.
pub fn parse(path: &str) -> Result<Vec<Step>, String> {
    let bad = |why: &str| format!("the path is malformed ({why})");
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if key.is_empty() && (out.is_empty() || rest.is_empty()) {
            return Err(bad("an empty name"));
        }
        if !key.is_empty() {
            out.push(Step::Key(key.to_string()));
        }
        while !rest.is_empty() {
            let (index, after) = rest
                .split_once(']')
                .ok_or_else(|| bad("a `[` without `]`"))?;
            out.push(match index {
                "+" => Step::Append,
                _ => Step::Index(
                    index
                        .parse()
                        .map_err(|_| bad("an index that is not a number"))?,
                ),
            });
            rest = match after {
                "" => "",
                _ => after
                    .strip_prefix('[')
                    .ok_or_else(|| bad("text after `]`"))?,
            };
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_indices_and_append() {
        assert_eq!(
            parse("lesions[1].sins.pain").unwrap(),
            [
                Step::Key("lesions".into()),
                Step::Index(1),
                Step::Key("sins".into()),
                Step::Key("pain".into())
            ]
        );
        assert_eq!(
            parse("neuro_exams[+]").unwrap(),
            [Step::Key("neuro_exams".into()), Step::Append]
        );
        assert_eq!(
            parse("a[2][3]").unwrap(),
            [Step::Key("a".into()), Step::Index(2), Step::Index(3)]
        );
    }

    #[test]
    fn malformed_paths_are_refused() {
        for p in ["", "a..b", "a[x]", "a[1", "a[1]b", ".a"] {
            assert!(parse(p).is_err(), "{p}");
        }
    }
}
