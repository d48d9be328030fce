//! Everything the commands print goes out here. Text and Markdown pass through [`escape`],
//! the one escaping function: a case file written by another tool can never retitle, clear
//! or falsify the reader's terminal. A closed pipe (`spinewatch rounds | head`) ends the
//! command quietly with exit 0.

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` must not reach a terminal raw: control characters (C0 and C1, DEL) other than
/// newline and tab, and the bidirectional overrides, embeddings, isolates and marks.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `text` with every unsafe character shown as `\u{1b}` (its code in hex); newline and tab
/// kept. Borrowed when there is nothing to escape.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Prints text or Markdown to stdout, escaped.
pub fn print_text(text: &str) {
    print_raw(&escape(text));
}

/// Prints text that is escaped already (JSON from serde) to stdout. A closed pipe ends the
/// process quietly with exit 0: the reader has all it wanted.
pub fn print_raw(text: &str) {
    let mut out = io::stdout().lock();
    let result = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    if let Err(e) = result {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        // Anything else (a full disk under a redirect): say so once, fail.
        let _ = writeln!(io::stderr(), "spinewatch: cannot write the output: {e}");
        std::process::exit(1);
    }
}

/// Prints JSON from serde to stdout. serde escapes C0 controls but passes C1 controls and
/// bidirectional overrides raw: those become JSON `\uXXXX` escapes (they only occur inside
/// strings, where the escape means the same character).
pub fn print_json(text: &str) {
    if !text.chars().any(is_unsafe) {
        return print_raw(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    print_raw(&out);
}

/// A line for stderr (messages that may quote case data), escaped.
pub fn eprint_text(text: &str) {
    let _ = io::stderr().write_all(escape(text).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_but_keeps_newline_and_tab() {
        assert_eq!(
            escape("a\u{1b}]0;x\u{7}\tb\nc\u{202e}d\r\u{9b}"),
            "a\\u{1b}]0;x\\u{7}\tb\nc\\u{202e}d\\u{d}\\u{9b}"
        );
        assert!(matches!(escape("Bed 12 — ü"), Cow::Borrowed(_)));
    }
}
