import { parseArgs } from 'node:util';
import { userIdPattern } from '../shell/people';
import { ShellSession } from '../shell/session';
import { Terminal } from '../shell/terminal';
import { openSandbox } from './sandbox';

/** `npm run shell`: twokey in a terminal, or fed lines through a pipe. */

const usage = `Usage: npm run shell -- [--as <userId>]     (or: node dist/app/shell.js [--as <userId>])

twokey in a terminal, no Slack needed: type slash commands as a chosen Slack user, see messages
and cards as text, press a card's buttons by typing them. Lines on standard input run in order;
the shell ends at the end of input. Type :help inside for the shell's own commands.

  --as <userId>   who you are at first (default: the policy's on-call user, U0123ABCD in policy.example.yml)
  -h, --help      this text

Environment: ALTOSTRAT_API_URL and ALTOSTRAT_API_TOKEN, AITRONOS_API_URL and AITRONOS_API_TOKEN (a vendor
without both is simulated), POLICY_FILE (default: policy.example.yml, with you in a role), DATABASE_URL
(default: a temporary SQLite file), LOG_LEVEL (default: warn; logs go to standard error). .env is not read.
`;

// As often as the bot expires overdue requests.
const sweepIntervalMs = 5_000;

// What a shell interrupted by Ctrl-C exits with, as shells do (128 + SIGINT).
const interruptedExitCode = 130;

/** Bad arguments: said with the usage, exit code 2. */
class UsageError extends Error {}

function parseArguments(argv: string[]): { user?: string; help: boolean } {
  let values: { as?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { as: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const user = values.as?.toUpperCase();
  if (user !== undefined && !userIdPattern.test(user)) {
    throw new UsageError(`--as takes a Slack user ID such as U0123ABCD, not "${values.as}".`);
  }
  return { user, help: values.help ?? false };
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(usage);
    return;
  }
  const terminal: Terminal = new Terminal({
    waitingFor: () => sandbox.calls.describe(),
    // Nothing more runs once this is said: the calls under way are neither awaited nor cut off and misreported.
    leave: (lines) => {
      sandbox.screen.say(...lines, sandbox.abandon());
      process.exit(interruptedExitCode);
    },
  });
  const sandbox = await openSandbox({
    env: process.env,
    user: args.user,
    colour: process.stdout.isTTY === true && !process.env.NO_COLOR,
    write: (text) => terminal.write(text),
  });
  try {
    const { assembled, policy, screen, user } = sandbox;
    screen.say(...sandbox.about, '');
    await assembled.recoverInterrupted();
    const session = new ShellSession({ core: assembled.core, policy, screen, user });
    // Each sweep runs between lines, so that what it says never lands inside a command's answer.
    const sweeper = assembled.startSweeping(sweepIntervalMs, (sweep) => session.between(sweep));
    await terminal.run(session);
    sweeper.stop();
    // A sweep that was under way when input ended finishes before the store closes.
    await terminal.finish(() => session.idle());
  } finally {
    await sandbox.close();
  }
}

main().catch((error: unknown) => {
  // Bad arguments, settings and policies are the user's to fix: say what, without a stack trace.
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`twokey shell cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
