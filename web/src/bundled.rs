//! The bundled scenarios (lessons first, then incidents). The page carries them compiled at
//! build time (`build.rs`; repeats stay templates, so the 10 000-connection one is 1.3 KB
//! too); their texts, shown in the editor, come with the compiler module
//! (`crate::tools`), so the first load does not carry them twice.

pub const DEFAULT: &str = "handshake";

/// The bundled scenarios' ids, in the picker's order.
pub const SCENARIOS: &[&str] = &[
    "handshake",
    "four-way-close",
    "simultaneous-close",
    "simultaneous-open",
    "time-wait",
    "leaked-close",
    "leaked-close-late-rst",
    "close-with-unread-data",
    "linger-zero-abort",
    "half-close",
    "lost-fin-retransmit",
    "syn-timeout",
    "connect-refused",
    "keepalive-detects-dead-peer",
    "http-client-leak",
    "http-client-pooled",
    "server-exception-leak",
    "lb-idle-timeout",
    "http-client-leak-production",
];

/// The bundled scenario with this id.
pub fn find(id: &str) -> Option<&'static str> {
    SCENARIOS.iter().copied().find(|b| *b == id)
}

include!(concat!(env!("OUT_DIR"), "/compiled.rs"));

/// (English, Chinese) titles of the bundled scenarios, in `SCENARIOS` order.
pub fn titles() -> Vec<(&'static str, &'static str)> {
    SCENARIOS
        .iter()
        .map(|id| {
            COMPILED
                .iter()
                .find(|t| t.0 == *id)
                .map_or((*id, *id), |t| (t.1, t.2))
        })
        .collect()
}

/// The compiled form of a bundled scenario, when it is embedded: a run of it needs no
/// compiler.
pub fn precompiled(id: &str) -> Option<&'static [u8]> {
    COMPILED.iter().find(|t| t.0 == id)?.5
}

/// Whether `text` is the bundled text of scenario `id` (by its fingerprint, taken at build time).
pub fn is_text_of(id: &str, text: &str) -> bool {
    COMPILED
        .iter()
        .find(|t| t.0 == id)
        .is_some_and(|t| t.3 == text.len() && t.4 == fingerprint::fnv1a(text.as_bytes()))
}

/// The text of a bundled scenario, once the compiler module is loaded (natively: always).
pub fn text(id: &str) -> Option<String> {
    crate::tools::bundled_text(id)
}

#[path = "fingerprint.rs"]
mod fingerprint;

#[cfg(test)]
mod tests {
    #[test]
    fn the_picker_lists_every_bundled_file() {
        let mut ids: Vec<&str> = super::SCENARIOS.to_vec();
        ids.sort();
        let mut compiled: Vec<&str> = super::COMPILED.iter().map(|c| c.0).collect();
        compiled.sort();
        assert_eq!(ids, compiled);
    }

    #[test]
    fn every_bundled_scenario_is_embedded_compiled_even_the_production_scale_one() {
        for c in super::COMPILED {
            let bytes = c.5.unwrap_or_else(|| panic!("{} is not embedded", c.0));
            assert!(bytes.len() <= 8 * 1024, "{}: {} bytes", c.0, bytes.len());
        }
        // 10 000 connections are one repeat of seven calls, not 70 000 calls (most of the
        // bytes are its title and description in both languages).
        let production = super::precompiled("http-client-leak-production").unwrap();
        assert!(production.len() < 2048, "{} bytes", production.len());
    }

    #[test]
    fn a_bundled_text_is_told_from_an_edited_one() {
        let text = super::text("handshake").unwrap();
        assert!(super::is_text_of("handshake", &text));
        assert!(!super::is_text_of("four-way-close", &text));
        assert!(!super::is_text_of("handshake", &format!("{text}\n")));
        assert!(!super::is_text_of(
            "handshake",
            &text.replacen("10ms", "20ms", 1)
        ));
    }
}
