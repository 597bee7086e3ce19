//! Text that came from a file or a library user (host and socket names, notes), made inert for
//! each output that shows it, in one place per output: a terminal, Mermaid, PlantUML. (SVG and
//! HTML escape with [`crate::svg::esc`]; JSON with serde.) Scenario files are checked on the way
//! in as well; these hold for any trace, whoever built it.

pub use tcpsim_words::terminal;

/// For Mermaid text: its entity codes for what would end the statement or be read as markup
/// (`#`, `;`, `<`, `>`, `&`, `"`), and a space for a line break or another control character.
pub fn mermaid(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '&' => out.push_str("#38;"),
            '"' => out.push_str("#34;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// For PlantUML text: a space for a line break or another control character (a new line could
/// be a preprocessor directive such as `!include`), and Creole's character references for what
/// its preprocessor or markup would read (`%` of `%getenv()`, `$` of variables, `"`, `<`, `>`,
/// `&`, `~` and `\`).
pub fn plantuml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' | '$' | '"' | '<' | '>' | '&' | '~' | '\\' => {
                out.push_str(&format!("&#{};", u32::from(c)));
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J<img src=x onerror=alert(1)>\n!include /etc/passwd %getenv(\"HOME\") $x #;&\u{9b}";

    #[test]
    fn a_terminal_gets_no_control_character() {
        let t = terminal(HOSTILE);
        assert!(!t.chars().any(char::is_control), "{t:?}");
        assert!(t.contains("\\u{1b}]0;pwned"), "{t}");
        assert!(matches!(terminal("client-1"), Cow::Borrowed(_)));
    }

    #[test]
    fn mermaid_gets_no_markup_and_no_line_break() {
        let m = mermaid(HOSTILE);
        for bad in ["<", ">", "\n", "\"", "&"] {
            assert!(!m.contains(bad), "{bad:?} in {m}");
        }
        assert!(!m.chars().any(char::is_control), "{m:?}");
        assert!(m.contains("#60;img"), "{m}");
    }

    #[test]
    fn plantuml_gets_no_directive_function_or_variable() {
        let p = plantuml(HOSTILE);
        for bad in ["\n", "%getenv", "$x", "\"", "<img"] {
            assert!(!p.contains(bad), "{bad:?} in {p}");
        }
        assert!(!p.chars().any(char::is_control), "{p:?}");
        assert!(p.contains("&#37;getenv"), "{p}");
    }
}
