// Files a student loaded, kept in this browser (IndexedDB) so a reload shows them again;
// never sent anywhere. One entry per use: "network" (the LeNet view's), "lm" (the
// language-model view's).

/** A file a student loads is refused before it is read past this size: the page's networks
 *  are at most 2 M parameters (8 MB as f32), its character models a few MB. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

const DB = "nnplay";
const STORE = "files";

function db() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Keeps `entry` ({ name, bytes, … }) under `key`. */
export async function keep(key, entry) {
  const d = await db();
  await new Promise((resolve, reject) => {
    const tx = d.transaction(STORE, "readwrite");
    tx.objectStore(STORE).put(entry, key);
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  d.close();
}

/** The entry kept under `key`, or null (also when the browser refuses storage). */
export async function kept(key) {
  try {
    const d = await db();
    const entry = await new Promise((resolve, reject) => {
      const r = d.transaction(STORE).objectStore(STORE).get(key);
      r.onsuccess = () => resolve(r.result ?? null);
      r.onerror = () => reject(r.error);
    });
    d.close();
    return entry;
  } catch {
    return null;
  }
}
