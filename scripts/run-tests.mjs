#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's test runner through tsx (Node 20 has no --test globs),
// on the reference backend (src/backend/reference/activate.ts), then the op-level suites a second time with the wasm backend active (src/backend/wasm/activate.ts),
// so that every op's definition, gradient and error tests also run through the fast kernels.
// test/models runs only in the second pass. Arguments filter the files by substring; --reference-only skips the
// op-level suites' second pass.
import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const referenceOnly = args.includes('--reference-only');
const filter = args.filter((a) => a !== '--reference-only');
const files = find('test').sort().filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)));
const base = ['--conditions=source', '--import', 'tsx'];
// spec for the results, and the slowest files at the end of each pass (scripts/timing-reporter.mjs).
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=./scripts/timing-reporter.mjs', '--test-reporter-destination=stdout'];
const run = (extra, list) => spawnSync(process.execPath, [...base, ...extra, '--test', ...reporters, ...list], { stdio: 'inherit' }).status ?? 1;

// Suites whose tests call ops on the active backend (the default backend is the reference).
const OP_SUITES = ['ops', 'autograd', 'nn', 'optim'].map((d) => join('test', d) + sep);
// test/models runs once, on the wasm backend: the zoo's big models (VGG: 130-145M parameters, ~8 GMACs for a
// 224x224 summary) take minutes per file on the reference kernels, and every op they use is checked on both
// backends by the suites above.
const WASM_ONLY = [join('test', 'models') + sep];
const onWasm = files.filter((f) => OP_SUITES.some((d) => f.startsWith(d)));
const wasmOnly = files.filter((f) => WASM_ONLY.some((d) => f.startsWith(d)));

// The first pass runs on the reference backend, chosen explicitly: the first op would otherwise start the wasm one.
let status = 0;
const onReference = files.filter((f) => !wasmOnly.includes(f));
if (onReference.length > 0) status = run(['--import', './src/backend/reference/activate.ts'], onReference);
const second = [...(referenceOnly ? [] : onWasm), ...wasmOnly];
if (second.length > 0) {
  console.log(`\n# with the wasm backend active: ${referenceOnly ? '' : 'the op-level suites again and '}test/models (${second.length} files)\n`);
  status = run(['--import', './src/backend/wasm/activate.ts'], second) || status;
}
process.exit(status);
