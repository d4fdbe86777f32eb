// A node:test reporter that adds up the top-level tests' durations per file and prints the slowest
// files at the end, so the suite's cost stays visible (the spec reporter names tests, not files).
export default async function* timingReporter(source) {
  const perFile = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      const ms = event.data.details?.duration_ms ?? 0;
      perFile.set(event.data.file, (perFile.get(event.data.file) ?? 0) + ms);
    }
  }
  const rows = [...perFile].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((s, [, ms]) => s + ms, 0);
  yield `\n# slowest test files (sum of their top-level tests; ${(total / 1000).toFixed(1)} s over ${rows.length} files)\n`;
  for (const [file, ms] of rows.slice(0, Number(process.env.RECEPTIVE_SLOWEST ?? 12))) {
    yield `#   ${(ms / 1000).toFixed(1).padStart(7)} s  ${file.replace(process.cwd() + '/', '')}\n`;
  }
}
