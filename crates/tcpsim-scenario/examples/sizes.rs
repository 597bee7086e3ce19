use tcpsim_core::prelude::*;
fn main() {
    use std::mem::size_of;
    println!("TraceEvent {}", size_of::<tcpsim_core::trace::TraceEvent>());
    println!("EventKind {}", size_of::<tcpsim_core::trace::EventKind>());
    println!("Segment {}", size_of::<tcpsim_core::segment::Segment>());
    println!("Endpoint {}", size_of::<tcpsim_core::endpoint::Endpoint>());
    println!("TcpConfig {}", size_of::<tcpsim_core::config::TcpConfig>());
    println!(
        "ScheduledCall {}",
        size_of::<tcpsim_core::trace::ScheduledCall>()
    );
    println!("Call {}", size_of::<Call>());
}
