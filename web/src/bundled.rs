//! The bundled scenarios, compiled into the page (lessons first, then incidents).

pub struct Bundled {
    pub id: &'static str,
    pub text: &'static str,
}

pub const DEFAULT: &str = "handshake";

pub const SCENARIOS: &[Bundled] = &[
    Bundled {
        id: "handshake",
        text: include_str!("../../scenarios/handshake.toml"),
    },
    Bundled {
        id: "four-way-close",
        text: include_str!("../../scenarios/four-way-close.toml"),
    },
    Bundled {
        id: "simultaneous-close",
        text: include_str!("../../scenarios/simultaneous-close.toml"),
    },
    Bundled {
        id: "simultaneous-open",
        text: include_str!("../../scenarios/simultaneous-open.toml"),
    },
    Bundled {
        id: "time-wait",
        text: include_str!("../../scenarios/time-wait.toml"),
    },
    Bundled {
        id: "leaked-close",
        text: include_str!("../../scenarios/leaked-close.toml"),
    },
    Bundled {
        id: "leaked-close-late-rst",
        text: include_str!("../../scenarios/leaked-close-late-rst.toml"),
    },
    Bundled {
        id: "close-with-unread-data",
        text: include_str!("../../scenarios/close-with-unread-data.toml"),
    },
    Bundled {
        id: "linger-zero-abort",
        text: include_str!("../../scenarios/linger-zero-abort.toml"),
    },
    Bundled {
        id: "half-close",
        text: include_str!("../../scenarios/half-close.toml"),
    },
    Bundled {
        id: "lost-fin-retransmit",
        text: include_str!("../../scenarios/lost-fin-retransmit.toml"),
    },
    Bundled {
        id: "syn-timeout",
        text: include_str!("../../scenarios/syn-timeout.toml"),
    },
    Bundled {
        id: "connect-refused",
        text: include_str!("../../scenarios/connect-refused.toml"),
    },
    Bundled {
        id: "keepalive-detects-dead-peer",
        text: include_str!("../../scenarios/keepalive-detects-dead-peer.toml"),
    },
    Bundled {
        id: "http-client-leak",
        text: include_str!("../../scenarios/http-client-leak.toml"),
    },
    Bundled {
        id: "http-client-pooled",
        text: include_str!("../../scenarios/http-client-pooled.toml"),
    },
    Bundled {
        id: "server-exception-leak",
        text: include_str!("../../scenarios/server-exception-leak.toml"),
    },
    Bundled {
        id: "lb-idle-timeout",
        text: include_str!("../../scenarios/lb-idle-timeout.toml"),
    },
    Bundled {
        id: "http-client-leak-production",
        text: include_str!("../../scenarios/http-client-leak-production.toml"),
    },
];

pub fn find(id: &str) -> Option<&'static Bundled> {
    SCENARIOS.iter().find(|b| b.id == id)
}

include!(concat!(env!("OUT_DIR"), "/titles.rs"));

/// (English, Chinese) titles of the bundled scenarios, in `SCENARIOS` order.
pub fn titles() -> Vec<(&'static str, &'static str)> {
    SCENARIOS
        .iter()
        .map(|b| {
            TITLES
                .iter()
                .find(|t| t.0 == b.id)
                .map_or((b.id, b.id), |t| (t.1, t.2))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_file_in_scenarios_is_bundled() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                e.ok()?
                    .path()
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
            })
            .filter(|n| !n.ends_with(".schema") && n != "README")
            .collect();
        files.sort();
        let mut ids: Vec<String> = super::SCENARIOS.iter().map(|b| b.id.to_string()).collect();
        ids.sort();
        assert_eq!(files, ids);
    }
}
