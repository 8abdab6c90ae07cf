import { screen, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { clientFor, fakeTrpcServer, type FakeHandler } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';
import { UsageStorage } from './usage-storage';

const MIB = 1024 * 1024;

async function renderStorage(handler: FakeHandler) {
  const server = fakeTrpcServer({ 'usage.storage': handler });
  renderWithClient(() => <UsageStorage />, clientFor(server), '/usage');
  return screen.findByRole('region', { name: 'Storage' });
}

test('storage under a cap shows used of USER_STORAGE_MAX_MB, the share and a meter', async () => {
  const storage = await renderStorage(() => ({ data: { usedBytes: 768 * MIB, maxBytes: 1024 * MIB } }));
  expect(await within(storage).findByText('768 MB of 1,024 MB')).toBeTruthy();
  expect(storage.textContent).toContain('75% used');
  const meter = within(storage).getByRole('meter', { name: 'Storage used' });
  expect([meter.getAttribute('value'), meter.getAttribute('max')]).toEqual([String(768 * MIB), String(1024 * MIB)]);
});

test('a full account reads 100%, not more', async () => {
  const storage = await renderStorage(() => ({ data: { usedBytes: 1030 * MIB, maxBytes: 1024 * MIB } }));
  expect(await within(storage).findByText('1,030 MB of 1,024 MB')).toBeTruthy();
  expect(storage.textContent).toContain('100% used');
});

test('without a cap the storage used reads unlimited, with no meter', async () => {
  const storage = await renderStorage(() => ({ data: { usedBytes: 123_456, maxBytes: null } }));
  expect(await within(storage).findByText('0.1 MB')).toBeTruthy();
  expect(storage.textContent).toContain('unlimited');
  expect(within(storage).queryByRole('meter')).toBeNull();
});

test('a failure to load the storage is said in the card', async () => {
  const storage = await renderStorage(() => ({ error: { code: 'TOO_MANY_REQUESTS', message: 'Slow down' } }));
  expect(await within(storage).findByText(/^Could not load:/)).toBeTruthy();
  expect(storage.textContent).toContain('Slow down');
});
