//! The handover note's blocks as Markdown or as plain text wrapped at 80 columns.

use super::handover::Block;
use crate::protocol::Severity;
use unicode_width::UnicodeWidthStr;

/// Plain text is wrapped to this width (a terminal, a printer, a chart text box).
pub const WIDTH: usize = 80;

pub fn markdown(blocks: &[Block]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut prev_list = false;
    for block in blocks {
        let is_list = matches!(
            block,
            Block::Fact(..) | Block::Rule { .. } | Block::Bullet(_) | Block::Action { .. }
        );
        // A list needs a blank line between it and the paragraph before or after.
        if !is_list && prev_list {
            out.push(String::new());
        }
        match block {
            Block::Title(t) => out.push(format!("# {}", inline(t))),
            Block::Fact(k, v) => {
                if !prev_list {
                    out.push(String::new());
                }
                out.push(format!("- **{k}:** {}", inline(v)));
            }
            Block::Heading(h) => {
                out.push(String::new());
                out.push(format!("## {}", inline(h)));
                out.push(String::new());
            }
            Block::Subheading(h) => {
                out.push(format!("### {}", inline(h)));
                out.push(String::new());
            }
            Block::Rule { severity, id, text } => {
                let mark = match severity {
                    Some(Severity::Critical) => "**CRITICAL** ",
                    Some(Severity::Warning) => "**WARNING** ",
                    Some(Severity::Info) => "info ",
                    None => "",
                };
                out.push(format!("- {mark}`{id}` {}", inline(text)));
            }
            Block::Bullet(t) => out.push(format!("- {}", inline(t))),
            Block::Action { critical, text } => {
                if !prev_list {
                    out.push(String::new());
                }
                let mark = if *critical { "**CRITICAL** " } else { "" };
                out.push(format!("- {mark}{}", inline(text)));
            }
            Block::Para(t) => {
                out.push(line_start(&inline(t)));
                out.push(String::new());
            }
            Block::Separator => {
                out.push(String::new());
                out.push("---".into());
                out.push(String::new());
            }
        }
        prev_list = is_list;
    }
    tidy(out)
}

pub fn text(blocks: &[Block]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut prev_list = false;
    for block in blocks {
        let is_list = matches!(
            block,
            Block::Fact(..) | Block::Rule { .. } | Block::Bullet(_) | Block::Action { .. }
        );
        if !is_list && prev_list {
            out.push(String::new());
        }
        match block {
            Block::Title(t) => {
                let lines = wrap(t, "", "");
                let widest = lines.iter().map(|l| l.width()).max().unwrap_or(0);
                out.extend(lines);
                out.push("=".repeat(widest.min(WIDTH)));
                out.push(String::new());
            }
            Block::Fact(k, v) => {
                let key = format!("{k}:");
                out.extend(wrap(v, &format!("{key:<14}"), &" ".repeat(14)));
            }
            Block::Heading(h) => {
                out.push(String::new());
                out.push(safe(&h.to_uppercase()));
            }
            Block::Subheading(h) => {
                out.push(String::new());
                out.push(format!("  {}", safe(h)));
            }
            Block::Rule { severity, id, text } => {
                let mark = match severity {
                    Some(Severity::Critical) => "!! CRITICAL ",
                    Some(Severity::Warning) => "!  WARNING ",
                    Some(Severity::Info) => "   info ",
                    None => "  - ",
                };
                let indent = if severity.is_some() { "   " } else { "    " };
                out.extend(wrap(&format!("[{id}] {text}"), mark, indent));
            }
            Block::Bullet(t) => out.extend(wrap(t, "  - ", "    ")),
            Block::Action { critical, text } => {
                let mark = if *critical { "!! " } else { " - " };
                out.extend(wrap(text, mark, "   "));
            }
            Block::Para(t) => {
                out.extend(wrap(t, "", ""));
                out.push(String::new());
            }
            Block::Separator => {
                out.push(String::new());
                out.push("-".repeat(WIDTH));
            }
        }
        prev_list = is_list;
    }
    tidy(out)
}

