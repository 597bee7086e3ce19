//! A scenario compiled for a viewer: its titles and the core's [`Setup`], or its errors by
//! line, in a compact binary form ([`tcpsim_core::binary`]). The web page carries its bundled
//! scenarios in this form, and its scenario compiler (a separate module, loaded when a text is
//! edited) hands its result over in it, so the page's first module holds no TOML reader.

use crate::model::Text;
use crate::{Scenario, ScenarioErrors};
use tcpsim_core::binary::{DecodeError, Reader, Wire};
use tcpsim_core::setup::Setup;

/// What a viewer needs of a scenario to run and show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Compiled {
    /// The scenario's title.
    pub title: Text,
    /// Its description.
    pub description: Text,
    /// What the run takes.
    pub setup: Setup,
}

/// An error in a scenario's text, at a line and column (both from 1), in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// What is wrong, in English.
    pub message: String,
    /// What to do about it, in English.
    pub help: Option<String>,
    /// What is wrong, in Simplified Chinese.
    pub message_zh: String,
    /// What to do about it, in Simplified Chinese.
    pub help_zh: Option<String>,
}

tcpsim_core::wire_struct!(Text { en, zh });
tcpsim_core::wire_struct!(Compiled {
    title,
    description,
    setup
});
tcpsim_core::wire_struct!(LineError {
    line,
    column,
    message,
    help,
    message_zh,
    help_zh
});

impl Scenario {
    /// The scenario as a viewer runs it.
    pub fn compiled(&self) -> Compiled {
        Compiled {
            title: self.title.clone(),
            description: self.description.clone(),
            setup: self.setup(),
        }
    }

    /// [`Scenario::compiled`], taking the scenario apart instead of copying it.
    pub fn into_compiled(self) -> Compiled {
        Compiled {
            title: self.title.clone(),
            description: self.description.clone(),
            setup: self.into_setup(),
        }
    }
}

impl ScenarioErrors {
    /// Each error at its line and column (the first line when it has no place).
    pub fn by_line(&self) -> Vec<LineError> {
        self.0
            .iter()
            .map(|e| {
                let (line, column) = e
                    .span
                    .as_ref()
                    .map_or((1, 1), |s| e.source.line_col(s.start));
                LineError {
                    line: u32::try_from(line).unwrap_or(u32::MAX),
                    column: u32::try_from(column).unwrap_or(u32::MAX),
                    message: e.message.clone(),
                    help: e.help.clone(),
                    message_zh: e.message_zh.clone(),
                    help_zh: e.help_zh.clone(),
                }
            })
            .collect()
    }
}

/// Compiles a scenario text (at most `max_calls` calls) and writes the result: the compiled
/// scenario, or its errors by line.
pub fn compile(name: &str, text: &str, max_calls: u64) -> Vec<u8> {
    let result = Scenario::parse_capped(name, text, max_calls)
        .map(Scenario::into_compiled)
        .map_err(|e| e.by_line());
    encode(&result)
}

/// Writes a compile result.
pub fn encode(result: &Result<Compiled, Vec<LineError>>) -> Vec<u8> {
    let mut w = Vec::new();
    tcpsim_core::binary::put_header(&mut w);
    match result {
        Ok(c) => {
            w.push(0);
            c.put(&mut w);
        }
        Err(errors) => {
            w.push(1);
            errors.put(&mut w);
        }
    }
    w
}

/// Reads what [`encode`] wrote.
pub fn decode(bytes: &[u8]) -> Result<Result<Compiled, Vec<LineError>>, DecodeError> {
    let mut r = Reader::new(bytes);
    r.header()?;
    let result = match r.byte()? {
        0 => Ok(Compiled::get(&mut r)?),
        1 => Err(Vec::get(&mut r)?),
        _ => return r.fail("a compile result"),
    };
    r.end()?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compiled_scenario_reads_back_and_runs_as_the_file_does() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios");
        let text = std::fs::read_to_string(format!("{dir}/leaked-close.toml")).unwrap();
        let scenario = Scenario::parse("leaked-close.toml", &text).unwrap();
        let bytes = compile("leaked-close.toml", &text, u64::MAX);
        let Ok(Ok(c)) = decode(&bytes) else {
            panic!("{:?}", decode(&bytes))
        };
        assert_eq!(c.title, scenario.title);
        assert_eq!(c.setup, scenario.setup());
        let trace = c
            .setup
            .simulator()
            .unwrap()
            .run_for(scenario.duration)
            .unwrap();
        assert_eq!(trace, scenario.run().unwrap());
        assert!(scenario.check(&trace).is_empty());
    }

    #[test]
    fn errors_read_back_at_their_lines_in_both_languages() {
        let text = "title = { en = \"t\", zh = \"t\" }\nduration = \"1 fortnight\"\n";
        let Ok(Err(errors)) = decode(&compile("x.toml", text, 100)) else {
            panic!()
        };
        let d = errors
            .iter()
            .find(|e| e.line == 2)
            .expect("the duration's error at line 2");
        assert_eq!(d.column, 12);
        assert!(d.message.contains("fortnight"), "{}", d.message);
        assert_ne!(d.message_zh, d.message);
        // The missing description has no better place than the top of the file.
        assert!(errors.iter().any(|e| e.message.contains("description")));
    }

    #[test]
    fn damaged_results_are_errors() {
        let bytes = compile("x.toml", "", 100);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }
}
