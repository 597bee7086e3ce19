//! Charts drawn with plotters, each a function of the trace: sockets per state over time, and
//! a time-sequence graph (tcptrace style) of one direction of a connection. Each chart is one
//! drawing, generic over the backend: SVG always, PNG with the `png` feature.

use crate::chart::counts_over_time;
use crate::i18n::{Lang, ui};
use crate::layout::LadderLayout;
use plotters::coord::Shift;
use plotters::prelude::*;
use tcpsim_core::id::HostId;
use tcpsim_core::state::State;
use tcpsim_core::time::Instant;
use tcpsim_core::trace::{EventKind, Trace};

/// Colours per state, matching the ladder's bands.
pub fn colour(s: State) -> RGBColor {
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

/// The time axis: minutes for a run of ten minutes or more (whole minutes read better than
/// thousands of seconds), else seconds.
struct TimeAxis {
    seconds_per_unit: f64,
    desc: &'static str,
}

fn time_axis(end_s: f64, lang: Lang) -> TimeAxis {
    let minutes = end_s >= 600.0;
    TimeAxis {
        seconds_per_unit: if minutes { 60.0 } else { 1.0 },
        desc: ui(
            if minutes {
                "axis_minutes"
            } else {
                "axis_seconds"
            },
            lang,
        ),
    }
}

/// An axis value as people write it: `10`, `2.5`, `0.125`, never `10.0`.
fn tick(v: &f64) -> String {
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Space under a chart for the tick labels and the axis' name below them.
const X_LABEL_AREA: u32 = 40;

/// Sockets per state on one host, sampled over the run.
#[derive(Clone, Debug)]
pub struct Series {
    pub end_s: f64,
    pub lines: Vec<(State, Vec<(f64, u64)>)>,
    pub max: u64,
}

// The page draws this chart in its lazily loaded module, which receives the series in bytes.
tcpsim_core::wire_struct!(Series { end_s, lines, max });

impl Series {
    /// The series in the binary form of [`tcpsim_core::binary`].
    pub fn encode(&self) -> Vec<u8> {
        use tcpsim_core::binary::Wire as _;
        let mut w = Vec::new();
        tcpsim_core::binary::put_header(&mut w);
        self.put(&mut w);
        w
    }

    /// Reads what [`Series::encode`] wrote.
    pub fn decode(bytes: &[u8]) -> Result<Series, tcpsim_core::binary::DecodeError> {
        use tcpsim_core::binary::Wire as _;
        let mut r = tcpsim_core::binary::Reader::new(bytes);
        r.header()?;
        let s = Series::get(&mut r)?;
        r.end()?;
        Ok(s)
    }
}

pub fn state_series(trace: &Trace, host: HostId) -> Series {
    let samples = counts_over_time(trace, Some(host), 120);
    // The states ever counted, in RFC order (filtered, not sorted: a sort's code is kilobytes
    // of the page's first module).
    let states: Vec<State> = State::ALL
        .into_iter()
        .filter(|s| samples.iter().any(|(_, c)| c.contains_key(s)))
        .collect();
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

/// Draws the per-state lines, with a cursor at `now` if given.
pub fn draw_states<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &Series,
    now: Option<Instant>,
    title: &str,
    lang: Lang,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let top = series.max + series.max / 10 + 1;
    let axis = time_axis(series.end_s, lang);
    let unit = axis.seconds_per_unit;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 14))
        .margin(8)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(48)
        .build_cartesian_2d(0f64..series.end_s.max(1.0) / unit, 0u64..top)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(axis.desc)
        .y_desc(ui("axis_sockets", lang))
        .x_label_formatter(&tick)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(e)?;
    for (state, points) in &series.lines {
        let c = colour(*state);
        let points = points.iter().map(|&(t, n)| (t / unit, n));
        chart
            .draw_series(LineSeries::new(points, c.stroke_width(2)))
            .map_err(e)?
            .label(state.rfc_name())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], c.stroke_width(2)));
    }
    if let Some(now) = now {
        let x = now.as_micros() as f64 / 1e6 / unit;
        chart
            .draw_series(LineSeries::new(vec![(x, 0), (x, top)], BLACK.mix(0.5)))
            .map_err(e)?;
    }
    legend_and_present(root, &mut chart)
}

/// Draws the series' legend in the upper left corner and finishes the drawing: the same for
/// every chart.
fn legend_and_present<'a, DB: DrawingBackend + 'a, X: Ranged, Y: Ranged>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(e)?;
    root.present().map_err(e)
}

/// Sockets per state over time as an SVG document.
pub fn states_svg(
    series: &Series,
    now: Option<Instant>,
    title: &str,
    size: (u32, u32),
    lang: Lang,
) -> Result<String, String> {
    svg_of(size, |root| draw_states(root, series, now, title, lang))
}

/// Draws one chart on an SVG backend of `size`.
fn svg_of(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> Result<String, String> {
    #[cfg(feature = "png")]
    png::load_font()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root)?;
    }
    Ok(out)
}

/// The points of a time-sequence graph: data segments sent by the left endpoint (relative
/// sequence number of their end), retransmissions apart, and the ACKs coming back.
#[derive(Clone, Debug, Default)]
pub struct SeqGraph {
    pub sent: Vec<(f64, f64)>,
    pub retransmitted: Vec<(f64, f64)>,
    pub acked: Vec<(f64, f64)>,
    pub end_s: f64,
    pub max_seq: f64,
}

