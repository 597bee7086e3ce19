pub use tcpsim_core as core;
