// Lockstep: run.mjs starts every engine process of one workload at once, and lets
// one of them compute at a time. An engine asks for its next turn with turn();
// run.mjs answers one waiting process at a time, round-robin. Timed calls are
// then taken in short blocks that alternate between the engines, so a slow
// moment of this shared machine (they last from seconds to hours) falls on
// every engine of the comparison instead of on whichever process ran then.
// Without BENCH_LOCKSTEP=1 (an engine run by hand), turn() returns at once.

export const lockstep = process.env.BENCH_LOCKSTEP === '1';
/** Own compute per turn, in ms: long enough that the switch (caches refilled) is a small share of a block. */
export const TURN_MS = 250;

const waiting = [];
let buffered = '';
if (lockstep) {
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    buffered += chunk;
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      buffered = buffered.slice(i + 1);
      waiting.shift()?.();
    }
    // Between turns stdin must not keep the process alive once its work is done.
    if (!waiting.length) process.stdin.unref();
  });
}

/** Wait until run.mjs gives this process the machine (at once when not in lockstep). */
export function turn() {
  if (!lockstep) return Promise.resolve();
  const granted = new Promise((resolve) => waiting.push(resolve));
  process.stdout.write('\nLOCKSTEP wait\n');
  process.stdin.ref();
  return granted;
}
