import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildMigratedTemplate } from './test-template.js';
import { readTestDatabaseUrl } from './test-env.js';

/** The projects whose tests open PGlite test databases. */
const DATABASE_PROJECTS = new Set(['unit', 'integration', 'faults']);

/**
 * Vitest runs every test file in its own module graph, so a template cached in a module would be
 * rebuilt for each file. Built here, once per run, it is handed to every file as a file path.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (readTestDatabaseUrl()) return undefined;
  if (!project.vitest.projects.some((selected) => DATABASE_PROJECTS.has(selected.name))) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'llmc-template-'));
  const path = join(dir, 'migrated.tar');
  await writeFile(path, Buffer.from(await (await buildMigratedTemplate()).arrayBuffer()));
  project.provide('pgliteTemplatePath', path);
  return () => rm(dir, { recursive: true, force: true });
}
