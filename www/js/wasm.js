// The wasm module's exports, once loaded. Trunk's loader sets window.wasmBindings and fires
// TrunkApplicationStarted; views call wasm() after boot and never do network math in JS.
//
// Float32Array views that wasm returns (e.g. ConvLayer.output()) alias wasm memory: read
// them at once, before calling into wasm again, because any allocation may move memory.

let bindings = null;

export function wasmReady() {
  if (window.wasmBindings) {
    bindings = window.wasmBindings;
    return Promise.resolve(bindings);
  }
  return new Promise((resolve) => {
    addEventListener(
      "TrunkApplicationStarted",
      () => {
        bindings = window.wasmBindings;
        resolve(bindings);
      },
      { once: true },
    );
  });
}

export function wasm() {
  if (!bindings) throw new Error("wasm is not loaded yet");
  return bindings;
}

/** URLs of the wasm-bindgen glue and of the .wasm file the page loaded (nnplay-boot.js chose
 *  the relaxed-SIMD build or the SIMD128 one), for workers that load the module too. */
export function wasmUrls() {
  const urls = window.nnplayWasm;
  if (!urls?.js || !urls?.wasm) throw new Error("cannot find the wasm module's URLs in the page");
  return { js: urls.js, wasm: urls.wasm };
}

let seqLoading = null;
let seqBindings = null;
/** Loads the sequence views' wasm module (recurrent networks, segmentation, the language
 *  model: scripts/post-build.py builds it apart, so the image views never load its code);
 *  resolves to its exports. main.js awaits it before mounting a view that `needs` it. */
export function seqModule() {
  seqLoading ??= (async () => {
    const urls = window.nnplaySeq;
    if (!urls?.js || !urls?.wasm) throw new Error("cannot find the sequence views' wasm module in the page");
    const glue = await import(urls.js);
    await glue.default({ module_or_path: urls.wasm });
    seqBindings = glue;
    return glue;
  })();
  // A failed load (a dropped connection) is tried again when the view is opened again.
  seqLoading.catch(() => (seqLoading = null));
  return seqLoading;
}

/** The sequence module's exports, once `seqModule()` has resolved. */
export function seqWasm() {
  if (!seqBindings) throw new Error("the sequence views' wasm module is not loaded yet");
  return seqBindings;
}
