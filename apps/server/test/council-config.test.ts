import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { testSecrets } from './helpers/test-server.js';

// The council method's settings are read from the environment here, and only here.

function configWith(env: Record<string, string>) {
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'llmc-config-')),
    ...testSecrets(),
    ...env,
  });
}

test('without settings, runs get the documented defaults', () => {
  expect(configWith({}).api.council.method).toEqual({
    softDeadlineMs: 90_000,
    hardDeadlineMs: 300_000,
    quorumRatio: 0.5,
    reviewTemperature: 0,
    maxTokens: { stage1: null, stage2: 4_000, stage3: null },
    hideModelNamesFromChairman: false,
  });
});

test('every council method variable is parsed and passed on', () => {
  const method = configWith({
    COUNCIL_SOFT_DEADLINE_SECONDS: '20',
    COUNCIL_HARD_DEADLINE_SECONDS: '60',
    COUNCIL_QUORUM: '0.75',
    COUNCIL_REVIEW_TEMPERATURE: '0.2',
    COUNCIL_MAX_TOKENS_STAGE1: '1000',
    COUNCIL_MAX_TOKENS_STAGE2: '800',
    COUNCIL_MAX_TOKENS_STAGE3: '3000',
    COUNCIL_CHAIRMAN_SEES_MODEL_NAMES: 'false',
  }).api.council.method;
  expect(method).toEqual({
    softDeadlineMs: 20_000,
    hardDeadlineMs: 60_000,
    quorumRatio: 0.75,
    reviewTemperature: 0.2,
    maxTokens: { stage1: 1_000, stage2: 800, stage3: 3_000 },
    hideModelNamesFromChairman: true,
  });
});

test('a soft deadline past the hard one, or a quorum of 0, is refused with the variable named', () => {
  expect(() => configWith({ COUNCIL_SOFT_DEADLINE_SECONDS: '400', COUNCIL_HARD_DEADLINE_SECONDS: '300' })).toThrow(
    /COUNCIL_SOFT_DEADLINE_SECONDS/,
  );
  expect(() => configWith({ COUNCIL_QUORUM: '0' })).toThrow(ConfigError);
});
