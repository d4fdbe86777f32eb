import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Run the receptive CLI from source in a child process. */
export function cli(args: string[], opts: { timeout?: number } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', timeout: opts.timeout ?? 240_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
