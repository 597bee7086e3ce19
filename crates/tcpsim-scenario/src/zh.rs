//! Simplified Chinese for the scenario checker's messages. Each English message is matched
//! against a template (`{}` captures a value) and rewritten in Chinese (`{0}`, `{1}` place the
//! captured values, themselves translated when they are messages). A message with no template
//! stays in English.

const TABLE: &[(&str, &str)] = &[
    // Names and references.
    ("there is no host named `{}`", "没有名为 `{0}` 的主机"),
    ("the hosts are: {}", "现有的主机：{0}"),
    (
        "write the destination as \"host:port\" (a host name from this file) or \"10.0.0.2:80\"",
        "目的地址写成 \"主机名:端口\"（本文件中的主机名）或 \"10.0.0.2:80\"",
    ),
    ("`{}` has no port", "`{0}` 缺少端口"),
    (
        "`{}` is not a port number (1 to 65535)",
        "`{0}` 不是端口号（1 到 65535）",
    ),
    (
        "`{}` is neither a host of this file nor an IPv4 address",
        "`{0}` 既不是本文件中的主机，也不是 IPv4 地址",
    ),
    ("`{}` does not apply to `{}`", "`{1}` 不接受 `{0}` 这个键"),
    ("`{}` takes: no other keys", "`{0}` 不接受其他键"),
    ("`{}` takes: {}", "`{0}` 可用的键：{1}"),
    ("`{}` is not a usable socket name", "`{0}` 不能用作套接字名"),
    (
        "use letters, digits, `-` and `_`, e.g. \"client-1\"",
        "请使用字母、数字、`-` 和 `_`，例如 \"client-1\"",
    ),
    (
        "use letters, digits, `-` and `_`",
        "请使用字母、数字、`-` 和 `_`",
    ),
    (
        "`{}` needs `socket`, the name of the socket",
        "`{0}` 需要 `socket`（套接字的名字）",
    ),
    ("add e.g. {}", "例如加上 {0}"),
    ("`{}` needs `{}`", "`{0}` 需要 `{1}`"),
    (
        "socket `{}` is used at {} but only opened at {}",
        "套接字 `{0}` 在 {1} 被使用，但直到 {2} 才打开",
    ),
    (
        "move this call after the one that opens the socket",
        "把这个调用移到打开该套接字的调用之后",
    ),
    (
        "socket `{}` is never opened on host `{}`",
        "主机 `{1}` 上从未打开名为 `{0}` 的套接字",
    ),
    (
        "open it first with `listen`, `connect` or `accept` on the same host",
        "请先在同一主机上用 `listen`、`connect` 或 `accept` 打开它",
    ),
    (
        "socket `{}` is a listening socket, which `{}` cannot use",
        "套接字 `{0}` 是监听套接字，`{1}` 不能用于它",
    ),
    (
        "socket `{}` is a connection, which `{}` cannot use",
        "套接字 `{0}` 是一个连接，`{1}` 不能用于它",
    ),
    (
        "send, recv and shutdown work on connections: accept one first",
        "send、recv 和 shutdown 只能用于连接：请先 accept 一个连接",
    ),
    (
        "accept takes the listening socket in `listener`",
        "accept 的监听套接字要写在 `listener` 中",
    ),
    ("port 0 cannot be listened on", "不能监听 0 号端口"),
    ("use 1 to 65535", "请使用 1 到 65535"),
    ("this option takes {}", "这个选项的取值应为 {0}"),
    (
        "e.g. value = true, value = \"60s\" or value = 5",
        "例如 value = true、value = \"60s\" 或 value = 5",
    ),
    ("true or false", "true 或 false"),
    ("a duration such as \"60s\"", "像 \"60s\" 这样的时长"),
    ("a count from 1 to 127", "1 到 127 之间的次数"),
    // Time.
    (
        "{} is after the end of the run ({})",
        "{0} 晚于运行结束的时间（{1}）",
    ),
    (
        "use a time within `duration`, or \"end\"",
        "请使用 `duration` 之内的时间，或写 \"end\"",
    ),
    ("{}; or \"end\"", "{0}；也可以写 \"end\""),
    (
        "`{}` is not a duration: write a number and a unit, like `150ms`, `60s`, `1.5s`, `2min` or `1h` (units: us, ms, s, min, h; parts may be combined, as in `1h30min`)",
        "`{0}` 不是时长：请写数字加单位，例如 `150ms`、`60s`、`1.5s`、`2min` 或 `1h`（单位：us、ms、s、min、h；可以组合，例如 `1h30min`）",
    ),
    (
        "this call at {} is after the end of the run ({})",
        "这个调用的时间 {0} 晚于运行结束的时间（{1}）",
    ),
    (
        "make `duration` longer or the call earlier",
        "请加长 `duration`，或把调用提前",
    ),
    ("this call has no time", "这个调用没有时间"),
    (
        "`after` belongs in the calls of a [[repeat]]",
        "`after` 只能用在 [[repeat]] 的调用里",
    ),
    (
        "in the timeline, give the time with `at`",
        "在 timeline 中请用 `at` 指定时间",
    ),
    (
        "a run of {} is outside the allowed range",
        "运行时长 {0} 超出了允许的范围",
    ),
    (
        "use a duration above 0 and at most {}",
        "请使用大于 0 且不超过 {0} 的时长",
    ),
    // Expectations.
    ("`{}` does not say which host", "`{0}` 没有说明是哪台主机"),
    (
        "name a socket as \"host/socket\", e.g. \"client/c\"",
        "套接字要写成 \"主机/套接字\"，例如 \"client/c\"",
    ),
    (
        "host `{}` never opens a socket named `{}`",
        "主机 `{0}` 从未打开名为 `{1}` 的套接字",
    ),
    ("this host opens no sockets", "这台主机没有打开任何套接字"),
    ("its sockets are: {}", "它的套接字有：{0}"),
    (
        "this expectation says nothing to check",
        "这条预期没有说明要检查什么",
    ),
    (
        "this expectation mixes several checks",
        "这条预期混合了多种检查",
    ),
    (
        "give exactly one of: state (with socket), count (with host), segment, result (with socket or host)",
        "请只给出其中一种：state（配合 socket）、count（配合 host）、segment、result（配合 socket 或 host）",
    ),
    (
        "`state` needs `socket`, as \"host/socket\"",
        "`state` 需要 `socket`，写成 \"主机/套接字\"",
    ),
    (
        "`count` needs `host`: whose sockets to count",
        "`count` 需要 `host`：统计哪台主机的套接字",
    ),
    ("`count` needs a bound", "`count` 需要一个界限"),
    (
        "add min, max or equals, e.g. min = 1000",
        "请加上 min、max 或 equals，例如 min = 1000",
    ),
    ("`{}` is not a result", "`{0}` 不是一个结果"),
    (
        "use \"ok\" or an errno: {}",
        "请使用 \"ok\" 或一个错误码：{0}",
    ),
    (
        "`result` needs `socket` (\"host/socket\") or `host`",
        "`result` 需要 `socket`（\"主机/套接字\"）或 `host`",
    ),
    (
        "unknown TCP state `{}`: {}",
        "未知的 TCP 状态 `{0}`：请使用 RFC 9293 的名字（LISTEN、SYN-SENT、SYN-RECEIVED、ESTABLISHED、FIN-WAIT-1、FIN-WAIT-2、CLOSE-WAIT、CLOSING、LAST-ACK、TIME-WAIT、CLOSED）；也可以用 netstat（CLOSE_WAIT、FIN_WAIT2、SYN_RECV）或 ss（ESTAB、SYN-RECV）的写法",
    ),
    (
        "unknown TCP flag `{}`: {}",
        "未知的 TCP 标志 `{0}`：请使用 SYN、FIN、RST、PSH 或 ACK，用 `,` 或 `+` 连接（例如 `SYN,ACK`）",
    ),
    // Hosts, links, repeats, faults.
    ("the file has no hosts", "文件中没有主机"),
    (
        "add at least two [[hosts]] with a name and an addr",
        "请至少加上两个带 name 和 addr 的 [[hosts]]",
    ),
    ("a second host is named `{}`", "又有一台主机叫 `{0}`"),
    ("give every host its own name", "每台主机要有自己的名字"),
    ("`{}` cannot be a host name", "`{0}` 不能用作主机名"),
    (
        "a second host has the address {}",
        "又有一台主机使用地址 {0}",
    ),
    ("give every host its own address", "每台主机要有自己的地址"),
    (
        "host `{}`: ephemeral_ports `{}` is not a range",
        "主机 `{0}`：ephemeral_ports `{1}` 不是一个范围",
    ),
    ("write it as \"32768-60999\"", "请写成 \"32768-60999\""),
    (
        "{} probability {} is out of range: use a number from 0 to 1",
        "{0} 概率 {1} 超出范围：请使用 0 到 1 之间的数",
    ),
    (
        "a link that loses every segment is a cut",
        "丢弃所有报文的链路等于断开",
    ),
    (
        "to cut a link for a while, add a fault with action = \"drop\", after and before",
        "如果要暂时断开链路，请加一条 action = \"drop\" 并带 after 和 before 的故障",
    ),
    ("`every` must be above zero", "`every` 必须大于零"),
    (
        "a repeat needs exactly one of `count` and `until`",
        "repeat 需要 `count` 和 `until` 中的恰好一个",
    ),
    (
        "this repeat schedules {} calls, over the limit of {}",
        "这个 repeat 安排了 {0} 个调用，超过了上限 {1}",
    ),
    (
        "repeat fewer times, or raise [limits] max_calls",
        "请减少重复次数，或调高 [limits] max_calls",
    ),
    (
        "this repeat schedules {} calls, over the {} that run here",
        "这个 repeat 安排了 {0} 个调用，超过了这里能运行的 {1} 个",
    ),
    (
        "run it with the tcpsim command-line tool (this file allows {}), or repeat fewer times",
        "请用 tcpsim 命令行工具运行（这个文件允许 {0} 个），或减少重复次数",
    ),
    (
        "[limits] max_calls = {} is over the most a file may schedule ({})",
        "[limits] max_calls = {0} 超过了一个文件最多能安排的调用数（{1}）",
    ),
    ("use at most {}", "请最多使用 {0}"),
    (
        "repeat fewer times: no file may schedule more calls",
        "请减少重复次数：任何文件都不能安排更多的调用",
    ),
    ("this repeat has no calls", "这个 repeat 没有调用"),
    (
        "add [[repeat.calls]] tables with after, host and call",
        "请加上带 after、host 和 call 的 [[repeat.calls]] 表",
    ),
    (
        "calls of a repeat are timed with `after`, not `at`",
        "repeat 中的调用用 `after` 而不是 `at` 指定时间",
    ),
    ("`nth` counts from 1", "`nth` 从 1 开始计数"),
    (
        "nth = 1 is the first matching segment",
        "nth = 1 表示第一个匹配的报文",
    ),
    (
        "`count` is how many matching segments to hit",
        "`count` 是要作用的匹配报文个数",
    ),
    (
        "use a number from 1, or \"all\"",
        "请使用从 1 起的数字，或 \"all\"",
    ),
    ("a delay needs `delay`", "延迟需要 `delay`"),
    ("`delay` does not apply to a drop", "丢弃不需要 `delay`"),
    (
        "use action = \"delay\", or remove `delay`",
        "请使用 action = \"delay\"，或去掉 `delay`",
    ),
    // The TOML parser's messages (toml_parser), with what it expected.
    ("{}, expected {}", "{0}，应为 {1}"),
    ("duplicate key", "重复的键"),
    ("unclosed array table", "数组表的方括号没有闭合"),
    ("unclosed table", "表头的方括号没有闭合"),
    ("unclosed inline table", "内联表的花括号没有闭合"),
    ("unclosed array", "数组的方括号没有闭合"),
    (
        "missing comma between array elements",
        "数组元素之间缺少逗号",
    ),
    (
        "missing comma between key-value pairs",
        "键值对之间缺少逗号",
    ),
    (
        "missing assignment between key-value pairs",
        "键和值之间缺少 `=`",
    ),
    ("missing value for key", "键缺少值"),
    ("missing value", "缺少值"),
    ("key with no value", "键没有值"),
    ("string values must be quoted", "字符串值必须加引号"),
    ("invalid unquoted key", "不加引号的键不合法"),
    ("unquoted keys cannot be empty", "不加引号的键不能为空"),
    ("missing opening quote", "缺少开头的引号"),
    ("missing escaped value", "转义序列不完整"),
    ("invalid basic string", "字符串不合法"),
    ("extra comma in array", "数组中多了逗号"),
    ("extra comma in inline table", "内联表中多了逗号"),
    ("extra assignment between key-value pairs", "多了 `=`"),
    ("extra `=`", "多了 `=`"),
    ("unexpected key or value", "这里不应出现键或值"),
    ("unexpected content", "这里不应有内容"),
    (
        "unexpected content between comment and newline",
        "注释和换行之间不应有内容",
    ),
    ("invalid value", "值不合法"),
    ("invalid key-value pair", "键值对不合法"),
    ("unexpected leading zero", "数字不能以 0 开头"),
    ("`_` may only go between digits", "`_` 只能写在数字之间"),
    (
        "carriage return must be followed by newline",
        "回车符后面必须是换行符",
    ),
    ("nothing", "无"),
    (
        "write an IPv4 address such as \"10.0.0.1\" (four numbers from 0 to 255)",
        "请写 IPv4 地址，例如 \"10.0.0.1\"（四个 0 到 255 之间的数）",
    ),
];

