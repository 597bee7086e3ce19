//! The web app's second module: what the page needs only once a text is edited or a scenario
//! has many connections. Keeping it out of the first module keeps the first load small: the
//! TOML reader and scenario compiler, and plotters for the sockets-per-state chart.
//!
//! The page loads it on demand (`web/src/tools.rs`) and talks to it in bytes: compile results
//! in [`tcpsim_scenario::compiled`]'s form, chart series in [`tcpsim_core::binary`]'s, a
//! capture's connection as an observed trace in the same form ([`evidence_trace`]). It also
//! reads a user's evidence (a socket table, a capture) and reports it as HTML ([`evidence`]).

#[cfg(target_arch = "wasm32")]
mod panel;

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

/// What an export of the page's view is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// The ladder, as a self-contained SVG document.
    Svg,
    /// The ladder as a Mermaid sequence diagram.
    Mermaid,
    /// The RFC 9293 state diagram with the paths both ends took, as SVG.
    States,
}

/// The trace a page's view was drawn from: a compiled scenario (`tcpsim_scenario::compiled`'s
/// form) run again (the core is deterministic: the same setup gives the same trace, sliced or
/// not), or a capture's connection as [`evidence_trace`] gave it.
pub fn trace_of(source: &[u8], observed: bool) -> Option<tcpsim_core::trace::Trace> {
    use tcpsim_core::binary::{Reader, Wire};
    use tcpsim_core::trace::Trace;
    if observed {
        let mut r = Reader::new(source.get(1..)?);
        for _ in 0..4 {
            String::get(&mut r).ok()?;
        }
        return Trace::decode_observed(r.rest()).ok();
    }
    let c = tcpsim_scenario::compiled::decode(source).ok()?.ok()?;
    let end = Instant::from_micros(c.setup.duration.as_micros());
    c.setup.simulator().ok()?.run_until(end).ok()
}

/// An export of the page's view (drawn from `source`, see [`trace_of`]) up to step `until`
/// (all of it with `None`), titled `title`; empty when the source does not read.
pub fn export(
    kind: Export,
    source: &[u8],
    observed: bool,
    until: Option<usize>,
    title: &str,
) -> String {
    let Some(trace) = trace_of(source, observed) else {
        return String::new();
    };
    let Some(l) = tcpsim_render::layout::layout(&trace, None) else {
        return String::new();
    };
    match kind {
        Export::Svg => tcpsim_render::svg::ladder_svg(
            &l,
            &tcpsim_render::svg::SvgOptions {
                until_step: until,
                title: title.to_string(),
                description: String::new(),
            },
        ),
        Export::Mermaid => tcpsim_render::sequence::mermaid(&l, until),
        Export::States => {
            let sockets: Vec<_> = std::iter::once(l.left_socket)
                .chain(l.right_socket)
                .collect();
            tcpsim_render::statediagram::svg(&trace, &sockets, title)
        }
    }
}

/// The most bytes of evidence the page reads: a capture is held in memory while it is read,
/// with its segments (about 120 bytes each, up to [`PAGE_MAX_PACKETS`]).
pub const PAGE_MAX_BYTES: usize = 256 << 20;
/// The most segments of a capture the page keeps for drawing its connections.
pub const PAGE_MAX_PACKETS: u64 = 1_000_000;

/// A capture being read, a slice at a time, with its name and size.
struct Reading {
    name: String,
    total: u64,
    sliced: tcpsim_evidence::observed::Sliced<'static>,
}

thread_local! {
    /// The capture the page is reading or has read (one at a time: a new one replaces it).
    static CAPTURE: std::cell::RefCell<Option<Reading>> = const { std::cell::RefCell::new(None) };
}

fn lang(zh: bool) -> Lang {
    if zh { Lang::Zh } else { Lang::En }
}

/// Evidence the user pasted or dropped, named `name`: a capture (told by its first bytes)
/// starts being read and gives `None`, for [`evidence_step`] to read on; anything else is read
/// as a socket table and gives its report as HTML (an error report when it is none).
pub fn evidence(name: &str, bytes: Vec<u8>, zh: bool) -> Option<String> {
    use tcpsim_evidence::{findings, html, table};
    use tcpsim_render::i18n::evidence::ReportMsg;
    let lang = lang(zh);
    CAPTURE.with(|c| *c.borrow_mut() = None);
    if bytes.len() > PAGE_MAX_BYTES {
        let mib = (PAGE_MAX_BYTES >> 20) as u64;
        return Some(html::error(
            ReportMsg::TooLargeForPage(mib),
            ReportMsg::DrawHelp,
            lang,
        ));
    }
    if tcpsim_evidence::capture::is_capture(&bytes) {
        let total = bytes.len() as u64;
        return match tcpsim_evidence::observed::Sliced::new(
            std::io::Cursor::new(bytes),
            PAGE_MAX_PACKETS,
        ) {
            Ok(sliced) => {
                let name = name.to_string();
                CAPTURE.with(|c| {
                    *c.borrow_mut() = Some(Reading {
                        name,
                        total,
                        sliced,
                    })
                });
                None
            }
            Err(_) => Some(html::error(
                ReportMsg::NotACapture,
                ReportMsg::CaptureFormats,
                lang,
            )),
        };
    }
    let text = table::decode(&bytes);
    Some(match table::read(&text) {
        Ok(t) => {
            let r = findings::diagnose(&t, &findings::Options::default());
            html::table(name, &t, &r, lang)
        }
        Err(table::TableError::TooLarge) => html::error(
            ReportMsg::TooLarge(table::MAX_TABLE_BYTES as u64),
            ReportMsg::Formats,
            lang,
        ),
        Err(table::TableError::NoRows { .. }) => {
            html::error(ReportMsg::NoRows, ReportMsg::Formats, lang)
        }
    })
}

