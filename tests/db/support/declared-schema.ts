// Reads src/db/schema.ts as kysely uses it: the `Database` interface names each table's interface, and
// a column's type is what a select returns (the first argument of ColumnType, the T of Generated<T>),
// followed through the file's own type aliases. Parsed with swc, the tests' TypeScript transformer:
// the installed typescript (7) is the native compiler, whose JavaScript API is still marked unstable.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseSync, type Module, type TsType, type TsTypeAliasDeclaration, type TsInterfaceDeclaration, type Expression } from '@swc/core';

export const SCHEMA_FILE = join(import.meta.dirname, '..', '..', '..', 'src', 'db', 'schema.ts');

/** What a value read from a column is at run time, roughly. */
export type ValueKind = 'string' | 'number' | 'boolean' | 'bigint' | 'Date' | 'object' | 'array' | 'unknown';

export type DeclaredColumn = { kinds: ValueKind[]; nullable: boolean };
export type DeclaredTable = { interfaceName: string; columns: Map<string, DeclaredColumn> };

type Bindings = Map<string, { type: TsType; bindings: Bindings }>;

export function readDeclaredSchema(source = readFileSync(SCHEMA_FILE, 'utf8')): Map<string, DeclaredTable> {
  const module = parseSync(source, { syntax: 'typescript' });
  const declarations = withImportedDeclarations(module, topLevelDeclarations(module));
  const database = declarations.interfaces.get('Database');
  if (!database) throw new Error('src/db/schema.ts declares no `Database` interface');

  const tables = new Map<string, DeclaredTable>();
  for (const [tableName, tableType] of properties(database, 'Database')) {
    const interfaceName = tableType.type === 'TsTypeReference' && tableType.typeName.type === 'Identifier' ? tableType.typeName.value : undefined;
    const table = interfaceName ? declarations.interfaces.get(interfaceName) : undefined;
    if (!interfaceName || !table) throw new Error(`Database.${tableName}: expected the name of an interface declared in src/db/schema.ts`);
    const columns = new Map<string, DeclaredColumn>();
    for (const [columnName, columnType] of properties(table, interfaceName)) {
      const kinds = kindsOf(columnType, new Map(), declarations, `${interfaceName}.${columnName}`);
      columns.set(columnName, { kinds: [...kinds].filter((k) => k !== 'null').sort() as ValueKind[], nullable: kinds.has('null') });
    }
    tables.set(tableName, { interfaceName, columns });
  }
  return tables;
}

/**
 * Adds the declarations of the schema's own imported modules (e.g. TransactionStatus and the
 * constant it is derived from, in src/statuses.ts), one level deep: a column type may be declared
 * beside the vocabulary it names. The schema's own declarations win over an imported one.
 */
function withImportedDeclarations(module: Module, declarations: Declarations): Declarations {
  for (const item of module.body) {
    if (item.type !== 'ImportDeclaration' || !item.source.value.startsWith('.')) continue;
    const file = resolve(dirname(SCHEMA_FILE), item.source.value.replace(/\.js$/, '.ts'));
    const imported = topLevelDeclarations(parseSync(readFileSync(file, 'utf8'), { syntax: 'typescript' }));
    for (const [name, found] of imported.interfaces) if (!declarations.interfaces.has(name)) declarations.interfaces.set(name, found);
    for (const [name, found] of imported.aliases) if (!declarations.aliases.has(name)) declarations.aliases.set(name, found);
    for (const [name, found] of imported.constants) if (!declarations.constants.has(name)) declarations.constants.set(name, found);
  }
  return declarations;
}

type Declarations = {
  interfaces: Map<string, TsInterfaceDeclaration>;
  aliases: Map<string, TsTypeAliasDeclaration>;
  constants: Map<string, Expression>;
};

function topLevelDeclarations(module: Module): Declarations {
  const found: Declarations = { interfaces: new Map(), aliases: new Map(), constants: new Map() };
  for (const item of module.body) {
    const declaration = item.type === 'ExportDeclaration' ? item.declaration : item;
    if (declaration.type === 'TsInterfaceDeclaration') found.interfaces.set(declaration.id.value, declaration);
    else if (declaration.type === 'TsTypeAliasDeclaration') found.aliases.set(declaration.id.value, declaration);
    else if (declaration.type === 'VariableDeclaration') {
      for (const variable of declaration.declarations) {
        if (variable.id.type === 'Identifier' && variable.init) found.constants.set(variable.id.value, variable.init);
      }
    }
  }
  return found;
}

