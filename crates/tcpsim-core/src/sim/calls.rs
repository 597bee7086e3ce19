//! The applications' calls, made on a host's sockets.

use super::host::Listener;
use super::lookup::{pair_key, stream_key};
use super::{MAX_DATA_BYTES, SimError, Simulator};
use crate::call::{Call, CallResult};
use crate::endpoint::{Endpoint, splitmix64};
use crate::errno::Errno;
use crate::id::{CallId, HostId, SocketId};
use crate::payload::{Payload, stream_bytes};
use crate::state::State;
use crate::trace::{EventKind, TraceEvent, Transfer};
use std::collections::VecDeque;
use std::net::SocketAddrV4;
use std::sync::Arc;

impl Simulator {
    pub(super) fn lookup(&self, host: HostId, label: &str) -> Option<SocketId> {
        self.hosts[host.index()].labels.get(label).copied()
    }

    pub(super) fn run_call(&mut self, call_id: CallId) {
        let host = self.trace.calls[call_id.index()].host;
        // Take the call out of the table while it runs (no copy), and put it back after.
        let call = std::mem::replace(&mut self.trace.calls[call_id.index()].call, Call::Crash);
        let named = |sim: &Simulator| call.socket().and_then(|l| sim.lookup(host, l));
        let socket = named(self);
        let idx = self.trace.events.len();
        self.record(EventKind::Call {
            host,
            call_id,
            socket,
            result: None,
        });
        let result = if self.hosts[host.index()].up || matches!(call, Call::Restart) {
            self.perform(host, call_id, &call)
        } else {
            // The host is down: its applications are not running.
            Some(CallResult::Error(Errno::EBADF))
        };
        // Calls that create a socket name it in the trace.
        let now_named = if socket.is_none() { named(self) } else { None };
        if let EventKind::Call {
            result: r, socket, ..
        } = &mut self.trace.events[idx].kind
        {
            *r = result;
            if socket.is_none() {
                *socket = now_named;
            }
        }
        self.trace.calls[call_id.index()].call = call;
    }

    /// Keeps the real bytes a send() put in socket `id`'s stream at `offset`, for the trace and
    /// for the peer's recv(). Out of line: most runs send counts only.
    #[inline(never)]
    fn keep_sent(&mut self, call: CallId, id: SocketId, offset: u64, data: Payload) {
        if !self.may_keep(data.len()) {
            return;
        }
        let s = &mut self.socks[id.index()];
        let Some(remote) = s.ep.remote() else { return };
        // Stream offsets count modulo 2^32 in sequence space.
        let seq = s.ep.iss() + 1 + offset as u32;
        if s.sent.is_empty() {
            self.streams
                .insert(stream_key(s.ep.local(), remote, s.ep.iss()), id);
        }
        s.sent.push(self.trace.data.len());
        self.trace.data.push(Transfer {
            call,
            socket: id,
            offset,
            seq,
            data,
        });
    }

    /// Keeps what a recv() of `n` bytes at `offset` of socket `id`'s stream read, when the
    /// peer's application gave real bytes for the stream.
    #[inline(never)]
    fn keep_read(&mut self, call: CallId, id: SocketId, offset: u64, n: u32) {
        let ep = &self.socks[id.index()].ep;
        let Some(remote) = ep.remote() else { return };
        let Some(&sender) = self.streams.get(&stream_key(remote, ep.local(), ep.irs())) else {
            return;
        };
        if !self.may_keep(n as usize) {
            return;
        }
        let ep = &self.socks[id.index()].ep;
        let seq = ep.irs() + 1 + offset as u32;
        // The sender's chunks are in stream order: skip those that end before the read.
        let sent = &self.socks[sender.index()].sent;
        let data = &self.trace.data;
        let end = |i: usize| data[i].offset + data[i].data.len() as u64;
        let first = sent.partition_point(|&i| end(i) <= offset);
        let chunks = sent[first..]
            .iter()
            .map(|&i| &data[i])
            .take_while(|t| t.offset < offset + u64::from(n))
            .map(|t| (t.seq, &t.data));
        let data = Payload::from(stream_bytes(seq, n, chunks));
        self.trace.data.push(Transfer {
            call,
            socket: id,
            offset,
            seq,
            data,
        });
    }

