//! Sockets per state over time on the busiest host: the shared plotters chart, with a cursor
//! at the current moment.

use tcpsim_core::time::Instant;
pub use tcpsim_render::plot::{Series, state_series as series};

/// The chart as an SVG document, with a cursor at `now`, drawn by the chart module from the
/// encoded series ([`Series::encode`]), in the page's language; `None` while that module is
/// not loaded.
pub fn svg(series: &[u8], now: Instant, title: &str, zh: bool) -> Option<String> {
    crate::tools::chart(series, now.as_micros(), title, zh)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_leak_chart_shows_close_wait_growing() {
        let outcome = crate::model::run("http-client-leak", None);
        let crate::model::Outcome::Ran(v) = &*outcome else {
            panic!()
        };
        let s = super::series(&v.trace, v.busiest.unwrap());
        assert_eq!(v.series.as_deref(), Some(&s.encode()[..]));
        let cw = s
            .lines
            .iter()
            .find(|(st, _)| *st == tcpsim_core::state::State::CloseWait)
            .unwrap();
        assert!(cw.1.last().unwrap().1 >= 1000);
        let svg = super::svg(&s.encode(), v.end, "CLOSE-WAIT", false).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("CLOSE-WAIT") && svg.contains("<polyline"),
            "{}",
            &svg[..200.min(svg.len())]
        );
    }
}
