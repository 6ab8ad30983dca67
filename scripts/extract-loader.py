#!/usr/bin/env python3
"""Trunk post-build hook: moves the inline module script that Trunk writes into index.html
(it imports the wasm-bindgen glue and starts wasm) into its own file, nnplay-boot.js, so the
page runs under a strict Content-Security-Policy (script-src 'self': no inline scripts)."""
import os
import re
import sys

stage = os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "dist")
path = os.path.join(stage, "index.html")
html = open(path, encoding="utf-8").read()
match = re.search(r'<script type="module">(\s*import init, \* as bindings from .*?)</script>', html, re.S)
if not match:
    sys.exit(f"{path}: Trunk's inline loader script was not found")
open(os.path.join(stage, "nnplay-boot.js"), "w", encoding="utf-8").write(
    "// Starts the wasm module (written by Trunk, moved out of index.html for a strict CSP).\n" + match.group(1).strip() + "\n"
)
html = html[: match.start()] + '<script type="module" src="./nnplay-boot.js"></script>' + html[match.end() :]
open(path, "w", encoding="utf-8").write(html)
