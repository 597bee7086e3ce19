//! A socket's life in the simulator: creation, its endpoint's outputs, the accept queue,
//! release, and timer wake-ups.

use super::host::Sock;
use super::lookup::pair_key;
use super::queue::Queued;
use super::{SimError, Simulator};
use crate::call::CallResult;
use crate::endpoint::{Endpoint, EndpointEvent, Output, Outputs, TimerAction};
use crate::id::{HostId, SocketId};
use crate::state::State;
use crate::time::Instant;
use crate::trace::{EventKind, SocketInfo, TimerChange};

impl Simulator {
    pub(super) fn new_socket(
        &mut self,
        host: HostId,
        ep: Endpoint,
        label: Option<String>,
        parent: Option<SocketId>,
    ) -> Option<SocketId> {
        if self.socks.len() as u64 >= u64::from(self.cfg.max_sockets) {
            self.limit_hit = Some(SimError::SocketLimit {
                limit: self.cfg.max_sockets,
                at: self.now,
            });
            return None;
        }
        let id = SocketId(self.socks.len() as u32);
        self.trace.sockets.push(SocketInfo {
            id,
            host,
            label,
            local: ep.local(),
            remote: ep.remote(),
            parent,
            created: self.now,
        });
        self.socks.push(Sock {
            host,
            ep,
            fd_open: false,
            released: false,
            listener: None,
            parent,
            accepted: false,
            pending_connect: None,
            wake: None,
            connected: false,
            error: None,
            waiters: Vec::new(),
            held: 0,
            sent: Vec::new(),
        });
        Some(id)
    }

    /// Runs `f` on a socket's endpoint and processes everything it output.
    pub(super) fn drive<R>(
        &mut self,
        socket: SocketId,
        f: impl FnOnce(&mut Endpoint, Instant, &mut Outputs) -> R,
    ) -> R {
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        let now = self.now;
        let r = f(&mut self.socks[socket.index()].ep, now, &mut out);
        self.flush(socket, &mut out);
        self.out = out;
        r
    }

    pub(super) fn flush(&mut self, socket: SocketId, out: &mut Outputs) {
        let host = self.socks[socket.index()].host;
        for item in out.items.drain(..) {
            match item {
                Output::Segment(seg, why) => self.transmit(host, Some(socket), seg, why),
                Output::Event(ev) => self.endpoint_event(host, socket, ev),
            }
        }
        self.maybe_release(socket);
        self.schedule_wake(socket);
        if !self.socks[socket.index()].waiters.is_empty() {
            self.check_waiters(socket);
        }
        if let Some(st) = self.app.as_mut().filter(|st| st.watching) {
            st.touched.push(socket);
        }
    }

    pub(super) fn endpoint_event(&mut self, host: HostId, socket: SocketId, ev: EndpointEvent) {
        match ev {
            EndpointEvent::StateChanged { from, to, cause } => {
                self.record(EventKind::StateChanged {
                    host,
                    socket,
                    from,
                    to,
                    cause,
                });
                self.after_state_change(socket, from, to);
            }
            EndpointEvent::Timer { timer, action } => {
                let (change, deadline) = match action {
                    TimerAction::Armed { deadline } => (TimerChange::Armed, Some(deadline)),
                    TimerAction::Fired => (TimerChange::Fired, None),
                    TimerAction::Cancelled => (TimerChange::Cancelled, None),
                };
                self.record(EventKind::Timer {
                    host,
                    socket,
                    timer,
                    change,
                    deadline,
                });
            }
            EndpointEvent::Error(errno) => {
                self.socks[socket.index()].error = Some(errno);
                self.record(EventKind::ConnectionError {
                    host,
                    socket,
                    errno,
                });
                if let Some(call_id) = self.socks[socket.index()].pending_connect.take() {
                    // The blocking connect() returns the error, which is then consumed.
                    let _ = self.socks[socket.index()].ep.take_error();
                    self.record(EventKind::Return {
                        host,
                        call_id,
                        socket: Some(socket),
                        result: CallResult::Error(errno),
                    });
                }
            }
            EndpointEvent::DataReceived { offset, len } => {
                self.record(EventKind::DataReceived {
                    host,
                    socket,
                    offset,
                    len,
                });
            }
            EndpointEvent::DataAcked { total } => self.record(EventKind::DataAcked {
                host,
                socket,
                total,
            }),
        }
    }

