//! Text from a file or a library user, made safe to show.

/// For a terminal: control characters (C0, DEL, C1), which could clear the screen or set the
/// window's title, are written as `\u{1b}`; so is a line break, which would start a line the
/// view does not expect.
pub fn terminal(s: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// For HTML and XML (SVG): `&`, `<`, `>` and both quotes as entities, so that the text is
/// text in an element or an attribute, never markup.
pub fn markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