    /// Whether the trace may keep `n` more real bytes; if not, the run stops on the limit.
    fn may_keep(&mut self, n: usize) -> bool {
        self.data_bytes += n as u64;
        if self.data_bytes > MAX_DATA_BYTES {
            self.limit_hit.get_or_insert(SimError::DataLimit {
                limit: MAX_DATA_BYTES,
                at: self.now,
            });
            return false;
        }
        true
    }

    pub(super) fn fd_available(&self, host: HostId) -> bool {
        let h = &self.hosts[host.index()];
        h.fds < h.fd_limit
    }

    /// Performs a call; `None` means it blocks and returns later.
    pub(super) fn perform(
        &mut self,
        host: HostId,
        call_id: CallId,
        call: &Call,
    ) -> Option<CallResult> {
        let err = |e| Some(CallResult::Error(e));
        match *call {
            Call::Listen { .. }
            | Call::Shutdown { .. }
            | Call::SetOption { .. }
            | Call::Abort { .. }
            | Call::Crash
            | Call::Restart => self.perform_rare(host, call),
            Call::Connect {
                ref socket,
                remote,
                local_port,
            } => {
                if !self.fd_available(host) {
                    return err(Errno::EMFILE);
                }
                let port = match local_port {
                    Some(0) => return err(Errno::EINVAL),
                    Some(p) => {
                        let h = &self.hosts[host.index()];
                        let local = SocketAddrV4::new(h.addr, p);
                        if h.conns.contains_key(&pair_key(local, remote))
                            || h.listeners.contains_key(&p)
                        {
                            return err(Errno::EADDRINUSE);
                        }
                        p
                    }
                    None => match self.ephemeral_port(host, remote) {
                        Some(p) => p,
                        None => return err(Errno::EADDRNOTAVAIL),
                    },
                };
                let h = &self.hosts[host.index()];
                let local = SocketAddrV4::new(h.addr, port);
                let ep = Endpoint::new(Arc::clone(&h.cfg), local, h.isn_secret);
                let id = self.new_socket(host, ep, Some(socket.clone()), None)?;
                self.trace.sockets[id.index()].remote = Some(remote);
                let h = &mut self.hosts[host.index()];
                h.fds += 1;
                h.labels.insert(socket.clone(), id);
                h.conns.insert(pair_key(local, remote), id);
                self.name_bound(host, socket, id);
                let s = &mut self.socks[id.index()];
                s.fd_open = true;
                s.pending_connect = Some(call_id);
                // Name the socket in the Call event before the SYN appears.
                if let Some(TraceEvent {
                    kind: EventKind::Call { socket, .. },
                    ..
                }) = self.trace.events.last_mut()
                {
                    *socket = Some(id);
                }
                match self.drive(id, |ep, now, out| ep.connect(now, remote, out)) {
                    Ok(()) => None,
                    Err(e) => {
                        self.socks[id.index()].pending_connect = None;
                        err(e)
                    }
                }
            }
            Call::Accept {
                ref listener,
                ref socket,
            } => {
                let Some(lid) = self.lookup(host, listener) else {
                    return err(Errno::EBADF);
                };
                if self.socks[lid.index()].ep.state() != State::Listen {
                    return err(Errno::EINVAL);
                }
                let Some(l) = self.socks[lid.index()].listener.as_mut() else {
                    return err(Errno::EINVAL);
                };
                if l.queue.is_empty() {
                    l.waiting.push_back((call_id, socket.clone()));
                    return None;
                }
                if !self.fd_available(host) {
                    return err(Errno::EMFILE);
                }
                self.take_from_queue(lid, socket.clone())
                    .map(CallResult::Accepted)
            }
            Call::Send {
                ref socket,
                bytes,
                ref data,
            } => {
                let Some(id) = self.lookup(host, socket) else {
                    return err(Errno::EBADF);
                };
                if data.as_ref().is_some_and(|d| d.len() as u64 != bytes) {
                    return err(Errno::EINVAL);
                }
                let offset = self.socks[id.index()].ep.bytes_written();
                Some(
                    match self.drive(id, |ep, now, out| ep.send(now, bytes, out)) {
                        Ok(n) => {
                            if let Some(d) = data
                                && n > 0
                            {
                                self.keep_sent(call_id, id, offset, d.prefix(n));
                            }
                            CallResult::bytes(n)
                        }
                        Err(e) => CallResult::Error(e),
                    },
                )
            }
            Call::Recv { ref socket, max } => {
                let Some(id) = self.lookup(host, socket) else {
                    return err(Errno::EBADF);
                };
                let ep = &self.socks[id.index()].ep;
                let offset = ep.bytes_received() - ep.recv_queue();
                let r = CallResult::from_recv(self.drive(id, |ep, _, out| ep.recv(max, out)));
                if let CallResult::Bytes(n) = r
                    && !self.trace.data.is_empty()
                {
                    self.keep_read(call_id, id, offset, n);
                }
                Some(r)
            }
            Call::Close { ref socket } => {
                let Some(id) = self.lookup(host, socket) else {
                    return err(Errno::EBADF);
                };
                self.close_fd(host, id, socket, false);
                Some(CallResult::Ok)
            }
        }
    }