/// Reads up to `blocks` more blocks of the capture under way; how far it is, from 0 to 1 (1:
/// read, or no capture under way).
pub fn evidence_step(blocks: u32) -> f64 {
    CAPTURE.with(|c| {
        let mut c = c.borrow_mut();
        let Some(r) = c.as_mut() else {
            return 1.0;
        };
        if r.sliced.step(blocks as usize) {
            1.0
        } else {
            // Never 1 before the end: the page stops asking at 1.
            (r.sliced.bytes_read() as f64 / r.total.max(1) as f64).min(0.999)
        }
    })
}

/// The report of the capture read, as HTML (empty when none was read).
pub fn evidence_report(zh: bool) -> String {
    use tcpsim_evidence::html;
    use tcpsim_render::i18n::evidence::ReportMsg;
    let lang = lang(zh);
    CAPTURE.with(|c| match c.borrow().as_ref() {
        Some(r) => match r.sliced.capture() {
            Some(Ok(cap)) => html::capture(&r.name, cap, lang),
            Some(Err(tcpsim_evidence::capture::CaptureError::BadBlock { offset })) => html::error(
                ReportMsg::CaptureStopped(*offset),
                ReportMsg::CaptureFormats,
                lang,
            ),
            Some(Err(_)) => html::error(ReportMsg::NotACapture, ReportMsg::CaptureFormats, lang),
            None => String::new(),
        },
        None => String::new(),
    })
}

