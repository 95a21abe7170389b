import fs from 'node:fs';
import path from 'node:path';

const LATEST = path.join(__dirname, 'latest.json');

/** Sets one section of test/faults/latest.json (the fault matrix, the chaos runs), keeping the others. */
export function recordLatest(section: string, value: unknown): void {
  let doc: Record<string, unknown> = {};
  try {
    doc = JSON.parse(fs.readFileSync(LATEST, 'utf8')) as Record<string, unknown>;
  } catch {
    /* first write */
  }
  doc[section] = { date: new Date().toISOString(), ...(value as object) };
  fs.writeFileSync(LATEST, `${JSON.stringify(doc, null, 2)}\n`);
}

/** A markdown table of `rows` under `head`. */
export function renderTable(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