    pub(super) fn after_state_change(&mut self, socket: SocketId, from: State, to: State) {
        let host = self.socks[socket.index()].host;
        if to == State::Established && matches!(from, State::SynSent | State::SynReceived) {
            self.socks[socket.index()].connected = true;
            if let Some(call_id) = self.socks[socket.index()].pending_connect.take() {
                self.record(EventKind::Return {
                    host,
                    call_id,
                    socket: Some(socket),
                    result: CallResult::Ok,
                });
            }
            let s = &self.socks[socket.index()];
            if let (Some(parent), false) = (s.parent, s.accepted) {
                self.enqueue_child(parent, socket);
            }
        }
        // A connection ends, or a passively opened one falls back to LISTEN (RST or SYN in
        // SYN-RECEIVED): its address pair is free again.
        let abandoned = from == State::SynReceived && to == State::Listen;
        if to == State::Closed || (abandoned && self.socks[socket.index()].parent.is_some()) {
            let s = &mut self.socks[socket.index()];
            if let Some(remote) = s.ep.remote() {
                let key = pair_key(s.ep.local(), remote);
                let h = &mut self.hosts[host.index()];
                if h.conns.get(&key) == Some(&socket) {
                    h.conns.remove(&key);
                    h.frees += 1;
                }
            }
            let s = &mut self.socks[socket.index()];
            if let (Some(parent), false) = (s.parent, s.accepted) {
                // A connection that never reached the application: nobody holds it.
                s.fd_open = false;
                if let Some(l) = self.socks[parent.index()].listener.as_mut() {
                    l.queue.retain(|c| *c != socket);
                }
            }
            let s = &mut self.socks[socket.index()];
            if s.listener.is_some() {
                let port = s.ep.local().port();
                let h = &mut self.hosts[host.index()];
                if h.listeners.get(&port) == Some(&socket) {
                    h.listeners.remove(&port);
                    h.frees += 1;
                }
            }
        }
    }

    pub(super) fn enqueue_child(&mut self, parent: SocketId, child: SocketId) {
        let Some(l) = self.socks[parent.index()].listener.as_mut() else {
            return;
        };
        l.queue.push_back(child);
        let host = self.socks[parent.index()].host;
        // A blocked accept() takes it at once, if a descriptor is free.
        let waiting = self.socks[parent.index()]
            .listener
            .as_ref()
            .and_then(|l| l.waiting.front().cloned());
        if let Some((call_id, label)) = waiting {
            if self.hosts[host.index()].fds >= self.hosts[host.index()].fd_limit {
                return;
            }
            if let Some(l) = self.socks[parent.index()].listener.as_mut() {
                l.waiting.pop_front();
            }
            if let Some(child) = self.take_from_queue(parent, label) {
                self.record(EventKind::Return {
                    host,
                    call_id,
                    socket: Some(parent),
                    result: CallResult::Accepted(child),
                });
            }
        }
    }

    /// Pops the oldest established connection of a listener and hands it to the application.
    pub(super) fn take_from_queue(&mut self, parent: SocketId, label: String) -> Option<SocketId> {
        let child = self.socks[parent.index()]
            .listener
            .as_mut()?
            .queue
            .pop_front()?;
        let host = self.socks[child.index()].host;
        let c = &mut self.socks[child.index()];
        c.accepted = true;
        c.fd_open = true;
        self.hosts[host.index()].fds += 1;
        self.hosts[host.index()].labels.insert(label.clone(), child);
        self.name_bound(host, &label, child);
        self.trace.sockets[child.index()].label = Some(label);
        if !self.socks[child.index()].waiters.is_empty() {
            self.check_waiters(child);
        }
        if let Some(st) = self.app.as_mut().filter(|st| st.watching) {
            st.touched.push(child);
        }
        Some(child)
    }

    pub(super) fn maybe_release(&mut self, socket: SocketId) {
        let s = &mut self.socks[socket.index()];
        let gone = s.ep.state() == State::Closed
            || (s.parent.is_some() && !s.accepted && s.ep.state() == State::Listen);
        if !s.fd_open && gone && !s.released {
            s.released = true;
            s.wake = None;
            let host = s.host;
            self.record(EventKind::SocketReleased { host, socket });
        }
    }

    pub(super) fn schedule_wake(&mut self, socket: SocketId) {
        let s = &mut self.socks[socket.index()];
        if s.released {
            return;
        }
        // Only a deadline earlier than the pending wake-up needs a new queue entry: a later one
        // (the RTO pushed back by an ACK) is rescheduled when the pending wake-up finds nothing due.
        if let Some(at) = s.ep.poll_at()
            && s.wake.is_none_or(|w| at < w)
        {
            s.wake = Some(at);
            self.push(at, Queued::Wake { socket });
        }
    }

    pub(super) fn wake(&mut self, socket: SocketId, at: Instant) {
        let s = &mut self.socks[socket.index()];
        if s.released || s.wake != Some(at) {
            return; // superseded
        }
        s.wake = None;
        self.drive(socket, |ep, now, out| ep.on_timeout(now, out));
    }
}