/// Matches `s` against a template with `{}` holes; returns the holes' contents.
fn captures(template: &str, s: &str) -> Option<Vec<String>> {
    let pieces: Vec<&str> = template.split("{}").collect();
    if pieces.len() == 1 {
        return (template == s).then(Vec::new);
    }
    let mut rest = s.strip_prefix(pieces[0])?;
    let mut out = Vec::new();
    for (i, piece) in pieces.iter().enumerate().skip(1) {
        if i == pieces.len() - 1 {
            // The last piece ends the message.
            let cap = rest.strip_suffix(piece)?;
            out.push(cap.to_string());
            rest = "";
        } else {
            let at = if piece.is_empty() {
                0
            } else {
                rest.find(piece)?
            };
            out.push(rest[..at].to_string());
            rest = &rest[at + piece.len()..];
        }
    }
    rest.is_empty().then_some(out)
}

/// The Chinese for an English message, or the message itself when it has no template.
/// When several templates match, the most specific one (the most literal text) wins.
pub fn to_zh(en: &str) -> String {
    let best = TABLE
        .iter()
        .filter_map(|(template, zh)| {
            captures(template, en).map(|caps| (template.replace("{}", "").len(), zh, caps))
        })
        .max_by_key(|(specific, ..)| *specific);
    match best {
        Some((_, zh, caps)) => {
            let mut out = zh.to_string();
            for (i, c) in caps.iter().enumerate() {
                out = out.replace(&format!("{{{i}}}"), &to_zh(c));
            }
            out
        }
        None => en.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_rewritten_with_their_values() {
        assert_eq!(
            to_zh("there is no host named `clinet`"),
            "没有名为 `clinet` 的主机"
        );
        assert_eq!(
            to_zh("`port` does not apply to `connect`"),
            "`connect` 不接受 `port` 这个键"
        );
        assert_eq!(
            to_zh("socket `c` is used at 1s but only opened at 2s"),
            "套接字 `c` 在 1s 被使用，但直到 2s 才打开"
        );
        // Nested: a duration error inside another message.
        let nested = to_zh(
            "`10 parsecs` is not a duration: write a number and a unit, like `150ms`, `60s`, `1.5s`, `2min` or `1h` (units: us, ms, s, min, h; parts may be combined, as in `1h30min`); or \"end\"",
        );
        assert!(
            nested.starts_with("`10 parsecs` 不是时长") && nested.ends_with("也可以写 \"end\""),
            "{nested}"
        );
        // Unknown messages stay as they are.
        assert_eq!(to_zh("something new"), "something new");
        // The specific template wins over a generic one that also matches.
        assert_eq!(
            to_zh("this call at 2s is after the end of the run (1s)"),
            "这个调用的时间 2s 晚于运行结束的时间（1s）"
        );
    }

    #[test]
    fn every_template_has_its_holes_in_chinese() {
        for (en, zh) in TABLE {
            let holes = en.matches("{}").count();
            for i in 0..holes {
                assert!(
                    zh.contains(&format!("{{{i}}}")) || en.starts_with("unknown TCP"),
                    "{en} -> {zh}: hole {i} unused"
                );
            }
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
        }
    }
}
