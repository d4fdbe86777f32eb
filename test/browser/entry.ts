import { ready } from '../../src/index.js';
import { scenario } from './scenario.js';

// A page starts the wasm backend with ready(): its main thread may not compile the module synchronously at the first op.
ready().then(
  () => {
    try {
      (globalThis as { __result?: unknown }).__result = scenario();
    } catch (e) {
      (globalThis as { __result?: unknown }).__result = { error: String((e as Error)?.stack ?? e) };
    }
  },
  (e: unknown) => {
    (globalThis as { __result?: unknown }).__result = { error: String((e as Error)?.stack ?? e) };
  },
);
