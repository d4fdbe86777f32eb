/*
 * A self-contained HTML page about one model: a summary table, then sections of
 * text, inline SVG charts and images (data URLs, so the page is one file that
 * opens anywhere, offline). Browser-safe: the caller encodes the images.
 */
import type { ModelSummary } from '../nn/summary.js';
import { escapeXml } from './svg.js';

export interface ReportFigure {
  /** An image URL (data:image/png;base64,… for a self-contained page) or inline SVG text. */
  src?: string;
  svg?: string;
  caption: string;
}

export interface ReportSection {
  heading: string;
  /** Plain text paragraphs (escaped). */
  text?: readonly string[];
  figures?: readonly ReportFigure[];
  /** A table: header row and body rows (escaped). */
  table?: { head: readonly string[]; rows: readonly (readonly (string | number)[])[] };
}

export interface ReportContent {
  title: string;
  /** Key–value facts shown under the title (model, dataset, accuracy, …). */
  facts?: readonly (readonly [string, string])[];
  summary?: ModelSummary;
  sections: readonly ReportSection[];
}

const fmt = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)} k` : String(n));

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[], cls = ''): string {
  return [
    `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>`,
    ...rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(String(c))}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}

/** The summary's rows as a table: path, type, output shape, parameters, MACs, receptive field. */
export function summaryTable(s: ModelSummary): string {
  const rows = s.rows.map((r) => [
    `${'\u00a0\u00a0'.repeat(r.depth)}${r.path || '(model)'}`, r.type, `[${r.outputShape.join(', ')}]`, fmt(r.params), fmt(r.macs),
    r.receptiveField ? `${r.receptiveField.join('×')} / ${r.jump?.join('×')}` : '',
  ]);
  return table(['layer', 'type', 'output', 'params', 'MACs', 'receptive field / jump'], rows, 'summary');
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}table.summary td:nth-child(n+4){text-align:right;font-variant-numeric:tabular-nums}
figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}figcaption{font-size:.85em;color:#555;max-width:560px}
img{image-rendering:pixelated;max-width:100%}dl{display:grid;grid-template-columns:max-content auto;gap:2px 1em}dt{font-weight:600}`;

/** The page as one HTML string. */
export function reportHtml(c: ReportContent): string {
  const parts = [
    '<!doctype html>', '<html lang="en"><head><meta charset="utf-8">', `<title>${escapeXml(c.title)}</title>`, `<style>${STYLE}</style>`, '</head><body>',
    `<h1>${escapeXml(c.title)}</h1>`,
  ];
  if (c.facts?.length) parts.push(`<dl>${c.facts.map(([k, v]) => `<dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd>`).join('')}</dl>`);
  if (c.summary) {
    parts.push('<h2 id="summary">Model summary</h2>', summaryTable(c.summary));
    parts.push(`<p>${escapeXml(`${fmt(c.summary.totalParams)} parameters (${fmt(c.summary.trainableParams)} trainable), ${fmt(c.summary.totalMacs)} multiply-accumulates per image.`)}</p>`);
  }
  for (const s of c.sections) {
    parts.push(`<h2 id="${escapeXml(s.heading.toLowerCase().replace(/[^a-z0-9]+/g, '-'))}">${escapeXml(s.heading)}</h2>`);
    for (const t of s.text ?? []) parts.push(`<p>${escapeXml(t)}</p>`);
    if (s.table) parts.push(table(s.table.head, s.table.rows));
    for (const f of s.figures ?? []) {
      const body = f.svg ?? `<img src="${escapeXml(f.src ?? '')}" alt="${escapeXml(f.caption)}">`;
      parts.push(`<figure>${body}<figcaption>${escapeXml(f.caption)}</figcaption></figure>`);
    }
  }
  parts.push('</body></html>', '');
  return parts.join('\n');
}
