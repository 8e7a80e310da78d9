import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  type DialectAdapter,
  Kysely,
  type MigrationLockOptions,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  sql,
} from 'kysely';
import pg from 'pg';
import type { Config } from '../config/load-config.js';
import { DATA_DIR_MODE, DATA_FILE_MODE } from '../data-dir.js';
import type { Database } from './database.js';
import {
  installPreparedStatements,
  PREPARED_STATEMENT_DEFAULTS,
  type PreparedStatementOptions,
} from './pg-prepared.js';
import { createSqliteSync, type SqliteSync } from './sqlite-sync.js';

export type DbDialect = 'sqlite' | 'postgres';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: DbDialect;
  /** SQLite only: the connection driven synchronously, for hot writes that read nothing (sqlite-sync.ts). */
  readonly sqliteSync?: SqliteSync;
  destroy(): Promise<void>;
}

/** PostgreSQL int8 (20) and numeric (1700) come back as strings from pg; our int8 columns are epoch ms and fen. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/** How long a SQLite migration lock is honoured before it is considered left over by a crashed process. */
const SQLITE_MIGRATION_LOCK_TTL_MS = 5 * 60_000;

/**
 * Kysely's SQLite adapter assumes one connection and takes no migration lock. Several processes (a CLI `migrate`
 * next to a starting server) can open the same file, so this adapter uses the lock row as a lease: `is_locked`
 * holds the lease's expiry (epoch ms); acquiring is an atomic compare-and-set, retried until it wins.
 */
class LockingSqliteAdapter extends SqliteAdapter {
  override async acquireMigrationLock(db: Kysely<any>, opt: MigrationLockOptions): Promise<void> {
    const deadline = Date.now() + 2 * SQLITE_MIGRATION_LOCK_TTL_MS;
    for (;;) {
      const now = Date.now();
      const result = await sql`update ${sql.table(opt.lockTable)} set is_locked = ${now + SQLITE_MIGRATION_LOCK_TTL_MS}
        where id = ${opt.lockRowId} and is_locked < ${now}`.execute(db);
      if (Number(result.numAffectedRows ?? 0) === 1) return;
      if (now > deadline) throw new Error('timed out waiting for the SQLite migration lock');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  override async releaseMigrationLock(db: Kysely<any>, opt: MigrationLockOptions): Promise<void> {
    await sql`update ${sql.table(opt.lockTable)} set is_locked = 0 where id = ${opt.lockRowId}`.execute(db);
  }
}

class LockingSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new LockingSqliteAdapter();
  }
}

const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely prepares every query anew; on better-sqlite3 that costs more than running a small query. This cache keeps
 * prepared statements by SQL text (the one connection runs them one at a time; we never stream, which would keep a
 * statement busy), least recently used out first.
 */
function withStatementCache(db: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = (source: string): SqliteDatabase.Statement => {
    let statement = cache.get(source);
    if (statement) {
      cache.delete(source);
    } else {
      statement = db.prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    }
    cache.set(source, statement);
    return statement;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Creates the SQLite file 0600 (in a 0700 directory) before SQLite opens it, whatever the umask: SQLite gives the
 * `-wal` and `-shm` files it creates later the database file's mode.
 */
function createPrivateFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: DATA_DIR_MODE });
  try {
    fs.closeSync(fs.openSync(file, 'wx', DATA_FILE_MODE));
    fs.chmodSync(file, DATA_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * Opens the configured database: SQLite (better-sqlite3, WAL) by default, PostgreSQL when DATABASE_URL is set.
 * On PostgreSQL repeated SQL texts run as named prepared statements unless `preparedStatements` is false
 * (pg-prepared.ts; `prepared` tunes the layer, for tests).
 */
export function createDb(dbConfig: Config['db'], prepared: PreparedStatementOptions = PREPARED_STATEMENT_DEFAULTS): Db {
  if (dbConfig.driver === 'postgres') {
    const pool = new pg.Pool({
      connectionString: dbConfig.url,
      max: dbConfig.poolSize,
      types: pgTypes,
      application_name: 'openfapiao',
    });
    if (dbConfig.preparedStatements !== false) {
      pool.on('connect', (client) => installPreparedStatements(client, prepared));
    }
    pool.on('error', () => {
      // An idle client lost its connection (server restart). The pool replaces it; queries report their own errors.
    });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, dialect: 'postgres', destroy: () => kysely.destroy() };
  }
  createPrivateFile(dbConfig.sqlitePath);
  const sqlite = new SqliteDatabase(dbConfig.sqlitePath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  const cached = withStatementCache(sqlite);
  const kysely = new Kysely<Database>({ dialect: new LockingSqliteDialect({ database: cached }) });
  return { kysely, dialect: 'sqlite', sqliteSync: createSqliteSync(cached), destroy: () => kysely.destroy() };
}
