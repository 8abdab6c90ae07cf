// Writes build/router.d.ts: the server's `AppRouter` as the client sees it, with every procedure's
// input and output spelled out, so the published SDK names no server module (no kysely, pg, db,
// repositories, the server's context). The compiler prints the types; the server's own named types
// are expanded, only the TypeScript lib (Date, AsyncIterable, Record…) and `@trpc/server` stay
// named. Then the result is checked against the server's router procedure by procedure (inputs and
// outputs must be mutually assignable, same procedures): a drift fails the build.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const sdkRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(sdkRoot, 'build');
const routerFile = join(buildDir, 'router.d.ts');
const checkFile = join(buildDir, 'router-check.ts');

const config = ts.getParsedCommandLineOfConfigFile(
  join(sdkRoot, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  },
);
const options = { ...config.options, noEmit: true };
const typesSource = join(sdkRoot, 'src', 'types.ts');
const program = ts.createProgram({ rootNames: [typesSource], options });
const checker = program.getTypeChecker();
const F = ts.TypeFlags;

function fail(message) {
  console.error(`emit-router-types: ${message}`);
  process.exit(1);
}

const sourceFile = program.getSourceFile(typesSource) ?? fail(`cannot read ${typesSource}`);
const moduleSymbol = checker.getSymbolAtLocation(sourceFile);
const exported = checker.getExportsOfModule(moduleSymbol).find((s) => s.name === 'AppRouter');
if (!exported) fail('src/types.ts exports no AppRouter');
const routerSymbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
const appRouter = checker.getDeclaredTypeOfSymbol(routerSymbol);

const propType = (type, name) => {
  const symbol = type.getProperty(name);
  return symbol ? checker.getTypeOfSymbol(symbol) : undefined;
};
const def = propType(appRouter, '_def') ?? fail('AppRouter has no _def');
const rootTypes = propType(propType(def, '_config'), '$types');
const record = propType(def, 'record');

// Unions the published types can name instead of spelling out: the API's dependency-free error
// codes and constants (bundled with the SDK) and tRPC's error codes. Largest first.
const namedUnions = [];
function collectUnions(moduleSymbol, specifier, only) {
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(symbol.flags & ts.SymbolFlags.TypeAlias) || (only && !only.includes(exported.name))) continue;
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    if (type.flags & F.Union) namedUnions.push({ name: exported.name, specifier, members: new Set(type.types) });
  }
}
for (const [file, specifier] of [
  ['../api/src/error-codes.ts', '@llm-council/api/error-codes'],
  ['../api/src/constants.ts', '@llm-council/api/constants'],
]) {
  const source = program.getSourceFile(join(sdkRoot, file)) ?? fail(`${file} is not part of the program`);
  collectUnions(checker.getSymbolAtLocation(source), specifier);
}
const trpcImport = sourceFile.statements.find(
  (s) => ts.isImportDeclaration(s) && s.moduleSpecifier.text === '@trpc/server',
);
collectUnions(checker.getSymbolAtLocation(trpcImport.moduleSpecifier), '@trpc/server', [
  'TRPC_ERROR_CODE_NUMBER',
  'TRPC_ERROR_CODE_KEY',
]);
namedUnions.sort((a, b) => b.members.size - a.members.size);
const usedNames = new Map(); // specifier -> Set of names

const isLib = (symbol) =>
  symbol?.declarations?.length > 0 &&
  symbol.declarations.every((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));
const identifier = /^[A-Za-z_$][\w$]*$/;
const key = (name) => (identifier.test(name) ? name : JSON.stringify(name));

// Repeated object shapes become one named alias (the server's name for it when it has one).
const shapeCounts = new Map();
const aliases = new Map(); // printed text -> alias name
const aliasBodies = [];
let hoisting = false;
let counting = true;

// Pass 1 (not hoisting) counts each object shape by its plain text; pass 2 names the shapes seen
// twice or more, keyed by that plain text so an outer shape is recognised whatever its inner
// shapes became.
function hoist(text, type, path, stack) {
  if (!hoisting) {
    if (counting) shapeCounts.set(text, (shapeCounts.get(text) ?? 0) + 1);
    return text;
  }
  hoisting = false;
  const plain = print(type, path, stack);
  hoisting = true;
  if (plain.length < 60 || (shapeCounts.get(plain) ?? 0) < 2) return text;
  let name = aliases.get(plain);
  if (!name) {
    const base = [type.aliasSymbol?.name, type.symbol?.name].find(
      (n) => n && identifier.test(n) && !n.startsWith('__'),
    );
    name = base ?? 'Shape';
    const taken = new Set(aliases.values());
    for (let i = 2; taken.has(name) || reserved.includes(name); i += 1) name = `${base ?? 'Shape'}${i}`;
    aliases.set(plain, name);
    aliasBodies.push(`type ${name} = ${text};`);
  }
  return name;
}
const reserved = ['AppRouter', 'ErrorShape', 'Def', 'Query', 'Mutation', 'Subscription'];

