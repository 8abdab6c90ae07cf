import { readFileSync } from 'node:fs';

/*
 * `pnpm --filter @llm-council/server profile:summary <file.cpuprofile> [runs]`: where a V8 CPU
 * profile of the server (BENCH_CPU_PROF=<dir> on a benchmark) spent its time, grouped so that the
 * question "what holds CPU per run back" has an answer in milliseconds: by area (our packages,
 * each dependency, Node's internals, garbage collection, idle), then the functions with the most
 * self time. Given the number of runs the profile covered, it divides by it too.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, runsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary <file.cpuprofile> [runs]');
  process.exit(2);
}
const runs = runsArg ? Number(runsArg) : null;
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

// Self time of each node: a sample's time delta belongs to the node on top of the stack.
const selfUs = new Map<number, number>();
profile.samples.forEach((nodeId, i) => {
  selfUs.set(nodeId, (selfUs.get(nodeId) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));

/** Which part of the program a frame belongs to. */
function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return '(garbage collector)';
  if (functionName === '(program)') return '(program: V8 and native, unattributed)';
  if (!url) return `(native) ${functionName || 'anonymous'}`;
  if (url.startsWith('node:internal/')) return `node: internal/${url.slice('node:internal/'.length).split('/')[0]}`;
  if (url.startsWith('node:')) return `node: ${url.slice('node:'.length)}`;
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `dependency: ${pkg[1]}`;
  const ours = /\/(packages|apps)\/([^/]+)\/src\/(?:([^/]+)\/)?/.exec(url) ?? /\/(db)\/src\/()/.exec(url);
  if (ours) return `ours: ${ours[1]}/${ours[2]}${ours[3] && !ours[3].includes('.') ? `/${ours[3]}` : ''}`;
  return `other: ${url.replace(/^file:\/\//, '')}`;
}

const byArea = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = nodes.get(id)?.callFrame;
  if (!frame) continue;
  const area = areaOf(frame);
  byArea.set(area, (byArea.get(area) ?? 0) + us);
  const where = frame.url ? `${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}` : area;
  const name = `${frame.functionName || '(anonymous)'} ${where}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}

const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idleUs = byArea.get('(idle)') ?? 0;
const busyUs = totalUs - idleUs;
const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const perRun = (us: number) => (runs ? (us / 1000 / runs).toFixed(1).padStart(7) : '');
const share = (us: number) => `${((100 * us) / busyUs).toFixed(1).padStart(5)} %`;

console.log(`profile: ${file}`);
console.log(
  `wall ${ms(totalUs)} ms, busy ${ms(busyUs)} ms${runs ? `, ${runs} runs: ${perRun(busyUs)} ms busy per run` : ''}`,
);
const table = (title: string, rows: Map<string, number>, limit: number) => {
  console.log(`\n${title}${' '.repeat(Math.max(1, 64 - title.length))}      ms  ${runs ? 'ms/run' : ''}   share`);
  [...rows]
    .filter(([key]) => key !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .forEach(([key, us]) => console.log(`${key.slice(0, 64).padEnd(64)} ${ms(us)} ${perRun(us)} ${share(us)}`));
};
table('by area (self time)', byArea, 25);
table('by function (self time)', byFunction, 30);
