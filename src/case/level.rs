//! Vertebral levels C1–S5, spans (T10-L2) and motion segments (L4-L5).

use super::decode::{Decode, Path, Problems, decode_text};
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// The regions of the column in order, with how many vertebrae each has.
const REGIONS: [(char, u8); 4] = [('C', 7), ('T', 12), ('L', 5), ('S', 5)];

/// One vertebra, C1 (index 0) to S5 (index 28); ordered head to tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Level(u8);

impl Level {
    pub const COUNT: u8 = 29;
    pub const C1: Level = Level(0);
    pub const S5: Level = Level(28);

    pub fn from_index(i: u8) -> Option<Level> {
        (i < Self::COUNT).then_some(Level(i))
    }
    pub fn index(self) -> u8 {
        self.0
    }
    /// Region letter and number within the region (T12 → ('T', 12)).
    pub fn parts(self) -> (char, u8) {
        let mut i = self.0;
        for (region, count) in REGIONS {
            if i < count {
                return (region, i + 1);
            }
            i -= count;
        }
        unreachable!("Level is always < 29")
    }
    pub fn parse(s: &str) -> Option<Level> {
        let s = s.trim();
        let mut chars = s.chars();
        let region = chars.next()?.to_ascii_uppercase();
        let digits = chars.as_str();
        // Plain digits without a leading zero: "T12", not "T012" or "T+5".
        if digits.is_empty()
            || digits.starts_with('0')
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let number: u8 = digits.parse().ok()?;
        let mut base = 0u8;
        for (r, count) in REGIONS {
            if r == region {
                return (1..=count)
                    .contains(&number)
                    .then(|| Level(base + number - 1));
            }
            base += count;
        }
        None
    }
    /// The vertebra above (towards the head), if any.
    pub fn above(self) -> Option<Level> {
        self.0.checked_sub(1).map(Level)
    }
    /// The vertebra below (towards the sacrum tip), if any.
    pub fn below(self) -> Option<Level> {
        Level::from_index(self.0 + 1)
    }
    pub fn all() -> impl Iterator<Item = Level> {
        (0..Self::COUNT).map(Level)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (r, n) = self.parts();
        write!(f, "{r}{n}")
    }
}

impl Serialize for Level {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

const LEVEL_ALLOWED: &str = "is not a vertebra (C1–C7, T1–T12, L1–L5, S1–S5)";

impl Decode for Level {
    fn decode_at(v: &Value, path: &Path<'_>, p: &mut Problems) -> Option<Self> {
        decode_text(v, path, p, Level::parse, LEVEL_ALLOWED)
    }
}

/// A range of vertebrae written `UPPER-LOWER` (T10-L2), upper above or equal to lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub upper: Level,
    pub lower: Level,
}

impl Span {
    pub fn parse(s: &str) -> Option<Span> {
        let (a, b) = split_pair(s)?;
        let (upper, lower) = (Level::parse(a)?, Level::parse(b)?);
        (upper <= lower).then_some(Span { upper, lower })
    }
    pub fn contains(&self, l: Level) -> bool {
        self.upper <= l && l <= self.lower
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.upper == self.lower {
            write!(f, "{}", self.upper)
        } else {
            write!(f, "{}-{}", self.upper, self.lower)
        }
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Decode for Span {
    fn decode_at(v: &Value, path: &Path<'_>, p: &mut Problems) -> Option<Self> {
        let reason = "is not a span of vertebrae UPPER-LOWER (e.g. T10-L2, upper above lower)";
        decode_text(v, path, p, Span::parse, reason)
    }
}

/// A motion segment: two adjacent vertebrae, `L4-L5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Segment(pub Level);

impl Segment {
    pub fn parse(s: &str) -> Option<Segment> {
        let (a, b) = split_pair(s)?;
        let (upper, lower) = (Level::parse(a)?, Level::parse(b)?);
        (upper.below() == Some(lower)).then_some(Segment(upper))
    }
    pub fn lower(self) -> Level {
        self.0.below().unwrap_or(self.0)
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.0, self.lower())
    }
}

impl Serialize for Segment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Decode for Segment {
    fn decode_at(v: &Value, path: &Path<'_>, p: &mut Problems) -> Option<Self> {
        let reason = "is not a motion segment of two adjacent vertebrae (e.g. L4-L5)";
        decode_text(v, path, p, Segment::parse, reason)
    }
}

fn split_pair(s: &str) -> Option<(&str, &str)> {
    let s = s.trim();
    s.split_once('-')
        .or_else(|| s.split_once('–'))
        .map(|(a, b)| (a.trim(), b.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_round_trips_through_its_name() {
        for l in Level::all() {
            assert_eq!(Level::parse(&l.to_string()), Some(l));
            assert_eq!(Level::parse(&l.to_string().to_lowercase()), Some(l));
        }
        assert_eq!(Level::all().count(), 29);
    }

    #[test]
    fn levels_outside_the_column_are_refused() {
        for bad in [
            "T13", "C0", "C8", "L6", "S6", "X1", "", "T", "12", "t-1", "T01", "t+5", "T 5",
        ] {
            assert_eq!(Level::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn neighbours_cross_junctions() {
        let l = |s| Level::parse(s).unwrap();
        assert_eq!(l("T12").below(), Some(l("L1")));
        assert_eq!(l("C7").below(), Some(l("T1")));
        assert_eq!(l("L5").below(), Some(l("S1")));
        assert_eq!(l("C1").above(), None);
        assert_eq!(l("S5").below(), None);
    }

    #[test]
    fn spans_and_segments() {
        assert_eq!(Span::parse("T10-L2").unwrap().to_string(), "T10-L2");
        assert!(Span::parse("L2-T10").is_none());
        assert_eq!(Segment::parse("l4-l5").unwrap().to_string(), "L4-L5");
        assert_eq!(Segment::parse("L5-S1").unwrap().to_string(), "L5-S1");
        assert!(Segment::parse("L4-L6").is_none());
        assert!(Segment::parse("L3-L5").is_none());
    }
}
