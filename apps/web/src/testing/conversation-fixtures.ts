import type { Conversation, Message, ModelCatalog, RunRecord } from '../council/council-types';
import { CHAIRMAN, MODELS, RUN_ID } from './council-events';

/** A review stored before peer-only counting: the server fills the details with "unknown". */
const legacyReview = { shownOrder: [], rankingStatus: null, repaired: false, selfRank: null };

export const CONVERSATION_ID = '0b7e6f0e-3f55-4a4b-9d2f-6c1b8f3f2a10';
export const QUESTION_ID = 'a3c8e2f4-1d7b-4c2e-8f1a-2b9d6e5c4a01';

export function userMessage(content: string, id = QUESTION_ID, position = 1, versionIds = [id]): Message {
  return {
    id,
    role: 'user',
    content,
    position,
    runId: null,
    parentId: null,
    versionIds,
    attachments: [],
    createdAt: '2025-11-26T12:00:00.000Z',
  };
}

/** A run record as `conversations.get` returns it; `overrides` shape the case under test. */
export function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: RUN_ID,
    status: 'completed',
    userMessageId: QUESTION_ID,
    provider: 'openrouter',
    models: MODELS,
    chairmanModel: CHAIRMAN,
    mode: 'full',
    instructions: null,
    reasoningEffort: 'none',
    webSearch: false,
    attempt: 1,
    error: null,
    labelToModel: { 'Response A': 'openai/gpt-5.1', 'Response B': 'x-ai/grok-4' },
    aggregate: [
      { model: 'x-ai/grok-4', averageRank: 1, rankingsCount: 2 },
      { model: 'openai/gpt-5.1', averageRank: 2, rankingsCount: 2 },
    ],
    verdict: null,
    agreement: null,
    allVotes: null,
    pairwiseWins: null,
    stage1: [
      {
        model: 'openai/gpt-5.1',
        status: 'completed',
        content: 'Paris is the capital.',
        error: null,
        usage: null,
        durationMs: 1200,
        reasoning: null,
        sources: [],
      },
      {
        model: 'x-ai/grok-4',
        status: 'completed',
        content: 'The capital is Paris.',
        error: null,
        usage: null,
        durationMs: 1500,
        reasoning: null,
        sources: [],
      },
    ],
    stage2: [
      {
        reviewer: 'openai/gpt-5.1',
        status: 'completed',
        content: 'Response B is better.\n\nFINAL RANKING:\n1. Response B\n2. Response A',
        parsedRanking: ['Response B', 'Response A'],
        error: null,
        usage: null,
        durationMs: null,
        ...legacyReview,
      },
      {
        reviewer: 'x-ai/grok-4',
        status: 'completed',
        content: 'I prefer Response B.\n\nFINAL RANKING:\n1. Response B\n2. Response A',
        parsedRanking: ['Response B', 'Response A'],
        error: null,
        usage: null,
        durationMs: null,
        ...legacyReview,
      },
    ],
    stage3: {
      model: CHAIRMAN,
      status: 'completed',
      content: 'Final: **Paris**.',
      error: null,
      usage: null,
      durationMs: null,
      reasoning: null,
    },
    chairmanFailure: null,
    title: 'Capital of France',
    usage: { promptTokens: 1234, completionTokens: 567, totalTokens: 1801, cost: 0.0123, isImported: false },
    createdAt: '2025-11-26T12:00:01.000Z',
    finishedAt: '2025-11-26T12:00:09.000Z',
    ...overrides,
  };
}

export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: CONVERSATION_ID,
    title: 'Capital of France',
    models: MODELS,
    chairmanModel: CHAIRMAN,
    source: 'app',
    createdAt: '2025-11-26T12:00:00.000Z',
    updatedAt: '2025-11-26T12:00:09.000Z',
    messages: [userMessage('What is the capital of France?')],
    runs: [runRecord()],
    ...overrides,
  };
}

/** `council.models` of a server with three catalogue models, two of them the default council. */
export const modelCatalog: ModelCatalog = {
  provider: 'openrouter',
  source: 'catalog',
  defaults: { models: ['openai/gpt-5.1', 'x-ai/grok-4'], chairmanModel: 'google/gemini-3-pro-preview' },
  models: [
    { id: 'openai/gpt-5.1', name: 'OpenAI: GPT-5.1', contextLength: 400_000, pricing: null },
    { id: 'x-ai/grok-4', name: 'xAI: Grok 4', contextLength: 256_000, pricing: null },
    { id: 'google/gemini-3-pro-preview', name: 'Google: Gemini 3 Pro Preview', contextLength: null, pricing: null },
  ],
};
