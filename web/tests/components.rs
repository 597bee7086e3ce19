//! Component tests in a real browser (headless Chromium, through wasm-bindgen-test-runner and
//! chromedriver). `cargo xtask test` runs them; natively this file is empty.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;
use tcpsim_core::state::State;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

thread_local! {
    static ROOT: std::cell::RefCell<Option<web_sys::Element>> = const { std::cell::RefCell::new(None) };
}

/// The element with this test id inside the app this test mounted.
fn by_testid(id: &str) -> Option<web_sys::Element> {
    let root = ROOT.with(|r| r.borrow().clone())?;
    root.query_selector(&format!("[data-testid=\"{id}\"]"))
        .ok()
        .flatten()
}

async fn settle() {
    gloo_timers::future::sleep(Duration::from_millis(60)).await;
}

/// Mounts a fresh app in its own element, from a clean address (the app writes its state
/// into the address, which the next app would otherwise read).
async fn mount() {
    let window = web_sys::window().unwrap();
    window
        .history()
        .unwrap()
        .replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some("?scenario=handshake&step=0&lang=en"),
        )
        .unwrap();
    if let Some(old) = ROOT.with(|r| r.borrow_mut().take()) {
        old.remove();
    }
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    ROOT.with(|r| *r.borrow_mut() = Some(root.clone()));
    yew::Renderer::<tcpsim_web::app::App>::with_root(root).render();
    settle().await;
}

#[wasm_bindgen_test]
async fn the_app_opens_on_the_handshake_with_every_hook() {
    mount().await;
    for id in [
        "play",
        "step-forward",
        "step-back",
        "scenario-select",
        "editor",
        "lang",
        "state-client",
        "state-server",
        "explanation",
    ] {
        assert!(by_testid(id).is_some(), "missing data-testid={id}");
    }
    let select: web_sys::HtmlSelectElement =
        by_testid("scenario-select").unwrap().dyn_into().unwrap();
    assert_eq!(select.value(), "handshake");
    assert!(document().query_selector("svg.ladder").unwrap().is_some());
    // Whatever the step, the shown states are RFC names.
    for id in ["state-client", "state-server"] {
        let t = by_testid(id).unwrap().text_content().unwrap_or_default();
        assert!(t == "-" || t.parse::<State>().is_ok(), "{id}: {t}");
    }
}

#[wasm_bindgen_test]
async fn stepping_moves_the_counter_and_stops_at_the_end() {
    mount().await;
    let click = |id: &str| {
        by_testid(id)
            .unwrap()
            .dyn_into::<web_sys::HtmlElement>()
            .unwrap()
            .click()
    };
    // Opened at step 0 (from the address), so nothing plays; make sure of the start anyway.
    let scrub: web_sys::HtmlInputElement = by_testid("scrub").unwrap().dyn_into().unwrap();
    scrub.set_value("0");
    scrub
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    settle().await;
    let counter = || {
        by_testid("step-counter")
            .unwrap()
            .text_content()
            .unwrap_or_default()
    };
    assert!(
        counter().starts_with("Step 1 of") || counter().starts_with("步骤 1 /"),
        "{}",
        counter()
    );
    click("step-forward");
    settle().await;
    assert!(counter().contains(" 2 "), "{}", counter());
    let fwd: web_sys::HtmlButtonElement = by_testid("step-forward").unwrap().dyn_into().unwrap();
    for _ in 0..200 {
        if fwd.disabled() {
            break;
        }
        fwd.click();
        settle().await;
    }
    assert!(fwd.disabled(), "step-forward is enabled at the last step");
    assert_eq!(
        by_testid("state-client").unwrap().text_content().unwrap(),
        "ESTABLISHED"
    );
    assert_eq!(
        by_testid("state-server").unwrap().text_content().unwrap(),
        "ESTABLISHED"
    );
}

#[wasm_bindgen_test]
async fn the_language_switch_changes_every_label() {
    mount().await;
    let lang: web_sys::HtmlElement = by_testid("lang").unwrap().dyn_into().unwrap();
    // Its name is there from the first frame; its label is drawn after the first frame (see
    // App), which in this unoptimised build can take longer than `settle`.
    assert_eq!(lang.get_attribute("aria-label").as_deref(), Some("中文"));
    let mut before = String::new();
    for _ in 0..100 {
        before = lang.text_content().unwrap();
        if !before.is_empty() {
            break;
        }
        gloo_timers::future::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !before.is_empty(),
        "the language switch has no label two seconds after the first frame"
    );
    assert_eq!(
        lang.get_attribute("aria-label").as_deref(),
        Some(before.as_str())
    );
    lang.click();
    settle().await;
    let after = by_testid("lang").unwrap().text_content().unwrap();
    assert_ne!(before, after);
    let title = by_testid("title").unwrap().text_content().unwrap();
    let zh = title
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    assert_eq!(zh, after == "English", "title {title} with button {after}");
}
