//! The page's second module (`web/tools`): the scenario compiler and the plotters chart,
//! loaded the first time an edited text, a large bundled scenario or a chart needs them, so
//! that the first load carries neither. Natively (in tests) it is linked in and always ready.
//!
//! Calls are synchronous once the module is loaded; [`load`] is the only wait.

#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(inline_js = r#"
let tools = null;
let loading = null;
export function tools_load() {
    if (!loading) {
        const url = new URL('tcpsim-web-tools.js', document.baseURI).href;
        performance.mark('tools-start');
        // The wasm is fetched at once, beside the glue, not when the glue gets to run (the
        // page may be busy drawing its first frame meanwhile).
        const wasm = fetch(new URL('tcpsim-web-tools_bg.wasm', document.baseURI));
        wasm.catch(() => {});
        loading = import(url)
            .then(async (m) => {
                await m.default({ module_or_path: wasm });
                tools = m;
                performance.measure('load the compiler module', 'tools-start');
            })
            .catch((e) => { loading = null; throw e; });
    }
    return loading;
}
export function tools_prefetch() { tools_load().catch(() => {}); }
export function tools_ready() { return tools !== null; }
export function tools_compile(name, text, max) { return tools.compile(name, text, max); }
export function tools_chart(series, now, title, zh) { return tools.chart(series, now, title, zh); }
export function tools_bundled_text(id) { return tools.bundled_text(id); }
export function tools_export(kind, source, observed, until, title) { return tools.export_view(kind, source, observed, until, title); }
export function tools_evidence_mount(root, zh) { tools.evidence_mount(root, zh); }
export function tools_evidence_lang(zh) { if (tools) tools.evidence_lang(zh); }
"#)]
    extern "C" {
        pub fn tools_load() -> js_sys::Promise;
        pub fn tools_prefetch();
        pub fn tools_ready() -> bool;
        pub fn tools_compile(name: &str, text: &str, max: f64) -> Vec<u8>;
        pub fn tools_chart(series: &[u8], now: f64, title: &str, zh: bool) -> String;
        pub fn tools_bundled_text(id: &str) -> Option<String>;
        pub fn tools_export(
            kind: u8,
            source: &[u8],
            observed: bool,
            until: f64,
            title: &str,
        ) -> String;
        pub fn tools_evidence_mount(root: &web_sys::Element, zh: bool);
        pub fn tools_evidence_lang(zh: bool);
    }
}

/// Whether the module is loaded (natively: always).
pub fn ready() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        js::tools_ready()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        true
    }
}

/// Starts loading the module without waiting for it, as soon as a run is known to need it;
/// [`load`] then waits for the same download (and reports its failure).
pub fn prefetch() {
    #[cfg(target_arch = "wasm32")]
    js::tools_prefetch();
}

/// Loads the module (once; a failed load is tried again by the next call). The error says
/// what the browser reported.
pub async fn load() -> Result<(), String> {
    #[cfg(target_arch = "wasm32")]
    {
        wasm_bindgen_futures::JsFuture::from(js::tools_load())
            .await
            .map(|_| ())
            .map_err(|e| {
                js_sys::JSON::stringify(&e)
                    .ok()
                    .and_then(|s| s.as_string())
                    .filter(|s| s != "{}")
                    .or_else(|| e.as_string())
                    .unwrap_or_else(|| format!("{e:?}"))
            })
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Ok(())
    }
}

/// Compiles a scenario text (see `tcpsim_scenario::compiled`), or `None` if the module is
/// not loaded yet.
pub fn compile(name: &str, text: &str, max_calls: u64) -> Option<Vec<u8>> {
    if !ready() {
        return None;
    }
    #[cfg(target_arch = "wasm32")]
    {
        Some(js::tools_compile(name, text, max_calls as f64))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Some(tcpsim_web_tools::compile(name, text, max_calls))
    }
}

/// The sockets-per-state chart as SVG, its axes named in Chinese when `zh`, or `None` if the
/// module is not loaded yet.
pub fn chart(series: &[u8], now_us: u64, title: &str, zh: bool) -> Option<String> {
    if !ready() {
        return None;
    }
    #[cfg(target_arch = "wasm32")]
    {
        Some(js::tools_chart(series, now_us as f64, title, zh))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Some(tcpsim_web_tools::chart(series, now_us, title, zh))
    }
}

/// The text of a bundled scenario, or `None` if the module is not loaded yet.
pub fn bundled_text(id: &str) -> Option<String> {
    if !ready() {
        return None;
    }
    #[cfg(target_arch = "wasm32")]
    {
        js::tools_bundled_text(id)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        tcpsim_web_tools::bundled_text(id).map(str::to_string)
    }
}

/// Draws the evidence panel (the second module's: its reader, words and controls) in `root`.
pub fn evidence_mount(root: &web_sys::Element, zh: bool) {
    #[cfg(target_arch = "wasm32")]
    js::tools_evidence_mount(root, zh);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (root, zh);
}

/// The evidence panel, if drawn, in the other language.
pub fn evidence_lang(zh: bool) {
    #[cfg(target_arch = "wasm32")]
    js::tools_evidence_lang(zh);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = zh;
}

/// An export of a view (0: SVG, 1: Mermaid, 2: the state diagram), drawn by the second module
/// from the view's source (a compiled scenario, or a capture's connection when `observed`), up
/// to `step`; `None` if the module is not loaded yet.
pub fn export(kind: u8, bytes: &[u8], observed: bool, step: usize, title: &str) -> Option<String> {
    if !ready() {
        return None;
    }
    #[cfg(target_arch = "wasm32")]
    {
        Some(js::tools_export(kind, bytes, observed, step as f64, title))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let kind = match kind {
            0 => tcpsim_web_tools::Export::Svg,
            1 => tcpsim_web_tools::Export::Mermaid,
            _ => tcpsim_web_tools::Export::States,
        };
        Some(tcpsim_web_tools::export(
            kind,
            bytes,
            observed,
            Some(step),
            title,
        ))
    }
}
