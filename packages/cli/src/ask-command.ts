import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { describeUnknownCouncil, findCouncil, listAskableCouncils } from '@llm-council/mcp';
import {
  AttachmentError,
  CouncilRunError,
  type CouncilAnswer,
  type CouncilClient,
  type CouncilMode,
} from '@llm-council/sdk';
import { CliError, ExitCode } from './exit-codes.js';
import { ModelProgress } from './progress.js';
import { formatVerdict } from './verdict-table.js';

export interface AskOptions {
  json?: boolean;
  /** A saved council's name (own or the server's). */
  council?: string;
  models?: string[];
  chairman?: string;
  mode?: CouncilMode;
  /** Continue this conversation instead of starting a new one. */
  conversation?: string;
  /** Files to attach (`--attach`, repeatable): uploaded first, then asked with. */
  attach?: string[];
}

export interface Io {
  stdout: { write(text: string): void };
  stderr: { write(text: string): void; isTTY: boolean };
  /** Registers the Ctrl-C handler; returns its removal. */
  onInterrupt(handler: () => void): () => void;
}

/**
 * Asks the council (in a new conversation, or `--conversation <id>`) through the SDK's
 * `askCouncil`: per-model progress on stderr, the chairman's answer on stdout as it streams, then
 * the verdict and the ranking table on stderr (or every event as a JSON line with `--json`).
 * Ctrl-C cancels the run on the server and ends with 130. Resolves with the exit code.
 */
export async function askCommand(
  client: CouncilClient,
  question: string,
  options: AskOptions,
  io: Io,
): Promise<number> {
  const following = new AbortController();
  let runId: string | null = null;
  let isInterrupted = false;
  let cancelling: Promise<unknown> = Promise.resolve();
  const cancel = (id: string) => {
    cancelling = client.council.cancel.mutate({ runId: id }).catch(() => undefined);
  };
  const removeHandler = io.onInterrupt(() => {
    if (isInterrupted) return;
    isInterrupted = true;
    io.stderr.write('\nCancelling the run…\n');
    if (runId) cancel(runId);
    following.abort();
  });
  const progress = new ModelProgress(io.stderr);
  let hasAnswered = false;
  try {
    const councilId = options.council === undefined ? undefined : await findCouncilId(client, options.council);
    const attachmentIds = await uploadFiles(client, options.attach ?? []);
    const result = await client.askCouncil(question, {
      ...(attachmentIds.length > 0 ? { attachmentIds } : {}),
      ...(options.conversation ? { conversationId: options.conversation } : {}),
      ...(councilId !== undefined ? { councilId } : {}),
      ...(options.models ? { models: options.models } : {}),
      ...(options.chairman ? { chairmanModel: options.chairman } : {}),
      ...(options.mode ? { mode: options.mode } : {}),
      signal: following.signal,
      // The SDK's reconnect policy follows the run through a dropped connection; say so meanwhile.
      onReconnecting: () => {
        if (!options.json) progress.note('The connection dropped; reconnecting (the council keeps working)…');
      },
      onStarted: (id) => {
        runId = id;
        // Ctrl-C arrived while the run was being created: cancel it now that it has an id.
        if (isInterrupted) cancel(id);
      },
      onEvent: (event, envelope) => {
        if (options.json) return io.stdout.write(`${JSON.stringify(envelope)}\n`);
        progress.apply(event);
        if (event.type === 'model_delta' && event.stage === 'stage3') {
          io.stdout.write(event.text);
          hasAnswered = true;
        }
      },
    });
    progress.stop();
    // A ranked or answers-only run has no synthesis to stream: the answer it stands on comes whole.
    if (!hasAnswered && !options.json && result.answer !== '') {
      io.stderr.write(`${answerNote(result)}\n`);
      io.stdout.write(result.answer);
      hasAnswered = true;
    }
    if (hasAnswered) io.stdout.write('\n');
    if (!options.json) {
      io.stderr.write(formatVerdict(result));
      io.stderr.write(
        `Conversation ${result.conversationId} (continue it with --conversation ${result.conversationId})\n`,
      );
    }
    return ExitCode.ok;
  } catch (error) {
    progress.stop();
    if (isInterrupted) {
      await cancelling;
      return ExitCode.interrupted;
    }
    if (error instanceof CouncilRunError) {
      if (hasAnswered) io.stdout.write('\n');
      const state = error.state;
      const reason =
        state?.status === 'failed'
          ? `The council failed${state.error?.stage ? ` in ${state.error.stage}` : ''}: ${state.error?.message ?? 'unknown error'}`
          : error.message;
      throw new CliError(reason, ExitCode.runFailed);
    }
    throw error;
  } finally {
    removeHandler();
  }
}

/** The id of the saved council `name` means; an unknown name is a usage error listing the councils there are. */
async function findCouncilId(client: CouncilClient, name: string): Promise<string> {
  const councils = await listAskableCouncils(client);
  const found = findCouncil(councils, name);
  if (found) return found.id;
  // `--council` once took a list of models: point whoever still types that at --models.
  const hint = /[,/]/.test(name) ? ' (to choose models, use --models a,b)' : '';
  throw new CliError(`--council: ${describeUnknownCouncil(councils, name)}${hint}`, ExitCode.usage);
}

/** Says what the answer is when it is not a synthesis, so it never passes for one. */
function answerNote(result: CouncilAnswer): string {
  return result.mode === 'ranked'
    ? `Top-ranked answer (${result.answerModel}); ranked mode: answers and peer review, no synthesis.`
    : `Answer (${result.answerModel}); answers-only mode: no peer review or synthesis.`;
}

/** Uploads each `--attach` file; a refused or unreadable one stops the command naming it (nothing is asked). */
async function uploadFiles(client: CouncilClient, paths: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const path of paths) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new CliError(
        `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
        ExitCode.usage,
      );
    }
    try {
      ids.push((await client.uploadAttachment(new Blob([bytes]), basename(path))).id);
    } catch (error) {
      if (error instanceof AttachmentError) throw new CliError(error.message, ExitCode.usage);
      throw error;
    }
  }
  return ids;
}
