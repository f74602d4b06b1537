/**
 * The yardstick: a bare Bolt app in HTTP mode that registers twokey's slash commands and
 * only acknowledges them. It checks its token at start-up and serves `GET /healthz` as
 * twokey does, so start-up, memory and acks compare like for like.
 */
import { App, LogLevel } from '@slack/bolt';

async function main(): Promise<void> {
  const env = process.env;
  const app = new App({
    token: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    clientOptions: { slackApiUrl: env.SLACK_API_URL },
    logLevel: LogLevel.INFO,
    deferInitialization: true,
    customRoutes: [
      {
        path: '/healthz',
        method: ['GET'],
        handler: (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('ok');
        },
      },
    ],
  });
  for (const command of (env.BARE_COMMANDS ?? '').split(',').filter(Boolean)) {
    app.command(command, async ({ ack }) => {
      await ack();
    });
  }
  await app.init();
  await app.start(Number(env.PORT));
  process.once('SIGTERM', () => {
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bare Bolt app: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
