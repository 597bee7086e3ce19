//! The trace as JSON Lines: one event per line, each with `t_us`, `host` (name), `conn`
//! (`local` and `remote` addresses, when the event concerns a connection) and `kind`. State
//! changes add `from`, `to`, `cause` and `rfc`; segment events add `flags` ("SYN,ACK"), `seq`,
//! `ack`, `len`, `win` and `fate` (sent, delivered, dropped, duplicated). Calls add `call` (a
//! send()'s real bytes in its `data`), and a recv() that read real bytes adds them as `read`.
//! A capture's trace marks every line `"observed": true`, and a sent segment's TCP options
//! as `options`.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use tcpsim_core::call::Call;
use tcpsim_core::id::{CallId, HostId};
use tcpsim_core::payload::Payload;
use tcpsim_core::segment::Segment;
use tcpsim_core::trace::{EventKind, Trace};

fn seg_fields(m: &mut Map<String, Value>, seg: Option<&Segment>) {
    let Some(seg) = seg else {
        return;
    };
    m.insert("flags".into(), json!(seg.flags.to_string()));
    m.insert("seq".into(), json!(seg.seq.0));
    m.insert("ack".into(), json!(seg.ack.0));
    m.insert("len".into(), json!(seg.len));
    m.insert("win".into(), json!(seg.wnd));
    m.insert("src".into(), json!(seg.src.to_string()));
    m.insert("dst".into(), json!(seg.dst.to_string()));
}

/// One JSON object per event, in order.
pub fn lines(trace: &Trace) -> impl Iterator<Item = String> + '_ {
    // What each recv() read, where the peer gave real bytes (a send()'s are in its call).
    let read: BTreeMap<CallId, &Payload> = trace
        .data
        .iter()
        .filter(|t| matches!(trace.call(t.call), Some(Call::Recv { .. })))
        .map(|t| (t.call, &t.data))
        .collect();
    trace.events.iter().map(move |e| {
        let mut m = Map::new();
        m.insert("t_us".into(), json!(e.t.as_micros()));
        // The event's own fields (serde), then the common ones on top.
        if let Ok(Value::Object(own)) = serde_json::to_value(&e.kind) {
            for (k, v) in own {
                if k != "t" {
                    m.insert(k, v);
                }
            }
        }
        let host_name = |h: HostId| json!(trace.hosts.get(h.index()).map(|h| h.name.clone()));
        if let Some(socket) = e.kind.socket()
            && let Some(info) = trace.socket(socket)
        {
            m.insert("host".into(), host_name(info.host));
            m.insert("socket".into(), json!(info.label));
            m.insert(
                "conn".into(),
                json!({ "local": info.local.to_string(), "remote": info.remote.map(|r| r.to_string()) }),
            );
        }
        match &e.kind {
            EventKind::SegmentSent {
                id, host, reason, ..
            } => {
                m.insert("host".into(), host_name(*host));
                m.insert("fate".into(), json!("sent"));
                m.insert("rfc".into(), json!(reason.rfc_section()));
                seg_fields(&mut m, trace.segment(*id));
                if let Some(o) = trace.options_of(*id) {
                    m.insert("options".into(), json!(o));
                }
            }
            EventKind::SegmentDelivered { id, host, .. } => {
                m.insert("host".into(), host_name(*host));
                m.insert("fate".into(), json!("delivered"));
                seg_fields(&mut m, trace.segment(*id));
            }
            EventKind::SegmentDropped { id, .. } => {
                m.insert("fate".into(), json!("dropped"));
                seg_fields(&mut m, trace.segment(*id));
            }
            EventKind::SegmentDuplicated { id, .. } => {
                m.insert("fate".into(), json!("duplicated"));
                seg_fields(&mut m, trace.segment(*id));
            }
            EventKind::StateChanged { host, cause, .. } => {
                m.insert("host".into(), host_name(*host));
                m.insert("rfc".into(), json!(cause.rfc_section()));
                m.insert("why".into(), json!(cause.describe()));
            }
            EventKind::HostDown { host } | EventKind::HostUp { host } => {
                m.insert("host".into(), host_name(*host));
            }
            EventKind::Call { host, call_id, .. }
            | EventKind::Return { host, call_id, .. }
            | EventKind::CallNotMade { host, call_id, .. } => {
                m.insert("host".into(), host_name(*host));
                if let Some(c) = trace.calls.get(call_id.index()) {
                    m.insert("call".into(), serde_json::to_value(&c.call).unwrap_or(Value::Null));
                    if let Some(on) = c.on {
                        m.insert("on".into(), json!(on.event.to_string()));
                        if !on.delay.is_zero() {
                            m.insert("delay_us".into(), json!(on.delay.as_micros()));
                        }
                    }
                }
                if let (EventKind::Call { .. }, Some(data)) = (&e.kind, read.get(call_id)) {
                    m.insert("read".into(), serde_json::to_value(data).unwrap_or(Value::Null));
                }
            }
            _ => {}
        }
        // A capture's trace: segments as seen, states inferred (`Trace::observed`).
        if trace.observed.is_some() {
            m.insert("observed".into(), json!(true));
        }
        Value::Object(m).to_string()
    })
}
