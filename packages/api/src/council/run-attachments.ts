import type { QuestionAttachment } from '@llm-council/council';
import type { findProvider } from '../settings/providers.js';
import type { CouncilDeps } from './run-admission.service.js';

/**
 * A question's files as a run takes them (start, retry, a new version of the turn), with which
 * council models see images — read from the catalogue only when there is an image. Nothing when
 * the question has no files, so a run without files is planned exactly as before.
 */
export async function withImageInput(
  ctx: CouncilDeps,
  provider: ReturnType<typeof findProvider>,
  models: string[],
  attachments: QuestionAttachment[],
): Promise<{ attachments?: QuestionAttachment[]; imageInput?: Record<string, boolean> }> {
  if (attachments.length === 0) return {};
  const hasImage = attachments.some((a) => a.kind === 'image');
  const imageInput = hasImage ? await ctx.services.council.catalog.imageInput(provider, models) : {};
  return { attachments, imageInput };
}
