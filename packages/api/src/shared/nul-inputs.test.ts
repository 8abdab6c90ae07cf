import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { z } from 'zod';
import { appRouter } from '../root.js';
import { originalConversationSchema } from '../portability/original-format.js';
import { exportDocumentSchema } from '../portability/export-format.js';
import { describeFailure, failureOf } from '../testing/failure-of.js';
import { apiTest as test } from '../testing/test-api.js';

// Security case 61: a NUL in any string input is a 400 (BAD_REQUEST), never a 500 from PostgreSQL
// (`text` cannot hold U+0000). The test walks every procedure of the router, so a procedure added
// later is covered without anyone remembering to write a test for it.

type Schema = z.ZodType;
type Path = (string | number)[];

interface ZodDef {
  type: string;
  shape?: Record<string, Schema>;
  innerType?: Schema;
  in?: Schema;
  element?: Schema;
  options?: Schema[];
  keyType?: Schema;
  valueType?: Schema;
  entries?: Record<string, string>;
  values?: unknown[];
}

const defOf = (schema: Schema) => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

// Values a string field of this API accepts; a field takes the first one its schema parses.
const stringCandidates = [
  'x',
  'someone@example.com',
  randomUUID(),
  '1',
  'openrouter',
  'openai/gpt-5.1',
  'a long passphrase here',
  'sk-or-v1-0123456789abcdef',
  '2026-01-01T00:00:00Z',
  'https://example.org/page',
];

// Fields whose valid value depends on a sibling: a range's end must follow its start.
const fieldSamples: Record<string, string> = { to: '2026-02-01T00:00:00Z' };

function sampleString(schema: Schema, path: Path): string {
  const override = fieldSamples[String(path.at(-1))];
  if (override !== undefined && schema.safeParse(override).success) return override;
  const fit = stringCandidates.find((candidate) => schema.safeParse(candidate).success);
  if (fit === undefined) throw new Error(`no sample string fits ${path.join('.')}: add one to stringCandidates`);
  return fit;
}

/** A valid value for `schema`, and the paths of every string inside it. */
function sample(schema: Schema, path: Path, strings: Path[]): unknown {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return Object.fromEntries(Object.entries(def.shape ?? {}).map(([k, v]) => [k, sample(v, [...path, k], strings)]));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return sample(def.innerType as Schema, path, strings);
    case 'pipe':
    case 'string':
      if (def.type === 'string' || defOf(def.in as Schema).type === 'string') {
        strings.push(path);
        return sampleString(schema, path);
      }
      return sample(def.in as Schema, path, strings);
    case 'record': {
      // One entry: the key is a sample string, the value is walked under it.
      const key = sampleString(def.keyType as Schema, path);
      return { [key]: sample(def.valueType as Schema, [...path, key], strings) };
    }
    case 'array': {
      const element = def.element as Schema;
      // A list of a union (an original file's user and assistant messages): one item of each kind.
      if (defOf(element).type === 'union') {
        return (defOf(element).options ?? []).map((option, i) => sample(option, [...path, i], strings));
      }
      // Arrays of model ids need distinct members; find the shortest list the schema takes.
      const first = sample(element, [...path, 0], strings);
      for (let length = 1; length <= 8; length++) {
        const items = Array.from({ length }, (_, i) => (typeof first === 'string' && i > 0 ? `${first}-${i}` : first));
        if (schema.safeParse(items).success) return items;
      }
      return [first];
    }
    case 'enum':
      return Object.values(def.entries ?? {})[0];
    case 'literal':
      return def.values?.[0];
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'union':
      return sample((def.options as Schema[])[0] as Schema, path, strings);
    default:
      return undefined;
  }
}

function withNul(value: unknown, path: Path): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return `${String(value)}\u0000`;
  const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head] = withNul(copy[head], rest);
  return copy;
}

interface ProcedureDef {
  type: 'query' | 'mutation' | 'subscription';
  inputs: Schema[];
}

const procedures = Object.entries(
  (appRouter._def as unknown as { procedures: Record<string, { _def: ProcedureDef }> }).procedures,
).map(([name, procedure]) => ({ name, def: procedure._def }));

test('case 61: the walk finds the string inputs it must check', () => {
  const names = procedures.flatMap(({ name, def }) =>
    def.inputs.flatMap((input) => {
      const strings: Path[] = [];
      sample(input, [], strings);
      return strings.map((p) => `${name}:${p.join('.')}`);
    }),
  );
  // A walk that found nothing would pass for the wrong reason.
  expect(names).toEqual(
    expect.arrayContaining([
      'auth.login:email',
      'auth.login:password',
      'conversations.rename:title',
      'council.start:content',
      'council.start:clientRequestId',
      'council.start:models.0',
      'council.start:newConversation.title',
      'council.start:newConversation.history.0.question',
      'council.events:lastEventId',
      'settings.saveApiKey:apiKey',
    ]),
  );
});

