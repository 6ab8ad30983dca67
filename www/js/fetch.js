// Files of the page's own origin (weights, test digits), fetched as bytes; a failed request is
// a sentence naming the file, for the view to show.

/** The bytes of `path` (relative to the page). */
export async function fetchBytes(path) {
  const r = await fetch(new URL(path, document.baseURI));
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}
