import { screen, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { clientFor, fakeTrpcServer } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';
import { SecurityActivityCard, describeDevice } from './security-activity-card';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';

test('the card lists each event with its time, a plain label, the IP address and the device', async () => {
  const server = fakeTrpcServer({
    'settings.securityActivity': () => ({
      data: [
        {
          event: 'api_key_saved',
          at: '2026-11-27T04:00:00.000Z',
          ip: '203.0.113.7',
          userAgent: FIREFOX,
          detail: { provider: 'openrouter' },
        },
        {
          event: 'sign_in_failed',
          at: '2026-11-27T03:59:00.000Z',
          ip: '198.51.100.2',
          userAgent: null,
          detail: { reason: 'wrong_password' },
        },
      ],
    }),
  });
  renderWithClient(() => <SecurityActivityCard />, clientFor(server));
  const card = await screen.findByRole('region', { name: 'Security activity' });
  const rows = await within(card).findAllByRole('row');
  expect(rows.map((row) => [...row.querySelectorAll('td')].slice(1).map((cell) => cell.textContent))).toEqual([
    [],
    ['API key saved (openrouter)', '203.0.113.7', 'Firefox on Linux'],
    ['Failed sign-in', '198.51.100.2', 'Unknown device'],
  ]);
  expect(rows[1]?.querySelector('time')?.getAttribute('datetime')).toBe('2026-11-27T04:00:00.000Z');
  expect(rows[2]?.classList.contains('security-warning')).toBe(true);
});

test('an empty log says so; a device string without a known browser is shown shortened', async () => {
  renderWithClient(
    () => <SecurityActivityCard />,
    clientFor(fakeTrpcServer({ 'settings.securityActivity': () => ({ data: [] }) })),
  );
  expect(await screen.findByText('Nothing recorded yet.')).toBeTruthy();
  expect(describeDevice('SecurityLogTest/1.0')).toBe('SecurityLogTest/1.0');
  expect(
    describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36'),
  ).toBe('Chrome on Windows');
});
