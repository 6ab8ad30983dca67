// The training workers' loop: runs a trainer in chunks of steps, each sized to take about
// 100 ms, yielding between chunks so that pause and weights messages get in, until it is
// paused or the run ends.

/** Calls `trainer.run(steps)` while `running()` holds; after each chunk, `after(ran, ms)`.
 *  Resolves to true when the run ended (a chunk ran fewer steps than asked), false when it
 *  was paused; the trainer's numbers are final either way. */
export async function inChunks(trainer, running, after) {
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
