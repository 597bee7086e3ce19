//! Sockets per state over time on the busiest host: the shared plotters chart, with a cursor
//! at the current moment.

use tcpsim_core::time::Instant;
pub use tcpsim_render::plot::{Series, state_series as series};

/// The chart as an SVG document, with a cursor at `now`.
pub fn svg(series: &Series, now: Instant, title: &str) -> String {
    // A chart that cannot be drawn says so in place of the chart.
    tcpsim_render::plot::states_svg(series, Some(now), title, (460, 240))
        .unwrap_or_else(|e| format!("<p>{e}</p>"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_leak_chart_shows_close_wait_growing() {
        let b = crate::bundled::find("http-client-leak").unwrap();
        let outcome = crate::model::run(b.id, b.text);
        let crate::model::Outcome::Ran(v) = &*outcome else {
            panic!()
        };
        let s = super::series(&v.trace, v.busiest.unwrap());
        let cw = s
            .lines
            .iter()
            .find(|(st, _)| *st == tcpsim_core::state::State::CloseWait)
            .unwrap();
        assert!(cw.1.last().unwrap().1 >= 1000);
        let svg = super::svg(&s, v.end, "CLOSE-WAIT");
        assert!(
            svg.starts_with("<svg") && svg.contains("CLOSE-WAIT") && svg.contains("<polyline"),
            "{}",
            &svg[..200.min(svg.len())]
        );
    }
}
