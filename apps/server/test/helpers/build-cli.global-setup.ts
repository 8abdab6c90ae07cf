import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * The CLI tests (cli, cli-conversation, mcp-stdio) run what users run: the bundle `pnpm build`
 * makes (packages/cli/dist/main.js), built afresh from source. Built here once per run rather than
 * by each file: files running side by side would otherwise rewrite the bundle under each other.
 */
export default async function buildCli(): Promise<void> {
  await promisify(execFile)('pnpm', ['--filter', '@llm-council/cli', 'build'], {
    cwd: resolve(import.meta.dirname, '../../../..'),
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' },
  });
}
