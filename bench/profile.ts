import fs from 'node:fs';
import path from 'node:path';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * A `node --cpu-prof` profile as text: self time by function and by source file, largest first —
 * the evidence for where a run spends its time.
 */
export function summarizeProfile(file: string, top = 25): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  // The run in tenths, each with its three largest self-time entries: where the phases lie.
  const slices = Array.from({ length: 10 }, () => new Map<string, number>());
  const span = profile.timeDeltas.reduce((a, b) => a + b, 0);
  let clock = 0;
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id)!;
    const where = frame.url ? shortPath(frame.url) : '';
    const fn = `${frame.functionName || '(anonymous)'}${where ? ` ${where}:${frame.lineNumber + 1}` : ''}`;
    const dt = profile.timeDeltas[i];
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
    const group = where || frame.functionName || '(native)';
    byFile.set(group, (byFile.get(group) ?? 0) + dt);
    total += dt;
    clock += dt;
    const slice = slices[Math.min(9, Math.floor((clock / span) * 10))];
    slice.set(fn, (slice.get(fn) ?? 0) + dt);
  });
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  const timeline = slices
    .map((m, i) => {
      const sum = [...m.values()].reduce((a, b) => a + b, 0) || 1;
      const top3 = [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([k, v]) => `${k} ${Math.round((v / sum) * 100)}%`)
        .join(' | ');
      return `${String(i * 10).padStart(3)}-${i * 10 + 10}%  ${top3}`;
    })
    .join('\n');
  return `CPU profile ${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled\n\nSelf time by function\n${list(byFunction)}\n\nSelf time by file\n${list(byFile)}\n\nTimeline (tenths of the run, top three by self time)\n${timeline}\n`;
}

function shortPath(url: string): string {
  const p = url.replace(/^file:\/\//, '');
  const i = p.lastIndexOf('node_modules/');
  if (i >= 0) return p.slice(i + 'node_modules/'.length);
  const d = p.indexOf('/dist-bench/');
  return d >= 0 ? p.slice(d + '/dist-bench/'.length) : path.basename(p);
}
