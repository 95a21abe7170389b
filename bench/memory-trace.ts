import fs from 'node:fs';

/**
 * Samples this process's memory every `everyMs` into a TSV file (seconds, phase, RSS, V8 heap used,
 * external and array buffers, in MB): where in a run its peak RSS is, and whose memory it is. Run
 * the feeder with --expose-gc (BENCH_NODE_FLAGS) to sample the live heap instead of the used one.
 */
export function memoryTrace(file: string, everyMs = 200): { phase: (name: string) => void; stop: () => void } {
  const started = performance.now();
  let phase = 'start';
  const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
  // Under --expose-gc, each sample collects first: heap_used is then what is live.
  const gc = (globalThis as { gc?: () => void }).gc;
  const lines = [`s\tphase\trss\theap_${gc ? 'live' : 'used'}\texternal\tarray_buffers`];
  const sample = () => {
    gc?.();
    const m = process.memoryUsage();
    lines.push([((performance.now() - started) / 1000).toFixed(1), phase, mb(m.rss), mb(m.heapUsed), mb(m.external), mb(m.arrayBuffers)].join('\t'));
  };
  const timer = setInterval(sample, everyMs);
  return {
    phase: (name) => {
      if (name !== phase) sample();
      phase = name;
    },
    stop: () => {
      clearInterval(timer);
      sample();
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
    },
  };
}
