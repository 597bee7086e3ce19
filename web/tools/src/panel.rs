//! The page's evidence panel, drawn and driven by this module, so that the page's first module
//! carries none of it: a text area for a pasted socket table, a file chooser, drag and drop,
//! a capture's progress while it is read in slices, and the report. A connection picked in the
//! report is handed to the first module as a `tcpsim-show` event on the panel's root, whose
//! `detail` is the connection's bytes ([`crate::evidence_trace`]).

use std::cell::RefCell;
use tcpsim_core::text::markup as esc;
use tcpsim_render::i18n::Lang;
use tcpsim_render::i18n::evidence::ReportMsg;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlTextAreaElement};

/// How long a slice of a capture's reading may take before the page may paint again.
const SLICE_MS: f64 = 25.0;
/// Blocks read between two looks at the clock.
const BLOCKS: u32 = 2_000;

/// What was read last, to report again in the other language.
enum Last {
    Nothing,
    Table(String, Vec<u8>),
    Capture,
}

struct Panel {
    root: Element,
    zh: bool,
    last: Last,
    /// The reading under way: a newer one stops an older one.
    reading: u64,
}

thread_local! {
    static PANEL: RefCell<Option<Panel>> = const { RefCell::new(None) };
}

fn lang(zh: bool) -> Lang {
    if zh { Lang::Zh } else { Lang::En }
}

fn find(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

/// The panel's controls, in the language asked for.
fn controls(zh: bool) -> String {
    let say = |m: ReportMsg| esc(m.text().get(lang(zh)));
    format!(
        "<p>{}</p><textarea data-testid=\"evidence-text\" spellcheck=\"false\" rows=\"6\" aria-label=\"{}\"></textarea>\
         <p><button type=\"button\" data-testid=\"evidence-read\" data-act=\"read\">{}</button> \
         <label>{} <input type=\"file\" data-testid=\"evidence-file\"></label></p>\
         <div class=\"running\" data-testid=\"evidence-progress\" role=\"status\" hidden><span>{}</span> \
         <progress max=\"100\" value=\"0\"></progress></div>",
        say(ReportMsg::PanelHint),
        say(ReportMsg::PanelHint),
        say(ReportMsg::ReadButton),
        say(ReportMsg::ChooseFile),
        say(ReportMsg::Reading),
    )
}

/// Draws the panel in `root` (once; a second call only sets the language) and listens to it.
pub fn mount(root: Element, zh: bool) {
    let mounted = PANEL.with(|p| p.borrow().is_some());
    if mounted {
        set_lang(zh);
        return;
    }
    root.set_inner_html(&format!(
        "<div class=\"ev-controls\">{}</div><div class=\"report\" data-testid=\"evidence-report\"></div>",
        controls(zh)
    ));
    let on = |kind: &str, f: Box<dyn FnMut(web_sys::Event)>| {
        let c = Closure::wrap(f);
        let _ = root.add_event_listener_with_callback(kind, c.as_ref().unchecked_ref());
        // The panel lives as long as the page: its listeners too.
        c.forget();
    };
    on("click", Box::new(on_click));
    on(
        "change",
        Box::new(|e| {
            if let Some(f) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .and_then(|i| i.files())
                .and_then(|l| l.get(0))
            {
                open_file(f);
            }
        }),
    );
    on("dragover", Box::new(|e| e.prevent_default()));
    on(
        "drop",
        Box::new(|e| {
            e.prevent_default();
            if let Some(f) = e
                .dyn_ref::<web_sys::DragEvent>()
                .and_then(|d| d.data_transfer())
                .and_then(|d| d.files())
                .and_then(|l| l.get(0))
            {
                open_file(f);
            }
        }),
    );
    PANEL.with(|p| {
        *p.borrow_mut() = Some(Panel {
            root,
            zh,
            last: Last::Nothing,
            reading: 0,
        })
    });
}

/// The panel in the other language: its controls (the pasted text kept) and its report.
pub fn set_lang(zh: bool) {
    let redo = PANEL.with(|p| {
        let mut p = p.borrow_mut();
        let panel = p.as_mut()?;
        if panel.zh == zh {
            return None;
        }
        panel.zh = zh;
        let text = find(&panel.root, "textarea")
            .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
            .map(|t| t.value());
        if let Some(c) = find(&panel.root, ".ev-controls") {
            c.set_inner_html(&controls(zh));
        }
        if let Some(t) =
            find(&panel.root, "textarea").and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
        {
            t.set_value(&text.unwrap_or_default());
        }
        match &panel.last {
            Last::Capture => Some(None),
            Last::Table(name, bytes) => Some(Some((name.clone(), bytes.clone()))),
            Last::Nothing => None,
        }
    });
    match redo {
        Some(None) => show_report(&crate::evidence_report(zh)),
        Some(Some((name, bytes))) => {
            if let Some(html) = crate::evidence(&name, bytes, zh) {
                show_report(&html);
            }
        }
        None => {}
    }
}

fn show_report(html: &str) {
    PANEL.with(|p| {
        if let Some(panel) = p.borrow().as_ref()
            && let Some(r) = find(&panel.root, "[data-testid=evidence-report]")
        {
            r.set_inner_html(html);
        }
    });
}

fn show_progress(fraction: Option<f64>) {
    PANEL.with(|p| {
        let Some(panel) = p.borrow().as_ref().map(|p| p.root.clone()) else {
            return;
        };
        if let Some(el) = find(&panel, "[data-testid=evidence-progress]")
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        {
            el.set_hidden(fraction.is_none());
            if let Some(bar) = find(&el, "progress") {
                let pct = (fraction.unwrap_or(0.0) * 100.0) as u32;
                let _ = bar.set_attribute("value", &pct.to_string());
            }
        }
    });
}

fn on_click(e: web_sys::Event) {
    let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    let closest = |s: &str| target.closest(s).ok().flatten();
    if let Some(n) = closest("[data-connection]")
        .and_then(|b| b.get_attribute("data-connection"))
        .and_then(|n| n.parse::<u32>().ok())
    {
        let bytes = crate::evidence_trace(n);
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&js_sys::Uint8Array::from(&bytes[..]));
        if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict("tcpsim-show", &init) {
            PANEL.with(|p| {
                if let Some(panel) = p.borrow().as_ref() {
                    let _ = panel.root.dispatch_event(&ev);
                }
            });
        }
        return;
    }
    if closest("[data-act=read]").is_some() {
        let text = PANEL.with(|p| {
            p.borrow()
                .as_ref()
                .and_then(|panel| find(&panel.root, "textarea"))
                .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
                .map(|t| t.value())
        });
        if let Some(text) = text {
            read("(pasted)".into(), text.into_bytes());
        }
    }
}

