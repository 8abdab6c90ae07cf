import { randomUUID } from 'node:crypto';
import type { CouncilClient } from '@llm-council/sdk';
import { CliError, ExitCode } from './exit-codes.js';
import { ModelProgress } from './progress.js';
import { verdictLines } from './verdict-summary.js';

export interface AskOptions {
  json?: boolean;
  council?: string[];
  chairman?: string;
}

export interface Io {
  stdout: { write(text: string): void };
  stderr: { write(text: string): void; isTTY: boolean };
  /** Registers the Ctrl-C handler; returns its removal. */
  onInterrupt(handler: () => void): () => void;
}

/**
 * Asks the council in a new conversation: per-model progress on stderr, the chairman's answer
 * on stdout as it streams (or every event as a JSON line with `--json`). Ctrl-C cancels the run
 * on the server and ends with 130. Resolves with the exit code.
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
  const removeHandler = io.onInterrupt(() => {
    if (isInterrupted) return;
    isInterrupted = true;
    io.stderr.write('\nCancelling the run…\n');
    if (runId) cancelling = client.council.cancel.mutate({ runId }).catch(() => undefined);
    following.abort();
  });
  const progress = new ModelProgress(io.stderr);
  try {
    const conversation = await client.conversations.create.mutate({
      ...(options.council ? { models: options.council } : {}),
      ...(options.chairman ? { chairmanModel: options.chairman } : {}),
    });
    const started = await client.council.start.mutate({
      conversationId: conversation.id,
      content: question,
      clientRequestId: randomUUID(),
    });
    runId = started.runId;
    // Ctrl-C arrived while the run was being created: cancel it now that it has an id.
    if (isInterrupted) cancelling = client.council.cancel.mutate({ runId }).catch(() => undefined);

    let outcome: number | null = null;
    let hasAnswered = false;
    // Printed after the run, so it never lands inside the redrawn progress block.
    let verdict: string[] = [];
    for await (const envelope of client.followRun(runId, { signal: following.signal })) {
      const { event } = envelope;
      if (options.json) io.stdout.write(`${JSON.stringify(envelope)}\n`);
      else {
        progress.apply(event);
        if (event.type === 'model_delta' && event.stage === 'stage3') {
          io.stdout.write(event.text);
          hasAnswered = true;
        }
      }
      if (event.type === 'aggregate_ranked') verdict = verdictLines(event);
      if (event.type === 'run_completed') outcome = ExitCode.ok;
      if (event.type === 'run_failed') {
        io.stderr.write(`\nThe council failed in ${event.stage}: ${event.error.message}\n`);
        outcome = ExitCode.runFailed;
      }
      if (event.type === 'run_cancelled' || event.type === 'run_interrupted') {
        io.stderr.write(`\nThe run was ${event.type === 'run_cancelled' ? 'cancelled' : 'interrupted'}.\n`);
        outcome = ExitCode.runFailed;
      }
    }
    progress.stop();
    if (isInterrupted) {
      await cancelling;
      return ExitCode.interrupted;
    }
    if (hasAnswered) io.stdout.write('\n');
    if (!options.json) io.stderr.write([...verdict, `Conversation ${conversation.id}`].map((l) => `${l}\n`).join(''));
    if (outcome === null) throw new CliError('The run ended without a result.', ExitCode.runFailed);
    return outcome;
  } catch (error) {
    progress.stop();
    if (isInterrupted) {
      await cancelling;
      return ExitCode.interrupted;
    }
    throw error;
  } finally {
    removeHandler();
  }
}
