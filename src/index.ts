import { startBot } from './app/bot';
import { ConfigError, loadConfig, loadDotenv } from './app/config';
import { PolicyError } from './policy/load';
import { slackErrorCode } from './slack/replies';

/** `npm start`: read the environment, then serve Slack until told to stop. */
async function main(): Promise<void> {
  loadDotenv();
  const config = loadConfig(process.env);
  const bot = await startBot(config);
  const shutdown = () => {
    bot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
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
