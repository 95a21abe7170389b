/** One line of the results table. */
export interface Row {
  scenario: string;
  measured: string;
  reference: string;
  result: string;
  target: string;
  met: boolean;
}

/** The results as a Markdown table (printed, and kept in docs/PERFORMANCE.md). */
export function formatTable(rows: Row[]): string {
  const head = ['scenario', 'measured', 'reference (same run)', 'result', 'target', 'met'];
  const lines = [head, head.map(() => '---'), ...rows.map((r) => [r.scenario, r.measured, r.reference, r.result, r.target, r.met ? 'yes' : 'no'])];
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
