import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, FormatError } from '../../src/tensor/index.js';
import { parseMetricsLog, trainingCurvesSvg, type MetricsRecord } from '../../src/viz/curves.js';
import { confusionMatrixSvg, escapeXml, lineChartSvg, niceTicks } from '../../src/viz/svg.js';
import { colormap } from '../../src/viz/colormap.js';
import { METRICS_COLUMNS } from '../../src/cli/metrics-log.js';
import { assertPoints, assertWellFormed, charts, seriesData } from './svg-parse.js';

// A made-up run: 120 steps logged every 4, 3 epochs of 40 steps, a cosine learning rate.
const records: MetricsRecord[] = [];
for (let step = 4; step <= 120; step += 4) {
  records.push({ type: 'step', epoch: Math.ceil(step / 40), step, loss: 2.3 * Math.exp(-step / 30) + 0.05, accuracy: 1 - 0.9 * Math.exp(-step / 25), lr: 0.001 * (1 + Math.cos((Math.PI * step) / 120)) / 2, images_per_s: 1000 + step });
  if (step % 40 === 0) records.push({ type: 'epoch', epoch: step / 40, step, loss: 2 * Math.exp(-step / 30), accuracy: 0.5 + step / 300, val_loss: 2.1 * Math.exp(-step / 35), val_accuracy: 0.45 + step / 320, images_per_s: 900, seconds: step / 10 });
}
const span = (v: number[]) => Math.max(...v) - Math.min(...v);
const tolOf = (pts: [number, number][]): [number, number] => [1e-3 * span(pts.map((p) => p[0])), 1e-3 * Math.max(1e-9, span(pts.map((p) => p[1])))];

test('parseMetricsLog reads the JSON lines and the CSV that train --log writes, to the same records', () => {
  const jsonl = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const csv = [METRICS_COLUMNS.join(','), ...records.map((r) => METRICS_COLUMNS.map((c) => (r[c] === undefined ? '' : String(r[c]))).join(','))].join('\n');
  assert.deepEqual(parseMetricsLog(jsonl), records);
  assert.deepEqual(parseMetricsLog(csv), records);
  assert.deepEqual(parseMetricsLog(''), []);
  assert.throws(() => parseMetricsLog('{"type":"step","step":1}\n{oops', 'm.jsonl'), (e: Error) => e instanceof FormatError && /m\.jsonl: line 2: not JSON/.test(e.message));
  assert.throws(() => parseMetricsLog('a,b\n1,2', 'm.csv'), /m\.csv: line 1: expected JSON lines or a CSV header with the columns type and step/);
  assert.throws(() => parseMetricsLog('type,step,loss\nstep,3,x', 'm.csv'), /line 2: loss must be a number/);
  assert.throws(() => parseMetricsLog('{"type":"batch","step":1}'), /type must be "step" or "epoch", got "batch"/);
});

test('trainingCurvesSvg: well-formed SVG whose polylines, read back through the tick labels, are the logged values', () => {
  const svg = trainingCurvesSvg(records, { title: 'run <1> & co' });
  assertWellFormed(svg);
  assert.match(svg, /run &lt;1&gt; &amp; co: loss/);
  const [loss, acc, lr] = charts(svg).map(seriesData);
  const steps = records.filter((r) => r.type === 'step');
  const epochs = records.filter((r) => r.type === 'epoch');
  const want = (rs: MetricsRecord[], k: keyof MetricsRecord) => rs.map((r) => [r.step, r[k] as number] as [number, number]);
  for (const [got, rs, key] of [
    [loss['train loss (step)'], steps, 'loss'], [loss['train loss (epoch)'], epochs, 'loss'], [loss['val loss'], epochs, 'val_loss'],
    [acc['train acc (step)'], steps, 'accuracy'], [acc['val acc'], epochs, 'val_accuracy'], [lr['learning rate'], steps, 'lr'],
  ] as const) {
    const w = want([...rs], key);
    assertPoints(got, w, tolOf(w), key);
  }
  // Without validation or lr in the log, those curves are left out.
  const plain = charts(trainingCurvesSvg(steps.map(({ lr: _lr, ...r }) => r))).map(seriesData);
  assert.equal(plain.length, 2);
  assert.deepEqual(Object.keys(plain[0]), ['train loss (step)']);
});

test('lineChartSvg skips non-finite points and refuses empty input; niceTicks cover the range in 1-2-5 steps', () => {
  const s = lineChartSvg([{ name: 'a', points: [[0, 1], [1, NaN], [2, 3], [3, Infinity], [4, 2]] }]);
  assertWellFormed(s);
  assertPoints(seriesData(s).a, [[0, 1], [2, 3], [4, 2]], [0.01, 0.01], 'a');
  assert.throws(() => lineChartSvg([]), ArgumentError);
  assert.throws(() => lineChartSvg([{ name: 'x', points: [[0, NaN]] }]), /no finite points in "x"/);
  assert.deepEqual(niceTicks(0.03, 0.97), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(3, 117), [0, 20, 40, 60, 80, 100, 120]);
  const t = niceTicks(5, 5);
  assert.ok(t[0] < 5 && t[t.length - 1] > 5, 'a constant series still gets a range');
  assert.equal(escapeXml(`<a b="c">&'`), '&lt;a b=&quot;c&quot;&gt;&amp;&#39;');
});

test('confusionMatrixSvg: each cell shows its count, coloured by its share of the row', () => {
  const counts = [[50, 2, 0], [5, 40, 5], [0, 0, 0]];
  const svg = confusionMatrixSvg(counts, ['zero', 'one', 'two & more']);
  assertWellFormed(svg);
  const cells = [...svg.matchAll(/<g class="cell" data-row="(\d)" data-col="(\d)"><rect [^>]*fill="(#[0-9a-f]{6})"\/><text [^>]*>(\d+)<\/text><\/g>/g)];
  assert.equal(cells.length, 9);
  for (const [, i, j, fill, text] of cells) {
    const row = counts[Number(i)];
    assert.equal(Number(text), row[Number(j)]);
    const total = row.reduce((a, b) => a + b, 0);
    const rgb = colormap('viridis', total ? row[Number(j)] / total : 0);
    assert.deepEqual([1, 3, 5].map((k) => parseInt(fill.slice(k, k + 2), 16)), [...rgb].map((v) => Math.round(v * 255)));
  }
  assert.throws(() => confusionMatrixSvg([[1, 2]], ['a']), /square n×n table/);
  assert.throws(() => confusionMatrixSvg([[1]], ['a', 'b']), /1 classes but 2 class names/);
});
