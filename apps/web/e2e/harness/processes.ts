import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/*
 * The end-to-end tests drive the real thing: the server entry point and the offline fake
 * upstream run as child processes (the web app never imports server code, not even in tests),
 * and the browser loads the built client from the server, as a user's browser would.
 */

const repoRoot = resolve(import.meta.dirname, '../../../..');
// tsx is the server's dev dependency, so `--import tsx` resolves from the server's directory.
const serverDir = join(repoRoot, 'apps/server');
export const webDistDir = join(repoRoot, 'apps/web/dist');

export interface ChildService {
  url: string;
  /** Everything the process printed, for diagnosing a failure. */
  output: string[];
  stop(): Promise<void>;
}

function startChild(options: {
  name: string;
  script: string;
  env: Record<string, string>;
  /** Matched against the output; its first group is the service's URL, printed once it is ready. */
  readyPattern: RegExp;
  onStop?: () => void;
}): Promise<ChildService> {
  const child = spawn(process.execPath, ['--import', 'tsx', options.script], {
    cwd: serverDir,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let isReady = false;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    options.onStop?.();
  };

  return new Promise<ChildService>((resolveStart, rejectStart) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectStart(new Error(`${options.name} did not start within 90 s:\n${output.join('')}`));
    }, 90_000);
    const onOutput = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      if (isReady) return;
      const url = options.readyPattern.exec(output.join(''))?.[1];
      if (!url) return;
      isReady = true;
      clearTimeout(timer);
      resolveStart({ url, output, stop });
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    void exited.then(() => {
      clearTimeout(timer);
      if (!isReady) rejectStart(new Error(`${options.name} exited before it was ready:\n${output.join('')}`));
    });
  });
}

/**
 * The offline demo upstream: OpenAI-compatible, simulated models, any API key accepted.
 * `scenario` scripts the default council (see the fake's `cli.ts`).
 */
export function startFakeUpstream(scenario?: 'council-method' | 'slow-answers'): Promise<ChildService> {
  return startChild({
    name: 'fake upstream',
    script: join(repoRoot, 'packages/council/src/fake-upstream/cli.ts'),
    env: { FAKE_UPSTREAM_PORT: '0', ...(scenario ? { FAKE_UPSTREAM_SCENARIO: scenario } : {}) },
    readyPattern: /at (http:\/\/127\.0\.0\.1:\d+\/v1)/,
  });
}

/** A port that was free a moment ago: the server must know its own origin before it starts (CORS). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, rejectPort) => {
    const probe = createServer();
    probe.once('error', rejectPort);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * The real server on a fresh embedded database in a temporary directory, serving the built
 * client, with OpenRouter pointed at `upstreamUrl`. `env` overrides any configuration variable.
 */
export async function startCouncilServer(upstreamUrl: string, env: Record<string, string> = {}): Promise<ChildService> {
  if (!existsSync(join(webDistDir, 'index.html'))) {
    throw new Error('The web client is not built: run `pnpm --filter @llm-council/web build` (pnpm test:e2e does).');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'llmc-e2e-'));
  const port = await freePort();
  return startChild({
    name: 'server',
    script: 'src/main.ts',
    env: {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      // The refresh and logout procedures check Origin against this list.
      CORS_ORIGINS: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      WEB_DIST_DIR: webDistDir,
      OPENROUTER_BASE_URL: upstreamUrl,
      ...env,
    },
    readyPattern: /"url":"(http:\/\/127\.0\.0\.1:\d+)"/,
    onStop: () => rmSync(dataDir, { recursive: true, force: true }),
  });
}
