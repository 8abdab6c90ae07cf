export { consultCouncil, type ConsultInput, type ConsultOptions, type ConsultResult } from './consult.js';
export { CouncilProgress, type ProgressStep } from './progress.js';
export { createCouncilMcpServer } from './tools.js';
export { describeUnknownCouncil, findCouncil, listAskableCouncils, type AskableCouncil } from './saved-councils.js';
