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

test('SERVER_COUNCILS: the operator’s councils are read once, with ids server:<slug>; a bad entry stops the start', () => {
  const council = {
    name: 'SRE review',
    models: ['test/a', 'test/b'],
    chairmanModel: 'test/c',
    instructions: 'Be brief.',
  };
  expect(load({}).api.council.serverCouncils).toEqual([]);
  expect(load({ SERVER_COUNCILS: JSON.stringify([council]) }).api.council.serverCouncils).toEqual([
    { id: 'server:sre-review', ...council, mode: 'full', reasoningEffort: 'none', webSearch: false },
  ]);
  expect(() => load({ SERVER_COUNCILS: JSON.stringify([{ ...council, instructions: 'x'.repeat(8_001) }]) })).toThrow(
    /SERVER_COUNCILS: 0\.instructions/,
  );
  expect(() => load({ SERVER_COUNCILS: '{' })).toThrow(/SERVER_COUNCILS/);
});

// The council method's settings are read from the environment here, and only here.

test('without settings, runs get the documented defaults', () => {
  expect(load({}).api.council.method).toEqual({
    softDeadlineMs: 90_000,
    hardDeadlineMs: 300_000,
    quorumRatio: 0.5,
    reviewTemperature: 0,
    maxTokens: { stage1: null, stage2: 4_000, stage3: null },
    hideModelNamesFromChairman: false,
  });
});

test('every council method variable is parsed and passed on', () => {
  const method = load({
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
  expect(() => load({ COUNCIL_SOFT_DEADLINE_SECONDS: '400', COUNCIL_HARD_DEADLINE_SECONDS: '300' })).toThrow(
    /COUNCIL_SOFT_DEADLINE_SECONDS/,
  );
  expect(() => load({ COUNCIL_QUORUM: '0' })).toThrow(ConfigError);
});

test('operator controls: registration is open in development and invite-only in production unless set; server-key limits parse', () => {
  expect(load({}).api.operator).toEqual({
    registration: 'open',
    inviteTtlDays: 7,
    serverKey: { users: 'admins', maxTokensPerCall: 4000, dailyTokens: 200_000, dailyUsd: null },
  });
  expect(load({ NODE_ENV: 'production' }).api.operator.registration).toBe('invite');
  expect(load({ NODE_ENV: 'production', REGISTRATION: 'open' }).api.operator.registration).toBe('open');
  const custom = load({
    REGISTRATION: 'closed',
    INVITE_TTL_DAYS: '2',
    SERVER_KEY_USERS: 'all',
    SERVER_KEY_MAX_TOKENS: '512',
    SERVER_KEY_DAILY_TOKENS: 'unlimited',
    SERVER_KEY_DAILY_USD: '0.5',
  }).api.operator;
  expect(custom).toEqual({
    registration: 'closed',
    inviteTtlDays: 2,
    serverKey: { users: 'all', maxTokensPerCall: 512, dailyTokens: null, dailyUsd: 0.5 },
  });
  const bads: Record<string, string>[] = [
    { REGISTRATION: 'maybe' },
    { SERVER_KEY_USERS: 'everyone' },
    { SERVER_KEY_DAILY_USD: '-1' },
  ];
  for (const bad of bads) {
    expect(() => load(bad)).toThrow(ConfigError);
  }
});

test('case 54: TRUST_PROXY takes a hop count or addresses/CIDRs, never `true`', () => {
  expect(load({}).trustProxy).toBe(false);
  expect(load({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  expect(load({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
  expect(load({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,fd00::/8,loopback' }).trustProxy).toEqual([
    '10.0.0.0/8',
    '127.0.0.1',
    'fd00::/8',
    'loopback',
  ]);
  expect(() => load({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: `true` would let any client choose/);
  expect(() => load({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/"10.0.0.0\/33" is neither a hop count nor/);
  expect(() => load({ TRUST_PROXY: 'proxy.example.com' })).toThrow(/TRUST_PROXY/);
  expect(() => load({ TRUST_PROXY: '11' })).toThrow(/hop count above 10/);
});

test('hole 12: a non-loopback HOST outside production is refused unless ALLOW_REMOTE_BIND=true', () => {
  expect(() => load({ HOST: '0.0.0.0' })).toThrow(/HOST: "0.0.0.0" exposes a test server .* ALLOW_REMOTE_BIND=true/);
  expect(() => load({ HOST: '192.0.2.10', NODE_ENV: 'development' })).toThrow(/HOST/);
  expect(load({ HOST: '0.0.0.0', ALLOW_REMOTE_BIND: 'true' }).host).toBe('0.0.0.0');
  expect(load({ HOST: '0.0.0.0', NODE_ENV: 'production' }).host).toBe('0.0.0.0');
  for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) expect(load({ HOST: host }).host).toBe(host);
});

test('the cheap insecure-test password hash profile is refused in production', () => {
  expect(load({ PASSWORD_HASH_PROFILE: 'insecure-test' }).api.passwordHashProfile).toBe('insecure-test');
  expect(load({ NODE_ENV: 'production' }).api.passwordHashProfile).toBe('standard');
  expect(() => load({ NODE_ENV: 'production', PASSWORD_HASH_PROFILE: 'insecure-test' })).toThrow(
    /PASSWORD_HASH_PROFILE/,
  );
});