    /// The calls a run makes a few times at most, kept out of [`Simulator::perform`] so that
    /// the code every connection runs stays small (in the page, the browser's optimizing
    /// compiler takes time in proportion to a function's size, while the run waits in slower
    /// baseline code).
    #[inline(never)]
    pub(super) fn perform_rare(&mut self, host: HostId, call: &Call) -> Option<CallResult> {
        let err = |e| Some(CallResult::Error(e));
        match *call {
            Call::Listen {
                ref socket,
                port,
                backlog,
            } => {
                if !self.fd_available(host) {
                    return err(Errno::EMFILE);
                }
                if port == 0 || self.hosts[host.index()].listeners.contains_key(&port) {
                    return err(if port == 0 {
                        Errno::EINVAL
                    } else {
                        Errno::EADDRINUSE
                    });
                }
                let h = &self.hosts[host.index()];
                let local = SocketAddrV4::new(h.addr, port);
                let ep = Endpoint::new(Arc::clone(&h.cfg), local, h.isn_secret);
                let id = self.new_socket(host, ep, Some(socket.clone()), None)?;
                let s = &mut self.socks[id.index()];
                s.fd_open = true;
                s.listener = Some(Listener {
                    backlog,
                    queue: VecDeque::new(),
                    waiting: VecDeque::new(),
                });
                let h = &mut self.hosts[host.index()];
                h.fds += 1;
                h.listeners.insert(port, id);
                h.labels.insert(socket.clone(), id);
                self.name_bound(host, socket, id);
                self.drive(id, |ep, _, out| ep.listen(out))
                    .err()
                    .map(CallResult::Error)
                    .or(Some(CallResult::Ok))
            }
            Call::Shutdown { ref socket, how } => {
                let Some(id) = self.lookup(host, socket) else {
                    return err(Errno::EBADF);
                };
                Some(
                    match self.drive(id, |ep, now, out| ep.shutdown(now, how, out)) {
                        Ok(()) => CallResult::Ok,
                        Err(e) => CallResult::Error(e),
                    },
                )
            }
            Call::SetOption { ref socket, option } => {
                let Some(id) = self.lookup(host, socket) else {
                    return err(Errno::EBADF);
                };
                Some(
                    match self.drive(id, |ep, now, out| ep.set_option(now, option, out)) {
                        Ok(()) => CallResult::Ok,
                        Err(e) => CallResult::Error(e),
                    },
                )
            }
            Call::Abort { ref socket } => {
                let Some(id) = self.lookup(host, socket) else {
                    return err(Errno::EBADF);
                };
                self.close_fd(host, id, socket, true);
                Some(CallResult::Ok)
            }
            Call::Crash => {
                self.crash(host);
                Some(CallResult::Ok)
            }
            Call::Restart => {
                let h = &mut self.hosts[host.index()];
                if !h.up {
                    h.up = true;
                    h.boots += 1;
                    h.isn_secret = splitmix64(h.isn_secret ^ h.boots);
                    self.record(EventKind::HostUp { host });
                }
                Some(CallResult::Ok)
            }
            Call::Connect { .. }
            | Call::Accept { .. }
            | Call::Send { .. }
            | Call::Recv { .. }
            | Call::Close { .. } => None,
        }
    }

