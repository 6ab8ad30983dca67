#!/usr/bin/env bash
# Builds the wasm module with its scalar twins exported (feature `bench`) and times SIMD
# against scalar in one Node process; writes the medians and ratios to docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release --target wasm32-unknown-unknown -p nnplay --lib --no-default-features --features bench
wasm-bindgen --target nodejs --out-dir target/bench-pkg target/wasm32-unknown-unknown/release/nnplay.wasm
node scripts/bench-conv.mjs
