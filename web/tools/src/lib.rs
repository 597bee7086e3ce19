//! The web app's second module: what the page needs only once a text is edited or a scenario
//! has many connections. Keeping it out of the first module keeps the first load small: the
//! TOML reader and scenario compiler, and plotters for the sockets-per-state chart.
//!
//! The page loads it on demand (`web/src/tools.rs`) and talks to it in bytes: compile results
//! in [`tcpsim_scenario::compiled`]'s form, chart series in [`tcpsim_core::binary`]'s.

use tcpsim_core::time::Instant;
use tcpsim_render::i18n::Lang;
use tcpsim_render::plot::Series;

/// The bundled scenarios' texts, shown in the page's editor (the page itself carries them
/// compiled, see `web/build.rs`, and asks this module for a text when the editor opens).
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "handshake",
        include_str!("../../../scenarios/handshake.toml"),
    ),
    (
        "four-way-close",
        include_str!("../../../scenarios/four-way-close.toml"),
    ),
    (
        "simultaneous-close",
        include_str!("../../../scenarios/simultaneous-close.toml"),
    ),
    (
        "simultaneous-open",
        include_str!("../../../scenarios/simultaneous-open.toml"),
    ),
    (
        "time-wait",
        include_str!("../../../scenarios/time-wait.toml"),
    ),
    (
        "leaked-close",
        include_str!("../../../scenarios/leaked-close.toml"),
    ),
    (
        "leaked-close-late-rst",
        include_str!("../../../scenarios/leaked-close-late-rst.toml"),
    ),
    (
        "close-with-unread-data",
        include_str!("../../../scenarios/close-with-unread-data.toml"),
    ),
    (
        "linger-zero-abort",
        include_str!("../../../scenarios/linger-zero-abort.toml"),
    ),
    (
        "half-close",
        include_str!("../../../scenarios/half-close.toml"),
    ),
    (
        "lost-fin-retransmit",
        include_str!("../../../scenarios/lost-fin-retransmit.toml"),
    ),
    (
        "syn-timeout",
        include_str!("../../../scenarios/syn-timeout.toml"),
    ),
    (
        "connect-refused",
        include_str!("../../../scenarios/connect-refused.toml"),
    ),
    (
        "keepalive-detects-dead-peer",
        include_str!("../../../scenarios/keepalive-detects-dead-peer.toml"),
    ),
    (
        "http-client-leak",
        include_str!("../../../scenarios/http-client-leak.toml"),
    ),
    (
        "http-client-pooled",
        include_str!("../../../scenarios/http-client-pooled.toml"),
    ),
    (
        "server-exception-leak",
        include_str!("../../../scenarios/server-exception-leak.toml"),
    ),
    (
        "lb-idle-timeout",
        include_str!("../../../scenarios/lb-idle-timeout.toml"),
    ),
    (
        "http-client-leak-production",
        include_str!("../../../scenarios/http-client-leak-production.toml"),
    ),
];

/// The text of a bundled scenario.
pub fn bundled_text(id: &str) -> Option<&'static str> {
    BUNDLED.iter().find(|b| b.0 == id).map(|b| b.1)
}

/// Size of the chart, in pixels.
pub const CHART_SIZE: (u32, u32) = (460, 240);

/// Compiles a scenario text: the compiled scenario or its errors by line, as bytes.
pub fn compile(name: &str, text: &str, max_calls: u64) -> Vec<u8> {
    tcpsim_scenario::compiled::compile(name, text, max_calls)
}

/// The sockets-per-state chart as an SVG document, with a cursor at `now_us`, its axes named
/// in Chinese when `zh`. A chart that cannot be drawn says why in its place.
pub fn chart(series: &[u8], now_us: u64, title: &str, zh: bool) -> String {
    let lang = if zh { Lang::Zh } else { Lang::En };
    match Series::decode(series) {
        Ok(s) => tcpsim_render::plot::states_svg(
            &s,
            Some(Instant::from_micros(now_us)),
            title,
            CHART_SIZE,
            lang,
        )
        .unwrap_or_else(|e| format!("<p>{e}</p>")),
        Err(e) => format!("<p>{e}</p>"),
    }
}

/// The exports the page calls, in wasm.
#[cfg(target_arch = "wasm32")]
mod exports {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    pub fn compile(name: &str, text: &str, max_calls: f64) -> Vec<u8> {
        super::compile(name, text, max_calls as u64)
    }

    #[wasm_bindgen]
    pub fn bundled_text(id: &str) -> Option<String> {
        super::bundled_text(id).map(str::to_string)
    }

    #[wasm_bindgen]
    pub fn chart(series: &[u8], now_us: f64, title: &str, zh: bool) -> String {
        super::chart(series, now_us as u64, title, zh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_scenarios_is_bundled_once() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let p = e.ok()?.path();
                (p.extension()? == "toml")
                    .then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
            })
            .collect();
        files.sort();
        let mut ids: Vec<String> = BUNDLED.iter().map(|b| b.0.to_string()).collect();
        ids.sort();
        assert_eq!(files, ids);
    }

    #[test]
    fn a_chart_drawn_from_bytes_shows_its_lines_and_cursor() {
        let series = Series {
            end_s: 10.0,
            lines: vec![(
                tcpsim_core::state::State::CloseWait,
                vec![(0.0, 0), (5.0, 40), (10.0, 80)],
            )],
            max: 80,
        };
        let svg = chart(&series.encode(), 5_000_000, "CLOSE-WAIT", false);
        assert!(
            svg.starts_with("<svg") && svg.contains("<polyline"),
            "{svg}"
        );
        assert!(svg.contains("CLOSE-WAIT"));
        assert!(svg.contains("time (s)") && svg.contains("sockets"));
        assert!(chart(b"nonsense", 0, "t", false).starts_with("<p>"));
    }

    #[test]
    fn a_chinese_chart_names_its_axes_in_chinese_and_an_hour_in_minutes() {
        let series = Series {
            end_s: 3600.0,
            lines: vec![(
                tcpsim_core::state::State::CloseWait,
                vec![(0.0, 0), (1800.0, 5000), (3600.0, 10_000)],
            )],
            max: 10_000,
        };
        let svg = chart(&series.encode(), 60_000_000, "各状态的套接字数", true);
        assert!(
            svg.contains("时间（分钟）") && svg.contains("套接字数"),
            "{svg}"
        );
        assert!(!svg.contains("time (s)") && !svg.contains("sockets"));
        // Ticks in whole minutes, written without a decimal point.
        let texts: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .filter_map(|t| t.split_once('>').and_then(|(_, r)| r.split_once("</text>")))
            .map(|(text, _)| text.trim())
            .collect();
        for minute in ["0", "10", "30", "60"] {
            assert!(texts.contains(&minute), "{texts:?}");
        }
        assert!(texts.iter().all(|t| !t.ends_with(".0")), "{texts:?}");
    }
}
