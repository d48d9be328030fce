//! Row ids (`uid`) of the case's lists: lesions, degenerative stenoses, neuro exams, MRIs.
//!
//! A row keeps its uid through edits and reordering, so exports and "go to this row" can name
//! it. A row created by a person gets a [`random`] one; a row read without one (a `/1` file,
//! another tool) gets a [`derived`] one, the same on every read of the same file.

use sha2::{Digest, Sha256};

/// The list names, as in the case format.
pub const LISTS: [&str; 4] = ["lesions", "degenerative_stenosis", "neuro_exams", "mri"];

/// A uid is 8–16 characters of `a-z` and `0-9`.
pub fn is_valid(uid: &str) -> bool {
    (8..=16).contains(&uid.len())
        && uid
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The uid of row `index` of `list` in case `case_id` when the file gives none: the first 12
/// hex digits of SHA-256 of `"{case_id}/{list}/{index}"`.
pub fn derived(case_id: &str, list: &str, index: usize) -> String {
    let digest = Sha256::digest(format!("{case_id}/{list}/{index}").as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// A fresh uid for a row created now (12 hex digits of a random UUID v4). Not pure: never
/// called from the clinical core.
pub fn random() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_uids_are_valid_stable_and_distinct() {
        let a = derived("bed12", "mri", 0);
        assert!(is_valid(&a), "{a}");
        assert_eq!(a, derived("bed12", "mri", 0));
        assert_ne!(a, derived("bed12", "mri", 1));
        assert_ne!(a, derived("bed12", "lesions", 0));
        assert_ne!(a, derived("bed13", "mri", 0));
        let r = random();
        assert!(is_valid(&r), "{r}");
        assert_ne!(r, random());
        assert!(!is_valid("ABCDEFGH") && !is_valid("abc") && !is_valid("a-b-c-d-e"));
    }
}
