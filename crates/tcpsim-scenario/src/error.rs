//! Errors that say where: `file:line:column`, what is wrong, and what is allowed.

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A source file, shared by its errors, with an index that finds a line and column at once.
#[derive(Clone, Debug)]
pub struct Source {
    /// The file's name, as messages show it.
    pub name: String,
    /// The file's text.
    pub text: Arc<str>,
    /// Where each line starts, and how many characters come before every [`CHECKPOINT`]-th
    /// byte (moved back to the character's start): a file with thousands of errors on one line
    /// of megabytes stays linear (each error rescanned the file from its start before).
    index: Arc<(Vec<usize>, Vec<usize>)>,
}

/// Bytes between two counts of characters in a [`Source`]'s index.
const CHECKPOINT: usize = 4096;

impl Source {
    /// A file named `name` holding `text`.
    pub fn new(name: &str, text: &str) -> Source {
        let mut lines = vec![0];
        lines.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut chars = Vec::with_capacity(text.len() / CHECKPOINT + 1);
        let (mut before, mut from) = (0, 0);
        for k in 0..text.len().div_ceil(CHECKPOINT) {
            chars.push(before);
            let to = floor_char_boundary(text, ((k + 1) * CHECKPOINT).min(text.len()));
            // std's count reads a word at a time (and is not instrumented when fuzzed, where a
            // byte-by-byte count was half of each run).
            before += text[from..to].chars().count();
            from = to;
        }
        Source {
            name: name.to_string(),
            text: Arc::from(text),
            index: Arc::new((lines, chars)),
        }
    }

    /// Characters before byte `offset` (a character boundary).
    fn chars_before(&self, offset: usize) -> usize {
        // The end of a text whose length is a multiple of CHECKPOINT has no checkpoint of its
        // own: it counts from the last one (the fuzzer found this).
        let k = (offset / CHECKPOINT).min(self.index.1.len().saturating_sub(1));
        let counted = self.index.1.get(k).copied().unwrap_or(0);
        let from = floor_char_boundary(&self.text, (k * CHECKPOINT).min(offset));
        counted + self.text[from..offset].chars().count()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let lines = &self.index.0;
        let line = lines.partition_point(|&start| start <= offset);
        let start = lines[line - 1];
        let col = self.chars_before(offset) - self.chars_before(start) + 1;
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One problem in a scenario file.
#[derive(Clone, Debug)]
pub struct ScenarioError {
    /// The file it is in.
    pub source: Source,
    /// Byte range in the file, when the problem has a place.
    pub span: Option<Range<usize>>,
    /// What is wrong, in English.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The message and help in Simplified Chinese (the same text where not translated).
    pub message_zh: String,
    /// The help in Simplified Chinese.
    pub help_zh: Option<String>,
}

pub use tcpsim_words::Bi;
use tcpsim_words::msg::{Msg, error_label, help_label};
use tcpsim_words::{Lang, terminal};

/// A message that repeats a file's text, made safe to print: its control characters escaped.
fn inert(b: Bi) -> Bi {
    Bi::new(terminal(&b.en), terminal(&b.zh))
}

impl ScenarioError {
    /// An error in `source` at `span` (none for the whole file): `message`, in both languages.
    pub fn new(
        source: &Source,
        span: Option<Range<usize>>,
        message: impl Into<Bi>,
    ) -> ScenarioError {
        let m: Bi = inert(message.into());
        ScenarioError {
            source: source.clone(),
            span,
            message: m.en,
            help: None,
            message_zh: m.zh,
            help_zh: None,
        }
    }

    /// With what to do about it.
    pub fn help(mut self, help: impl Into<Bi>) -> ScenarioError {
        let h: Bi = inert(help.into());
        self.help = Some(h.en);
        self.help_zh = Some(h.zh);
        self
    }

    /// The message and help in a language.
    pub fn text(&self, chinese: bool) -> (&str, Option<&str>) {
        if chinese {
            (&self.message_zh, self.help_zh.as_deref())
        } else {
            (&self.message, self.help.as_deref())
        }
    }

    /// `file:line:column`, or just the file name when there is no place.
    pub fn location(&self) -> String {
        match &self.span {
            Some(span) => {
                let (line, col) = self.source.line_col(span.start);
                format!("{}:{line}:{col}", self.source.name)
            }
            None => self.source.name.clone(),
        }
    }
}

impl ScenarioError {
    /// `file:line:column: error: ...` and its help, in English or in Chinese.
    pub fn render(&self, chinese: bool) -> String {
        let (message, help) = self.text(chinese);
        let lang = if chinese { Lang::Zh } else { Lang::En };
        let (error, hint) = (error_label(lang), help_label(lang));
        let mut s = format!("{}: {error}: {message}", self.location());
        if let Some(h) = help {
            s.push_str(&format!("\n  {hint}: {h}"));
        }
        s
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for ScenarioError {}

/// The miette view, for the CLI's snippet with the offending span underlined.
#[derive(Debug)]
pub struct Pretty<'a>(pub &'a ScenarioError, NamedSource<String>, bool);

impl<'a> Pretty<'a> {
    /// The error drawn in English, with the line it points at.
    pub fn new(e: &'a ScenarioError) -> Pretty<'a> {
        Pretty::in_language(e, false)
    }

    /// The view in English, or in Chinese when `chinese`.
    pub fn in_language(e: &'a ScenarioError, chinese: bool) -> Pretty<'a> {
        Pretty(
            e,
            NamedSource::new(e.location(), e.source.text.to_string()),
            chinese,
        )
    }
}

impl fmt::Display for Pretty<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.text(self.2).0)
    }
}
impl std::error::Error for Pretty<'_> {}

impl Diagnostic for Pretty<'_> {
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.0
            .text(self.2)
            .1
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.1)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.0.span.clone()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".into()),
            span,
        ))))
    }
}

