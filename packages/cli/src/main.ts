import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { logoutCommand, whoamiCommand } from './account-commands.js';
import { askCommand, type AskOptions } from './ask-command.js';
import { connect as connectWith } from './connection.js';
import { describeFailure, ExitCode } from './exit-codes.js';
import { exportCommand } from './export-command.js';
import { listCommand } from './list-command.js';
import { loginCommand } from './login-command.js';
import { mcpCommand } from './mcp-command.js';
import { searchCommand } from './search-command.js';

const VERSION = '0.1.0';

function parseModels(value: string): string[] {
  const models = value
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  // One model is a council in mode `answers`; the server checks the size against the mode.
  if (models.length < 1) throw new InvalidArgumentError('name the models, comma-separated');
  return models;
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new InvalidArgumentError('a number from 1 to 100');
  return limit;
}

function parseSearchLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new InvalidArgumentError('a number from 1 to 50');
  return limit;
}

function buildProgram(
  env: NodeJS.ProcessEnv,
  setExitCode: (code: number) => void,
  onServer: (url: string) => void,
): Command {
  // Every command that talks to a server goes through here, so a failure can name the server.
  const connect = async (environment: NodeJS.ProcessEnv) => {
    const connection = await connectWith(environment);
    onServer(connection.url);
    return connection;
  };
  const program = new Command()
    .name('llm-council')
    .description('Ask an LLM Council from the terminal.')
    .version(VERSION)
    // Usage errors end with exit code 2 (commander's own default is 1, which means a failed run here).
    .exitOverride()
    .showHelpAfterError('(run `llm-council --help` for usage)');

  program
    .command('login')
    .description('store a server URL and a personal access token (in the config directory, mode 0600)')
    .option('--url <url>', 'server URL (default: $LLM_COUNCIL_URL, or asked)')
    .option('--email <email>', 'account email (asked when omitted)')
    .option('--token <token>', 'store this personal access token instead of signing in with a password')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (options: Parameters<typeof loginCommand>[0]) => {
      await loginCommand(options, env, (line) => process.stderr.write(`${line}\n`));
    });

  program
    .command('logout')
    .description('forget the stored server URL and token')
    .action(async () => {
      await logoutCommand(env, (line) => process.stderr.write(`${line}\n`));
    });

  program
    .command('whoami')
    .description('the account and server the command uses')
    .action(async () => {
      const { client, url } = await connect(env);
      await whoamiCommand(client, url, (text) => process.stdout.write(text));
    });

  program
    .command('ask')
    .description("ask the council; progress on stderr, the chairman's answer on stdout")
    .argument('<question>', 'the question (quote it)')
    .option('--json', 'print every event as a JSON line instead')
    .option('--council <name>', 'a saved council (yours or the server’s), by name: its models, mode and instructions')
    .addOption(new Option('--models <models>', 'council members, comma-separated').argParser(parseModels))
    .option('--chairman <model>', 'the chairman model')
    .addOption(
      new Option('--mode <mode>', 'full (with a synthesis), ranked (no chairman) or answers (no review)').choices([
        'full',
        'ranked',
        'answers',
      ]),
    )
    .option('--conversation <id>', 'continue this conversation (its id from `list`, `search` or an earlier `ask`)')
    .option(
      '--attach <file>',
      'attach a file: text or code (up to 1 MB), a PDF or an image (up to 10 MB); repeat for more',
      (file: string, files: string[] = []) => [...files, file],
    )
    .action(async (question: string, options: AskOptions) => {
      const { client } = await connect(env);
      const code = await askCommand(client, question, options, {
        stdout: process.stdout,
        stderr: process.stderr,
        onInterrupt: (handler) => {
          process.on('SIGINT', handler);
          return () => void process.off('SIGINT', handler);
        },
      });
      setExitCode(code);
    });

  program
    .command('list')
    .description('your most recent conversations')
    .addOption(new Option('--limit <n>', 'how many (1–100)').default(20).argParser(parseLimit))
    .option('--json', 'print JSON')
    .action(async (options: { limit: number; json?: boolean }) => {
      const { client } = await connect(env);
      await listCommand(client, options, (text) => process.stdout.write(text));
    });

  program
    .command('search')
    .description('full-text search over your conversations, best match first')
    .argument('<query>', 'words, "a phrase", or, -excluded')
    .addOption(new Option('--limit <n>', 'how many (1–50)').default(20).argParser(parseSearchLimit))
    .option('--json', 'print JSON')
    .action(async (query: string, options: { limit: number; json?: boolean }) => {
      const { client } = await connect(env);
      await searchCommand(client, query, options, (text) => process.stdout.write(text));
    });

  program
    .command('export')
    .description('one conversation as Markdown or JSON')
    .argument('<id>', 'the conversation id (from `list` or `search`)')
    .addOption(new Option('--format <format>', 'file format').choices(['markdown', 'json']).default('markdown'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (id: string, options: { format: 'markdown' | 'json'; output?: string }) => {
      const { client } = await connect(env);
      await exportCommand(client, id, options, {
        write: (text) => process.stdout.write(text),
        log: (line) => process.stderr.write(`${line}\n`),
      });
    });

  program
    .command('mcp')
    .description('serve the council as MCP tools over stdio, against the server you are logged in to')
    .action(async () => {
      const { client } = await connect(env);
      await mcpCommand(client, VERSION);
    });

  return program;
}

async function main(): Promise<number> {
  let exitCode: number = ExitCode.ok;
  let serverUrl: string | null = null;
  const program = buildProgram(
    process.env,
    (code) => (exitCode = code),
    (url) => (serverUrl = url),
  );
  try {
    await program.parseAsync(process.argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; everything else commander refuses is a usage error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const failure = describeFailure(error, serverUrl);
    process.stderr.write(`llm-council: ${failure.message}\n`);
    return failure.exitCode;
  }
}

process.exitCode = await main();
