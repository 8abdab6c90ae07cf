import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { signUpWithKey } from './council-harness.js';
import { STRONG_PASSWORD } from './test-server.js';

// The built `llm-council` command (packages/cli/dist/main.js), run as a child process; the
// integration project's global setup builds it afresh once per run (build-cli.global-setup.ts).

const repoRoot = resolve(import.meta.dirname, '../../../..');
const cliPath = join(repoRoot, 'packages/cli/dist/main.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** How many separate writes reached stdout: more than one means the answer streamed. */
  stdoutChunks: number;
}

export function runCli(
  args: string[],
  env: Record<string, string>,
  options: { onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {},
): Promise<CliRun> {
  const configHome = mkdtempSync(join(tmpdir(), 'llmc-cli-'));
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: configHome, XDG_CONFIG_HOME: configHome, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let stdoutChunks = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    stdoutChunks += 1;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    options.onStderr?.(stderr, child);
  });
  return new Promise((done) =>
    child.once('close', (code, signal) => done({ code, signal, stdout, stderr, stdoutChunks })),
  );
}

export async function ownerWithToken(
  bed: { server: Parameters<typeof signUpWithKey>[0] },
  scopes: ('read' | 'council')[],
) {
  const owner = await signUpWithKey(bed.server);
  const { token } = await owner.client.tokens.create.mutate({ name: 'cli', scopes, password: STRONG_PASSWORD });
  return { owner, env: { LLM_COUNCIL_URL: bed.server.url, LLM_COUNCIL_TOKEN: token }, token };
}
