/**
 * Who is called what, and in which order each reviewer reads the answers. Reviewers favour what
 * they read first; if every reviewer read the same order, that favour would land on one model and
 * look like quality. Random labels plus a per-reviewer order spread it evenly over the answers.
 */

/** A number in [0, 1); `Math.random` in production, seeded in tests and benchmarks. */
export type RandomFn = () => number;

/**
 * The anonymous label of the i-th answer (0-based): 'Response A' … 'Response Z', then
 * 'Response AA', 'Response AB', … like spreadsheet columns.
 */
export function labelFor(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return `Response ${letters}`;
}

export function shuffle<T>(items: readonly T[], random: RandomFn): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

/** Labels A, B, C… given to the models in a random order, so "Response A" says nothing about who. */
export function assignLabels(models: readonly string[], random: RandomFn): Record<string, string> {
  const shuffled = shuffle(models, random);
  return Object.fromEntries(shuffled.map((model, i) => [labelFor(i), model]));
}

/**
 * One reading order per reviewer. When the reviewers can be split into whole rounds of n, each
 * reviewer gets a rotation of one shuffled base order, so every answer sits in every slot equally
 * often (a Latin square). Otherwise the orders are independent shuffles, balanced on average.
 */
export function presentationOrders(
  labels: readonly string[],
  reviewers: readonly string[],
  random: RandomFn,
): Record<string, string[]> {
  const n = labels.length;
  const base = shuffle(labels, random);
  const isBalanced = n > 0 && reviewers.length >= n && reviewers.length % n === 0;
  // Reviewers are shuffled too, so which reviewer gets which rotation is not fixed by config order.
  const seats = shuffle(reviewers, random);
  return Object.fromEntries(
    seats.map((reviewer, k) => {
      const order = isBalanced ? [...base.slice(k % n), ...base.slice(0, k % n)] : shuffle(labels, random);
      return [reviewer, order];
    }),
  );
}
