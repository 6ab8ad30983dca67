#!/usr/bin/env python3
"""Trunk post-build hook. Trunk builds the wasm module with SIMD128 only, which every engine
with wasm SIMD runs (Safari included). This adds a second build of the same module with
relaxed SIMD as well, whose fused multiply-add makes the recurrent nets' products faster
(crate/src/kernels/simd128.rs, `madd`), and a boot script that loads that build where the
engine validates relaxed SIMD and the first one elsewhere. One wasm-bindgen glue serves both
(checked: the two glues must be the same file), so the page and the training worker only
choose which .wasm to fetch.

The boot script replaces the inline module script Trunk writes into index.html, so that the
page runs under a strict Content-Security-Policy (script-src 'self': no inline scripts), and
the .wasm preload goes, or a page that loads the relaxed build would download both.
NNPLAY_SIMD128_ONLY=1 skips the second build (the page then always loads the first)."""
import filecmp
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

stage = os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "dist")
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
path = os.path.join(stage, "index.html")
html = open(path, encoding="utf-8").read()
match = re.search(
    r"<script type=\"module\">\s*import init, \* as bindings from '\./(nnplay-[0-9a-f]+\.js)';"
    r"\s*const wasm = await init\(\{ module_or_path: '\./(nnplay-[0-9a-f]+_bg\.wasm)' \}\);.*?</script>",
    html,
    re.S,
)
if not match:
    sys.exit(f"{path}: Trunk's inline loader script was not found (a Trunk version with another loader?)")
glue, plain = match.group(1), match.group(2)


def build_relaxed():
    """Builds the module again with relaxed SIMD; returns its file name in the stage."""
    target = os.path.join(root, "target", "relaxed-simd")
    env = dict(os.environ, CARGO_TARGET_DIR=target, RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd")
    cargo = ["cargo", "build", "--profile", "web", "--target", "wasm32-unknown-unknown", "-p", "nnplay", "--lib", "--no-default-features", "--features", "main-module"]
    subprocess.run(cargo, cwd=root, env=env, check=True)
    with tempfile.TemporaryDirectory() as out:
        module = os.path.join(target, "wasm32-unknown-unknown", "web", "nnplay.wasm")
        subprocess.run(["wasm-bindgen", "--target", "web", "--no-typescript", "--out-dir", out, module], check=True)
        # Trunk's glue, renamed by its hash, must be this glue byte for byte: the one glue
        # then instantiates either module.
        if not filecmp.cmp(os.path.join(out, "nnplay.js"), os.path.join(stage, glue), shallow=False):
            sys.exit(f"the relaxed-SIMD build's wasm-bindgen glue differs from Trunk's {glue}: the two builds no longer export the same API")
        wasm = os.path.join(out, "nnplay_bg.wasm")
        digest = hashlib.sha256(open(wasm, "rb").read()).hexdigest()[:16]
        name = f"nnplay-relaxed-{digest}_bg.wasm"
        shutil.copyfile(wasm, os.path.join(stage, name))
    return name


relaxed = None if os.environ.get("NNPLAY_SIMD128_ONLY") == "1" else build_relaxed()


def build_seq_module(relaxed):
    """Builds the sequence views' module (feature `seq-module`: recurrent networks, word
    segmentation, the language model), with relaxed SIMD or SIMD128 only as the page's own
    module is chosen; returns (glue, wasm) file names in the stage. Those views load it when
    one is first opened, so the image views' first load never carries their code."""
    flags = "-C target-feature=+simd128" + (",+relaxed-simd" if relaxed else "")
    target = os.path.join(root, "target", "seq-module-relaxed" if relaxed else "seq-module")
    env = dict(os.environ, CARGO_TARGET_DIR=target, RUSTFLAGS=flags)
    cargo = ["cargo", "build", "--profile", "web", "--target", "wasm32-unknown-unknown", "-p", "nnplay", "--lib", "--no-default-features", "--features", "seq-module"]
    subprocess.run(cargo, cwd=root, env=env, check=True)
    with tempfile.TemporaryDirectory() as out:
        module = os.path.join(target, "wasm32-unknown-unknown", "web", "nnplay.wasm")
        subprocess.run(["wasm-bindgen", "--target", "web", "--no-typescript", "--out-name", "nnplay_seq", "--out-dir", out, module], check=True)
        names = []
        for src, suffix in (("nnplay_seq.js", ".js"), ("nnplay_seq_bg.wasm", "_bg.wasm")):
            file = os.path.join(out, src)
            digest = hashlib.sha256(open(file, "rb").read()).hexdigest()[:16]
            names.append(f"nnplay-seq{'-relaxed' if relaxed and suffix != '.js' else ''}-{digest}{suffix}")
            shutil.copyfile(file, os.path.join(stage, names[-1]))
    return names


seq_glue, seq_plain = build_seq_module(False)
seq_relaxed = None
if relaxed:
    glue_relaxed, seq_relaxed = build_seq_module(True)
    # One glue for both builds, as for the page's module.
    if glue_relaxed != seq_glue:
        sys.exit("the sequence module's two builds have different wasm-bindgen glue: they no longer export the same API")

# The smallest module using f32x4.relaxed_madd: (func (result v128) (f32x4.relaxed_madd
# (v128.const 0) (v128.const 0) (v128.const 0))). An engine without relaxed SIMD rejects it.
boot = f"""// Starts the wasm module. Written by scripts/post-build.py: a file of its own for a strict CSP.
import init, * as bindings from "./{glue}";

const zeros = [0xfd, 0x0c, ...new Array(16).fill(0)]; // v128.const 0
const body = [0, ...zeros, ...zeros, ...zeros, 0xfd, 0x85, 0x02, 0x0b]; // f32x4.relaxed_madd; end
const probe = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body];
const relaxed = {"WebAssembly.validate(new Uint8Array(probe))" if relaxed else "false"};
const file = relaxed ? "./{relaxed or ""}" : "./{plain}";
const wasm = await init({{ module_or_path: new URL(file, import.meta.url) }});
window.wasmBindings = bindings;
// For workers that load the same module (see www/js/wasm.js, wasmUrls).
window.nnplayWasm = {{ js: new URL("./{glue}", import.meta.url).href, wasm: new URL(file, import.meta.url).href, relaxed }};
// The sequence views' module, loaded when one of them first opens (www/js/wasm.js, seqModule).
window.nnplaySeq = {{ js: new URL("./{seq_glue}", import.meta.url).href, wasm: new URL(relaxed ? "./{seq_relaxed or ""}" : "./{seq_plain}", import.meta.url).href }};
dispatchEvent(new CustomEvent("TrunkApplicationStarted", {{ detail: {{ wasm }} }}));
"""
open(os.path.join(stage, "nnplay-boot.js"), "w", encoding="utf-8").write(boot)
html = html[: match.start()] + '<script type="module" src="./nnplay-boot.js"></script>' + html[match.end() :]
html, dropped = re.subn(r'<link rel="preload" href="\./nnplay-[0-9a-f]+_bg\.wasm"[^>]*>\s*', "", html)
if dropped != 1:
    sys.exit(f"{path}: expected one .wasm preload link from Trunk, found {dropped}")
open(path, "w", encoding="utf-8").write(html)
