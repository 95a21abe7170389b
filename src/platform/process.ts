import fs from 'node:fs';

/**
 * When a process of this host started, as the kernel counts it (clock ticks since boot, from
 * /proc/<pid>/stat): with the pid, it names one process for the life of the host. A pid alone does
 * not: the kernel hands a dead process's pid to the next process or thread once its pids wrap
 * (32,768 by default, soon reached beside a JVM's threads). Null where /proc does not tell.
 */
export function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last `)`.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether the process that was `pid`, started at `started` (null: not recorded), still runs on this
 * host. A pid that now belongs to a process that started at another time is not it.
 */
export function processAlive(pid: number, started: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (started === null) return true;
  const now = processStart(pid);
  return now === null || now === started;
}
