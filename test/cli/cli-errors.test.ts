import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertCliError, cli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'receptive-cli-err-'));

test('receptive --version prints the package version', () => {
  const r = cli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
});

test('file-system errors: one line naming the path and the reason, exit 1', () => {
  mkdirSync(join(dir, 'ckpt.safetensors'));
  writeFileSync(join(dir, 'file'), 'x');
  assertCliError(cli(['eval', join(dir, 'ckpt.safetensors')]), new RegExp(`${join(dir, 'ckpt.safetensors')}: is a directory, not a file$`));
  assertCliError(cli(['predict', join(dir, 'ckpt.safetensors'), 'mnist:0']), /ckpt\.safetensors: is a directory/);
  assertCliError(cli(['train', '--out', join(dir, 'file', 'run')]), new RegExp(`cannot create directory ${join(dir, 'file', 'run')}: ${join(dir, 'file')} is a file, not a directory$`));
  // Node's recursive mkdir spins at 100% CPU under /proc: this must fail within seconds.
  assertCliError(cli(['train', '--out', '/proc/receptive-x'], { timeout: 60_000 }), /cannot create directory \/proc\/receptive-x: \/proc does not accept new directories/);
});

test('option checks: --patience needs --val-size; --momentum in [0, 1); --lr a finite number > 0', () => {
  assertCliError(cli(['train', '--patience', '2', '--out', join(dir, 'p')]), /--patience needs --val-size/);
  assertCliError(cli(['train', '--momentum', '5']), /--momentum must be a number in \[0, 1\)/);
  assertCliError(cli(['train', '--lr', 'Infinity']), /--lr must be a finite number > 0/);
  assertCliError(cli(['train', '--model', 'resnet9000']), /"resnet9000" is neither a model \(lenet5, [^)]*\) nor a module file/);
});
