//! The user's own evidence in the page: a socket table pasted, or a capture dropped or chosen.
//! The panel is the second module's (`web/tools/src/panel.rs`: the readers, the words of the
//! report, the controls, a capture's progress), so that the page opens without any of it;
//! this module only opens it and takes the connection the user picks in it, which arrives as
//! a `tcpsim-show` event carrying the connection's bytes, and is shown as a run is.

use crate::model::Outcome;
use std::rc::Rc;
use tcpsim_render::i18n::{Lang, ui};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EvidenceProps {
    pub lang: Lang,
    /// A connection of a capture was picked: its view, to show as a run.
    pub on_show: Callback<Rc<Outcome>>,
}

#[function_component]
pub fn Evidence(p: &EvidenceProps) -> Html {
    let root = use_node_ref();
    let zh = p.lang == Lang::Zh;
    {
        let root = root.clone();
        let on_show = p.on_show.clone();
        use_effect_with((), move |_| {
            let listener = root.get().map(|el| {
                gloo_events::EventListener::new(&el, "tcpsim-show", move |e| {
                    let detail = js_sys::Reflect::get(e, &"detail".into()).unwrap_or_default();
                    let bytes = js_sys::Uint8Array::new(&detail).to_vec();
                    on_show.emit(crate::model::observed(&bytes));
                    if let Some(w) = web_sys::window() {
                        w.scroll_to_with_x_and_y(0.0, 0.0);
                    }
                })
            });
            move || drop(listener)
        });
    }
    use_effect_with(zh, |zh| crate::tools::evidence_lang(*zh));
    let on_toggle = {
        let root = root.clone();
        Callback::from(move |_: Event| {
            let root = root.clone();
            yew::platform::spawn_local(async move {
                let loaded = crate::tools::load().await;
                if let (Ok(()), Some(el)) = (loaded, root.cast::<web_sys::Element>()) {
                    crate::tools::evidence_mount(&el, zh);
                }
            });
        })
    };
    html! {
        <section class="evidence-panel">
            <details data-testid="evidence" ontoggle={on_toggle}>
                <summary>{ui("evidence", p.lang)}</summary>
                <div ref={root} />
            </details>
        </section>
    }
}
