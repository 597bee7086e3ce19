//! Calls that react: a call may wait for an event on the socket it names instead of a time
//! (see [`Reaction`]). A waiting call is kept on the socket it watches and looked at whenever
//! that socket's endpoint has done something; one whose name denotes no socket yet waits for
//! the name.

use super::queue::Queued;
use super::{AppState, SimError, Simulator};
use crate::app::{AppCalls, AppEvent, AppReturn, Application};
use crate::call::{NotMade, Reaction, ScheduledCall, SocketEvent};
use crate::id::{CallId, HostId, SocketId};
use crate::state::State;
use crate::trace::EventKind;

impl Simulator {
    /// A reacting call's time has come: it watches its socket from now on, and runs at once
    /// (after its delay) if the event already holds.
    pub(super) fn arm(&mut self, id: CallId) {
        let c = &self.trace.calls[id.index()];
        let host = c.host;
        let Some(name) = c.call.socket() else {
            // Refused when scheduled; a setup built by hand may still hold one.
            self.unbound.push((host, id));
            return;
        };
        match self.lookup(host, name) {
            Some(socket) => {
                self.socks[socket.index()].waiters.push(id);
                self.check_waiters(socket);
            }
            None => self.unbound.push((host, id)),
        }
    }

    /// A name now denotes `socket`: calls waiting for the name watch it from now on.
    pub(super) fn name_bound(&mut self, host: HostId, name: &str, socket: SocketId) {
        let mut i = 0;
        while i < self.unbound.len() {
            let (h, id) = self.unbound[i];
            if h == host && self.trace.calls[id.index()].call.socket() == Some(name) {
                self.unbound.remove(i);
                self.socks[socket.index()].waiters.push(id);
            } else {
                i += 1;
            }
        }
    }

    /// Schedules every call waiting on `socket` whose event now holds, in the order they began
    /// to wait; the others go on waiting.
    pub(super) fn check_waiters(&mut self, socket: SocketId) {
        // Compacted in place: this runs after every step of a socket with calls waiting, and
        // scheduling never drives an endpoint, so nothing is added meanwhile.
        let mut waiting = std::mem::take(&mut self.socks[socket.index()].waiters);
        let mut kept = 0;
        for i in 0..waiting.len() {
            let id = waiting[i];
            let Some(on) = self.trace.calls[id.index()].on else {
                continue;
            };
            if self.holds(socket, on) {
                self.push(self.now + on.delay, Queued::Fire { id });
            } else {
                waiting[kept] = id;
                kept += 1;
            }
        }
        waiting.truncate(kept);
        self.socks[socket.index()].waiters = waiting;
    }

    fn holds(&self, socket: SocketId, on: Reaction) -> bool {
        let s = &self.socks[socket.index()];
        let ep = &s.ep;
        match on.event {
            SocketEvent::Connected => s.connected,
            SocketEvent::Accepted => s.accepted,
            SocketEvent::Readable => {
                ep.recv_queue() > 0 || ep.peer_fin_received() || ep.pending_error().is_some()
            }
            SocketEvent::Eof => ep.peer_fin_received(),
            SocketEvent::Writable => {
                matches!(ep.state(), State::Established | State::CloseWait)
                    && ep.send_queue() < u64::from(ep.config().snd_buf)
            }
            SocketEvent::Error(None) => s.error.is_some(),
            SocketEvent::Error(Some(e)) => s.error == Some(e),
            SocketEvent::Closed => ep.state() == State::Closed,
        }
    }

    /// Notes, for the application driving the run, each event that has started to hold on
    /// `socket` since it was last looked at. Only sockets the application holds are looked at:
    /// one waiting in the accept queue is once it is accepted, one it has closed no more.
    fn note_events(&mut self, socket: SocketId, noted: &mut Vec<(SocketId, SocketEvent)>) {
        if !self.socks[socket.index()].fd_open || self.trace.sockets[socket.index()].label.is_none()
        {
            return;
        }
        let mut now = 0u8;
        for (i, event) in SocketEvent::ALL.into_iter().enumerate() {
            if self.holds(socket, Reaction::on(event)) {
                now |= 1 << i;
            }
        }
        let s = &mut self.socks[socket.index()];
        let started = now & !s.held;
        s.held = now;
        let error = s.error;
        for (i, event) in SocketEvent::ALL.into_iter().enumerate() {
            if started & (1 << i) != 0 {
                let event = match event {
                    SocketEvent::Error(None) => SocketEvent::Error(error),
                    other => other,
                };
                noted.push((socket, event));
            }
        }
    }

