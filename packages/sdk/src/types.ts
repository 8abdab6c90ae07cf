import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@llm-council/api';

/** Every procedure's input type, e.g. `RouterInputs['conversations']['create']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Every procedure's output type, e.g. `RouterOutputs['conversations']['get']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type { AppRouter };
