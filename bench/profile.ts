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
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id)!;
    const where = frame.url ? shortPath(frame.url) : '';
    const fn = `${frame.functionName || '(anonymous)'}${where ? ` ${where}:${frame.lineNumber + 1}` : ''}`;
    const dt = profile.timeDeltas[i];
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
    const group = where || frame.functionName || '(native)';
    byFile.set(group, (byFile.get(group) ?? 0) + dt);
    total += dt;
  });
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `CPU profile ${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled\n\nSelf time by function\n${list(byFunction)}\n\nSelf time by file\n${list(byFile)}\n`;
}

function shortPath(url: string): string {
  const p = url.replace(/^file:\/\//, '');
  const i = p.lastIndexOf('node_modules/');
  if (i >= 0) return p.slice(i + 'node_modules/'.length);
  const d = p.indexOf('/dist-bench/');
  return d >= 0 ? p.slice(d + '/dist-bench/'.length) : path.basename(p);
}
