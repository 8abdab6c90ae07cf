export { appRouter, type AppRouter } from './root.js';
export { createCallerFactory, describeError, requirePasswordSession, requireScopedSession } from './trpc.js';
export {
  admitUpload,
  findAttachmentForDownload,
  maxUploadBytes,
  uploadAttachment,
  type AttachmentView,
} from './attachments/attachments.service.js';
export {
  badTokenWait,
  countBadToken,
  isPersonalAccessToken,
  resolvePersonalAccessToken,
  type TokenSession,
} from './tokens/personal-access-tokens.js';
export { withEventStreamSettings } from './council/event-stream-settings.js';
export { runEventsChannel } from './council/run-event-hub.js';
export type { Context, CookieJar, CookieOptions, RequestInfo, SignedInUser } from './context.js';
export { systemClock, type Clock, type Logger } from './ports.js';
export { addressBucket, canonicalAddress } from './shared/client-address.js';
export type {
  ApiConfig,
  CouncilDefaults,
  EncryptionKey,
  OperatorConfig,
  ProviderConfig,
  ProviderRequests,
  RateLimitRule,
  SigningKey,
} from './config.js';
export { fixedApiSettings } from './config.js';
export { parseServerCouncils, type SavedCouncilView } from './councils/councils.schemas.js';
export type { KeyValidation } from './settings/key-validation.js';
export { appErrorCodes, type AppErrorCode } from './errors.js';
export { reencryptAllApiKeys } from './settings/api-key.service.js';
export { runCleanup } from './maintenance/cleanup.js';
export { createServices, type ServiceDeps, type Services, type ServicesHandle } from './create-services.js';
export type { RunRecord } from './council/run-records.js';
export { recordAudit, recordRefusal, type AuditDeps } from './audit/audit.js';
export { createInvite } from './auth/registration.service.js';
export {
  deleteUser,
  disableUser,
  enableUser,
  listAllUsers,
  listUserAudit,
  promoteUser,
  setServerKeyAllowed,
  UnknownUserError,
  type OperatorDeps,
} from './operator/users-admin.service.js';
