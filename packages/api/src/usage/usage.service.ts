/** What other features read of usage: the recorded usage of runs (run records show it per run). */
export { sumUsageOfRuns, type RunUsageTotal } from './usage.repository.js';
