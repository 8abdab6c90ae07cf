/**
 * A short, readable name for the device behind a user-agent string: "Firefox on Linux",
 * "Safari on iPhone", "Chrome on Android". Programs (the SDK, curl) show their own name; an
 * unknown agent is shown shortened rather than guessed at.
 */
export function describeDevice(userAgent: string | null): string {
  const agent = userAgent?.trim() ?? '';
  if (agent === '') return 'Unknown device';
  const browser = findFirst(agent, BROWSERS);
  const system = findFirst(agent, SYSTEMS);
  if (browser && system) return `${browser} on ${system}`;
  if (browser ?? system) return (browser ?? system) as string;
  // A program: its product token ("node", "curl/8.5.0" → "curl").
  const product = /^([A-Za-z][\w.-]*)/.exec(agent)?.[1];
  if (product && product !== 'Mozilla') return product;
  return agent.length > 40 ? `${agent.slice(0, 39)}…` : agent;
}

type Rule = [pattern: RegExp, name: string];

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", and every
// iPhone/Android agent also names an underlying system.
const BROWSERS: Rule[] = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];

const SYSTEMS: Rule[] = [
  [/iPhone/, 'iPhone'],
  [/iPad/, 'iPad'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

function findFirst(agent: string, rules: Rule[]): string | undefined {
  return rules.find(([pattern]) => pattern.test(agent))?.[1];
}
