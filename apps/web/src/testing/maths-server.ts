import { MathsTypesetter } from '@llm-council/api/maths';
import type { FakeHandler } from './fake-trpc-fetch';

/**
 * `maths.render` as the server answers it: the server's own typesetter (KaTeX), so the web tests
 * sanitise and show exactly the MathML the browser gets (without the per-user budget, which lives in
 * the database).
 */
export function mathsRenderHandler(typesetter = new MathsTypesetter()): FakeHandler {
  return (input) => ({
    data: typesetter.render((input as { formulas: { tex: string; display: boolean }[] }).formulas),
  });
}