function properties(declaration: TsInterfaceDeclaration, name: string): [string, TsType][] {
  return declaration.body.body.map((member) => {
    if (member.type !== 'TsPropertySignature' || member.key.type !== 'Identifier' || !member.typeAnnotation) {
      throw new Error(`${name}: every member must be a plain \`name: Type\` property (found a ${member.type})`);
    }
    if (member.optional) throw new Error(`${name}.${member.key.value}: a column is never optional; write \`| null\` or Generated<…>`);
    return [member.key.value, member.typeAnnotation.typeAnnotation];
  });
}

/** The kinds a select returns for `type` ('null' included when it can be NULL). */
function kindsOf(type: TsType, bindings: Bindings, declarations: Declarations, where: string): Set<ValueKind | 'null'> {
  const recurse = (inner: TsType, innerBindings = bindings) => kindsOf(inner, innerBindings, declarations, where);
  switch (type.type) {
    case 'TsKeywordType':
      switch (type.kind) {
        case 'string':
        case 'number':
        case 'boolean':
        case 'bigint':
        case 'null':
          return new Set([type.kind]);
        case 'unknown':
        case 'any':
          return new Set(['unknown']);
        case 'never':
          return new Set();
        default:
          throw new Error(`${where}: a column cannot read as \`${type.kind}\``);
      }
    case 'TsLiteralType':
      switch (type.literal.type) {
        case 'StringLiteral':
        case 'TemplateLiteral':
          return new Set(['string']);
        case 'NumericLiteral':
          return new Set(['number']);
        case 'BooleanLiteral':
          return new Set(['boolean']);
        case 'BigIntLiteral':
          return new Set(['bigint']);
        default:
          throw new Error(`${where}: unsupported literal type ${(type.literal as { type: string }).type}`);
      }
    case 'TsUnionType':
      return new Set(type.types.flatMap((member) => [...recurse(member)]));
    case 'TsParenthesizedType':
      return recurse(type.typeAnnotation);
    case 'TsArrayType':
    case 'TsTupleType':
      return new Set(['array']);
    case 'TsTypeLiteral':
    case 'TsMappedType':
      return new Set(['object']);
    case 'TsIndexedAccessType':
      return elementKindsOfConstant(type, declarations, where);
    case 'TsTypeReference': {
      if (type.typeName.type !== 'Identifier') throw new Error(`${where}: qualified type names are not supported`);
      const name = type.typeName.value;
      const args = type.typeParams?.params ?? [];
      const bound = bindings.get(name);
      if (bound) return kindsOf(bound.type, bound.bindings, declarations, where);
      // kysely's column wrappers: the select type comes first.
      if (name === 'ColumnType' || name === 'Generated' || name === 'GeneratedAlways') return recurse(args[0]);
      if (name === 'Date') return new Set(['Date']);
      if (name === 'Record') return new Set(['object']);
      if (name === 'Array' || name === 'ReadonlyArray') return new Set(['array']);
      const alias = declarations.aliases.get(name);
      if (alias) {
        const parameters = alias.typeParams?.parameters ?? [];
        const aliasBindings: Bindings = new Map(parameters.map((parameter, i) => [parameter.name.value, { type: args[i], bindings }]));
        return kindsOf(alias.typeAnnotation, aliasBindings, declarations, where);
      }
      if (declarations.interfaces.has(name)) return new Set(['object']);
      throw new Error(`${where}: cannot tell what \`${name}\` reads as (declare it in src/db/schema.ts or teach tests/db/support/declared-schema.ts)`);
    }
    default:
      throw new Error(`${where}: unsupported type syntax ${type.type}`);
  }
}

/** `(typeof NAMES)[number]` over a `const NAMES = [...] as const` of literals. */
function elementKindsOfConstant(type: Extract<TsType, { type: 'TsIndexedAccessType' }>, declarations: Declarations, where: string): Set<ValueKind> {
  const query = type.objectType.type === 'TsParenthesizedType' ? type.objectType.typeAnnotation : type.objectType;
  const index = type.indexType;
  if (query.type !== 'TsTypeQuery' || query.exprName.type !== 'Identifier' || index.type !== 'TsKeywordType' || index.kind !== 'number') {
    throw new Error(`${where}: only \`(typeof CONSTANT)[number]\` indexed types are supported`);
  }
  const name = query.exprName.value;
  let value = declarations.constants.get(name);
  if (value?.type === 'TsConstAssertion') value = value.expression;
  if (value?.type !== 'ArrayExpression') throw new Error(`${where}: ${name} is not a constant array in src/db/schema.ts`);
  return new Set(
    value.elements.map((element) => {
      switch (element?.expression.type) {
        case 'StringLiteral':
          return 'string';
        case 'NumericLiteral':
          return 'number';
        case 'BooleanLiteral':
          return 'boolean';
        default:
          throw new Error(`${where}: ${name} holds something other than literals`);
      }
    }),
  );
}
