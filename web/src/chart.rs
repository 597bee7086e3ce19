//! Sockets per state over time on the busiest host, drawn with plotters' SVG backend, with a
//! cursor at the current moment.

use tcpsim_core::state::State;
use tcpsim_core::time::Instant;
use tcpsim_core::trace::Trace;
use tcpsim_render::chart::counts_over_time;

/// Colours per state, matching the ladder's bands.
fn colour(s: State) -> plotters::style::RGBColor {
    use plotters::style::RGBColor;
    match s {
        State::Established => RGBColor(46, 139, 87),
        State::CloseWait => RGBColor(214, 39, 40),
        State::FinWait1 | State::FinWait2 => RGBColor(148, 103, 189),
        State::TimeWait => RGBColor(214, 150, 0),
        State::Listen | State::SynSent | State::SynReceived => RGBColor(31, 119, 180),
        State::Closing | State::LastAck => RGBColor(23, 190, 207),
        State::Closed => RGBColor(127, 127, 127),
    }
}

/// Sampled counts, computed once per run.
pub struct Series {
    pub end_s: f64,
    pub lines: Vec<(State, Vec<(f64, u64)>)>,
    pub max: u64,
}

pub fn series(trace: &Trace, host: u32) -> Series {
    let samples = counts_over_time(trace, Some(host), 120);
    let mut states: Vec<State> = samples
        .iter()
        .flat_map(|(_, c)| c.keys().copied())
        .collect();
    states.sort();
    states.dedup();
    let lines = states
        .iter()
        .map(|s| {
            (
                *s,
                samples
                    .iter()
                    .map(|(t, c)| (t.as_micros() as f64 / 1e6, c.get(s).copied().unwrap_or(0)))
                    .collect(),
            )
        })
        .collect();
    let max = samples
        .iter()
        .flat_map(|(_, c)| c.values().copied())
        .max()
        .unwrap_or(1)
        .max(1);
    Series {
        end_s: trace.end.as_micros() as f64 / 1e6,
        lines,
        max,
    }
}

/// The chart as an SVG document, with a cursor at `now`.
pub fn svg(series: &Series, now: Instant, title: &str) -> String {
    use plotters::prelude::*;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (460, 240)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let built = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 14))
            .margin(8)
            .x_label_area_size(22)
            .y_label_area_size(44)
            .build_cartesian_2d(
                0f64..series.end_s.max(1.0),
                0u64..(series.max + series.max / 10 + 1),
            );
        if let Ok(mut chart) = built {
            let _ = chart
                .configure_mesh()
                .x_desc("s")
                .light_line_style(WHITE.mix(0.0))
                .draw();
            for (state, points) in &series.lines {
                let c = colour(*state);
                if let Ok(s) =
                    chart.draw_series(LineSeries::new(points.iter().copied(), c.stroke_width(2)))
                {
                    s.label(state.rfc_name()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 14, y)], c.stroke_width(2))
                    });
                }
            }
            let x = now.as_micros() as f64 / 1e6;
            let _ = chart.draw_series(LineSeries::new(
                vec![(x, 0), (x, series.max + series.max / 10)],
                BLACK.mix(0.5),
            ));
            let _ = chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK.mix(0.3))
                .position(SeriesLabelPosition::UpperLeft)
                .draw();
        }
        let _ = root.present();
    }
    out
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
