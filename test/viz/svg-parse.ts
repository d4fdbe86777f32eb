/*
 * Reading back the SVG the charts write, without a library: a strict
 * well-formedness check (every tag closed in order, attributes quoted, no raw
 * '&' or '<' in text), and the polylines mapped back to data through the tick
 * labels (two ticks fix each axis's linear map).
 */
import assert from 'node:assert/strict';

/** Throws unless the text is well-formed XML as far as SVG output uses it. */
export function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/g;
  let seen = 0;
  for (let m; (m = re.exec(svg)); ) {
    assert.equal(m.index, seen, `unparsed text at ${seen}: ${JSON.stringify(svg.slice(seen, seen + 40))}`);
    seen = re.lastIndex;
    if (m[5] !== undefined) {
      assert.ok(!/&(?!(amp|lt|gt|quot|#39);)/.test(m[5]), `raw & in ${JSON.stringify(m[5])}`);
      continue;
    }
    if (m[1]) assert.equal(stack.pop(), m[2], `</${m[2]}> closes the wrong element`);
    else if (!m[4]) stack.push(m[2]);
  }
  assert.equal(seen, svg.length, `unparsed tail ${JSON.stringify(svg.slice(seen, seen + 40))}`);
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
}

/** The nested <svg> charts of a composed SVG (or the document itself when it has none). */
export function charts(svg: string): string[] {
  const parts = svg.split(/(?=<svg x=")/).slice(1);
  return parts.length ? parts : [svg];
}

const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  assert.ok(m, `${name} in ${tag.slice(0, 80)}`);
  return m[1];
};

/** Linear map pixel → value from the ticks of one axis (their line positions and their text). */
function axis(chart: string, which: 'x' | 'y'): (p: number) => number {
  const ticks = [...chart.matchAll(new RegExp(`<g class="tick ${which}"><line ([^>]*)/><text[^>]*>([^<]*)</text></g>`, 'g'))]
    .map((m) => [Number(attr(' ' + m[1], which === 'x' ? 'x1' : 'y1')), Number(m[2])] as const);
  assert.ok(ticks.length >= 2, `at least two ${which} ticks`);
  const [[p0, v0], [p1, v1]] = [ticks[0], ticks[ticks.length - 1]];
  return (p) => v0 + ((p - p0) / (p1 - p0)) * (v1 - v0);
}

/** Every polyline of a chart as data points, by its data-name. */
export function seriesData(chart: string): Record<string, [number, number][]> {
  const fx = axis(chart, 'x');
  const fy = axis(chart, 'y');
  const out: Record<string, [number, number][]> = {};
  for (const m of chart.matchAll(/<polyline [^>]*>/g)) {
    out[attr(m[0], 'data-name')] = attr(m[0], 'points').split(' ').map((p) => {
      const [x, y] = p.split(',').map(Number);
      return [fx(x), fy(y)];
    });
  }
  return out;
}

/** Data points equal the expected ones within `tol` (data units) on each axis. */
export function assertPoints(got: [number, number][], want: [number, number][], tol: [number, number], what: string): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} points, expected ${want.length}`);
  got.forEach(([x, y], i) => {
    assert.ok(Math.abs(x - want[i][0]) <= tol[0] && Math.abs(y - want[i][1]) <= tol[1], `${what} point ${i}: (${x}, ${y}) vs (${want[i][0]}, ${want[i][1]})`);
  });
}
