// What the training workers share: the message protocol and the loop that runs a trainer in
// chunks of steps, each sized to take about 100 ms, yielding between chunks so that pause
// and weights messages get in.
// Messages in: init (the worker's settings), start, pause, weights.
// Messages out: the worker's own (ready, progress, eval, …), then paused or done when a run
// stops with no chunk in flight (so the page's numbers are final), weights, error.

/** Calls `trainer.run(steps)` while `running()` holds; after each chunk, `after(ran, ms)`.
 *  Resolves to true when the run ended (a chunk ran fewer steps than asked), false when it
 *  was paused. */
async function inChunks(trainer, running, after) {
  let steps = 1; // grows so that each chunk takes about 100 ms
  while (running()) {
    const t0 = performance.now();
    const ran = trainer.run(steps);
    const ms = performance.now() - t0;
    after(ran, ms);
    if (ran < steps) return true;
    steps = Math.max(1, Math.min(256, Math.round((steps * 100) / Math.max(ms, 1))));
    await new Promise((r) => setTimeout(r, 0));
  }
  return false;
}

/** Serves the protocol. `setup(m)` builds the trainer from init's message (and may post
 *  status itself); `chunks(trainer)` returns `{ before, after(ran, ms), end(over) }` for one
 *  run — what to post before it, after each chunk, and with its paused / done message;
 *  `reply(trainer, m)` the extra fields of the weights reply. */
export function serve({ setup, chunks, reply = () => ({}) }) {
  let trainer = null;
  let running = false;
  const error = (err) => postMessage({ type: "error", message: err.message ?? String(err) });
  async function run() {
    const c = chunks(trainer);
    c.before?.();
    const over = await inChunks(trainer, () => running, c.after);
    running = false;
    postMessage(over ? { type: "done", ...c.end?.(true) } : { type: "paused", step: trainer.step, ...c.end?.(false) });
  }
  onmessage = async (e) => {
    const m = e.data;
    try {
      if (m.type === "init") trainer = await setup(m);
      else if (!trainer) throw new Error("the trainer is not initialised yet");
      else if (m.type === "start" && !running) {
        running = true;
        run().catch((err) => {
          running = false;
          error(err);
        });
      } else if (m.type === "pause") running = false;
      else if (m.type === "weights") {
        const bytes = trainer.weights();
        postMessage({ type: "weights", bytes, ...reply(trainer, m) }, [bytes.buffer]);
      }
    } catch (err) {
      error(err);
    }
  };
}
