import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

/*
 * The seams between feature folders of packages/api/src, read from the source itself (issue 18 §1).
 * Routers are the composition layer: `root.ts` mounts them and a router may call any feature's
 * service. Everything below the routers — services, repositories, schemas, the engine glue — forms
 * an acyclic graph of folders, and nothing but root.ts imports a router. ESLint's feature-seams
 * rule (eslint.config.js) keeps repositories and routers private to their folder.
 */

const SRC = dirname(fileURLToPath(import.meta.url));
/** Folders every feature may use; they import no feature themselves. */
const COMMON = new Set(['shared', 'testing', 'generated']);

interface ImportEdge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gmu)];
  return specifiers.map((match) => relative(SRC, normalize(join(dirname(file), match[1]!))));
}

function folderOf(path: string): string | null {
  const parts = path.split(sep);
  return parts.length > 1 ? parts[0]! : null;
}

const files = sourceFiles(SRC).map((path) => relative(SRC, path));
const edges: ImportEdge[] = files.flatMap((from) =>
  relativeImports(join(SRC, from)).map((to) => ({ from, to: to.replace(/\.js$/u, '.ts') })),
);

/** Folder → folders it imports, counting only modules below the router layer. */
function featureGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const source = folderOf(from);
    const target = folderOf(to);
    if (!source || !target || source === target || from.endsWith('.router.ts')) continue;
    if (COMMON.has(target)) continue;
    graph.set(source, (graph.get(source) ?? new Set()).add(target));
  }
  return graph;
}

/** Every cycle as a path a → … → a, found by depth-first search from each folder. */
function cyclesOf(graph: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const walk = (start: string, node: string, path: string[]): void => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) cycles.push([...path, next]);
      else if (!path.includes(next) && next > start) walk(start, next, [...path, next]);
    }
  };
  for (const start of graph.keys()) walk(start, start, [start]);
  return cycles;
}

test('the reader of imports sees the seams it is meant to guard', () => {
  // Without these the checks below would pass on a parser that finds nothing.
  const graph = featureGraph();
  expect(graph.get('council')).toContain('conversations');
  expect(graph.get('council')).toContain('spend');
  expect(graph.get('auth')).toContain('audit');
  expect(edges.filter((edge) => edge.from === 'root.ts').length).toBeGreaterThanOrEqual(8);
});

test('feature folders below the routers form no import cycle', () => {
  expect(cyclesOf(featureGraph())).toEqual([]);
});

test('the cycle finder reports a cycle when there is one', () => {
  const graph = new Map([
    ['a', new Set(['b'])],
    ['b', new Set(['c'])],
    ['c', new Set(['a'])],
  ]);
  expect(cyclesOf(graph)).toEqual([['a', 'b', 'c', 'a']]);
});

test('no router calls a router: only root.ts imports one', () => {
  const routerImports = edges.filter((edge) => edge.to.endsWith('.router.ts') && edge.from !== 'root.ts');
  expect(routerImports).toEqual([]);
});

test('shared folders import no feature', () => {
  const upward = edges.filter((edge) => {
    const source = folderOf(edge.from);
    const target = folderOf(edge.to);
    return source && COMMON.has(source) && source !== 'testing' && target && !COMMON.has(target);
  });
  expect(upward).toEqual([]);
});
