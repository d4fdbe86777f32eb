/*
 * The worker script, as a string so that it loads the same way from source, from
 * dist/ and in a browser bundle (Node: `new Worker(src, { eval: true })`; browser:
 * a Blob URL). Each worker instantiates the shared module over the shared memory
 * and loops: wait for the job generation to change, join the job if it is still
 * open, run its share, report.
 */
export const WORKER_SOURCE = `
'use strict';
function serve(d) {
  const ctl = d.ctl, tid = d.tid;
  const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory, abort() { throw new Error('wasm abort'); } } });
  const fns = d.names.map((n) => inst.exports[n]);
  // Read the generation before announcing readiness: every job posted after that
  // announcement has a newer generation, and an older one never counted on us.
  let seen = Atomics.load(ctl, 0);
  Atomics.or(ctl, 6, 1 << d.bit);
  for (;;) {
    Atomics.wait(ctl, 0, seen);
    if (Atomics.load(ctl, 16 + d.slot)) return;
    const g = Atomics.load(ctl, 0);
    if (g === seen) continue;
    seen = g;
    // Join the job unless the calling thread has already closed it (ctl[8], bit 30).
    // The job joined may be newer than generation g (this worker was slow), so the
    // participation bit (ctl[7]) and the stop flag are read only once joined: a
    // worker that has left the pool must not run with its old thread index.
    let j = Atomics.load(ctl, 8);
    while (!(j & 0x40000000)) {
      const was = Atomics.compareExchange(ctl, 8, j, j + 1);
      if (was === j) break;
      j = was;
    }
    if (j & 0x40000000) continue;
    const stop = Atomics.load(ctl, 16 + d.slot);
    if (!stop && (Atomics.load(ctl, 7) >> d.bit) & 1) {
      try {
        fns[ctl[2]](ctl[3], tid, ctl[4]);
      } catch (e) {
        Atomics.store(ctl, 5, 1);
      }
    }
    // A joined worker always reports: the calling thread counts on it.
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
    if (stop) return;
  }
}
if (typeof self !== 'undefined' && typeof self.postMessage === 'function' && typeof require === 'undefined') {
  self.onmessage = (e) => serve(e.data);
} else {
  serve(require('node:worker_threads').workerData);
}
`;
