import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COUNCIL_MAX_MODELS, COUNCIL_MIN_MODELS } from '@llm-council/api/constants';
import { expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { testSecrets } from './helpers/test-server.js';

// The environment as an operator writes it, parsed without starting a server.

function load(env: Record<string, string>) {
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'llmc-config-')),
    ...testSecrets(),
    ...env,
  });
}

test('a rotated encryption key list keeps every key, the first one current', () => {
  const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
  const config = load({ API_KEY_ENCRYPTION_KEY: `new:${newKey.toString('base64')},old:${oldKey.toString('base64')}` });
  expect(config.api.encryptionKeys).toEqual([
    { kid: 'new', key: newKey },
    { kid: 'old', key: oldKey },
  ]);
});

test(`COUNCIL_MODELS must list ${COUNCIL_MIN_MODELS} to ${COUNCIL_MAX_MODELS} models`, () => {
  const models = (n: number) => Array.from({ length: n }, (_, i) => `test/m${i}`).join(',');
  expect(load({ COUNCIL_MODELS: models(COUNCIL_MIN_MODELS) }).api.council.models).toHaveLength(COUNCIL_MIN_MODELS);
  expect(load({ COUNCIL_MODELS: models(COUNCIL_MAX_MODELS) }).api.council.models).toHaveLength(COUNCIL_MAX_MODELS);
  for (const n of [COUNCIL_MIN_MODELS - 1, COUNCIL_MAX_MODELS + 1]) {
    expect(() => load({ COUNCIL_MODELS: models(n) })).toThrow(ConfigError);
  }
});
