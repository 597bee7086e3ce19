//! The page's address and local storage: what makes a link reopen the same moment, and keeps
//! edits across reloads.

use tcpsim_render::i18n::Lang;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// What the address asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    pub scenario: Option<String>,
    pub step: Option<usize>,
    pub lang: Option<Lang>,
    /// An edited scenario shared in the address (`#src=...`).
    pub source: Option<String>,
    pub embed: bool,
}

fn decode(s: &str) -> Option<String> {
    js_sys::decode_uri_component(s)
        .ok()
        .and_then(|v| v.as_string())
}

fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s)
        .as_string()
        .unwrap_or_default()
}

pub fn read() -> Request {
    let Some(loc) = window().map(|w| w.location()) else {
        return Request::default();
    };
    let mut r = Request::default();
    let search = loc.search().unwrap_or_default();
    for pair in search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "scenario" => r.scenario = decode(v),
            "step" => r.step = v.parse().ok(),
            "lang" => r.lang = Some(Lang::from_tag(v)),
            "embed" => r.embed = true,
            _ => {}
        }
    }
    let hash = loc.hash().unwrap_or_default();
    if let Some(src) = hash.strip_prefix("#src=") {
        r.source = decode(src);
    }
    r
}

/// Rewrites the address without a reload: scenario, step, language, and the edited source.
pub fn write(scenario: &str, step: usize, lang: Lang, edited: Option<&str>) {
    let Some(w) = window() else { return };
    let mut url = format!(
        "?scenario={}&step={step}&lang={}",
        encode(scenario),
        lang.code()
    );
    if let Some(src) = edited {
        url.push_str("#src=");
        url.push_str(&encode(src));
    }
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

pub fn browser_lang() -> Lang {
    window()
        .and_then(|w| w.navigator().language())
        .map(|l| Lang::from_tag(&l))
        .unwrap_or_default()
}

pub fn reduced_motion() -> bool {
    window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

fn storage() -> Option<web_sys::Storage> {
    window().and_then(|w| w.local_storage().ok().flatten())
}

pub fn saved_source(id: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(&format!("tcpsim:src:{id}")).ok().flatten())
}

pub fn save_source(id: &str, text: Option<&str>) {
    if let Some(s) = storage() {
        let key = format!("tcpsim:src:{id}");
        let _ = match text {
            Some(t) => s.set_item(&key, t),
            None => s.remove_item(&key),
        };
    }
}
