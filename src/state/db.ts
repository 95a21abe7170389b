import type Database from 'better-sqlite3';

/**
 * The state store's one connection, as its parts use it: prepared statements (cached by their SQL)
 * and transactions. The connection itself stays in here.
 */
export class StoreDb {
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** A write transaction that takes the write lock at its start (BEGIN IMMEDIATE): no other writer can slip in between its read and its write. */
  immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  /** The columns of a table. */
  columns(table: string): string[] {
    return (this.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  }

  close(): void {
    this.db.close();
  }
}
