import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../sync/context';

/** A progress bar on stderr when it is a terminal; nothing otherwise (logs carry the figures). */
export function progressReporter(): { onProgress?: (e: ProgressEvent) => void; stop(): void } {
  if (!process.stderr.isTTY) return { stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{phase} [{bar}] {value}{ofTotal} {resource}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let phase = '';
  return {
    onProgress(e) {
      const payload = { phase: e.phase.padEnd(8), resource: e.resource ?? '', ofTotal: e.total ? `/${e.total}` : '' };
      if (!started) {
        bar.start(e.total ?? 0, e.done, payload);
        started = true;
      }
      const key = `${e.phase}:${e.resource ?? ''}`;
      if (key !== phase || (e.total !== undefined && e.total !== bar.getTotal())) {
        phase = key;
        bar.setTotal(e.total ?? 0);
      }
      bar.update(e.done, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
