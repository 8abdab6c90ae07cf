import { createSignal, type Accessor } from 'solid-js';
import { describeError, type UiError } from './describe-error';

export interface Mutation<Args extends unknown[], Result> {
  /**
   * Runs the call: `pending` while it is under way, `error` cleared first and set if it fails.
   * Resolves to `{ ok: true, value }` or `{ ok: false, error }`; it never rejects.
   */
  run: (...args: Args) => Promise<MutationResult<Result>>;
  pending: Accessor<boolean>;
  /** The last run's failure as the UI shows it; null after a success or `clear()`. */
  error: Accessor<UiError | null>;
  clear: () => void;
}

export type MutationResult<T> = { ok: true; value: T } | { ok: false; error: UiError };

/**
 * The busy/error pair every form and button around a server call needs, once: a component keeps
 * what is its own (field mapping, messages, what success changes) and reads `pending()` and
 * `error()` for the rest.
 *
 * @example
 * const save = createMutation((name: string) => client.councils.create.mutate({ name }));
 * <button disabled={save.pending()} onClick={() => void save.run(name())}>Save</button>
 * <Show when={save.error()}>{(e) => <ErrorNotice message={e().message} />}</Show>
 */
export function createMutation<Args extends unknown[], Result>(
  fn: (...args: Args) => Promise<Result>,
): Mutation<Args, Result> {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<UiError | null>(null);
  const run = async (...args: Args): Promise<MutationResult<Result>> => {
    setPending(true);
    setError(null);
    try {
      return { ok: true, value: await fn(...args) };
    } catch (failure) {
      const described = describeError(failure);
      setError(described);
      return { ok: false, error: described };
    } finally {
      setPending(false);
    }
  };
  return { run, pending, error, clear: () => setError(null) };
}
