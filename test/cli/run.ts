import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_SOURCE = join(ROOT, 'src', 'cli', 'main.ts');

/*
 * The CLI tests spawn the CLI dozens of times. Through tsx each start costs ~1.5 s of CPU (its loader
 * thread, then ~200 TypeScript files); the same sources bundled into one JavaScript file start in
 * ~0.3 s. The bundle is built once per test process from the current sources, two folders below the
 * repository root (as dist/cli/main.js is) so the paths the CLI finds from import.meta.url hold, and
 * with the npm dependencies left as imports resolved from node_modules.
 */
let bundle: string | null = null;
export function cliBundle(): string {
  if (bundle) return bundle;
  const dir = join(ROOT, '.cache', 'cli-test');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `main-${process.pid}.mjs`);
  buildSync({
    entryPoints: [CLI_SOURCE], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external',
    conditions: ['source'], outfile: `${file}.tmp`, logLevel: 'error',
  });
  renameSync(`${file}.tmp`, file);
  process.once('exit', () => rmSync(file, { force: true }));
  bundle = file;
  return file;
}

/** The node arguments that start the CLI: the bundle, or (source: true) the TypeScript sources through tsx. */
export function cliCommand(source = false): string[] {
  return source ? ['--conditions=source', '--import', 'tsx', CLI_SOURCE] : [cliBundle()];
}

/**
 * Run the receptive CLI in a child process. `source: true` runs the TypeScript sources through tsx, for a
 * test whose user files import the sources (one copy of the library's classes) or are TypeScript.
 */
export function cli(args: string[], opts: { timeout?: number; source?: boolean } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...cliCommand(opts.source), ...args], { encoding: 'utf8', timeout: opts.timeout ?? 240_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A CLI error: exit status `code`, exactly one line on stderr starting "receptive: ", no stack trace, matching `re`. */
export function assertCliError(r: { code: number; stderr: string }, re: RegExp, code = 1): void {
  const err = r.stderr.trim();
  if (r.code !== code || err.includes('\n') || !err.startsWith('receptive: ') || /\n\s+at |node:internal/.test(r.stderr) || !re.test(err)) {
    throw new Error(`expected exit ${code} and one stderr line matching ${re}, got exit ${r.code} and:\n${r.stderr}`);
  }
}