pub fn seq_graph(trace: &Trace, l: &LadderLayout) -> SeqGraph {
    let Some(me) = trace.socket(l.left_socket) else {
        return SeqGraph::default();
    };
    let (local, remote) = (me.local, me.remote);
    let mut g = SeqGraph::default();
    let mut iss = None;
    for e in &trace.events {
        let EventKind::SegmentSent { id, reason, .. } = &e.kind else {
            continue;
        };
        let Some(seg) = trace.segment(*id) else {
            continue;
        };
        let t = e.t.as_micros() as f64 / 1e6;
        if seg.src == local && Some(seg.dst) == remote {
            if seg.flags.syn() {
                iss.get_or_insert(seg.seq);
            }
            let Some(i) = iss else { continue };
            if seg.len > 0 {
                let end = f64::from(seg.seq.0.wrapping_sub(i.0).wrapping_add(seg.len));
                g.max_seq = g.max_seq.max(end);
                if *reason == tcpsim_core::segment::SendReason::Retransmit {
                    g.retransmitted.push((t, end));
                } else {
                    g.sent.push((t, end));
                }
            }
        } else if Some(seg.src) == remote
            && seg.dst == local
            && seg.flags.ack()
            && let Some(i) = iss
        {
            let a = f64::from(seg.ack.0.wrapping_sub(i.0));
            if a < 1e9 {
                g.acked.push((t, a));
            }
        }
        g.end_s = g.end_s.max(t);
    }
    g
}

pub fn draw_seq<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    g: &SeqGraph,
    title: &str,
    lang: Lang,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let axis = time_axis(g.end_s, lang);
    let unit = axis.seconds_per_unit;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 14))
        .margin(8)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(64)
        .build_cartesian_2d(
            0f64..g.end_s.max(0.001) * 1.02 / unit,
            0f64..(g.max_seq.max(1.0) * 1.05),
        )
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(axis.desc)
        .y_desc(ui("axis_sequence", lang))
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(e)?;
    let at = |&(t, v): &(f64, f64)| (t / unit, v);
    let blue = RGBColor(31, 119, 180);
    chart
        .draw_series(g.sent.iter().map(|p| Circle::new(at(p), 2, blue.filled())))
        .map_err(e)?
        .label(ui("legend_sent", lang))
        .legend(move |(x, y)| Circle::new((x + 7, y), 3, blue.filled()));
    let red = RGBColor(214, 39, 40);
    chart
        .draw_series(
            g.retransmitted
                .iter()
                .map(|p| Cross::new(at(p), 4, red.stroke_width(2))),
        )
        .map_err(e)?
        .label(ui("legend_retransmitted", lang))
        .legend(move |(x, y)| Cross::new((x + 7, y), 4, red.stroke_width(2)));
    let green = RGBColor(46, 139, 87);
    let mut steps = Vec::new();
    for p in &g.acked {
        let (t, a) = at(p);
        if let Some(&(_, prev)) = steps.last() {
            steps.push((t, prev));
        }
        steps.push((t, a));
    }
    chart
        .draw_series(LineSeries::new(steps, green.stroke_width(1)))
        .map_err(e)?
        .label(ui("legend_acked", lang))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], green.stroke_width(1)));
    legend_and_present(root, &mut chart)
}

pub fn seq_svg(g: &SeqGraph, title: &str, size: (u32, u32), lang: Lang) -> Result<String, String> {
    svg_of(size, |root| draw_seq(root, g, title, lang))
}

/// PNG output (feature `png`). Text needs a font: DejaVu Sans from Debian's fonts-dejavu-core,
/// read when the first chart is drawn (an error names the package when it is missing). It has
/// no Chinese glyphs, so PNG charts are labelled in English (the SVG ones in either language).
#[cfg(feature = "png")]
pub mod png {
    use super::*;

    pub const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    /// With this feature plotters measures text with ab_glyph, so SVG charts need the font too.
    pub(crate) fn load_font() -> Result<(), String> {
        static LOADED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
        LOADED
            .get_or_init(|| {
                let bytes = std::fs::read(FONT).map_err(|e| {
                    format!(
                        "{FONT}: {e}; PNG charts need the font (Debian package fonts-dejavu-core)"
                    )
                })?;
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                plotters::style::register_font(
                    "sans-serif",
                    plotters::style::FontStyle::Normal,
                    bytes,
                )
                .map_err(|_| format!("{FONT} is not a usable font"))
            })
            .clone()
    }

    fn encode(buf: Vec<u8>, (w, h): (u32, u32)) -> Result<Vec<u8>, String> {
        let img = image::RgbImage::from_raw(w, h, buf).ok_or("bad image size")?;
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| e.to_string())?;
        Ok(out.into_inner())
    }

    pub fn states_png(series: &Series, title: &str, size: (u32, u32)) -> Result<Vec<u8>, String> {
        png_of(size, |root| {
            draw_states(root, series, None, title, Lang::En)
        })
    }

    /// Draws one chart on a bitmap of `size` and encodes it as PNG.
    fn png_of(
        size: (u32, u32),
        draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
    ) -> Result<Vec<u8>, String> {
        load_font()?;
        let mut buf = vec![0u8; (size.0 * size.1 * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
            draw(&root)?;
        }
        encode(buf, size)
    }

    pub fn seq_png(g: &SeqGraph, title: &str, size: (u32, u32)) -> Result<Vec<u8>, String> {
        png_of(size, |root| draw_seq(root, g, title, Lang::En))
    }
}
