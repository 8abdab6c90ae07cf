import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'tsup';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  interface ProvidedContext {
    /** The operator's `users:*` CLI bundled once per run (users-cli.test.ts spawns it). */
    usersCliBundle?: string;
  }
}

const serverDir = resolve(import.meta.dirname, '../..');

/**
 * `pnpm users:*` runs src/users-cli.ts under tsx, whose loader hooks cost a child process about
 * 1.5 s of CPU before the first line of ours runs. users-cli.test.ts spawns the CLI about a dozen
 * times, so it runs this bundle of the same source instead, built the way the server's own bundle
 * is (tsup.config.ts: workspace packages compiled in, npm packages from node_modules); one test
 * still goes through `pnpm users:list` itself. The bundle sits under node_modules so its npm
 * imports resolve as the server's do.
 */
export default async function buildUsersCli(project: TestProject): Promise<() => Promise<void>> {
  const cacheDir = join(serverDir, 'node_modules', '.cache');
  await mkdir(cacheDir, { recursive: true });
  const outDir = await mkdtemp(join(cacheDir, 'users-cli-'));
  // tsup keeps the dependencies of the package.json in its working directory external: the server's.
  const manifest = JSON.parse(await readFile(join(serverDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  await build({
    entry: { 'users-cli': join(serverDir, 'src/users-cli.ts') },
    outDir,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    external: Object.keys(manifest.dependencies ?? {}).filter((name) => !name.startsWith('@llm-council/')),
    noExternal: [/^@llm-council\//],
    esbuildOptions(options) {
      options.conditions = ['@llm-council/source'];
    },
    config: false,
    silent: true,
  });
  project.provide('usersCliBundle', join(outDir, 'users-cli.js'));
  return () => rm(outDir, { recursive: true, force: true });
}