function print(type, path, stack = new Set()) {
  const f = type.flags;
  if (f & F.Any) return 'any';
  if (f & F.Unknown) return 'unknown';
  if (f & F.String) return 'string';
  if (f & F.Number) return 'number';
  if (f & F.Boolean) return 'boolean';
  if (f & F.BigInt) return 'bigint';
  if (f & F.Void) return 'void';
  if (f & F.Undefined) return 'undefined';
  if (f & F.Null) return 'null';
  if (f & F.Never) return 'never';
  if (f & F.ESSymbol) return 'symbol';
  if (f & F.NonPrimitive) return 'object';
  if (f & (F.StringLiteral | F.NumberLiteral | F.BooleanLiteral | F.TemplateLiteral)) {
    return checker.typeToString(type);
  }
  if (stack.has(type)) fail(`${path}: recursive type ${checker.typeToString(type)} cannot be expanded`);
  const inner = new Set(stack).add(type);
  if (f & F.Union) return printUnion(type.types, path, inner);
  if (f & F.Intersection) return type.types.map((m) => wrap(m, print(m, path, inner))).join(' & ');
  if (f & F.Object) {
    if (type.aliasSymbol && isLib(type.aliasSymbol)) {
      const args = (type.aliasTypeArguments ?? []).map((a) => print(a, path, inner));
      return args.length ? `${type.aliasSymbol.name}<${args.join(', ')}>` : type.aliasSymbol.name;
    }
    if (checker.isArrayType(type)) {
      const [element] = checker.getTypeArguments(type);
      const text = `${wrap(element, print(element, path, inner))}[]`;
      return type.symbol?.name === 'ReadonlyArray' ? `readonly ${text}` : text;
    }
    if (checker.isTupleType(type)) {
      const flags = type.target.elementFlags;
      const items = checker.getTypeArguments(type).map((a, i) => {
        const text = print(a, path, inner);
        if (flags[i] & ts.ElementFlags.Optional) return `${wrap(a, text)}?`;
        if (flags[i] & ts.ElementFlags.Rest) return `...${wrap(a, text)}[]`;
        return text;
      });
      return `${type.target.readonly ? 'readonly ' : ''}[${items.join(', ')}]`;
    }
    if (isLib(type.symbol)) {
      const args = type.objectFlags & ts.ObjectFlags.Reference ? checker.getTypeArguments(type) : [];
      const printed = args.map((a) => print(a, path, inner));
      return printed.length ? `${type.symbol.name}<${printed.join(', ')}>` : type.symbol.name;
    }
    if (type.getCallSignatures().length || type.getConstructSignatures().length) {
      fail(`${path}: a function type (${checker.typeToString(type)}) cannot cross the wire`);
    }
    const members = [];
    for (const info of checker.getIndexInfosOfType(type)) {
      members.push(`[key: ${print(info.keyType, path, inner)}]: ${print(info.type, path, inner)}`);
    }
    for (const prop of checker.getPropertiesOfType(type)) {
      const optional = prop.flags & ts.SymbolFlags.Optional ? '?' : '';
      const propPath = `${path}.${prop.name}`;
      const propType = checker.getTypeOfSymbol(prop);
      // `x?: T` already admits undefined (neither the API nor the SDK uses exactOptionalPropertyTypes).
      const text =
        optional && propType.flags & F.Union
          ? printUnion(
              propType.types.filter((m) => !(m.flags & F.Undefined)),
              propPath,
              inner,
            )
          : print(propType, propPath, inner);
      members.push(`${key(prop.name)}${optional}: ${text}`);
    }
    return hoist(members.length ? `{${members.join('; ')}}` : '{}', type, path, stack);
  }
  fail(`${path}: cannot expand ${checker.typeToString(type)} (type flags ${f})`);
}

function printUnion(all, path, inner) {
  let members = all;
  const named = [];
  for (const union of namedUnions) {
    if (union.members.size > 1 && [...union.members].every((m) => members.includes(m))) {
      named.push(union.name);
      if (!usedNames.has(union.specifier)) usedNames.set(union.specifier, new Set());
      usedNames.get(union.specifier).add(union.name);
      members = members.filter((m) => !union.members.has(m));
    }
  }
  const hasTrue = members.some((m) => m.flags & F.BooleanLiteral && checker.typeToString(m) === 'true');
  const hasFalse = members.some((m) => m.flags & F.BooleanLiteral && checker.typeToString(m) === 'false');
  const parts = [...named];
  for (const m of members) {
    if (hasTrue && hasFalse && m.flags & F.BooleanLiteral) {
      if (!parts.includes('boolean')) parts.push('boolean');
      continue;
    }
    parts.push(wrap(m, print(m, path, inner)));
  }
  return parts.join(' | ');
}

function firstSentence(text) {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/[.!?](\s|$)/);
  return end === -1 ? flat : flat.slice(0, end + 1);
}

function wrap(type, text) {
  return type.flags & (F.Union | F.Intersection) && !text.match(identifier) ? `(${text})` : text;
}

