//! Hostile input: whatever the text, parsing returns a scenario or located errors, and a run of
//! what parses ends or stops at a limit; nothing panics.

use proptest::prelude::*;
use tcpsim_scenario::Scenario;

const FILES: [&str; 4] = [
    include_str!("../../../scenarios/handshake.toml"),
    include_str!("../../../scenarios/leaked-close.toml"),
    include_str!("../../../scenarios/time-wait.toml"),
    include_str!("../../../scenarios/lb-idle-timeout.toml"),
];

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Duplicate(usize),
    Replace(usize, String),
    Insert(usize, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    let junk = prop_oneof![
        Just("duration = \"0\"".to_string()),
        Just("count = 99999999999".to_string()),
        Just("every = \"1us\"".to_string()),
        Just("[[timeline]]".to_string()),
        Just("at = \"-1s\"".to_string()),
        Just("bytes = 18446744073709551615".to_string()),
        Just("loss = 1.0".to_string()),
        Just("state = \"\"".to_string()),
        Just("to = \"server:0\"".to_string()),
        Just("host = \"server\"".to_string()),
        "[ -~]{0,30}",
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Duplicate),
        (any::<usize>(), junk.clone()).prop_map(|(i, s)| Edit::Replace(i, s)),
        (any::<usize>(), junk).prop_map(|(i, s)| Edit::Insert(i, s)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for e in edits {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match e {
            Edit::Delete(i) => {
                lines.remove(i % n);
            }
            Edit::Duplicate(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Edit::Replace(i, s) => lines[i % n] = s.clone(),
            Edit::Insert(i, s) => lines.insert(i % (n + 1), s.clone()),
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn edited_files_never_panic(file in 0usize..FILES.len(), edits in prop::collection::vec(edit(), 1..6)) {
        let text = apply(FILES[file], &edits);
        match Scenario::parse("edited.toml", &text) {
            Ok(mut s) => {
                // Bounded, so that an edit cannot make the test run for long.
                s.max_events = s.max_events.min(200_000);
                let _ = s.run().map(|t| s.check(&t));
            }
            Err(errors) => {
                // Every error names the file, and a line when it has a place.
                prop_assert!(!errors.0.is_empty());
                for e in &errors.0 {
                    prop_assert!(e.location().starts_with("edited.toml"), "{}", e);
                }
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = Scenario::parse("junk.toml", &text);
    }
}