/// Connection `number` (from 1) of the capture read, for the page's views: a status byte, then
/// (0) its title and description in English and Chinese and the observed trace
/// ([`tcpsim_core::trace::Trace::encode_observed`]), or (1) why not, in English and Chinese.
pub fn evidence_trace(number: u32) -> Vec<u8> {
    use tcpsim_core::binary::Wire;
    use tcpsim_evidence::observed::TraceError;
    use tcpsim_render::i18n::evidence::ReportMsg;
    CAPTURE.with(|c| {
        let c = c.borrow();
        let mut out = Vec::new();
        let failed = |m: ReportMsg| {
            let b = m.text();
            let mut out = vec![1];
            b.en.put(&mut out);
            b.zh.put(&mut out);
            out
        };
        let Some(r) = c.as_ref() else {
            return failed(ReportMsg::NothingToDraw(0));
        };
        let trace = match r.sliced.trace_of(number as usize, &r.name) {
            Ok(t) => t,
            Err(TraceError::TooManyPackets { limit }) => {
                return failed(ReportMsg::TooManyPackets(limit));
            }
            Err(TraceError::NoConnection { ipv6 }) => {
                return failed(ReportMsg::NothingToDraw(ipv6));
            }
            Err(TraceError::Capture(_)) => return failed(ReportMsg::NotACapture),
        };
        let Some(wire) = trace.encode_observed() else {
            return failed(ReportMsg::NothingToDraw(0));
        };
        let story = match r.sliced.capture() {
            Some(Ok(cap)) => cap.connections.get(number as usize - 1).map(|k| {
                let ep = |s: &tcpsim_evidence::capture::Side| {
                    s.addr.map_or("?".to_string(), |a| a.to_string())
                };
                k.story.said(&ep(&k.client), &ep(&k.server))
            }),
            _ => None,
        };
        let title = ReportMsg::ObservedConnection(r.name.clone(), u64::from(number)).text();
        let note = ReportMsg::ObservedNote.text();
        out.push(0);
        title.en.put(&mut out);
        title.zh.put(&mut out);
        // How it went, then what in the drawing is seen, inferred and estimated.
        let desc =
            |en: bool| {
                let s = story.as_ref().map_or(String::new(), |s| {
                    if en { s.en.clone() } else { s.zh.clone() }
                });
                format!("{s}\n\n{}", if en { &note.en } else { &note.zh })
            };
        desc(true).put(&mut out);
        desc(false).put(&mut out);
        out.extend_from_slice(&wire);
        out
    })
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

    /// An export (0: SVG, 1: Mermaid, 2: the state diagram) up to step `until` (negative: all).
    #[wasm_bindgen]
    pub fn export_view(kind: u8, source: &[u8], observed: bool, until: f64, title: &str) -> String {
        let kind = match kind {
            0 => super::Export::Svg,
            1 => super::Export::Mermaid,
            _ => super::Export::States,
        };
        let until = (until >= 0.0).then_some(until as usize);
        super::export(kind, source, observed, until, title)
    }

    /// Draws the evidence panel in `root` and drives it (see `panel.rs`).
    #[wasm_bindgen]
    pub fn evidence_mount(root: web_sys::Element, zh: bool) {
        super::panel::mount(root, zh)
    }

    /// The evidence panel in the other language.
    #[wasm_bindgen]
    pub fn evidence_lang(zh: bool) {
        super::panel::set_lang(zh)
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

    /// `ss -tan` with `n` sockets in CLOSE-WAIT, held by this host's clients (ephemeral local
    /// ports, the peers' port 8080), one named by a hostile process.
    fn close_wait_listing(n: u16) -> String {
        let mut t = String::from(
            "State      Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n",
        );
        for i in 0..n {
            t += &format!(
                "CLOSE-WAIT 0      0      10.0.0.5:{}    10.0.0.9:8080 users:((\"<img src=x onerror=alert(1)>\",pid=77,fd={}))\n",
                40000 + i,
                10 + i
            );
        }
        t
    }

    #[test]
    fn a_pasted_table_is_reported_as_html_in_both_languages_with_its_text_inert() {
        let en = evidence("ss.txt", close_wait_listing(20).into_bytes(), false).unwrap();
        assert!(en.contains("data-testid=\"finding\""), "{en}");
        assert!(en.contains("CLOSE-WAIT</td><td>20</td>"), "{en}");
        assert!(en.contains("href=\"?scenario=http-client-leak\""), "{en}");
        assert!(!en.contains("<img") && en.contains("&lt;img"), "{en}");
        let zh = evidence("ss.txt", close_wait_listing(20).into_bytes(), true).unwrap();
        assert!(zh.contains("怎么办"), "{zh}");
        // Text that is no table says what the reader takes.
        let not = evidence("x.txt", b"hello".to_vec(), false).unwrap();
        assert!(
            not.contains("role=\"alert\"") && not.contains("ss -tanp"),
            "{not}"
        );
    }

    fn fixture() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../crates/tcpsim-evidence/tests/captures/real-incidents.pcapng"
        ))
        .unwrap()
    }

    #[test]
    fn a_capture_is_read_in_slices_and_each_connection_comes_back_as_a_trace() {
        let bytes = fixture();
        assert_eq!(evidence("real.pcapng", bytes, false), None);
        // A few blocks at a time: progress rises and stays below 1 until the end.
        let mut last = 0.0;
        let mut steps = 0;
        loop {
            let p = evidence_step(3);
            steps += 1;
            assert!(p >= last, "{p} after {last}");
            last = p;
            if p >= 1.0 {
                break;
            }
            assert!(steps < 1000);
        }
        assert!(steps > 5, "{steps}");
        let html = evidence_report(false);
        assert_eq!(html.matches("data-connection=").count(), 6, "{html}");
        assert!(html.contains("late FIN answered by RST"), "{html}");
        assert!(evidence_report(true).contains("迟到的 FIN"));
        let wire = evidence_trace(6);
        assert_eq!(wire[0], 0);
        let trace = trace_of(&wire, true).unwrap();
        assert_eq!(trace.sockets.len(), 2);
        assert!(trace.observed.is_some());
        // Its title names the capture and the connection.
        let mut r = tcpsim_core::binary::Reader::new(&wire[1..]);
        let title = <String as tcpsim_core::binary::Wire>::get(&mut r).unwrap();
        assert_eq!(
            title,
            "Capture real.pcapng, connection 6: observed (not simulated)"
        );
        // A connection that is not there says so.
        assert_eq!(evidence_trace(7)[0], 1);
    }

    #[test]
    fn an_export_drawn_here_is_the_view_the_page_drew() {
        // A bundled scenario's compiled form, run again here.
        let bytes = compile(
            "leaked-close.toml",
            bundled_text("leaked-close").unwrap(),
            1000,
        );
        let c = tcpsim_scenario::compiled::decode(&bytes).unwrap().unwrap();
        let end = Instant::from_micros(c.setup.duration.as_micros());
        let trace = c
            .setup
            .simulator()
            .unwrap()
            .sliced_until(end)
            .and_then(|mut run| {
                while !run.step(100).unwrap() {}
                run.finish(Ok(()))
            })
            .unwrap();
        let l = tcpsim_render::layout::layout(&trace, None).unwrap();
        assert_eq!(
            export(Export::Mermaid, &bytes, false, Some(8), "t"),
            tcpsim_render::sequence::mermaid(&l, Some(8))
        );
        let svg = export(Export::Svg, &bytes, false, Some(8), "leaked");
        assert!(svg.starts_with("<svg") && svg.contains("leaked"), "{svg}");
        assert!(export(Export::States, &bytes, false, None, "t").contains("CLOSE-WAIT"));
        // A capture's connection.
        let _ = evidence("real.pcapng", fixture(), false);
        while evidence_step(1000) < 1.0 {}
        let wire = evidence_trace(5);
        let m = export(Export::Mermaid, &wire, true, None, "t");
        assert!(m.contains("RST,ACK"), "{m}");
        // Bytes that are neither give nothing.
        assert_eq!(export(Export::Svg, b"junk", false, None, "t"), "");
    }
}