const kinds = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };
const procedures = [];

function printRecord(recordType, path, indent) {
  const lines = ['{'];
  for (const entry of checker.getPropertiesOfType(recordType)) {
    const value = checker.getTypeOfSymbol(entry);
    const entryPath = path ? `${path}.${entry.name}` : entry.name;
    // The procedure's first sentence: what it does. The rest of a server-side comment is about how.
    const docs = firstSentence(ts.displayPartsToString(entry.getDocumentationComment(checker)));
    if (docs) lines.push(`${indent}  /** ${docs.replace(/\*\//g, '*\\/').replace(/\n/g, `\n${indent}   * `)} */`);
    const procDef = propType(value, '_def');
    const kindType = procDef && propType(procDef, 'type');
    if (kindType && kindType.flags & F.StringLiteral) {
      const $types = propType(procDef, '$types');
      const input = print(propType($types, 'input'), `${entryPath} input`);
      const output = print(propType($types, 'output'), `${entryPath} output`);
      const kind = kinds[kindType.value] ?? fail(`${entryPath}: unknown procedure type ${kindType.value}`);
      procedures.push(entryPath.split('.'));
      lines.push(`${indent}  ${key(entry.name)}: ${kind}<${input}, ${output}>;`);
    } else {
      lines.push(`${indent}  ${key(entry.name)}: ${printRecord(value, entryPath, `${indent}  `)};`);
    }
  }
  lines.push(`${indent}}`);
  return lines.join('\n');
}

// Pass 1 counts repeated shapes, pass 2 prints with the repeated ones named.
printRecord(record, '', '');
print(propType(rootTypes, 'errorShape'), 'errorShape');
hoisting = true;
counting = false;
procedures.length = 0;
const body = printRecord(record, '', '');
const errorShape = print(propType(rootTypes, 'errorShape'), 'errorShape');

const trpcNames = ['TRPCBuiltRouter', 'TRPCMutationProcedure', 'TRPCQueryProcedure', 'TRPCSubscriptionProcedure'];
for (const name of trpcNames)
  (usedNames.get('@trpc/server') ?? usedNames.set('@trpc/server', new Set()).get('@trpc/server')).add(name);
const imports = [...usedNames]
  .map(([specifier, names]) => `import type { ${[...names].sort().join(', ')} } from '${specifier}';`)
  .join('\n');
const text = `// Generated by packages/sdk/scripts/emit-router-types.mjs from the server's router: do not edit.
${imports}

type ErrorShape = ${errorShape};
type Def<I, O> = { input: I; output: O; meta: object; errorShape: ErrorShape };
type Query<I, O> = TRPCQueryProcedure<Def<I, O>>;
type Mutation<I, O> = TRPCMutationProcedure<Def<I, O>>;
type Subscription<I, O> = TRPCSubscriptionProcedure<Def<I, O>>;
${aliasBodies.join('\n')}

/** The server's router as the client sees it: every procedure's input and output. */
export type AppRouter = TRPCBuiltRouter<{ ctx: object; meta: object; errorShape: ErrorShape; transformer: false }, ${body}>;
`;
mkdirSync(buildDir, { recursive: true });
writeFileSync(routerFile, text);

// The check: every procedure's input and output, both ways, and no procedure missing or extra.
const paths = procedures.map((p) => p.map((s) => `[${JSON.stringify(s)}]`).join(''));
const namespaces = [...new Set(procedures.map((p) => JSON.stringify(p.slice(0, -1))))].map((n) =>
  JSON.parse(n)
    .map((s) => `[${JSON.stringify(s)}]`)
    .join(''),
);
const check = `import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter as Server } from '@llm-council/api';
import type { AppRouter as Published } from './router.js';
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
type SI = inferRouterInputs<Server>; type PI = inferRouterInputs<Published>;
type SO = inferRouterOutputs<Server>; type PO = inferRouterOutputs<Published>;
${namespaces.map((n, i) => `export type N${i} = Expect<Same<keyof SI${n}, keyof PI${n}>>;`).join('\n')}
${paths.map((p, i) => `export type I${i} = Expect<Same<SI${p}, PI${p}>>;\nexport type O${i} = Expect<Same<SO${p}, PO${p}>>;`).join('\n')}
`;
writeFileSync(checkFile, check);
const checkProgram = ts.createProgram({ rootNames: [typesSource, checkFile], options, oldProgram: program });
const diagnostics = ts.getPreEmitDiagnostics(checkProgram).filter((d) => d.file?.fileName.startsWith(buildDir));
if (diagnostics.length) {
  const lines = diagnostics.slice(0, 10).map((d) => {
    const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  fail(`the published router differs from the server's:\n${lines.join('\n')}`);
}
console.log(
  `emit-router-types: ${procedures.length} procedures, ${aliasBodies.length} shared shapes, ${(Buffer.byteLength(text) / 1024).toFixed(1)} KB; matches the server's router`,
);
