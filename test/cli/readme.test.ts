import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './run.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
// Files of other projects that the docs name on purpose (DESIGN.md's reading list: tinygrad's op tests).
const ELSEWHERE = new Set(['test/test_ops.py']);
const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

test('the README names every option of train, eval and predict', () => {
  for (const cmd of ['train', 'eval', 'predict']) {
    const help = cli([cmd, '--help']).stdout;
    const options = [...help.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]).filter((o) => o !== '--help');
    assert.ok(options.length > 2, help);
    for (const o of options) assert.ok(readme.includes('`' + o), `README.md does not mention ${cmd} ${o}`);
  }
});

test('the docs link only to files that are in the repository', () => {
  for (const doc of docs) {
    const text = readFileSync(join(root, doc), 'utf8');
    // Markdown links, and file names in parentheses or backticks that look like repository paths.
    const targets = [
      ...[...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/.test(t)),
      ...[...text.matchAll(/\b((?:[\w-]+\/)*[A-Z][A-Z_-]+\.md)\b/g)].map((m) => m[1]),
      ...[...text.matchAll(/`((?:shared|docs|src|test|bench|examples|scripts)\/[\w./-]*)`/g)].map((m) => m[1]).filter((t) => !t.includes('*')),
    ];
    for (const t of targets.filter((x) => !ELSEWHERE.has(x))) {
      const fromDoc = join(root, dirname(doc), t);
      const fromRoot = join(root, t);
      // A bench result is named by its run, without the .md.
      assert.ok([fromDoc, fromRoot, fromRoot + '.md'].some((p) => existsSync(p)), `${doc} points at ${t}, which is not in the repository`);
    }
  }
});
