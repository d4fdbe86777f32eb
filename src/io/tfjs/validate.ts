import { FormatError, ReceptiveError } from '../../tensor/index.js';

/*
 * The shape of model.json checked before anything reads it, so that a damaged
 * or hand-edited file is named (file and JSON path) instead of crashing deep in
 * the loader. Layer configs are checked where each layer reads them; `guarded`
 * names the layer for anything those checks miss.
 */

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNodeRef = (v: unknown) => Array.isArray(v) && v.length >= 3 && typeof v[0] === 'string' && Number.isInteger(v[1]) && Number.isInteger(v[2]);

function fail(file: string, path: string, what: string, v: unknown): never {
  const shown = JSON.stringify(v);
  throw new FormatError(file, `${path} must be ${what}, got ${shown === undefined ? String(v) : shown.slice(0, 80)}`);
}

function checkRefs(file: string, path: string, v: unknown): void {
  if (v === undefined) return;
  if (!Array.isArray(v)) fail(file, path, 'a list of [layer, node, tensor] references', v);
  v.forEach((r, i) => isNodeRef(r) || fail(file, `${path}[${i}]`, 'a [layer name, node index, tensor index] reference', r));
}

/** The topology's containers and references: layers, their names and classes, inbound nodes, model inputs and outputs. */
export function checkTopology(model: Record<string, unknown>, file: string): void {
  const layers = Array.isArray(model.config) ? model.config : isObj(model.config) ? model.config.layers : undefined;
  if (typeof model.class_name !== 'string') fail(file, 'model_config.class_name', 'a string', model.class_name);
  if (!Array.isArray(layers)) fail(file, 'model_config.config.layers', 'a list of layers', layers);
  layers.forEach((l: unknown, i: number) => {
    const at = `layers[${i}]`;
    if (!isObj(l)) fail(file, at, 'an object', l);
    if (typeof l.class_name !== 'string') fail(file, `${at}.class_name`, 'a string', l.class_name);
    if (!isObj(l.config)) fail(file, `${at}.config`, 'an object', l.config);
    if (l.name !== undefined && typeof l.name !== 'string') fail(file, `${at}.name`, 'a string', l.name);
    if (l.config.name !== undefined && typeof l.config.name !== 'string') fail(file, `${at}.config.name`, 'a string', l.config.name);
    if (l.inbound_nodes !== undefined) {
      if (!Array.isArray(l.inbound_nodes)) fail(file, `${at}.inbound_nodes`, 'a list of calls', l.inbound_nodes);
      l.inbound_nodes.forEach((n: unknown, j: number) => checkRefs(file, `${at}.inbound_nodes[${j}]`, n ?? 0));
    }
  });
  if (isObj(model.config)) {
    checkRefs(file, 'model_config.config.input_layers', model.config.input_layers);
    checkRefs(file, 'model_config.config.output_layers', model.config.output_layers);
  }
}

/** The weights manifest: groups of { name, shape, dtype, quantization? } entries. */
export function checkManifest(manifest: unknown, file: string): void {
  if (!Array.isArray(manifest)) fail(file, 'weightsManifest', 'a list of weight groups', manifest);
  manifest.forEach((g: unknown, i: number) => {
    if (!isObj(g)) fail(file, `weightsManifest[${i}]`, 'an object', g);
    if (g.weights === undefined) return;
    if (!Array.isArray(g.weights)) fail(file, `weightsManifest[${i}].weights`, 'a list', g.weights);
    g.weights.forEach((w: unknown, j: number) => {
      const at = `weightsManifest[${i}].weights[${j}]`;
      if (!isObj(w)) fail(file, at, 'an object', w);
      if (typeof w.name !== 'string') fail(file, `${at}.name`, 'a string', w.name);
      if (typeof w.dtype !== 'string') fail(file, `${at}.dtype`, 'a string', w.dtype);
      const q = w.quantization;
      if (q === undefined) return;
      if (!isObj(q) || typeof q.dtype !== 'string') fail(file, `${at}.quantization`, 'an object with a dtype', q);
      for (const k of ['min', 'scale'] as const) if (q[k] !== undefined && !Number.isFinite(q[k])) fail(file, `${at}.quantization.${k}`, 'a finite number', q[k]);
    });
  });
}

/** Run one layer's construction or call; an error that is not the library's own is reported as a bad config of that layer. */
export function guarded<T>(file: string, layer: string, cls: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ReceptiveError) throw e;
    throw new FormatError(file, `layer "${layer}" (${cls}) has a config it cannot be built or run from: ${(e as Error).message}`);
  }
}
