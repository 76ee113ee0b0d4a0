// src/db/schema.ts is written by hand: kysely trusts it blindly, so a column added by a migration but not
// there (or declared non-null while the database allows NULL) compiles fine and fails at run time. This
// compares it with the database the migrations actually build.
import pg from 'pg';
import { createTestDatabase, dropTestDatabase } from '../support/test-app.js';
import { readDeclaredSchema, type DeclaredTable, type ValueKind } from './support/declared-schema.js';

/** The migrator's own bookkeeping (src/db/migrate.ts): raw SQL only, never queried through kysely. */
const NOT_IN_KYSELY = new Set(['chronos_migrations']);

type DatabaseColumn = { dataType: string; nullable: boolean };

/** What node-postgres hands back for each Postgres type (int8 and numeric as strings: src/db/connect.ts). */
function readsAs(dataType: string): ValueKind[] | undefined {
  switch (dataType) {
    case 'text':
    case 'character varying':
    case 'character':
    case 'uuid':
    case 'USER-DEFINED':
      return ['string'];
    case 'bigint':
    case 'numeric':
      return ['string'];
    case 'integer':
    case 'smallint':
    case 'real':
    case 'double precision':
      return ['number'];
    case 'boolean':
      return ['boolean'];
    case 'timestamp with time zone':
    case 'timestamp without time zone':
    case 'date':
      return ['Date'];
    case 'jsonb':
    case 'json':
      return ['object', 'array', 'string', 'number', 'boolean', 'unknown'];
    case 'ARRAY':
      return ['array'];
    default:
      return undefined;
  }
}

let databaseUrl: string;
let database: Map<string, Map<string, DatabaseColumn>>;
let declared: Map<string, DeclaredTable>;

beforeAll(async () => {
  declared = readDeclaredSchema();
  databaseUrl = await createTestDatabase();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: 'YES' | 'NO' }>(
      `select c.table_name, c.column_name, c.data_type, c.is_nullable
         from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
        order by c.table_name, c.ordinal_position`,
    );
    database = new Map();
    for (const row of rows) {
      if (NOT_IN_KYSELY.has(row.table_name)) continue;
      if (!database.has(row.table_name)) database.set(row.table_name, new Map());
      database.get(row.table_name)!.set(row.column_name, { dataType: row.data_type, nullable: row.is_nullable === 'YES' });
    }
  } finally {
    await client.end();
  }
});
afterAll(async () => {
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

/** Every column present on both sides, with what each side says of it. */
function sharedColumns() {
  return [...database].flatMap(([table, columns]) =>
    [...columns].flatMap(([column, actual]) => {
      const declaredTable = declared.get(table);
      const declaredColumn = declaredTable?.columns.get(column);
      return declaredTable && declaredColumn ? [{ table, column, actual, interfaceName: declaredTable.interfaceName, declaredColumn }] : [];
    }),
  );
}

describe('src/db/schema.ts against the migrated database', () => {
  it('has an interface for every table, and every table it names exists', () => {
    const differences = [
      ...[...database.keys()]
        .filter((table) => !declared.has(table))
        .map((table) => `${table}: a table in the database, missing from the Database interface of src/db/schema.ts`),
      ...[...declared]
        .filter(([table]) => !database.has(table))
        .map(([table, { interfaceName }]) => `${table}: named in the Database interface (${interfaceName}), but the migrations create no such table`),
    ];
    expect(differences).toEqual([]);
  });

  it('declares every column of each table, and no column the table lacks', () => {
    const differences = [...database].flatMap(([table, columns]) => {
      const declaredTable = declared.get(table);
      if (!declaredTable) return [];
      return [
        ...[...columns]
          .filter(([column]) => !declaredTable.columns.has(column))
          .map(
            ([column, { dataType, nullable }]) =>
              `${table}.${column}: a column in the database (${dataType}${nullable ? ', nullable' : ''}), missing from ${declaredTable.interfaceName}`,
          ),
        ...[...declaredTable.columns.keys()]
          .filter((column) => !columns.has(column))
          .map((column) => `${table}.${column}: declared in ${declaredTable.interfaceName}, but the table has no such column`),
      ];
    });
    expect(differences).toEqual([]);
  });

  it('declares `| null` exactly on the columns the database lets be NULL', () => {
    const differences = sharedColumns()
      .filter(({ actual, declaredColumn }) => actual.nullable !== declaredColumn.nullable)
      .map(({ table, column, actual, interfaceName }) =>
        actual.nullable
          ? `${table}.${column}: nullable in the database, but ${interfaceName} does not declare \`| null\``
          : `${table}.${column}: NOT NULL in the database, but ${interfaceName} declares \`| null\``,
      );
    expect(differences).toEqual([]);
  });

  it('declares each column as the type node-postgres reads it as', () => {
    const differences = sharedColumns().flatMap(({ table, column, actual, interfaceName, declaredColumn }) => {
      const expected = readsAs(actual.dataType);
      if (!expected)
        return [`${table}.${column}: ${actual.dataType} in the database, which this test does not know how node-postgres reads (add it to readsAs)`];
      const wrong = declaredColumn.kinds.filter((kind) => !expected.includes(kind));
      return wrong.length === 0 && declaredColumn.kinds.length > 0
        ? []
        : [
            `${table}.${column}: ${actual.dataType} in the database reads as ${expected.join(' | ')}, but ${interfaceName} declares ${declaredColumn.kinds.join(' | ') || 'never'}`,
          ];
    });
    expect(differences).toEqual([]);
  });
});
