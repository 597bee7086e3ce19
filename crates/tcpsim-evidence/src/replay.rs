//! A captured connection as a scenario file (`tcpsim scenario-from`): the calls each side
//! evidently made, at the times its segments show, over a link with the latency the handshake
//! shows, with expectations that the simulator ends each side where the capture left it. The
//! user then asks "what if": add the close() the client never made, and run it again.

use crate::capture::{Connection, Side, Story};
use std::fmt::Write;
use tcpsim_core::state::State;

/// Why a connection cannot be replayed (yet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotReplayable {
    /// Its story is not one the writer knows how to tell with calls.
    Story(Story),
    /// It is IPv6, and the simulator's hosts are IPv4.
    Ipv6,
}

/// Microseconds as a duration in a scenario file.
fn us(v: u64) -> String {
    if v.is_multiple_of(1000) {
        format!("{}ms", v / 1000)
    } else {
        format!("{v}us")
    }
}

/// A TOML basic string: quotes and backslashes escaped, control characters dropped.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// When a side sent its FIN (its application's close()), from its states.
fn closed_at(side: &Side) -> Option<u64> {
    side.states
        .iter()
        .find(|(_, s)| matches!(s, State::FinWait1 | State::LastAck))
        .map(|(t, _)| *t)
}

/// The scenario text for connection `n` (as the report numbers it) of capture `name`.
pub fn scenario_from(name: &str, n: usize, c: &Connection) -> Result<String, NotReplayable> {
    let (Some(client), Some(server)) = (c.client.addr, c.server.addr) else {
        return Err(NotReplayable::Story(c.story));
    };
    let (std::net::IpAddr::V4(ca), std::net::IpAddr::V4(sa)) = (client.ip(), server.ip()) else {
        return Err(NotReplayable::Ipv6);
    };
    if !matches!(
        c.story,
        Story::Graceful
            | Story::Open
            | Story::LeftOpenByClient
            | Story::LeftOpenByServer
            | Story::LateFinReset
            | Story::ResetUnreadData
            | Story::Refused
    ) {
        return Err(NotReplayable::Story(c.story));
    }
    let syn = c.client.states.first().map_or(c.first_us, |(t, _)| *t);
    // The handshake's round trip, as seen where the capture was taken: half of it each way.
    let synack = c
        .server
        .states
        .iter()
        .find(|(_, s)| *s == State::SynReceived)
        .map(|(t, _)| *t);
    let one_way = synack.map_or(10_000, |t| (t.saturating_sub(syn) / 2).max(1));
    // Times in the file count from the client's SYN.
    let at = |t: u64| us(t.saturating_sub(syn));
    let end = c.last_us.saturating_sub(syn);
    let mut f = String::new();
    let story = c.story.said(&client.to_string(), &server.to_string());
    let _ = writeln!(
        f,
        "# Connection {n} of {name}, replayed: the calls each side evidently made, at the times its"
    );
    let _ = writeln!(
        f,
        "# segments show. Change a call (add the close() that was never made) and run it again."
    );
    let _ = writeln!(
        f,
        "title = {{ en = \"Connection {n} of the capture\", zh = \"抓包中的第 {n} 个连接\" }}"
    );
    let _ = writeln!(
        f,
        "description = {{ en = {}, zh = {} }}",
        toml_str(&story.en),
        toml_str(&story.zh)
    );
    // Two minutes past the capture's end, for the timers that follow to show.
    let _ = writeln!(f, "duration = \"{}\"\n", us(end + 120_000_000));
    let _ = writeln!(f, "[network]\nlatency = \"{}\"\n", us(one_way));
    // Both ends on one address (a capture on loopback): the simulator gives each host its own.
    let sa = if sa == ca {
        let _ = writeln!(
            f,
            "# Both ends were {ca} in the capture: the server is given the next address."
        );
        std::net::Ipv4Addr::from(u32::from(ca).wrapping_add(1))
    } else {
        sa
    };
    // A side gone before its peer's late FIN had a tcp_fin_timeout shorter than the wait: under
    // 60 s, the kernel's was lowered (the default's orphan would still have been there).
    let fin_timeout = |side: &Side, other: &Side| -> String {
        let fw2 = side
            .states
            .iter()
            .find(|(_, s)| *s == State::FinWait2)
            .map(|(t, _)| *t);
        let late = closed_at(other);
        match (c.story, fw2, late, side.rst) {
            (Story::LateFinReset, Some(fw2), Some(late), Some(_))
                if late.saturating_sub(fw2) < 60_000_000 =>
            {
                format!(
                    "tcp = {{ fin_timeout = \"{}\" }}  # gone before the late FIN, {} after it closed\n",
                    us((late - fw2) / 2),
                    us(late - fw2)
                )
            }
            _ => String::new(),
        }
    };
    let _ = writeln!(
        f,
        "[[hosts]]\nname = \"client\"\naddr = \"{ca}\"\n{}\n[[hosts]]\nname = \"server\"\naddr = \"{sa}\"\n{}",
        fin_timeout(&c.client, &c.server),
        fin_timeout(&c.server, &c.client)
    );
    let step = |f: &mut String, at: &str, host: &str, call: &str, rest: &str| {
        let _ = writeln!(
            f,
            "[[timeline]]\nat = \"{at}\"\nhost = \"{host}\"\ncall = \"{call}\"\n{rest}"
        );
    };
    if c.story != Story::Refused {
        let listen = format!("socket = \"listener\"\nport = {}\n", server.port());
        step(&mut f, "0ms", "server", "listen", &listen);
        let accept = "listener = \"listener\"\nsocket = \"conn\"\n";
        step(&mut f, "0ms", "server", "accept", accept);
    }
    let connect = format!(
        "socket = \"conn\"\nto = \"server:{}\"\nlocal_port = {}\n",
        server.port(),
        client.port()
    );
    step(&mut f, "0ms", "client", "connect", &connect);
    // What each side sent, once connected (the client first); each side reads what it gets,
    // except one that closed with data unread.
    let unread_by = (c.story == Story::ResetUnreadData).then(|| {
        let by_client = c
            .client
            .rst
            .is_some_and(|r| c.server.rst.is_none_or(|v| r <= v));
        if by_client { "client" } else { "server" }
    });
    for (host, side, peer) in [
        ("client", &c.client, &c.server),
        ("server", &c.server, &c.client),
    ] {
        if side.bytes > 0 {
            let _ = writeln!(
                f,
                "[[timeline]]\nat = \"0ms\"\nhost = \"{host}\"\ncall = \"send\"\nsocket = \"conn\"\nbytes = {}\non = \"{}\"\n",
                side.bytes,
                if host == "client" {
                    "connected"
                } else {
                    "readable"
                }
            );
        }
        if peer.bytes > 0 && unread_by != Some(host) {
            let _ = writeln!(
                f,
                "[[timeline]]\nat = \"0ms\"\nhost = \"{host}\"\ncall = \"recv\"\nsocket = \"conn\"\non = \"readable\"\n"
            );
        }
    }
    // The closes, where the side's FIN (or, for unread data, its RST) shows one.
    for (host, side) in [("client", &c.client), ("server", &c.server)] {
        let when = if unread_by == Some(host) {
            side.states.last().map(|(t, _)| *t)
        } else {
            closed_at(side)
        };
        if let Some(t) = when {
            step(&mut f, &at(t), host, "close", "socket = \"conn\"\n");
        }
    }
    // Where the capture left each side, once its last segments have crossed the link.
    let settled = at(c.last_us + 4 * one_way);
    for (host, side) in [("client", &c.client), ("server", &c.server)] {
        let Some(state) = side.states.last().map(|(_, s)| *s) else {
            continue;
        };
        if c.story == Story::Refused && host == "server" {
            continue;
        }
        let _ = writeln!(
            f,
            "[[expect]]\nnote = {{ en = \"where the capture left the {host}\", zh = \"抓包结束时{}所处的状态\" }}\nsocket = \"{host}/conn\"\nstate = \"{}\"\nat = \"{}\"\n",
            if host == "client" {
                "客户端"
            } else {
                "服务器"
            },
            state.rfc_name(),
            settled
        );
    }
    Ok(f)
}
