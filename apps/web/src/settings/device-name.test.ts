import { expect, test } from 'vitest';
import { describeDevice } from './device-name';

test('browsers and systems get a short name; the look-alikes are told apart', () => {
  const cases: [string, string][] = [
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Linux'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      'Edge on Windows',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome on macOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
      'Safari on iPhone',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'Chrome on Android',
    ],
    ['curl/8.5.0', 'curl'],
    ['node', 'node'],
  ];
  for (const [agent, name] of cases) expect(describeDevice(agent), agent).toBe(name);
});

test('an empty or unknown agent is named as such or shortened, never left blank', () => {
  expect(describeDevice(null)).toBe('Unknown device');
  expect(describeDevice('   ')).toBe('Unknown device');
  expect(describeDevice(`Mozilla/5.0 (${'x'.repeat(80)})`)).toHaveLength(40);
});
