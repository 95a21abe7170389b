import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { StateStore } from '../../src/state/store';
import { openWalDatabase } from '../../src/platform/sqlite';
import { processStart } from '../../src/platform/process';
import { LockBusyError } from '../../src/errors';
import { tempDir } from '../helpers/harness';

const LOCK = 'run:sqlite:products';

/** A lock row as a holder process would have written it: through a connection of its own, as that process would. */
function holdAs(file: string, holder: { pid: number; started: string | null }): void {
  const other = openWalDatabase(file);
  try {
    other
      .prepare('INSERT OR REPLACE INTO locks (name, holder, pid, host, expires_at, started) VALUES (?, ?, ?, ?, ?, ?)')
      .run(LOCK, `${holder.pid}-ghost`, holder.pid, os.hostname(), Date.now() + 120_000, holder.started);
  } finally {
    other.close();
  }
}

describe('the run lock knows a dead holder even when its pid lives on', () => {
  let store: StateStore;
  let file: string;
  beforeEach(() => {
    file = path.join(tempDir(), 'state.db');
    store = new StateStore(file);
  });
  afterEach(() => store.close());

  test('a holder whose pid now belongs to another process (pids wrap) is stale and taken over', () => {
    // A running process holds the pid, but it started at another time than the lock's holder did:
    // the holder died and the kernel handed its pid on (32,768 pids wrap fast beside a JVM's threads).
    const started = processStart(process.pid);
    expect(started).not.toBeNull();
    holdAs(file, { pid: process.pid, started: String(Number(started) - 1) });
    expect(store.lock.holder(LOCK)?.alive).toBe(false);
    expect(() => store.lock.acquire(LOCK, 'me', 60_000)).not.toThrow();
    expect(store.lock.holder(LOCK)?.holder).toBe('me');
  });

  test('a living holder keeps its lock', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      holdAs(file, { pid: child.pid!, started: processStart(child.pid!) });
      expect(() => store.lock.acquire(LOCK, 'me', 60_000)).toThrow(LockBusyError);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a lock written before holders recorded their start time still names a living pid alive', () => {
    holdAs(file, { pid: process.pid, started: null });
    expect(() => store.lock.acquire(LOCK, 'me', 60_000)).toThrow(LockBusyError);
  });
});
