import { expect, onTestFinished, test } from 'vitest';
import { startFakeUpstream } from '../fake-upstream/fake-upstream.server.js';
import type { FakeUpstreamOptions } from '../fake-upstream/fake-upstream.types.js';
import { fetchKeyInfo, fetchModels } from './provider-catalog.js';

async function startUpstream(options?: FakeUpstreamOptions) {
  const upstream = await startFakeUpstream(options);
  onTestFinished(() => upstream.close());
  return upstream;
}

function jsonFetch(status: number, body: unknown, contentType = 'application/json'): typeof fetch {
  return () =>
    Promise.resolve(
      new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'content-type': contentType },
      }),
    );
}

test('fetchModels reads the catalog with numeric prices and context lengths', async () => {
  const upstream = await startUpstream({
    models: [
      {
        id: 'openai/gpt-5.1',
        name: 'GPT-5.1',
        contextLength: 400_000,
        pricing: { prompt: 0.00000125, completion: 0.00001 },
      },
    ],
  });
  const models = await fetchModels({ baseUrl: upstream.url });
  expect(models).toEqual([
    {
      id: 'openai/gpt-5.1',
      name: 'GPT-5.1',
      contextLength: 400_000,
      pricing: { prompt: 0.00000125, completion: 0.00001 },
      // The fake lists `architecture.input_modalities` as OpenRouter does: text when not told more.
      inputModalities: ['text'],
      // …and `supported_parameters`: a reasoning model's set when not told more.
      supportedParameters: ['max_tokens', 'temperature', 'reasoning', 'include_reasoning', 'tools'],
    },
  ]);
});

test('fetchModels tolerates local servers (no names or prices) and skips unreadable entries', async () => {
  const ollamaLike = jsonFetch(200, {
    object: 'list',
    data: [
      { id: 'llama3.2:3b', object: 'model', created: 1, owned_by: 'library' },
      { object: 'model' },
      { id: 'qwen3:8b', pricing: { prompt: 'free', completion: '0' } },
    ],
  });
  const models = await fetchModels({ baseUrl: 'http://ollama.invalid/v1', fetch: ollamaLike });
  expect(models).toEqual([{ id: 'llama3.2:3b', name: 'llama3.2:3b', contextLength: null, pricing: null }]);
});

test('fetchModels fails with UPSTREAM_MALFORMED when the body is not a model list', async () => {
  await expect(
    fetchModels({ baseUrl: 'http://x.invalid/v1', fetch: jsonFetch(200, '<html>', 'text/html') }),
  ).rejects.toMatchObject({
    code: 'UPSTREAM_MALFORMED',
  });
});

test('fetchKeyInfo returns limit and usage for a valid key', async () => {
  const upstream = await startUpstream({ keys: { 'sk-or-v1-good-key-123': { valid: true, limit: 10, usage: 2.5 } } });
  const check = await fetchKeyInfo({ baseUrl: upstream.url, apiKey: 'sk-or-v1-good-key-123' });
  expect(check).toEqual({
    status: 'valid',
    info: { label: 'sk-or-v1...123', limit: 10, limitRemaining: 7.5, usage: 2.5, isFreeTier: false },
  });
});

test('fetchKeyInfo reports an unknown key as invalid', async () => {
  const upstream = await startUpstream({ keys: { 'sk-or-v1-good-key-123': { valid: true } } });
  expect(await fetchKeyInfo({ baseUrl: upstream.url, apiKey: 'sk-or-v1-wrong' })).toEqual({ status: 'invalid' });
});

test('fetchKeyInfo says unsupported when the provider has no /key endpoint', async () => {
  const notFound = jsonFetch(404, '404 page not found', 'text/plain');
  expect(await fetchKeyInfo({ baseUrl: 'http://ollama.invalid/v1', apiKey: 'x', fetch: notFound })).toEqual({
    status: 'unsupported',
  });
  const html = jsonFetch(200, '<html>llama.cpp</html>', 'text/html');
  expect(await fetchKeyInfo({ baseUrl: 'http://llama.invalid/v1', apiKey: 'x', fetch: html })).toEqual({
    status: 'unsupported',
  });
});

test('fetchKeyInfo surfaces provider outages as errors rather than a verdict on the key', async () => {
  await expect(
    fetchKeyInfo({ baseUrl: 'http://x.invalid/v1', apiKey: 'x', fetch: jsonFetch(503, { error: {} }) }),
  ).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
});
