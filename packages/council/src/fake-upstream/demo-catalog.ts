import type { ModelInfo } from '../upstream/provider-catalog.js';
import type { FakeBehavior } from './fake-upstream.types.js';

const perMillion = (usd: number): number => usd / 1_000_000;

const visionModels = new Set([
  'openai/gpt-5.1',
  'google/gemini-3-pro-preview',
  'anthropic/claude-sonnet-4.5',
  'x-ai/grok-4',
  'meta-llama/llama-4-maverick',
]);

/**
 * The offline demo's model list: real, well-known ids so config and UI look as they will in
 * production, names marked "(offline demo)" so nobody mistakes the output for a real model's.
 * Prices are rough public list prices, only there to make the cost display do something.
 */
export const demoCatalog: ModelInfo[] = [
  {
    id: 'openai/gpt-5.1',
    name: 'OpenAI: GPT-5.1',
    contextLength: 400_000,
    pricing: { prompt: perMillion(1.25), completion: perMillion(10) },
  },
  {
    id: 'google/gemini-3-pro-preview',
    name: 'Google: Gemini 3 Pro Preview',
    contextLength: 1_048_576,
    pricing: { prompt: perMillion(2), completion: perMillion(12) },
  },
  {
    id: 'anthropic/claude-sonnet-4.5',
    name: 'Anthropic: Claude Sonnet 4.5',
    contextLength: 1_000_000,
    pricing: { prompt: perMillion(3), completion: perMillion(15) },
  },
  {
    id: 'x-ai/grok-4',
    name: 'xAI: Grok 4',
    contextLength: 256_000,
    pricing: { prompt: perMillion(3), completion: perMillion(15) },
  },
  {
    id: 'meta-llama/llama-4-maverick',
    name: 'Meta: Llama 4 Maverick',
    contextLength: 1_048_576,
    pricing: { prompt: perMillion(0.15), completion: perMillion(0.6) },
  },
  {
    id: 'deepseek/deepseek-chat-v3.1',
    name: 'DeepSeek: DeepSeek V3.1',
    contextLength: 163_840,
    pricing: { prompt: perMillion(0.2), completion: perMillion(0.8) },
  },
  {
    id: 'mistralai/mistral-large',
    name: 'Mistral: Mistral Large',
    contextLength: 128_000,
    pricing: { prompt: perMillion(2), completion: perMillion(6) },
  },
  {
    id: 'qwen/qwen3-max',
    name: 'Qwen: Qwen3 Max',
    contextLength: 256_000,
    pricing: { prompt: perMillion(1.2), completion: perMillion(6) },
  },
].map((model) => ({
  ...model,
  name: `${model.name} (offline demo)`,
  // As OpenRouter lists them: these read images; DeepSeek, Mistral Large and Qwen3 Max text only.
  inputModalities: visionModels.has(model.id) ? ['text', 'image'] : ['text'],
  // Mistral Large does not reason; the others accept OpenRouter's `reasoning` parameter.
  supportedParameters:
    model.id === 'mistralai/mistral-large'
      ? ['max_tokens', 'temperature', 'tools']
      : ['max_tokens', 'temperature', 'reasoning', 'include_reasoning', 'tools'],
}));

/**
 * Pacing that feels like real models: a pause before the first token, then steady typing, so a
 * ~70-word answer takes between 1 and 3 seconds. Each model gets its own speed, so stage 1
 * visibly finishes model by model.
 */
export function demoBehaviorFor(model: string): FakeBehavior {
  const index = Math.max(
    0,
    demoCatalog.findIndex((m) => m.id === model),
  );
  return { firstTokenMs: 300 + 60 * index, tokenDelayMs: 12 + 2 * index };
}

/**
 * The default council scripted to show the council method in one run: Grok never answers (late),
 * the other three each put a different colleague first (a three-way cycle: a tie for first and a
 * close verdict), and GPT's first review is off-format, so it is repaired.
 */
export const councilMethodScenario: Record<string, FakeBehavior> = {
  'x-ai/grok-4': { hang: true },
  'openai/gpt-5.1': { reviewer: { favourite: 'google/gemini-3-pro-preview', sloppyRate: 1 } },
  'google/gemini-3-pro-preview': { reviewer: { favourite: 'anthropic/claude-sonnet-4.5' } },
  'anthropic/claude-sonnet-4.5': { reviewer: { favourite: 'openai/gpt-5.1' } },
};
