// Runs the wasm32 build of tcpsim-wasm-check and prints one `seed:digest` line per seed.
// Used by `cargo xtask wasm-check`; the seeds must match tcpsim_wasm_check::SEEDS.
import { readFile } from 'node:fs/promises';

const SEEDS = [1n, 2n, 42n, 0xdeadbeefn];
const bytes = await readFile(process.argv[2]);
const { instance } = await WebAssembly.instantiate(bytes, {});
for (const seed of SEEDS) {
  const digest = BigInt.asUintN(64, instance.exports.tcpsim_digest(seed));
  console.log(`${seed}:${digest.toString(16).padStart(16, '0')}`);
}
