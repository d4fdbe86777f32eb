import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

// Issue 12: the README's code is run as written (only the package name is pointed at
// this checkout's sources), so a snippet that stops working fails the suite.
const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => /from 'receptive(\/node)?'/.test(b));

test('README: every TypeScript snippet that imports receptive runs', () => {
  assert.ok(blocks.length >= 2, `found ${blocks.length} snippets`);
  const dir = mkdtempSync(join(tmpdir(), 'receptive-readme-'));
  blocks.forEach((code, i) => {
    const file = join(dir, `snippet-${i}.ts`);
    writeFileSync(file, code.replace(/from 'receptive\/node'/g, `from '${join(root, 'src/node.ts')}'`).replace(/from 'receptive'/g, `from '${join(root, 'src/index.ts')}'`));
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `snippet ${i} failed:\n${code}\n${r.stderr}`);
  });
});
