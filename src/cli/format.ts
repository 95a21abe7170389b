import type { RunSummary } from '../sync/summary';
import type { HealthReport } from '../service/health';
import type { SinkStatus } from '../service/status';
import type { QuarantineRecord } from '../state/store';
import type { SearchResult, SinkDocument } from '../sink/types';

/** The one-line summary a run prints when it ends. */
export function summaryLine(s: RunSummary): string {
  const secs = (s.durationMs / 1000).toFixed(1);
  const docs = `written ${s.written}, unchanged ${s.unchanged}, deleted ${s.deleted}, rejected ${s.rejected}`;
  const extra =
    s.kind === 'reconcile'
      ? `checked ${s.checked}, missing ${s.missing}, stale ${s.stale}, strays ${s.strays}; `
      : s.kind === 'rebuild'
        ? s.documents !== undefined
          ? `${s.documents} documents live; `
          : 'not swapped in; '
        : '';
  return `${s.kind}: ${extra}${docs}; categories ${s.categoriesWritten}; rows ${s.rows}, tombstones ${s.tombstones}, quarantined ${s.quarantined}; ${s.requests} requests (${s.retries} retries) in ${secs}s`;
}

/** What `feeder status` found of the sink: its counts, or why it could not be reached. */

function shapeLine(shape: { live: string | null; configured: string }): string {
  if (shape.live === null) return `shape: ${shape.configured} (no live index yet)`;
  if (shape.live === shape.configured) return `shape: ${shape.live}`;
  return `shape: the live index has ${shape.live}, the configuration gives ${shape.configured}: \`feeder rebuild\` rolls it in (serve does so by itself)`;
}

export function statusText(h: HealthReport, sink: SinkStatus, quarantine: QuarantineRecord[]): string {
  const health = !sink.reachable ? `not ok (${sink.engine} unreachable${h.ok ? '' : `; ${h.reason}`})` : h.ok ? 'ok' : `not ok (${h.reason})`;
  const lines = [
    `health: ${health}`,
    sink.documents
      ? `documents: ${sink.documents.products} products, ${sink.documents.categories} categories`
      : `documents: unknown — ${sink.engine} unreachable: ${sink.error}`,
    ...(sink.shape ? [shapeLine(sink.shape)] : []),
    `lag: ${h.lagSeconds === null ? 'unknown' : `${h.lagSeconds}s`}; pending documents: ${h.pending}`,
    'watermarks:',
    ...Object.entries(h.watermarks).map(([k, v]) => `  ${k.padEnd(16)} ${v}`),
  ];
  if (h.lastRun) {
    lines.push(`last run: ${h.lastRun.kind} ${h.lastRun.outcome} at ${h.lastRun.finishedAt ?? '-'}${h.lastRun.error ? ` — ${h.lastRun.error}` : ''}`);
    if (h.lastRun.summary) lines.push(`  ${summaryLine(h.lastRun.summary)}`);
  }
  lines.push(`quarantined records: ${h.quarantined}`);
  if (quarantine.length) lines.push(quarantineText(quarantine, '  '));
  return lines.join('\n');
}

export function quarantineText(records: QuarantineRecord[], indent = ''): string {
  if (records.length === 0) return `${indent}no quarantined records`;
  return records.map((q) => `${indent}${q.resource} ${q.record_key}: ${q.reason} (seen ${q.attempts}x, last ${q.last_seen})`).join('\n');
}

export interface SearchHit {
  id: string;
  name: string | null;
  price: number | null;
  currency: string | null;
  url: string | null;
}

/** The display fields of a matching document (what `feeder search` prints). */
export function hitOf(doc: SinkDocument): SearchHit {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    id: String(doc.id),
    name: text(doc.name),
    price: typeof doc.price === 'number' ? doc.price : null,
    currency: text(doc.currency),
    url: text(doc.url),
  };
}

export function hitsText(r: SearchResult): string {
  const lines = [`${r.total} hit${r.total === 1 ? '' : 's'}`];
  for (const h of r.hits.map(hitOf)) {
    const price = h.price === null ? '-' : `${h.price.toFixed(2)} ${h.currency ?? ''}`.trim();
    lines.push(`${h.id.padStart(8)}  ${column(h.name ?? '', 48)}  ${price.padStart(14)}  ${printable(h.url ?? '')}`);
  }
  for (const [attribute, values] of Object.entries(r.facets ?? {})) {
    lines.push(`${printable(attribute)}: ${values.map((v) => `${printable(v.value)} (${v.count})`).join(', ') || '-'}`);
  }
  for (const [name, { min, max }] of Object.entries(r.ranges ?? {})) lines.push(`${printable(name)}: ${min ?? '-'} .. ${max ?? '-'}`);
  return lines.join('\n');
}

/**
 * Text from the catalog made safe for a terminal: control characters (NUL, escape sequences) and
 * bidirectional overrides, which can reorder or hide what follows, are dropped.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `text` cut to `width` user-perceived characters (an emoji is never cut in half), padded to it. */
export function column(text: string, width: number): string {
  const parts = [...graphemes.segment(printable(text))].map((s) => s.segment).slice(0, width);
  return parts.join('') + ' '.repeat(Math.max(0, width - parts.length));
}
