export { startFakeUpstream } from './fake-upstream.server.js';
export { demoCatalog, demoBehaviorFor } from './demo-catalog.js';
export { defaultReply } from './fake-upstream.replies.js';
export type {
  FakeBehavior,
  FakeKey,
  FakeUpstream,
  FakeUpstreamOptions,
  RecordedRequest,
} from './fake-upstream.types.js';
