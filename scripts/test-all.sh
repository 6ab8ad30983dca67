#!/usr/bin/env bash
# Every test and gate, in the order CI runs them; stops at the first failure.
# Called by `./dev.sh test` after the tools are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# The page's second wasm build, with relaxed SIMD (see scripts/post-build.py), in a target
# directory of its own so that the two builds do not rebuild each other.
relaxed() { CARGO_TARGET_DIR="$PWD/target/relaxed-simd" RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" "$@"; }

step "format"
cargo fmt --all -- --check

step "clippy (native and wasm32)"
cargo clippy --workspace --all-targets -- -D warnings
# The command line is native only, so wasm32 lints the library and its tests.
cargo clippy --target wasm32-unknown-unknown -p nnplay -p nnplay-tests --lib --tests --features nnplay/bench -- -D warnings
relaxed cargo clippy --target wasm32-unknown-unknown -p nnplay -p nnplay-tests --lib --tests --features nnplay/bench -- -D warnings
# The page's two modules, each with only its views' exports (src/wasm/mod.rs).
for module in main-module seq-module; do
  cargo clippy --target wasm32-unknown-unknown -p nnplay --lib --no-default-features --features "$module" -- -D warnings
done

step "native tests"
cargo test --workspace

step "conformance: nnplay check over the golden cases of every implemented op"
cases=()
while read -r op; do
  case "$op" in ''|'#'*) continue ;; esac
  cases+=(tests/golden/cases/"$op"__*.json)
done < tests/golden/implemented.txt
cargo run --release -q -p nnplay --bin nnplay -- check "${cases[@]}"

step "conformance: a fresh random batch from the project's own generator"
seed=${GOLDEN_SEED:-$RANDOM}
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
echo "seed $seed (rerun with GOLDEN_SEED=$seed)"
python3 tests/golden/gen.py --out "$gen" --seed "$seed" --count 5
cargo run --release -q -p nnplay --bin nnplay -- check "$gen" | grep -v " pass "

step "weights interchange: our safetensors files in Python and in docs/pytorch's module (numpy standing in for torch), Python's in nnplay"
python3 tests/python/check_interchange.py

step "the PyTorch code the labs show runs and gives nnplay's numbers (golden cases, LeNet-5, students' networks)"
python3 tests/python/check_snippets.py

step "wasm tests in headless Chromium and Firefox (wasm-pack), SIMD128 build then relaxed-SIMD build"
for build in "" relaxed; do
  $build wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" tests
  $build wasm-pack test --headless --firefox --geckodriver "$(command -v geckodriver)" tests
done

step "page build (Trunk), its LMS packages (SCORM 1.2, web zip) checked, and end-to-end tests in Chromium, then in Firefox ESR"
trunk build --release
python3 scripts/package.py --dist dist --out target/package
python3 tests/python/check_package.py target/package
(cd tests/e2e && E2E_BROWSER=chromium node --test --test-reporter=spec)
(cd tests/e2e && E2E_BROWSER=firefox node --test --test-reporter=spec)
