import { z } from 'zod';
import { text } from '../shared/text.js';
import { MATHS_FORMULA_MAX_LENGTH, MATHS_MAX_FORMULAS, MATHS_MAX_TOTAL_LENGTH } from '../constants.js';

/*
 * The bounds keep one call's typesetting short (KaTeX runs on the event loop): 200 formulas of
 * 4,000 characters took 350 ms, so a call also carries at most 50,000 characters in all (about
 * 25 ms). An answer is at most MESSAGE_MAX_LENGTH long, so real answers fit in one or two calls.
 */

const formulaSchema = z.strictObject({
  tex: text({ min: 1, max: MATHS_FORMULA_MAX_LENGTH, label: 'A formula' }),
  display: z.boolean(),
});

export const renderMathsInput = z.strictObject({
  formulas: z
    .array(formulaSchema)
    .min(1, 'Send at least one formula')
    .max(MATHS_MAX_FORMULAS, `At most ${MATHS_MAX_FORMULAS} formulas in one call`)
    .refine(
      (formulas) => formulas.reduce((sum, formula) => sum + formula.tex.length, 0) <= MATHS_MAX_TOTAL_LENGTH,
      `At most ${MATHS_MAX_TOTAL_LENGTH.toLocaleString('en')} characters of TeX in one call`,
    ),
});
