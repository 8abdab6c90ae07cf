import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const serverDir = join(import.meta.dirname, '..', '..');

export interface ServerProcess {
  url: string;
  pid: number;
  /** Everything the process wrote, for diagnostics. */
  output: string[];
  /** Resolves with the exit code or signal once the process is gone (and reaped). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the real server entry point (`src/main.ts` under tsx) as a child process with exactly
 * `env` (plus PATH and HOME) and PORT=0, and resolves once it logs the URL it listens on.
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  // --liftoff-only: PGlite's WebAssembly runs on V8's baseline compiler, as in the test workers
  // (vitest.config.ts): optimising the 9 MB module costs a short-lived process more than it saves.
  const child: ChildProcess = spawn(process.execPath, ['--liftoff-only', '--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output.join('')}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output.join(''));
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${output.join('')}`));
    });
  });
  return {
    url,
    pid: child.pid ?? -1,
    output,
    exited,
    kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}
