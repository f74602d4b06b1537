import { startBot } from './app/bot';
import { ConfigError, loadConfig, loadDotenv } from './app/config';
import { PolicyError } from './policy/load';
import { slackErrorCode } from './slack/replies';

/** `npm start`: read the environment, then serve Slack until told to stop. */
async function main(): Promise<void> {
  // Signals are heard from the first moment. SIGHUP reloads the policy and never stops the bot;
  // before the bot is up it does nothing (the bot compares the file with what it loaded once up).
  // SIGTERM or SIGINT during start-up stops the bot as soon as it is up.
  let reloadPolicy = (): void => undefined;
  let stopRequested = false;
  let shutdown = (): void => {
    stopRequested = true;
  };
  process.on('SIGHUP', () => reloadPolicy());
  process.once('SIGINT', () => shutdown());
  process.once('SIGTERM', () => shutdown());

  loadDotenv();
  const config = loadConfig(process.env);
  const bot = await startBot(config);
  reloadPolicy = () => void bot.reloadPolicy();
  shutdown = () => {
    bot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  if (stopRequested) shutdown();
}

main().catch((error: unknown) => {
  // Configuration and policy problems are the admin's to fix: say what, without a stack trace.
  const slackError = slackErrorCode(error);
  if (error instanceof ConfigError || error instanceof PolicyError) {
    process.stderr.write(`twokey cannot start:\n${error.message}\n`);
  } else if (slackError) {
    process.stderr.write(
      `twokey cannot start: Slack answered "${slackError}" when twokey checked its tokens; check SLACK_BOT_TOKEN (and SLACK_APP_TOKEN in Socket Mode).\n`,
    );
  } else {
    process.stderr.write(`twokey cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
