// Inside an LMS's SCORM 1.2 player (Moodle's SCORM activity and the like), the page reports a
// student's progress through the API the player puts on one of the page's parent windows:
// "incomplete" once opened, "completed" once every slide of the course deck has been seen,
// the place reached as the lesson location and the slides seen as suspend data (so a later
// visit goes on counting). Outside a
// player, nothing happens: no API is found, no call is made.

/** SCORM 1.2's run-time: the object named API on this window or one of its parents. */
function findApi() {
  // The specification's search: up the chain of parents, at most a few levels.
  let w = window;
  for (let depth = 0; depth < 8; depth++) {
    try {
      if (w.API && typeof w.API.LMSInitialize === "function") return w.API;
    } catch {
      return null; // another origin's window: not a player this page can talk to
    }
    if (w.parent === w) break;
    w = w.parent;
  }
  // A player that opened the page in a new window keeps the API on its opener's chain.
  try {
    return window.opener?.API && typeof window.opener.API.LMSInitialize === "function" ? window.opener.API : null;
  } catch {
    return null;
  }
}

let api;
let status = null;

/** Starts the LMS session if a player is there; true if one is. Safe to call again. */
export function startScorm() {
  if (api !== undefined) return !!api;
  api = findApi();
  if (!api) return false;
  if (String(api.LMSInitialize("")) !== "true") {
    api = null;
    return false;
  }
  // A student who completed the deck once stays completed.
  status = String(api.LMSGetValue("cmi.core.lesson_status"));
  if (status !== "completed" && status !== "passed") setValue("cmi.core.lesson_status", (status = "incomplete"));
  api.LMSCommit("");
  addEventListener("pagehide", () => api.LMSFinish(""), { once: true });
  return true;
}

function setValue(key, value) {
  api.LMSSetValue(key, String(value));
}

/** Reports that the student has seen the slides `seen` (a set of 0-based indices) of the
 *  deck's `total` and is at slide `at`; the deck is completed when every slide has been seen.
 *  The slides seen are kept in the LMS (cmi.suspend_data), so a later visit goes on counting. */
export function reportSlides(seen, total, at) {
  if (!startScorm()) return;
  setValue("cmi.core.lesson_location", at);
  setValue("cmi.suspend_data", [...seen].sort((a, b) => a - b).join(","));
  if (seen.size >= total && status !== "completed" && status !== "passed") setValue("cmi.core.lesson_status", (status = "completed"));
  api.LMSCommit("");
}

/** What the LMS kept from a visit before: { seen } (the slides seen), or null outside a
 *  player. */
export function savedProgress() {
  if (!startScorm()) return null;
  const seen = String(api.LMSGetValue("cmi.suspend_data") ?? "")
    .split(",")
    .filter((v) => /^\d{1,4}$/.test(v))
    .map(Number);
  return { seen: new Set(seen) };
}
