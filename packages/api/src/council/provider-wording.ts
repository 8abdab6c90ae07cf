import { upstreamErrorMessages, type CouncilEvent } from '@llm-council/council';

/**
 * The engine does not know which provider it talks to, so its messages say "the provider". The
 * user should read "your OpenRouter key was rejected": name the provider in the two messages
 * that ask the user to act.
 */
export function nameProviderInErrors(event: CouncilEvent, providerLabel: string): CouncilEvent {
  if (event.type !== 'model_failed' && event.type !== 'run_failed') return event;
  const message = event.error.message
    .replaceAll(upstreamErrorMessages.UPSTREAM_AUTH, `Your ${providerLabel} key was rejected; check it in Settings.`)
    .replaceAll(upstreamErrorMessages.UPSTREAM_NO_CREDIT, `Your ${providerLabel} account is out of credit.`);
  return message === event.error.message ? event : { ...event, error: { ...event.error, message } };
}