    /// Tells the application what its calls returned, then the events noted, in order, and
    /// schedules the calls it answers with.
    pub(super) fn tell(&mut self, app: &mut dyn Application) -> Result<(), SimError> {
        // Taken out while the application is told: telling drives no endpoint, so nothing is
        // noted meanwhile.
        let mut st = self.app.take().unwrap_or_default();
        let result = self.tell_state(&mut st, app);
        self.app = Some(st);
        result
    }

    fn tell_state(&mut self, st: &mut AppState, app: &mut dyn Application) -> Result<(), SimError> {
        let mut noted = std::mem::take(&mut st.events);
        for socket in std::mem::take(&mut st.touched) {
            self.note_events(socket, &mut noted);
        }
        let from = st.told_up_to;
        st.told_up_to = self.trace.events.len();
        // The bytes the calls told of now moved were kept after those of earlier calls.
        let data_from = st.data_told;
        st.data_told = self.trace.data.len();
        for i in from..st.told_up_to {
            let (host, call_id, result) = match self.trace.events[i].kind {
                EventKind::Call {
                    host,
                    call_id,
                    result: Some(result),
                    ..
                }
                | EventKind::Return {
                    host,
                    call_id,
                    result,
                    ..
                } => (host, call_id, result),
                _ => continue,
            };
            if st.calls.binary_search(&call_id).is_err() {
                continue;
            }
            let mut calls = AppCalls::default();
            let r = AppReturn {
                at: self.now,
                host,
                call: &self.trace.calls[call_id.index()].call,
                result,
                data: self.trace.data[data_from..]
                    .iter()
                    .find(|t| t.call == call_id)
                    .map(|t| t.data.as_bytes()),
            };
            app.on_return(&r, &mut calls);
            self.schedule_for_app(st, calls)?;
        }
        for (socket, event) in noted.drain(..) {
            let host = self.socks[socket.index()].host;
            let mut calls = AppCalls::default();
            if let Some(name) = self.trace.sockets[socket.index()].label.as_deref() {
                let e = AppEvent {
                    at: self.now,
                    host,
                    socket,
                    name,
                    event,
                };
                app.on_event(&e, &mut calls);
            }
            self.schedule_for_app(st, calls)?;
        }
        st.events = noted;
        Ok(())
    }

    fn schedule_for_app(&mut self, st: &mut AppState, calls: AppCalls) -> Result<(), SimError> {
        for (delay, host, call) in calls.calls {
            let id = self.schedule(ScheduledCall::at(self.now + delay, host, call))?;
            st.calls.push(id);
        }
        Ok(())
    }

    /// At the end of a run: every call still waiting goes into the trace as never made, with
    /// why: those watching a socket by socket, then those whose name never denoted one.
    pub(super) fn record_not_made(&mut self) {
        for i in 0..self.socks.len() {
            let waiters = std::mem::take(&mut self.socks[i].waiters);
            let why = if self.socks[i].ep.state() == State::Closed {
                NotMade::ConnectionEnded
            } else {
                NotMade::RunEnded
            };
            for call_id in waiters {
                let host = self.trace.calls[call_id.index()].host;
                let socket = Some(SocketId(i as u32));
                self.record(EventKind::CallNotMade {
                    host,
                    call_id,
                    socket,
                    why,
                });
            }
        }
        for (host, call_id) in std::mem::take(&mut self.unbound) {
            self.record(EventKind::CallNotMade {
                host,
                call_id,
                socket: None,
                why: NotMade::NoSocket,
            });
        }
    }
}
