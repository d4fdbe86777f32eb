import { scenario } from './scenario.js';

try {
  (globalThis as { __result?: unknown }).__result = scenario();
} catch (e) {
  (globalThis as { __result?: unknown }).__result = { error: String((e as Error)?.stack ?? e) };
}
