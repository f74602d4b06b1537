#!/usr/bin/env node
/**
 * `twokey <command>`, the package's `bin`: the tools beside the bot. Each command is one entry
 * below; exit codes are 0 done, 1 the input is bad, 2 the command line is.
 */
import { checkPolicy, type CommandResult, UsageError } from './check-policy';

const commands: Record<string, { args: string; about: string; run(args: readonly string[]): CommandResult }> = {
  'check-policy': {
    args: '<file>',
    about: 'validate a policy file without Slack or vendor settings: a summary (exit 0) or every problem (exit 1)',
    run: checkPolicy,
  },
};

const usage = [
  'usage: twokey <command>',
  '',
  ...Object.entries(commands).map(([name, command]) => `  twokey ${name} ${command.args}\n      ${command.about}`),
].join('\n');

function main(argv: readonly string[]): CommandResult {
  const [name, ...args] = argv;
  if (name === undefined) return { code: 2, stderr: `twokey: which command?\n${usage}\n` };
  if (['help', '--help', '-h'].includes(name) || args.some((arg) => arg === '--help' || arg === '-h')) {
    return { code: 0, stdout: `${usage}\n` };
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) return { code: 2, stderr: `twokey: there is no command "${name}"\n${usage}\n` };
  try {
    return command.run(args);
  } catch (error) {
    if (error instanceof UsageError) return { code: 2, stderr: `twokey ${name}: ${error.message}\n${usage}\n` };
    throw error;
  }
}

const result = main(process.argv.slice(2));
if (result.stdout) process.stdout.write(result.stdout);
if (result.stderr) process.stderr.write(result.stderr);
// exitCode rather than exit(), so that output to a pipe is flushed first.
process.exitCode = result.code;
