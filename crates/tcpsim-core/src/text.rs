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
