// The reference README's "Database Access Library", over a real embedded SQLite database (sql.js:
// SQLite compiled to WebAssembly) instead of an unspecified `db`. Honest changes: the reference
// never opens its connection (initDatabase is empty and not awaited) — here `create()` opens it
// before the library is used; and it builds SQL from unvalidated column names — here every column
// name must be a plain identifier, like table names.
import { VM } from '@vm-machine/core'
import { VMIpcRxLibrary } from '@vm-machine/ipc'
import initSqlJs, { type Database, type SqlValue } from 'sql.js'
import { isMain } from './isMain.js'

type Row = Record<string, SqlValue>

const IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_]*$/

export class CustomDatabaseLibrary extends VMIpcRxLibrary {
  private constructor(private readonly db: Database) {
    super({
      query: async (sql: string, params: SqlValue[] = []): Promise<Row[]> => {
        // Validate SQL for security
        this.validateSQL(sql)
        return this.all(sql, params)
      },
      insert: async (table: string, data: Record<string, SqlValue>): Promise<number> => {
        this.validateTableName(table)
        this.validateColumns(data)
        const columns = Object.keys(data).join(', ')
        const placeholders = Object.keys(data).map(() => '?').join(', ')
        this.db.run(`INSERT INTO ${table} (${columns}) VALUES (${placeholders})`, Object.values(data))
        return Number(this.all('SELECT last_insert_rowid() AS id')[0]?.id)
      },
      select: async (table: string, where: Record<string, SqlValue> = {}): Promise<Row[]> => {
        this.validateTableName(table)
        this.validateColumns(where)
        const whereClause = Object.keys(where).length > 0 ? `WHERE ${Object.keys(where).map((key) => `${key} = ?`).join(' AND ')}` : ''
        return this.all(`SELECT * FROM ${table} ${whereClause}`, Object.values(where))
      },
      update: async (table: string, data: Record<string, SqlValue>, where: Record<string, SqlValue>): Promise<number> => {
        this.validateTableName(table)
        this.validateColumns(data)
        this.validateColumns(where)
        const setClause = Object.keys(data).map((key) => `${key} = ?`).join(', ')
        const whereClause = Object.keys(where).map((key) => `${key} = ?`).join(' AND ')
        this.db.run(`UPDATE ${table} SET ${setClause} WHERE ${whereClause}`, [...Object.values(data), ...Object.values(where)])
        return this.db.getRowsModified()
      },
    })
  }

  /** Opens the database (an in-memory SQLite here) before the library exists. */
  static async create(schema: string): Promise<CustomDatabaseLibrary> {
    const SQL = await initSqlJs()
    const db = new SQL.Database()
    db.run(schema)
    return new CustomDatabaseLibrary(db)
  }

  private all(sql: string, params: SqlValue[] = []): Row[] {
    const statement = this.db.prepare(sql)
    try {
      statement.bind(params)
      const rows: Row[] = []
      while (statement.step()) rows.push(statement.getAsObject())
      return rows
    } finally {
      statement.free()
    }
  }

  private validateSQL(sql: string): void {
    // Basic SQL injection protection
    const forbidden = ['DROP', 'DELETE', 'TRUNCATE', 'ALTER', 'CREATE']
    const upperSQL = sql.toUpperCase()
    if (forbidden.some((keyword) => upperSQL.includes(keyword))) {
      throw new Error('Forbidden SQL operation')
    }
  }

  private validateTableName(table: string): void {
    if (!IDENTIFIER.test(table)) throw new Error('Invalid table name')
  }

  private validateColumns(data: Record<string, SqlValue>): void {
    for (const key of Object.keys(data)) if (!IDENTIFIER.test(key)) throw new Error(`Invalid column name: ${key}`)
  }

  override getVmCode(): string {
    const originalCode = super.getVmCode()
    return `
      ${originalCode};
      global.db = {
        query: global.query,
        insert: global.insert,
        select: global.select,
        update: global.update
      };
    `
  }

  override dispose(): void {
    super.dispose()
    this.db.close()
  }
}

export async function databaseLibrary() {
  const dbLib = await CustomDatabaseLibrary.create('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, active INTEGER DEFAULT 1, last_login TEXT)')
  const vm = new VM([dbLib])
  await vm.initialize()
  const code = `
    // Insert user
    const userId = await db.insert('users', { name: 'John Doe', email: 'john@example.com' });

    // Select users
    const users = await db.select('users', { active: 1 });

    // Update user
    const updated = await db.update('users', { last_login: new Date(0).toISOString() }, { id: userId });

    const refused = [];
    for (const attempt of [
      () => db.query('DROP TABLE users'),
      () => db.insert('users', { 'name) VALUES (1); DROP TABLE users; --': 'x' }),
      () => db.select('users; --'),
    ]) {
      try { await attempt(); refused.push(false) } catch (e) { refused.push(e.message) }
    }
    const after = await db.query('SELECT name, last_login FROM users WHERE id = ?', [userId]);
    return { userId, users, updated, refused, after };
  `
  const result = await vm.run(code)
  console.log(result)
  vm.dispose()
  return result
}

if (isMain(import.meta.url)) await databaseLibrary()