/// Every problem found in one file, in file order: at most [`MAX_REPORTED`], then one that says
/// how many more there are.
#[derive(Clone, Debug)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

/// The most errors reported for one file: a file with thousands (a generated one gone wrong)
/// gets the first ones and a count, not a screenful per error.
pub const MAX_REPORTED: usize = 100;

impl ScenarioErrors {
    /// The errors of `source`, in file order, cut to [`MAX_REPORTED`] and a count of the rest.
    pub fn new(source: &Source, mut errors: Vec<ScenarioError>) -> ScenarioErrors {
        errors.sort_by_key(|e| e.span.as_ref().map(|s| s.start));
        if errors.len() > MAX_REPORTED {
            let more = errors.len() - MAX_REPORTED;
            errors.truncate(MAX_REPORTED);
            errors.push(ScenarioError::new(source, None, Msg::MoreErrors(more)));
        }
        ScenarioErrors(errors)
    }
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_of_a_text_of_whole_checkpoints_has_its_place() {
        // 4 096 characters on one line, then "é" lines: the end falls on a checkpoint.
        for text in [
            "x".repeat(CHECKPOINT),
            "x".repeat(CHECKPOINT - 1) + "\n",
            "é".repeat(CHECKPOINT),
        ] {
            let s = Source::new("f.toml", &text);
            let last_line = text.lines().count().max(1);
            let (line, col) = s.line_col(text.len());
            let chars_on_last = text.lines().last().unwrap_or("").chars().count();
            let want = if text.ends_with('\n') {
                (last_line + 1, 1)
            } else {
                (last_line, chars_on_last + 1)
            };
            assert_eq!((line, col), want, "{} bytes", text.len());
        }
    }

    #[test]
    fn line_and_column_count_characters_from_one() {
        let s = Source::new("f.toml", "a = 1\nbé = 2\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(6), (2, 1));
        assert_eq!(s.line_col(9), (2, 3)); // after the two-byte é
        let e = ScenarioError::new(&s, Some(6..8), Bi::new("bad", "不对"))
            .help(Bi::new("do this", "这样做"));
        assert_eq!(e.to_string(), "f.toml:2:1: error: bad\n  help: do this");
        let e = ScenarioError::new(&s, Some(6..8), Bi::new("bad", "不对"))
            .help(Bi::new("do this", "这样做"));
        assert_eq!(e.render(true), "f.toml:2:1: 错误: 不对\n  提示: 这样做");
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The index finds what counting from the start of the file finds, on files with
        /// long lines and characters of every width around its checkpoints.
        #[test]
        fn the_index_agrees_with_counting(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("a".to_string()),
                    Just("\n".to_string()),
                    Just("é".to_string()),
                    Just("中".to_string()),
                    Just("😀".to_string()),
                    "[a-z]{300,5000}",
                ], 0..40),
            at in 0usize..200_000,
        ) {
            let text = parts.concat();
            let s = Source::new("f", &text);
            let offset = floor_char_boundary(&text, at.min(text.len()));
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            prop_assert_eq!(s.line_col(at), (line, col));
        }
    }
}

/// An owned miette view of a [`ScenarioError`], for `miette::Report`.
#[derive(Debug)]
pub struct OwnedPretty {
    error: ScenarioError,
    src: NamedSource<String>,
    chinese: bool,
}

impl Pretty<'_> {
    /// A copy that owns its data.
    pub fn into_owned(self) -> OwnedPretty {
        OwnedPretty {
            error: self.0.clone(),
            src: self.1,
            chinese: self.2,
        }
    }
}

impl fmt::Display for OwnedPretty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            self.error.location(),
            self.error.text(self.chinese).0
        )
    }
}
impl std::error::Error for OwnedPretty {}

impl Diagnostic for OwnedPretty {
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.error
            .text(self.chinese)
            .1
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.error.span.clone()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".into()),
            span,
        ))))
    }
}