/// A file chosen or dropped: its bytes, read by the browser, then by this module.
fn open_file(file: web_sys::File) {
    wasm_bindgen_futures::spawn_local(async move {
        let name = file.name();
        if let Ok(buf) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
            read(name, js_sys::Uint8Array::new(&buf).to_vec());
        }
    });
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Lets the page answer input and paint between two slices.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Reads evidence: a table at once, a capture in slices with its progress.
fn read(name: String, bytes: Vec<u8>) {
    let Some((zh, id)) = PANEL.with(|p| {
        let mut p = p.borrow_mut();
        let panel = p.as_mut()?;
        panel.reading += 1;
        panel.last = Last::Nothing;
        Some((panel.zh, panel.reading))
    }) else {
        return;
    };
    show_report("");
    // A table is kept to be reported again in the other language; a capture (up to 256 MiB)
    // is not copied for that: its reading is kept instead.
    let kept = (!tcpsim_evidence::capture::is_capture(&bytes)).then(|| bytes.clone());
    if let Some(html) = crate::evidence(&name, bytes, zh) {
        // A table's report, or a capture's error (not said again in the other language).
        if let Some(kept) = kept {
            PANEL.with(|p| {
                if let Some(panel) = p.borrow_mut().as_mut() {
                    panel.last = Last::Table(name, kept);
                }
            });
        }
        show_progress(None);
        show_report(&html);
        return;
    }
    show_progress(Some(0.0));
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            let current = PANEL.with(|p| p.borrow().as_ref().is_some_and(|p| p.reading == id));
            if !current {
                return;
            }
            let t0 = now_ms();
            let mut done = 0.0;
            while now_ms() - t0 < SLICE_MS {
                done = crate::evidence_step(BLOCKS);
                if done >= 1.0 {
                    break;
                }
            }
            if done >= 1.0 {
                let zh = PANEL.with(|p| {
                    let mut p = p.borrow_mut();
                    let panel = p.as_mut()?;
                    panel.last = Last::Capture;
                    Some(panel.zh)
                });
                show_progress(None);
                show_report(&crate::evidence_report(zh.unwrap_or(false)));
                return;
            }
            show_progress(Some(done));
            next_task().await;
        }
    });
}
