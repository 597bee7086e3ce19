//! Prints the native digests, one per seed, in the format tests/wasm-determinism.mjs prints.
fn main() {
    for seed in tcpsim_wasm_check::SEEDS {
        println!("{seed}:{:016x}", tcpsim_wasm_check::digest(seed));
    }
}
