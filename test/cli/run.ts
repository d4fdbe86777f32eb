import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Run the receptive CLI from source in a child process. */
export function cli(args: string[], opts: { timeout?: number } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', timeout: opts.timeout ?? 240_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A CLI error: exit status `code`, exactly one line on stderr starting "receptive: ", no stack trace, matching `re`. */
export function assertCliError(r: { code: number; stderr: string }, re: RegExp, code = 1): void {
  const err = r.stderr.trim();
  if (r.code !== code || err.includes('\n') || !err.startsWith('receptive: ') || /\n\s+at |node:internal/.test(r.stderr) || !re.test(err)) {
    throw new Error(`expected exit ${code} and one stderr line matching ${re}, got exit ${r.code} and:\n${r.stderr}`);
  }
}