    /// close() or abort(): the descriptor goes; the TCB may linger (orphaned).
    pub(super) fn close_fd(&mut self, host: HostId, id: SocketId, label: &str, abort: bool) {
        // A blocked connect() or accept() on this socket returns EBADF.
        if let Some(call_id) = self.socks[id.index()].pending_connect.take() {
            self.record(EventKind::Return {
                host,
                call_id,
                socket: Some(id),
                result: CallResult::Error(Errno::EBADF),
            });
        }
        if let Some(l) = self.socks[id.index()].listener.as_mut() {
            let waiting: Vec<_> = l.waiting.drain(..).collect();
            let queued: Vec<_> = l.queue.drain(..).collect();
            for (call_id, _) in waiting {
                self.record(EventKind::Return {
                    host,
                    call_id,
                    socket: Some(id),
                    result: CallResult::Error(Errno::EBADF),
                });
            }
            for child in queued {
                self.drive(child, |ep, _, out| ep.listener_closed(out));
            }
        }
        let s = &mut self.socks[id.index()];
        if s.fd_open {
            s.fd_open = false;
            self.hosts[host.index()].fds -= 1;
        }
        let h = &mut self.hosts[host.index()];
        if h.labels.get(label) == Some(&id) {
            h.labels.remove(label);
        }
        if abort {
            self.drive(id, |ep, _, out| {
                let _ = ep.abort(out);
            });
        } else {
            self.drive(id, |ep, now, out| {
                let _ = ep.close(now, out);
            });
        }
    }

    pub(super) fn crash(&mut self, host: HostId) {
        if !self.hosts[host.index()].up {
            return;
        }
        for i in 0..self.socks.len() {
            let id = SocketId(i as u32);
            let s = &mut self.socks[i];
            if s.host != host || s.released {
                continue;
            }
            s.fd_open = false;
            s.pending_connect = None;
            if let Some(l) = s.listener.as_mut() {
                l.queue.clear();
                l.waiting.clear();
            }
            self.drive(id, |ep, _, out| ep.vanish(out));
            self.maybe_release(id);
        }
        let h = &mut self.hosts[host.index()];
        h.up = false;
        h.fds = 0;
        h.conns.clear();
        h.listeners.clear();
        h.frees += 1;
        h.labels.clear();
        self.record(EventKind::HostDown { host });
    }

    /// Linux-like ephemeral port choice: the next port in the range whose pair with `remote`
    /// is free (a port may serve several destinations), starting after the last one used.
    pub(super) fn ephemeral_port(&mut self, host: HostId, remote: SocketAddrV4) -> Option<u16> {
        let h = &mut self.hosts[host.index()];
        if h.ports_full == Some((remote, h.frees)) {
            return None;
        }
        let (lo, hi) = h.ephemeral;
        let span = u32::from(hi - lo) + 1;
        for _ in 0..span {
            let port = h.next_port;
            h.next_port = if port >= hi { lo } else { port + 1 };
            let local = SocketAddrV4::new(h.addr, port);
            if !h.conns.contains_key(&pair_key(local, remote)) && !h.listeners.contains_key(&port) {
                return Some(port);
            }
        }
        h.ports_full = Some((remote, h.frees));
        None
    }
}