/// Joins lines, with at most one blank line in a row and none at either end.
fn tidy(lines: Vec<String>) -> String {
    let mut s = String::new();
    let mut blank = true;
    for l in lines {
        let l = l.trim_end();
        if l.is_empty() {
            if !blank {
                s.push('\n');
            }
            blank = true;
        } else {
            s.push_str(l);
            s.push('\n');
            blank = false;
        }
    }
    while s.ends_with("\n\n") {
        s.pop();
    }
    s
}

/// Greedy word wrap to [`WIDTH`] columns of display width (a wide character, as in CJK,
/// counts two; a combining mark none); a word longer than a line stands alone rather than
/// being cut. Control characters are escaped first ([`safe`]).
pub fn wrap(text: &str, first: &str, rest: &str) -> Vec<String> {
    let text = safe(text);
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut len = first.width();
    let mut empty = true;
    for word in text.split_whitespace() {
        let w = word.width();
        if !empty && len + 1 + w > WIDTH {
            lines.push(std::mem::take(&mut line));
            line.push_str(rest);
            len = rest.width();
            empty = true;
        }
        if !empty {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += w;
        empty = false;
    }
    lines.push(line);
    lines
}

/// Control characters and bidirectional overrides from case text, shown as `\u{1b}` so a
/// note cannot drive the terminal it is printed on ([`crate::output::escape`], escaped before
/// wrapping so the escapes count in the width).
pub fn safe(text: &str) -> String {
    crate::output::escape(text).into_owned()
}

/// Escapes the characters that would turn case or protocol text into Markdown markup.
pub fn inline(text: &str) -> String {
    let text = safe(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let escape = match c {
            '\\' | '`' | '*' | '~' | '&' | '[' | ']' => {
                // `[1]` citations read better bare; brackets only matter before `(` or `:`.
                !(c == '[' || c == ']') || matches!(next, Some('(' | ':'))
            }
            // Inside a word (field_name) an underscore never makes emphasis.
            '_' => {
                !(prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric))
            }
            '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        // Newlines inside a value would break the list item apart.
        out.push(if c == '\n' || c == '\r' { ' ' } else { c });
    }
    out
}

/// A paragraph that starts like a heading, list or quote gets its first character escaped.
fn line_start(text: &str) -> String {
    let first = text.chars().next();
    let starts_block = matches!(first, Some('#' | '>' | '-' | '+' | '=' | '|'))
        || (first.is_some_and(|c| c.is_ascii_digit())
            && text
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .starts_with(['.', ')']));
    if starts_block && !first.is_some_and(|c| c.is_ascii_digit()) {
        format!("\\{text}")
    } else if starts_block {
        let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
        format!("{digits}\\{}", &text[digits.len()..])
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_every_line_within_the_width() {
        let text = "word ".repeat(60);
        let lines = wrap(&text, "Key:    ", "        ");
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH));
        // Wide characters count two columns.
        let wide = wrap(&"病床 ".repeat(40), "", "");
        assert!(wide.iter().all(|l| l.width() <= WIDTH), "{wide:?}");
        assert!(wide.len() >= 3, "{wide:?}");
        assert!(lines[1].starts_with("        word"));
    }

    #[test]
    fn wrap_leaves_a_long_word_whole() {
        let long = "x".repeat(100);
        let lines = wrap(&format!("a {long} b"), "", "");
        assert_eq!(lines, vec!["a".to_string(), long, "b".to_string()]);
    }

    #[test]
    fn markdown_escapes_markup_in_case_text() {
        assert_eq!(inline("*bold* `code`"), "\\*bold\\* \\`code\\`");
        assert_eq!(inline("mdt.held_at"), "mdt.held_at");
        assert_eq!(inline("_x_"), "\\_x\\_");
        assert_eq!(inline("[1] and [a](b)"), "[1] and [a\\](b)");
        assert_eq!(inline("<script> < 6 months"), "\\<script> < 6 months");
        assert_eq!(line_start("# not a heading"), "\\# not a heading");
        assert_eq!(line_start("1. not a list"), "1\\. not a list");
        assert_eq!(inline("a\u{1b}]0;x\u{7}b"), "a\\\\u{1b}]0;x\\\\u{7}b");
        assert_eq!(safe("\u{202e}x"), "\\u{202e}x");
    }
}