/**
 * Valid samples of a procedure's input with the string paths of each: the full sample, or, when a
 * rule across fields refuses it (`council.start` takes `conversationId` or `newConversation`, not
 * both), each sample that leaves one optional top-level field out, so every field is still walked.
 */
function validSamples(input: Schema): { valid: unknown; strings: Path[] }[] {
  const strings: Path[] = [];
  const valid = sample(input, [], strings);
  if (input.safeParse(valid).success) return [{ valid, strings }];
  const optionalKeys = Object.entries(defOf(input).shape ?? {})
    .filter(([, field]) => defOf(field).type === 'optional')
    .map(([key]) => key);
  return optionalKeys.flatMap((key) => {
    const rest = { ...(valid as Record<string, unknown>) };
    delete rest[key];
    if (!input.safeParse(rest).success) return [];
    return [{ valid: rest, strings: strings.filter((path) => path[0] !== key) }];
  });
}

test('case 61: a NUL in any string input of any procedure is BAD_REQUEST naming the field, never a 500', async ({
  api,
}) => {
  const { caller } = await api.signUp();
  const checked: string[] = [];
  for (const { name, def } of procedures) {
    for (const input of def.inputs) {
      const variants = validSamples(input);
      expect(variants.length, `${name}: the generated sample must be valid`).toBeGreaterThan(0);
      for (const { valid, path } of variants.flatMap((v) => v.strings.map((p) => ({ valid: v.valid, path: p })))) {
        const call = name.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
        let failure;
        try {
          const result: unknown = await (call as (input: unknown) => Promise<unknown>)(withNul(valid, path));
          // A subscription that accepted its input returns a stream: that NUL was let through.
          (result as { return?: () => unknown } | undefined)?.return?.();
          failure = { code: 'accepted', fieldErrors: null };
        } catch (error: unknown) {
          failure = describeFailure(error);
        }
        const field = path.join('.');
        expect({ field: `${name}:${field}`, code: failure.code }).toEqual({
          field: `${name}:${field}`,
          code: 'BAD_REQUEST',
        });
        expect(Object.keys(failure.fieldErrors ?? {}), `${name}:${field}`).toContain(field);
        checked.push(`${name}:${field}`);
      }
    }
  }
  expect(checked.length).toBeGreaterThan(15);
});

// The import's documents are outside input too (issue 17): `conversations.import` takes `data` as
// any JSON and checks it against these schemas, so the walk goes through them as well. On main
// before this change a NUL in a title or a model id of an import reached PostgreSQL: a 500.
const importSchemas = [
  { name: 'export document', schema: exportDocumentSchema as Schema },
  { name: 'original llm-council file', schema: originalConversationSchema as Schema },
];

test('case 61: a NUL in any string of an imported document is IMPORT_INVALID naming the field, never a 500', async ({
  api,
}) => {
  const { caller } = await api.signUp();
  const checked: string[] = [];
  for (const { name, schema } of importSchemas) {
    const strings: Path[] = [];
    const valid = sample(schema, [], strings);
    expect(schema.safeParse(valid).success, `${name}: the generated sample must be valid`).toBe(true);
    for (const path of strings) {
      const field = path.join('.');
      const failure = await failureOf(caller.conversations.import({ data: withNul(valid, path) }));
      expect({ field: `${name}:${field}`, code: failure.code, appCode: failure.appCode }).toEqual({
        field: `${name}:${field}`,
        code: 'BAD_REQUEST',
        appCode: 'IMPORT_INVALID',
      });
      expect(failure.message).toContain(`${field}: `);
      expect(failure.message).toContain('cannot contain NUL');
      checked.push(`${name}:${field}`);
    }
  }
  // Titles, model ids (council, chairman, answers, original stage 1), labels, answers, dates.
  expect(checked).toEqual(
    expect.arrayContaining([
      'export document:conversations.0.title',
      'export document:conversations.0.runs.0.models.0',
      'export document:conversations.0.runs.0.responses.0.model',
      'export document:conversations.0.runs.0.responses.0.reviewDetails.shownOrder.0',
      'export document:conversations.0.runs.0.aggregate.0.model',
      'export document:conversations.0.messages.0.createdAt',
      'original llm-council file:title',
      'original llm-council file:messages.1.stage1.0.model',
    ]),
  );
});
