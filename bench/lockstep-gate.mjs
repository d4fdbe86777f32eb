// Preloaded (node --import) into every engine process in lockstep: the process
// waits for its first turn before it loads anything, so that one engine's start-up
// (module loading, compiling kernels, building sessions) never overlaps another's
// timed calls.
import { turn } from './lockstep.mjs';

await turn();
