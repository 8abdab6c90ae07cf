import {
  createInvite,
  deleteUser,
  disableUser,
  enableUser,
  listAllUsers,
  listUserAudit,
  promoteUser,
  setServerKeyAllowed,
  systemClock,
  UnknownUserError,
  type OperatorDeps,
} from '@llm-council/api';
import { createDb } from '@llm-council/db';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { escapeControlCharacters } from './terminal-text.js';

/*
 * `pnpm users:<command>`: the operator's user management, run beside the server against the same
 * database (DATABASE_URL, or the embedded one in DATA_DIR while the server is stopped — it holds
 * that directory's lock). Exits non-zero with a message on any mistake.
 */

const USAGE = `Usage: pnpm users:<command>
  users:list                        every account: email, created, spent today (ledger), admin, disabled, server-key
  users:invite [--email <email>]    a single-use invite code (valid INVITE_TTL_DAYS)
  users:disable <email>             refuse every call of the account and end its sessions now
  users:enable <email>              undo users:disable
  users:delete <email>              delete the account and all its data
  users:promote <email>             make the account an admin
  users:server-key <email> on|off|default   allow or refuse the fallback key for the account
  users:audit <email>               the account's recent security events`;

class UsageError extends Error {}

const COMMANDS = ['list', 'invite', 'disable', 'enable', 'delete', 'promote', 'server-key', 'audit'];

async function run(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  // A mistyped command is refused before the database is opened.
  if (!command || !COMMANDS.includes(command)) {
    throw new UsageError(command ? `Unknown command "${command}"` : 'No command given');
  }
  const config = loadConfig(process.env);
  // Log lines go to stderr: stdout carries only what the operator asked for.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const deps: OperatorDeps = { db: handle.db, logger, now: systemClock, config: config.api };
  try {
    await dispatch(deps, command, rest);
  } finally {
    await handle.close();
  }
}

async function dispatch(deps: OperatorDeps, command: string, rest: string[]): Promise<void> {
  const email = () => {
    const value = rest[0];
    if (!value || value.startsWith('--')) throw new UsageError(`users:${command} needs an email`);
    return value;
  };
  switch (command) {
    case 'list':
      return printUsers(deps);
    case 'invite': {
      const at = rest.indexOf('--email');
      const invited = at >= 0 ? rest[at + 1] : undefined;
      if (at >= 0 && !invited) throw new UsageError('--email needs an address');
      const { code, expiresAt } = await createInvite(deps, { email: invited });
      console.log(`Invite code: ${code}`);
      console.log(
        `Valid until ${expiresAt.toISOString()}${invited ? ` for ${invited.toLowerCase()}` : ''}; single use.`,
      );
      return;
    }
    case 'disable':
      await disableUser(deps, email());
      return console.log(`Disabled ${email()}; their sessions have ended.`);
    case 'enable':
      await enableUser(deps, email());
      return console.log(`Enabled ${email()}.`);
    case 'delete':
      await deleteUser(deps, email());
      return console.log(`Deleted ${email()} and all their data.`);
    case 'promote':
      await promoteUser(deps, email());
      return console.log(`${email()} is now an admin.`);
    case 'server-key': {
      const setting = { on: true, off: false, default: null }[rest[1] ?? ''];
      if (setting === undefined) throw new UsageError('users:server-key <email> on|off|default');
      await setServerKeyAllowed(deps, email(), setting);
      return console.log(`Server key for ${email()}: ${rest[1]}.`);
    }
    case 'audit':
      for (const row of await listUserAudit(deps, email())) console.log(formatAuditRow(row));
      return;
    default:
      throw new UsageError(command ? `Unknown command "${command}"` : 'No command given');
  }
}

type AuditRow = Awaited<ReturnType<typeof listUserAudit>>[number];

/** One security event per line; every stored string escaped (a User-Agent may carry terminal escapes). */
function formatAuditRow(row: AuditRow): string {
  const detail = Object.entries(row.detail)
    .map(
      ([key, value]) =>
        ` ${escapeControlCharacters(key)}=${escapeControlCharacters(typeof value === 'string' ? value : JSON.stringify(value))}`,
    )
    .join('');
  const fields = [row.event.padEnd(20), row.ip ?? '-', row.userAgent ?? '-'].map(escapeControlCharacters);
  return `${row.createdAt.toISOString()}  ${fields[0]} ${fields[1]}  ${fields[2]}${detail}`;
}

async function printUsers(deps: OperatorDeps): Promise<void> {
  const users = await listAllUsers(deps);
  if (users.length === 0) return console.log('No users yet.');
  for (const user of users) {
    const flags = [
      user.isAdmin ? 'admin' : null,
      user.disabledAt ? `disabled ${user.disabledAt.toISOString()}` : null,
      user.serverKeyAllowed === null ? null : `server-key ${user.serverKeyAllowed ? 'on' : 'off'}`,
    ].filter(Boolean);
    const spent = `spent today ${user.spentTokens} tokens $${user.spentUsd.toFixed(4)}`;
    console.log(
      `${user.email}  created ${user.createdAt.toISOString()}  ${spent}${flags.length ? `  [${flags.join(', ')}]` : ''}`,
    );
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
  else if (error instanceof ConfigError || error instanceof UnknownUserError) console.error(error.message);
  else console.error(`users: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
